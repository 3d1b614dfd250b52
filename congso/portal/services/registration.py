"""Applicant accounts: registration with e-mail verification (đăng ký tài khoản, xác thực e-mail)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from congso.accounts.models import AccountType
from congso.portal import tokens

logger = logging.getLogger(__name__)


def create_applicant(*, account_type: str, email: str, password: str, full_name: str = "", phone: str = "",
                     citizen_id: str = "", tax_code: str = "", organisation_name: str = "", request=None):
    """Create an inactive citizen or organisation account and send the verification link.

    The form has validated every field; the unique constraints still guard a concurrent duplicate (IntegrityError
    rolls this back and the view answers with the form error)."""
    User = get_user_model()
    email = email.strip()
    with transaction.atomic():
        user = User(
            username=email.lower()[:150], email=email, account_type=account_type, is_active=False,
            full_name=full_name.strip() if account_type == AccountType.CITIZEN else "",
            organisation_name=organisation_name.strip() if account_type == AccountType.ORGANISATION else "",
            phone=phone, citizen_id=(citizen_id or None) if account_type == AccountType.CITIZEN else None,
            tax_code=(tax_code or None) if account_type == AccountType.ORGANISATION else None,
        )
        user.set_password(password)
        user.save()
    # Sent once the row is saved (outside the block: a failed send never undoes the registration; the applicant
    # can ask for a new link).
    send_verification(user, request.build_absolute_uri("/") if request is not None else settings.SITE_URL + "/")
    return user


def awaiting_verification(user) -> bool:
    """An account that registered and has not yet followed its link: inactive and never logged in (an account an
    administrator deactivated has logged in before and is not reopened by a link)."""
    return user is not None and not user.is_active and user.last_login is None \
        and user.account_type != AccountType.STAFF


def verification_path(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("portal:verify-email", kwargs={"uidb64": uid, "token": tokens.make_token(user)})


def send_verification(user, base_url: str) -> None:
    """Send the verification e-mail (synchronously: the applicant is waiting for it; they can ask again)."""
    link = base_url.rstrip("/") + verification_path(user)
    context = {"user": user, "link": link, "days": getattr(settings, "CONGSO_PORTAL_VERIFY_DAYS", 3)}
    subject = " ".join(render_to_string("portal/email/verify_subject.txt", context).split())
    body = render_to_string("portal/email/verify_body.txt", context)
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    try:
        message.send()
    except OSError:  # SMTP down: the account stays waiting; the applicant can ask for the link again
        logger.exception("verification e-mail to user %s failed", user.pk)


def resend_verification(email: str, base_url: str) -> bool:
    """Send a new link to an account still waiting for verification. Always silent about whether the address is
    registered (the caller shows the same message either way)."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if not awaiting_verification(user):
        return False
    send_verification(user, base_url)
    return True


def user_from_link(uidb64: str):
    User = get_user_model()
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return User.objects.filter(pk=pk).first()


def verify(uidb64: str, token: str):
    """Activate the account of a valid link; returns the user, or None for a bad, used or expired link."""
    User = get_user_model()
    user = user_from_link(uidb64)
    if not awaiting_verification(user) or not tokens.check_token(user, token):
        return None
    with transaction.atomic():
        # Two clicks at once: only the first changes the row.
        updated = User.objects.filter(pk=user.pk, is_active=False, last_login__isnull=True).update(is_active=True)
    if not updated:
        return None
    user.is_active = True
    return user
