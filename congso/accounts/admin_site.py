"""The Django admin behind the same login as the rest of congso, second factor included."""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from congso.accounts.two_factor import needs_second_factor


class CongsoAdminSite(AdminSite):
    def has_permission(self, request):
        user = request.user
        if not super().has_permission(request):
            return False
        return not needs_second_factor(user) or user.is_verified()

    def login(self, request, extra_context=None):
        next_url = request.GET.get("next") or reverse("admin:index")
        if request.user.is_authenticated and not request.user.is_verified():
            return redirect(f"{reverse('accounts:otp')}?{urlencode({'next': next_url})}")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


def install(site) -> None:
    """Give the default admin site this behaviour (apps register on `admin.site`, so we keep that object)."""
    site.__class__ = CongsoAdminSite
