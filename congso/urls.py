from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from congso.accounts.admin_site import install as install_admin_site
from congso.core.views import healthz
from congso.portal.views.public import home

install_admin_site(admin.site)
admin.site.site_header = "congso"
admin.site.site_title = "congso"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("congso.accounts.urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("org/", include("congso.org.urls")),
    path("api/", include("congso.api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("can-bo/", include("congso.workspace.urls")),
    path("in/", include("congso.printing.urls")),
    path("xac-thuc/", include("congso.signing.urls")),
    path("xep-hang/", include("congso.queueing.urls")),
    path("thong-ke/", include("congso.stats.urls")),
    path("chi-so/", include("congso.indices.urls")),
    path("thanh-toan/", include("congso.payments.urls")),
    path("phan-anh/", include("congso.feedback.urls")),
    # The portal last: it owns the public home page and short public paths (/thu-tuc/, /tra-cuu/, …).
    path("", include("congso.portal.urls")),
]
