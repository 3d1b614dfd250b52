from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from congso.core.views import healthz, home

admin.site.site_header = "congso"
admin.site.site_title = "congso"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("congso.accounts.urls")),
    path("org/", include("congso.org.urls")),
    path("api/", include("congso.api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
