from django.urls import path

from congso.datastore.api import views

app_name = "datastore-api"

urlpatterns = [
    path("documents", views.DocumentListView.as_view(), name="document-list"),
    path("documents/<int:pk>", views.DocumentDetailView.as_view(), name="document-detail"),
    path("documents/<int:pk>/file", views.DocumentFileView.as_view(), name="document-file"),
]
