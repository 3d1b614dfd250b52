from django.urls import path, re_path

from congso.catalog.api import views

app_name = "catalog-api"

# Procedure codes contain dots (1.001193, 1.001193.000.00.00.H99): the pattern accepts anything but a slash.
urlpatterns = [
    path("procedures", views.ProcedureListView.as_view(), name="procedure-list"),
    re_path(r"^procedures/(?P<code>[^/]+)$", views.ProcedureDetailView.as_view(), name="procedure-detail"),
    path("fields", views.FieldListView.as_view(), name="field-list"),
]
