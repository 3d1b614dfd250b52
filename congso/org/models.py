"""Administrative units, agencies, departments and memberships (tổ chức).

Administrative units (đơn vị hành chính) change over time: the 2025 reform removed the district level on 1 July
2025 and merged provinces and communes. A unit's code is never reused; its name, type and parent are kept as
dated history rows (`AdminUnitVersion`) so the hierarchy can be read as it was on any date, and every change is a
`SuccessionEvent` with its predecessors and successors (the old→new crosswalk).
"""

from __future__ import annotations

import datetime as dt

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from congso.core.models import TimeStampedModel
from congso.core.text import fold
from congso.org.choices import AgencyKind, Role, SuccessionKind, UnitLevel, UnitType
from congso.org.querysets import AdminUnitQuerySet, AgencyQuerySet, MembershipQuerySet
from congso.org.validators import validate_agency_code, validate_unit_code


class AdminUnit(TimeStampedModel):
    """An administrative unit (province, district, commune) identified by its official code for all time."""

    code = models.CharField(_("code"), max_length=10, unique=True, validators=[validate_unit_code])
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    # Current state, denormalised from the newest version for fast reads; history lives in AdminUnitVersion.
    name = models.CharField(_("name"), max_length=200)
    unit_type = models.CharField(_("unit type"), max_length=16, choices=UnitType.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to (exclusive)"), null=True, blank=True)
    search_text = models.CharField(max_length=300, blank=True, editable=False, db_index=True)

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="org_adminunit_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.code} {self.name}")
        super().save(*args, **kwargs)

    def clean(self):
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A unit cannot be its own parent.")})
        if self.level == UnitLevel.PROVINCE and self.parent_id:
            raise ValidationError({"parent": _("A province has no parent unit.")})

    def exists_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)

    def version_on(self, day: dt.date) -> AdminUnitVersion | None:
        return self.versions.filter_valid_on(day).first()


class AdminUnitVersionQuerySet(models.QuerySet):
    def filter_valid_on(self, day: dt.date):
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=day),
        )


class AdminUnitVersion(models.Model):
    """A unit's name, type and parent during one period; periods of one unit do not overlap."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(_("name"), max_length=200)
    unit_type = models.CharField(_("unit type"), max_length=16, choices=UnitType.choices)
    parent = models.ForeignKey(
        AdminUnit, verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to (exclusive)"), null=True, blank=True)
    event = models.ForeignKey(
        "SuccessionEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="versions"
    )

    objects = AdminUnitVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit version")
        verbose_name_plural = _("administrative unit versions")
        ordering = ["unit", "valid_from"]
        indexes = [models.Index(fields=["parent", "valid_from", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.name} [{self.valid_from or '…'} – {self.valid_to or '…'})"


class SuccessionEvent(TimeStampedModel):
    """One change to administrative units on one date, under one legal decision."""

    kind = models.CharField(_("kind"), max_length=16, choices=SuccessionKind.choices)
    effective_date = models.DateField(_("effective date"))
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("succession event")
        verbose_name_plural = _("succession events")
        ordering = ["effective_date", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date:%d/%m/%Y}"


class SuccessionLink(models.Model):
    """Predecessor → successor in one event: one row of the old→new code crosswalk."""

    event = models.ForeignKey(SuccessionEvent, on_delete=models.CASCADE, related_name="links")
    predecessor = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="successor_links")
    successor = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="predecessor_links")

    class Meta:
        verbose_name = _("succession link")
        verbose_name_plural = _("succession links")
        constraints = [
            models.UniqueConstraint(fields=["event", "predecessor", "successor"], name="org_successionlink_unique")
        ]

    def __str__(self) -> str:
        return f"{self.predecessor.code} → {self.successor.code}"


class Agency(TimeStampedModel):
    """A state agency (cơ quan): a People's Committee, a provincial department, a service centre, …

    `code` is the QCVN 102:2016 identifier (e.g. `000.00.00.H48`), the prefix of dossier codes.
    """

    code = models.CharField(_("identifier (QCVN 102)"), max_length=32, unique=True, validators=[validate_agency_code])
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=AgencyKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent agency"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    admin_unit = models.ForeignKey(
        AdminUnit, verbose_name=_("seat (administrative unit)"), on_delete=models.PROTECT, related_name="agencies"
    )
    served_units = models.ManyToManyField(
        AdminUnit, verbose_name=_("units served"), blank=True, related_name="serving_agencies"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to (exclusive)"), null=True, blank=True)
    # Materialised path of ancestor ids ("/1/4/17/") so "this agency and everything below it" is one indexed query.
    tree_path = models.CharField(max_length=500, blank=True, editable=False, db_index=True)
    search_text = models.CharField(max_length=400, blank=True, editable=False, db_index=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("An agency cannot be below itself.")})
            ancestor = ancestor.parent

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.code} {self.name} {self.short_name}")
        old_path = self.tree_path
        super().save(*args, **kwargs)
        new_path = (self.parent.tree_path if self.parent_id else "/") + f"{self.pk}/"
        if new_path != old_path:
            Agency.objects.filter(pk=self.pk).update(tree_path=new_path)
            self.tree_path = new_path
            # Re-root the subtree below this agency when it moved.
            if old_path:
                for child in Agency.objects.filter(tree_path__startswith=old_path).exclude(pk=self.pk):
                    Agency.objects.filter(pk=child.pk).update(tree_path=new_path + child.tree_path[len(old_path):])

    @property
    def is_active(self) -> bool:
        return self.valid_to is None or self.valid_to > dt.date.today()


class Department(TimeStampedModel):
    """A department inside an agency (phòng, ban, bộ phận), e.g. the one-stop desk or the land registry office."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="departments")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=255)
    is_one_stop_desk = models.BooleanField(_("one-stop desk"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["agency", "code"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="org_department_code_unique")]

    def __str__(self) -> str:
        return f"{self.name} – {self.agency.short_name or self.agency.name}"


class Membership(TimeStampedModel):
    """A person's role in an agency (and optionally one of its departments), for a period."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    title = models.CharField(_("job title"), max_length=150, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to (exclusive)"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["agency", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], condition=models.Q(department__isnull=True),
                name="org_membership_unique_agency_role",
            ),
            models.UniqueConstraint(
                fields=["user", "agency", "department", "role"], name="org_membership_unique_department_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"

    def clean(self):
        if self.department_id and self.department.agency_id != self.agency_id:
            raise ValidationError({"department": _("The department must belong to the agency.")})
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": _("The end date must be after the start date.")})


# Field-level change history for administrative records (django-auditlog, with the request id).
auditlog.register(AdminUnit)
auditlog.register(AdminUnitVersion)
auditlog.register(SuccessionEvent)
auditlog.register(Agency)
auditlog.register(Department)
auditlog.register(Membership)
