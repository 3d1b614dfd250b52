"""The API's root: /api/v1/<area>/…, the OpenAPI schema at /api/schema/ and its docs UI at /api/docs/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from congso.dossiers.api.views import DossierListCreateView

v1 = [
    path("calendar/", include("congso.workcalendar.api.urls")),
    path("catalog/", include("congso.catalog.api.urls")),
    path("org/", include("congso.org.api.urls")),
    path("accounts/", include("congso.accounts.api.urls")),
    path("dossiers", DossierListCreateView.as_view(), name="dossier-list"),
    path("dossiers/", include("congso.dossiers.api.urls")),
    path("dossiers/", include("congso.datastore.api.dossier_urls")),  # /dossiers/{code}/reuse
    path("datastore/", include("congso.datastore.api.urls")),
    path("privacy/", include("congso.privacy.api.urls")),
    path("stats/", include("congso.stats.api.urls")),
    path("index766/", include("congso.indices.api.urls")),
    path("payments/", include("congso.payments.api.urls")),
    path("portal/", include("congso.portal.api.urls")),
    path("feedback/", include("congso.feedback.api.urls")),
    path("queue/", include("congso.queueing.api.urls")),
    path("workspace/", include("congso.workspace.api.urls")),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
