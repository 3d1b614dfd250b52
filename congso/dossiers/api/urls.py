from django.urls import re_path

from congso.dossiers.api import views

app_name = "dossiers-api"

# Dossier codes contain dots (000.00.02.H99-251120-0001): the patterns accept anything but a slash.
# The list itself (/api/v1/dossiers) is routed in congso/api.py.
urlpatterns = [
    re_path(r"^(?P<code>[^/]+)/actions/(?P<action>[a-z_]+)$", views.DossierActionView.as_view(),
            name="dossier-action"),
    re_path(r"^(?P<code>[^/]+)$", views.DossierDetailView.as_view(), name="dossier-detail"),
]
