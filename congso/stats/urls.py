from django.urls import path

from congso.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.report, name="report"),
    path("theo-cap/", views.by_level, name="levels"),
    path("xuat.csv", views.export_csv, name="export_csv"),
    path("xuat.xlsx", views.export_xlsx, name="export_xlsx"),
]
