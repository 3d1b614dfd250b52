"""Applicant accounts: register, verify the e-mail, profile, password, and where to land after login."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from congso.accounts.models import AccountType
from congso.portal import ratelimit
from congso.portal.forms import ProfileForm, RegistrationForm, ResendForm
from congso.portal.services import registration


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("portal:my-dossiers")
    form = RegistrationForm(request.POST or None)
    limited = False
    if request.method == "POST":
        if not ratelimit.hit(request, "register"):
            limited = True
        elif form.is_valid():
            data = form.cleaned_data
            try:
                registration.create_applicant(
                    account_type=data["account_type"], email=data["email"], password=data["password1"],
                    full_name=data.get("full_name", ""), phone=data["phone"], citizen_id=data.get("citizen_id", ""),
                    tax_code=data.get("tax_code", ""), organisation_name=data.get("organisation_name", ""),
                    request=request,
                )
            except IntegrityError:  # a concurrent registration with the same e-mail or number won
                form.add_error(None, _("An account with this e-mail or number already exists."))
            else:
                request.session["portal_registered_email"] = data["email"]
                return redirect("portal:register-sent")
    status = 429 if limited else 200
    return render(request, "portal/register.html", {"form": form, "limited": limited}, status=status)


def register_sent(request):
    return render(request, "portal/register_sent.html",
                  {"email": request.session.get("portal_registered_email", ""), "form": ResendForm()})


@require_http_methods(["GET", "POST"])
def resend(request):
    form = ResendForm(request.POST or None)
    limited = sent = False
    if request.method == "POST":
        if not ratelimit.hit(request, "resend"):
            limited = True
        elif form.is_valid():
            registration.resend_verification(form.cleaned_data["email"], request.build_absolute_uri("/"))
            sent = True  # the same answer whether or not the address is registered
    return render(request, "portal/resend.html", {"form": form, "limited": limited, "sent": sent},
                  status=429 if limited else 200)


def verify_email(request, uidb64: str, token: str):
    user = registration.verify(uidb64, token)
    if user is None:
        return render(request, "portal/verify_failed.html", status=400)
    messages.success(request, _("Your e-mail is confirmed. You can log in now."))
    return redirect(reverse("accounts:login"))


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details were saved."))
        return redirect("portal:profile")
    return render(request, "portal/profile.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("portal:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


@login_required
def after_login(request):
    """Where a login lands (LOGIN_REDIRECT_URL): staff to the workspace, applicants to their dossiers. A safe
    `next` still wins."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    if request.user.account_type == AccountType.STAFF or request.user.is_superuser:
        return redirect("/can-bo/")
    return redirect("portal:my-dossiers")
