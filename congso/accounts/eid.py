"""Login with the national e-ID (định danh điện tử) through OpenID Connect, authorization-code flow.

congso is the relying party (mozilla-django-oidc); the provider is configured by CONGSO_EID_* variables (in
development and tests, the simulator in congso/eid_simulator). A person is found by the provider's (issuer, subject)
pair; the first time, by the personal ID number the provider vouches for — an applicant account that declared the
same number is linked, otherwise a new citizen account is made. Each login refreshes `eid_verified_at`, which marks
the dossiers this account submits as e-ID-verified (the Decision 766 index counts them). Staff accounts never log in
this way.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from congso.accounts.models import AccountType
from congso.core.validators import validate_citizen_id


def enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


class EidBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims) -> bool:
        if not claims.get("sub"):
            return False
        try:
            validate_citizen_id(claims.get("citizen_id", ""))
        except Exception:  # noqa: BLE001 - any invalid number: refuse the login
            return False
        return True

    def filter_users_by_claims(self, claims):
        issuer = settings.CONGSO_EID_ISSUER
        by_subject = self.UserModel.objects.filter(eid_issuer=issuer, eid_subject=str(claims["sub"]))
        if by_subject.exists():
            return by_subject.exclude(account_type=AccountType.STAFF)
        return self.UserModel.objects.filter(citizen_id=claims["citizen_id"], eid_subject__isnull=True).exclude(
            account_type=AccountType.STAFF)

    def get_or_create_user(self, access_token, id_token, payload):
        with transaction.atomic():
            return super().get_or_create_user(access_token, id_token, payload)

    def create_user(self, claims):
        if self.UserModel.objects.filter(citizen_id=claims["citizen_id"]).exists():
            return None  # the number belongs to a staff account or one already linked elsewhere
        user = self.UserModel(
            username=f"eid-{claims['citizen_id']}-{secrets.token_hex(3)}", account_type=AccountType.CITIZEN,
            email="", citizen_id=claims["citizen_id"],
        )
        user.set_unusable_password()
        return self._apply(user, claims)

    def update_user(self, user, claims):
        return self._apply(user, claims)

    def _apply(self, user, claims):
        user.eid_issuer = settings.CONGSO_EID_ISSUER
        user.eid_subject = str(claims["sub"])
        user.eid_verified_at = timezone.now()
        user.citizen_id = claims["citizen_id"]
        user.full_name = str(claims.get("name") or user.full_name)[:200]
        phone = str(claims.get("phone_number") or "")
        if phone and not user.phone:
            user.phone = phone
        email = str(claims.get("email") or "").strip()
        if email and not user.email and not self.UserModel.objects.filter(email__iexact=email).exists():
            user.email = email
        user.save()
        return user
