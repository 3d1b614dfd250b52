"""Two-factor login (xác thực hai lớp) with time-based one-time codes (TOTP, RFC 6238) through django-otp.

Who needs it: administrators (superusers and anyone with the administrator role) always; any account an
administrator marked `require_two_factor`; and anyone who set up a device of their own. The password step does not
log such a person in: it leaves a *pending login* in the session, and only a correct code finishes it. Wrong codes
are throttled by django-otp (growing delays) and counted here: after `MAX_FAILURES` the pending login is dropped.
"""

from __future__ import annotations

import base64

import segno
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from congso.org.choices import Role

PENDING_KEY = "congso_2fa_pending"
MAX_FAILURES = 5
# A pending login older than this must start again from the password.
PENDING_SECONDS = 300
DEVICE_NAME = "totp"


def needs_second_factor(user) -> bool:
    from django.conf import settings

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(settings, "CONGSO_TWO_FACTOR", True):  # switched off (only the test suite does, by default)
        return False
    if user.is_superuser or user.require_two_factor:
        return True
    if user.memberships.active().filter(role=Role.ADMINISTRATOR).exists():
        return True
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def setup_device(user) -> TOTPDevice:
    """The unconfirmed device a person is setting up (one at a time; a new secret each time setup starts over)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps type it (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code for authenticator apps."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1a1a1a")


def start_pending(session, user, backend: str, next_url: str) -> None:
    session[PENDING_KEY] = {"user": user.pk, "backend": backend, "next": next_url,
                            "since": timezone.now().timestamp(), "failures": 0}


def pending(session) -> dict | None:
    data = session.get(PENDING_KEY)
    if not data or timezone.now().timestamp() - data.get("since", 0) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    return data


def record_failure(session) -> int:
    data = session.get(PENDING_KEY) or {}
    data["failures"] = data.get("failures", 0) + 1
    session[PENDING_KEY] = data
    if data["failures"] >= MAX_FAILURES:
        session.pop(PENDING_KEY, None)
    return data["failures"]


def verify(device: TOTPDevice, token: str) -> bool:
    token = "".join(ch for ch in str(token or "") if ch.isdigit())
    if len(token) != device.digits:
        return False
    verified, _message = device.verify_is_allowed()
    return bool(verified) and device.verify_token(token)
