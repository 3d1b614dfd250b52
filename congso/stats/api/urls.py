from django.urls import path

from congso.stats.api import views

urlpatterns = [
    path("table/", views.StatisticsTableView.as_view(), name="stats-table"),
    path("dossier-counts/", views.DossierCountsView.as_view(), name="stats-dossier-counts"),
]
