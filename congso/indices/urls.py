from django.urls import path

from congso.indices import views

app_name = "indices"

urlpatterns = [
    path("", views.public, name="public"),
    path("ioc/", views.ioc, name="ioc"),
    path("ioc/du-lieu/", views.ioc_data, name="ioc-data"),
    path("ioc/chi-tiet/<str:key>/", views.drill, name="drill"),
]
