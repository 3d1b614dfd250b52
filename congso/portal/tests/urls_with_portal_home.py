"""The site's URLs with the portal's home page at "/" (as the site will route it once "home" points there)."""

from django.urls import path

from congso.portal.views.public import home
from congso.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("", home, name="home")] + [p for p in site_urlpatterns if getattr(p, "name", None) != "home"]
