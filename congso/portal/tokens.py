"""The e-mail verification link (xác thực e-mail): a signed, expiring, single-use token.

The token signs (with SECRET_KEY, timestamped) a digest of the account's state: id, active flag, e-mail and password
hash. Once the account is active the digest changes, so a link works once; it expires after
CONGSO_PORTAL_VERIFY_DAYS days (default 3).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core import signing

SALT = "congso.portal.email-verification"


def _state(user) -> str:
    raw = f"{user.pk}|{user.is_active}|{(user.email or '').lower()}|{user.password}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def make_token(user) -> str:
    return signing.TimestampSigner(salt=SALT).sign(_state(user))


def check_token(user, token: str) -> bool:
    max_age = getattr(settings, "CONGSO_PORTAL_VERIFY_DAYS", 3) * 86400
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token or "", max_age=max_age)
    except signing.BadSignature:  # also SignatureExpired
        return False
    return value == _state(user)
