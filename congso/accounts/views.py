"""Login with an optional second factor (two_factor.py explains who needs it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login

from congso.accounts import two_factor
from congso.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        from congso.accounts import eid

        return {**super().get_context_data(**kwargs), "eid_enabled": eid.enabled(),
                "eid_failed": self.request.GET.get("eid") == "failed"}

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.needs_second_factor(user):
            # The password was right; the login ends only after the code.
            self.request.session.cycle_key()
            two_factor.start_pending(self.request.session, user, user.backend, self.get_success_url())
            return redirect("accounts:otp")
        return super().form_valid(form)


def _safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return "/"


@never_cache
@sensitive_post_parameters("otp_token")
def second_factor(request):
    """Ask for the six-digit code: finishes a pending login, or verifies a session that was opened without it.
    A person who must use two factors and has no device yet sets one up here (QR code, then a first code)."""
    data = two_factor.pending(request.session)
    if data is not None:
        user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
        next_url = data.get("next") or "/"
    elif request.user.is_authenticated:
        user, next_url = request.user, request.GET.get("next") or request.POST.get("next") or "/"
    else:
        user = None
    if user is None:
        messages.error(request, _("Your login has expired. Log in again."))
        return redirect("accounts:login")

    device = two_factor.confirmed_device(user)
    setting_up = device is None
    if setting_up:
        device = two_factor.setup_device(user)
    error = ""
    if request.method == "POST":
        if two_factor.verify(device, request.POST.get("otp_token", "")):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            if data is not None:
                request.session.pop(two_factor.PENDING_KEY, None)
                login(request, user, backend=data["backend"])
            otp_login(request, device)
            return redirect(_safe_next(request, next_url))
        if data is not None and two_factor.record_failure(request.session) >= two_factor.MAX_FAILURES:
            messages.error(request, _("Too many wrong codes. Log in again."))
            return redirect("accounts:login")
        error = _("The code is not right, or it has expired. Type the six digits your app shows now.")
    context = {"setting_up": setting_up, "error": error, "next": next_url}
    if setting_up:
        context.update(qr=two_factor.qr_svg(device), secret=two_factor.secret_base32(device))
    return render(request, "accounts/otp.html", context, status=400 if error else 200)
