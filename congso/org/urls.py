from django.urls import path

from congso.org import views

app_name = "org"

urlpatterns = [
    path("agencies/", views.AgencyListView.as_view(), name="agency-list"),
]
