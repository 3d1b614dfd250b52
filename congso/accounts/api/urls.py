from django.urls import path

from congso.accounts.api.views import MeView

app_name = "accounts-api"

urlpatterns = [path("me", MeView.as_view(), name="me")]
