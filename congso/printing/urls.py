from django.urls import path, re_path

from congso.printing import views

app_name = "printing"

urlpatterns = [
    path("so-theo-doi.pdf", views.register, name="register"),
    # Dossier codes contain dots and dashes (000.00.02.H97-250120-0001) but never a slash.
    re_path(r"^(?P<slug>[a-z-]+)/(?P<code>[^/]+)\.pdf$", views.dossier_form, name="dossier-form"),
]
