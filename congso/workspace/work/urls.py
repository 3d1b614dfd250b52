from django.urls import path

from congso.workspace.work import views_home

urlpatterns = [
    path("", views_home.home, name="home"),
]
