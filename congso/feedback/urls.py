from django.urls import path

from congso.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("gui/", views.send, name="send"),
    path("can-bo/", views.staff_list, name="staff-list"),
    path("can-bo/<str:code>/", views.staff_detail, name="staff-detail"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/<slug:what>/", views.sender_action, name="sender-action"),
]
