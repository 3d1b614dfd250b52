"""Data-store routes under /api/v1/dossiers/ (included from congso/api.py beside the dossier engine's own)."""

from django.urls import re_path

from congso.datastore.api import views

app_name = "datastore-dossier-api"

# Dossier codes contain dots: the pattern accepts anything but a slash.
urlpatterns = [
    re_path(r"^(?P<code>[^/]+)/reuse$", views.DossierReuseView.as_view(), name="dossier-reuse"),
]
