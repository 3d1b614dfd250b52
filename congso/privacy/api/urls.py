from django.urls import path

from congso.privacy.api import views

app_name = "privacy-api"

urlpatterns = [
    path("access-log", views.AccessLogListView.as_view(), name="access-log"),
]
