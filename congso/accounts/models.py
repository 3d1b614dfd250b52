"""The one user model for staff and applicants (người dùng).

Staff (desk officers, specialists, leaders, clerks, administrators) and applicants (citizens and organisations)
are one table so that a person who is both never has two accounts, and the e-ID login can find either.
Roles are not stored here: they are memberships in agencies (org.Membership).
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from congso.core.validators import normalize_phone, validate_citizen_id, validate_phone, validate_tax_code


class AccountType(models.TextChoices):
    STAFF = "staff", _("Staff")
    CITIZEN = "citizen", _("Citizen")
    ORGANISATION = "organisation", _("Organisation")
    # Accounts of congso's own processes (e.g. the payment gateway's notices): inactive, no password, never a person.
    SYSTEM = "system", _("System process")


class UserManager(DjangoUserManager):
    def get_by_natural_key(self, username):
        """Log in by username or, failing that, e-mail address; both case-insensitive and unique."""
        try:
            return self.get(username__iexact=username)
        except self.model.DoesNotExist:
            if "@" not in (username or ""):
                raise
            return self.get(email__iexact=username)


class User(AbstractUser):
    account_type = models.CharField(
        _("account type"), max_length=16, choices=AccountType.choices, default=AccountType.CITIZEN
    )
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[validate_phone])
    citizen_id = models.CharField(
        _("citizen ID"), max_length=12, null=True, blank=True, unique=True, validators=[validate_citizen_id]
    )
    tax_code = models.CharField(
        _("tax code"), max_length=14, null=True, blank=True, unique=True, validators=[validate_tax_code]
    )
    organisation_name = models.CharField(_("organisation name"), max_length=255, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    # External e-ID (OpenID Connect) identity: issuer + subject identify the person at the provider.
    eid_issuer = models.CharField(_("e-ID issuer"), max_length=255, blank=True)
    eid_subject = models.CharField(_("e-ID subject"), max_length=255, null=True, blank=True)
    eid_verified_at = models.DateTimeField(_("e-ID verified at"), null=True, blank=True)
    require_two_factor = models.BooleanField(_("two-factor login required"), default=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.UniqueConstraint(
                Lower("email"), name="accounts_user_email_ci_unique", condition=~models.Q(email="")
            ),
            models.UniqueConstraint(
                fields=["eid_issuer", "eid_subject"],
                name="accounts_user_eid_unique",
                condition=models.Q(eid_subject__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.organisation_name or self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    @property
    def is_staff_account(self) -> bool:
        return self.account_type == AccountType.STAFF

    @property
    def is_eid_verified(self) -> bool:
        return self.eid_verified_at is not None

    def clean(self):
        super().clean()
        self.email = (self.email or "").strip()
        if self.phone:
            self.phone = normalize_phone(self.phone)
        # Empty strings would collide on the unique constraints; store "no value" as NULL.
        self.citizen_id = self.citizen_id or None
        self.tax_code = self.tax_code or None
        self.eid_subject = self.eid_subject or None

    def save(self, *args, **kwargs):
        self.citizen_id = self.citizen_id or None
        self.tax_code = self.tax_code or None
        self.eid_subject = self.eid_subject or None
        if self.phone:
            self.phone = normalize_phone(self.phone)
        super().save(*args, **kwargs)


# Field-level change history for administrative records (django-auditlog, with the request id).
auditlog.register(User, exclude_fields=["password", "last_login"])
