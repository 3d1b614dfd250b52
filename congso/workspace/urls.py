"""The staff workspace (/can-bo/): worklists, the dossier page and its actions, desk intake, daily administration."""

from django.urls import include, path

app_name = "workspace"

urlpatterns = [
    path("tiep-nhan/", include("congso.workspace.intake.urls")),
    path("quan-tri/", include("congso.workspace.manage.urls")),
    path("", include("congso.workspace.work.urls")),
]
