"""The procedure catalogue (danh mục thủ tục hành chính, TTHC).

A `Procedure` is only its national code and status. Everything that can change lives in `ProcedureVersion`s with
an effective date: a new decision publishes a new version and closes the previous one (valid_to = the new
valid_from); an old version is never edited in place, so a dossier can keep the version that applied when it was
received (`Procedure.version_on`). A version owns its time limits per channel, components, fees, results, legal
basis and the agencies that implement it (with each agency's online mode). Internal processes (`Process`) split
a version's time limit between steps, per implementing agency.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from congso.catalog.choices import (
    ApplicantType,
    Channel,
    FeeKind,
    Level,
    OnlineMode,
    ProcedureStatus,
    ReviewReason,
)
from congso.catalog.codes import local_code, validate_procedure_code
from congso.catalog.processes import HOURS_PER_DAY, check_shares, share_total
from congso.catalog.querysets import ProcedureQuerySet, ProcedureVersionQuerySet, as_local_date, in_force_q
from congso.core.models import TimeStampedModel
from congso.core.text import fold
from congso.org.choices import Role
from congso.workcalendar.units import DurationUnit

CHANNEL_ORDER = [Channel.DIRECT, Channel.ONLINE, Channel.POSTAL]
# The items of Decree 63/2010 Art. 8(2) that make a procedure's published content "full" (Decision 766, 1.3).
CONTENT_ITEMS = ["name", "steps", "method", "components", "duration", "applicant_types", "agency"]


@deconstructible
class ChoiceListValidator:
    """A JSON list of distinct codes of one TextChoices class."""

    def __init__(self, choices_path: str, message):
        self.choices_path = choices_path
        self.message = message

    def __call__(self, value):
        from django.utils.module_loading import import_string

        allowed = set(import_string(self.choices_path).values)
        if not isinstance(value, list) or any(item not in allowed for item in value) or len(set(value)) != len(value):
            raise ValidationError(self.message, code="invalid_choice_list")

    def __eq__(self, other):
        return isinstance(other, ChoiceListValidator) and other.choices_path == self.choices_path


validate_levels = ChoiceListValidator(
    "congso.catalog.choices.Level", _("Levels must be a list of distinct known levels.")
)
validate_applicant_types = ChoiceListValidator(
    "congso.catalog.choices.ApplicantType", _("Applicant types must be a list of distinct known applicant types.")
)


def validate_text_list(value):
    if not isinstance(value, list) or any(not isinstance(item, str) for item in value):
        raise ValidationError(_("Enter a list of texts."), code="invalid_text_list")


def build_search_text(code: str, name: str, field_name: str) -> str:
    return fold(f"{code} {name} {field_name}")[:1500]


class Field(TimeStampedModel):
    """A field of state management (lĩnh vực), e.g. Hộ tịch. National field codes are optional."""

    code = models.CharField(_("code"), max_length=32, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=255, unique=True)
    search_text = models.CharField(max_length=300, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.code = self.code or None
        self.search_text = fold(f"{self.code or ''} {self.name}")[:300]
        super().save(*args, **kwargs)


class Procedure(TimeStampedModel):
    """An administrative procedure (thủ tục hành chính) identified by its national code `d.dddddd`."""

    code = models.CharField(_("code"), max_length=8, unique=True, validators=[validate_procedure_code])
    status = models.CharField(
        _("status"), max_length=16, choices=ProcedureStatus.choices, default=ProcedureStatus.PUBLISHED
    )

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def local_code(self) -> str:
        """The code as the province publishes it: d.dddddd.000.00.00.Hnn."""
        return local_code(self.code)

    def _versions(self) -> list[ProcedureVersion]:
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "versions" in cache:
            return list(cache["versions"])
        return list(self.versions.all())

    def version_on(self, instant_or_date=None) -> ProcedureVersion | None:
        """The version in force on a date, or at an instant (its local date); None when there is none."""
        day = as_local_date(instant_or_date)
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "versions" in cache:
            found = [v for v in cache["versions"] if v.is_in_force(day)]
            return max(found, key=lambda v: v.number) if found else None
        return self.versions.filter(in_force_q(day)).order_by("-number").first()

    @property
    def current_version(self) -> ProcedureVersion | None:
        """The version in force today."""
        return self.version_on(None)

    def latest_version(self) -> ProcedureVersion | None:
        versions = self._versions()
        return max(versions, key=lambda v: v.number) if versions else None


class ProcedureVersion(models.Model):
    """What a procedure says during one period. Children: durations, components, fees, results, legal basis,
    implementations; internal processes per implementing agency."""

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"))
    valid_from = models.DateField(
        _("effective from"), null=True, blank=True, help_text=_("Empty on a first version whose start is not known.")
    )
    valid_to = models.DateField(_("effective until (exclusive)"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=1000)
    field = models.ForeignKey(Field, verbose_name=_("field"), on_delete=models.PROTECT, related_name="versions")
    levels = models.JSONField(_("levels"), default=list, blank=True, validators=[validate_levels])
    applicant_types = models.JSONField(
        _("applicant types"), default=list, blank=True, validators=[validate_applicant_types]
    )
    agency_text = models.TextField(_("implementing agency (as published)"), blank=True)
    steps = models.TextField(_("steps"), blank=True)
    method = models.TextField(_("method"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    cutoff_time = models.TimeField(
        _("cut-off time"), null=True, blank=True,
        help_text=_("Dossiers received after this time count from the next working day."),
    )
    cutoff_text = models.TextField(_("cut-off rule (as published)"), blank=True)
    fee_text = models.TextField(_("fees (as published)"), blank=True)
    result_is_document = models.BooleanField(_("result is a document"), default=True)
    online_mode = models.CharField(
        _("published online mode"), max_length=8, choices=OnlineMode.choices, blank=True,
        help_text=_("Empty when the source does not say."),
    )
    decision_number = models.CharField(_("publishing decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("publishing decision date"), null=True, blank=True)
    national_publication_date = models.DateField(_("date published on the national database"), null=True, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True, validators=[validate_text_list])
    source_urls = models.JSONField(_("sources"), default=list, blank=True, validators=[validate_text_list])
    needs_review = models.BooleanField(_("needs review"), default=False)
    review_reasons = models.JSONField(_("review reasons"), default=list, blank=True, validators=[validate_text_list])
    search_text = models.CharField(max_length=1500, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ProcedureVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure__code", "number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="catalog_version_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"], condition=models.Q(valid_to__isnull=True), name="catalog_version_one_open"
            ),
            models.UniqueConstraint(
                fields=["procedure"], condition=models.Q(valid_from__isnull=True), name="catalog_version_one_unstarted"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gt=models.F("valid_from")),
                name="catalog_version_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["procedure", "valid_from", "valid_to"], name="catalog_version_period")]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} – {self.name}"

    def save(self, *args, **kwargs):
        self.search_text = build_search_text(self.procedure.code, self.name, self.field.name)
        super().save(*args, **kwargs)

    # --- periods -------------------------------------------------------------------------------------------------
    def is_in_force(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)

    def overlapping_versions(self):
        """Other versions of the same procedure whose period meets this one's."""
        others = ProcedureVersion.objects.filter(procedure_id=self.procedure_id).exclude(pk=self.pk)
        if self.valid_to is not None:  # the other starts before this one ends
            others = others.filter(models.Q(valid_from__isnull=True) | models.Q(valid_from__lt=self.valid_to))
        if self.valid_from is not None:  # and ends after this one starts
            others = others.filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=self.valid_from))
        return others

    def clean(self):
        errors = {}
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            errors["valid_to"] = _("The end date must be after the start date.")
        elif self.procedure_id and self.overlapping_versions().exists():
            errors["valid_from"] = _("This period overlaps another version of the same procedure.")
        if errors:
            raise ValidationError(errors)

    # --- time limits ---------------------------------------------------------------------------------------------
    def _durations(self) -> list[ProcedureDuration]:
        return sorted(self.durations.all(), key=lambda d: CHANNEL_ORDER.index(d.channel))

    @property
    def channels(self) -> list[str]:
        """The channels this version is offered on (one duration row per channel)."""
        return [d.channel for d in self._durations()]

    def reference_duration(self) -> ProcedureDuration | None:
        """The time limit processes are planned against: in person, else online, else by post."""
        return next((d for d in self._durations() if d.amount is not None), None)

    def duration_for(self, channel: str = Channel.DIRECT) -> ProcedureDuration | None:
        """The time limit for a channel; the reference time limit when that channel has none."""
        for duration in self._durations():
            if duration.channel == channel and duration.amount is not None:
                return duration
        return self.reference_duration()

    def process_share_total(self, hours_per_day: int = HOURS_PER_DAY) -> Decimal:
        reference = self.reference_duration()
        return share_total(reference.unit if reference else None, reference.amount if reference else None,
                           hours_per_day)

    # --- what the Decision 766 index reads -------------------------------------------------------------------------
    @property
    def has_fee(self) -> bool:
        """True when some fee item is (or may be) non-zero: a financial obligation."""
        return any(fee.effective_amount is None or fee.effective_amount > 0 for fee in self.fees.all())

    def missing_content(self) -> list[str]:
        """Which of the items of Decree 63/2010 Art. 8(2) are missing (CONTENT_ITEMS keys)."""
        present = {
            "name": bool(self.name.strip()),
            "steps": bool(self.steps.strip()),
            "method": bool(self.method.strip()),
            "components": bool(list(self.components.all())),
            "duration": self.reference_duration() is not None,
            "applicant_types": bool(self.applicant_types),
            "agency": bool(self.agency_text.strip()) or any(i.active for i in self.implementations.all()),
        }
        return [item for item in CONTENT_ITEMS if not present[item]]

    @property
    def content_full(self) -> bool:
        return not self.missing_content()

    def newest_legal_effective_date(self) -> dt.date | None:
        dates = [basis.effective_date for basis in self.legal_basis.all() if basis.effective_date]
        return max(dates) if dates else None

    def review_reason_labels(self) -> list[str]:
        labels = dict(ReviewReason.choices)
        return [str(labels.get(reason, reason)) for reason in self.review_reasons]

    def get_levels_display(self) -> str:
        labels = dict(Level.choices)
        return ", ".join(str(labels.get(level, level)) for level in self.levels)

    def get_applicant_types_display(self) -> str:
        labels = dict(ApplicantType.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in self.applicant_types)


class ProcedureDuration(models.Model):
    """The time limit (thời hạn giải quyết) on one channel. An empty amount means "no information"."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="durations")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    amount = models.DecimalField(
        _("time limit"), max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0))], help_text=_("Empty when the source gives no time limit."),
    )
    unit = models.CharField(_("unit"), max_length=16, choices=DurationUnit.choices, blank=True)
    unit_inferred = models.BooleanField(_("unit inferred"), default=False)

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["version", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["version", "channel"], name="catalog_duration_channel_unique"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | ~models.Q(unit=""), name="catalog_duration_unit_given"
            ),
        ]

    def __str__(self) -> str:
        if self.amount is None:
            return f"{self.get_channel_display()}: –"
        return f"{self.get_channel_display()}: {self.amount.normalize():f} {self.get_unit_display()}"

    def clean(self):
        if self.amount is not None and not self.unit:
            raise ValidationError({"unit": _("Give the unit of the time limit.")})


class Fee(models.Model):
    """A fee (phí) or charge (lệ phí) item. Amounts set by the provincial People's Council can be overridden."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=500)
    kind = models.CharField(_("kind"), max_length=8, choices=FeeKind.choices)
    amount = models.PositiveBigIntegerField(
        _("amount (VND)"), null=True, blank=True, help_text=_("0 = free; empty = not stated.")
    )
    online_amount = models.PositiveBigIntegerField(_("amount online (VND)"), null=True, blank=True)
    set_by_province = models.BooleanField(_("set by the province"), default=False)
    amount_override = models.PositiveBigIntegerField(
        _("amount set by the province (VND)"), null=True, blank=True,
        help_text=_("Replaces the amount in this province, e.g. as set by the provincial People's Council."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_amount(self) -> int | None:
        return self.amount_override if self.amount_override is not None else self.amount


def template_upload_to(instance, filename: str) -> str:
    return f"catalog/templates/{dt.date.today():%Y}/{filename}"


class Component(models.Model):
    """A dossier component (thành phần hồ sơ) with the number of originals and copies to submit."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    case = models.CharField(_("case / group"), max_length=500, blank=True)
    name = models.TextField(_("name"))
    originals = models.PositiveSmallIntegerField(_("originals"), null=True, blank=True)
    certified_copies = models.PositiveSmallIntegerField(_("certified copies"), null=True, blank=True)
    photocopies = models.PositiveSmallIntegerField(_("photocopies"), null=True, blank=True)
    required = models.BooleanField(_("required"), default=True)
    template = models.FileField(
        _("template file"), upload_to=template_upload_to, blank=True, max_length=255,
        validators=[FileExtensionValidator(["doc", "docx", "odt", "pdf", "xls", "xlsx", "ods", "rtf"])],
    )
    template_name = models.CharField(_("template name"), max_length=255, blank=True)
    template_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    must_be_digitized = models.BooleanField(_("must be digitised"), default=False)

    class Meta:
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name[:80]

    def save(self, *args, **kwargs):
        if self.template and not self.template._committed:
            digest = hashlib.sha256()
            for chunk in self.template.chunks():
                digest.update(chunk)
            self.template_sha256 = digest.hexdigest()
            self.template.seek(0)
        elif not self.template:
            self.template_sha256 = ""
        super().save(*args, **kwargs)


class Result(models.Model):
    """A result of the procedure (kết quả), with its national result code when published."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="results")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.TextField(_("name"))
    code = models.CharField(_("result code"), max_length=32, blank=True)
    is_document = models.BooleanField(_("is a document"), default=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return f"{self.name[:80]} ({self.code})" if self.code else self.name[:80]


class LegalBasis(models.Model):
    """A legal document the procedure rests on (căn cứ pháp lý)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="legal_basis")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.TextField(_("title"))
    number = models.CharField(_("number"), max_length=100, blank=True)
    issued_date = models.DateField(_("issued on"), null=True, blank=True)
    effective_date = models.DateField(_("effective from"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal basis")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.number or self.title[:80]


class Implementation(models.Model):
    """An agency that carries out the procedure, and how far it offers it online (Decree 42/2022)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="implementations")
    agency = models.ForeignKey(
        "org.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="procedure_implementations"
    )
    online_mode = models.CharField(_("online mode"), max_length=8, choices=OnlineMode.choices, default=OnlineMode.NONE)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("implementing agency")
        verbose_name_plural = _("implementing agencies")
        ordering = ["version", "agency__code"]
        constraints = [models.UniqueConstraint(fields=["version", "agency"], name="catalog_implementation_unique")]

    def __str__(self) -> str:
        return f"{self.version.procedure.code} @ {self.agency.code}"


class Process(TimeStampedModel):
    """The internal process (quy trình nội bộ) of one procedure version at one implementing agency.

    Its steps split the version's reference time limit (in person, else online, else postal): working hours for
    working_day/working_hour limits, fractions of the whole for "within the day" (0), calendar days or no limit.
    """

    version = models.ForeignKey(
        ProcedureVersion, verbose_name=_("procedure version"), on_delete=models.CASCADE, related_name="processes"
    )
    agency = models.ForeignKey(
        "org.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="procedure_processes"
    )
    name = models.CharField(_("name"), max_length=255, blank=True)
    hours_per_day = models.PositiveSmallIntegerField(
        _("working hours per day"), default=HOURS_PER_DAY, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    is_default = models.BooleanField(_("generated default"), default=False)

    class Meta:
        verbose_name = _("internal process")
        verbose_name_plural = _("internal processes")
        ordering = ["version", "agency__code"]
        constraints = [models.UniqueConstraint(fields=["version", "agency"], name="catalog_process_unique")]

    def __str__(self) -> str:
        return self.name or f"{self.version.procedure.code} @ {self.agency.code}"

    @property
    def share_total(self) -> Decimal:
        return self.version.process_share_total(self.hours_per_day)

    def check_shares(self, shares=None) -> None:
        """Raise ValidationError unless the shares (default: the saved steps') fit the version's time limit."""
        if shares is None:
            shares = [step.share for step in self.steps.all()]
        reference = self.version.reference_duration()
        check_shares(reference.unit if reference else None, reference.amount if reference else None, shares,
                     self.hours_per_day)

    def clean(self):
        if self.pk and self.version_id:
            self.check_shares()


class ProcessStep(models.Model):
    """One step of an internal process: who acts (role or department, at which agency) and its share of time."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=255)
    role = models.CharField(_("acting role"), max_length=24, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "org.Agency", verbose_name=_("handling agency"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("Empty = the process's agency. Another agency makes this a hand-over step."),
    )
    share = models.DecimalField(
        _("share of the time"), max_digits=9, decimal_places=4, validators=[MinValueValidator(Decimal(0))],
        help_text=_("Working hours, or a fraction of the whole for same-day and calendar-day procedures."),
    )

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["process", "order"]
        constraints = [models.UniqueConstraint(fields=["process", "order"], name="catalog_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    @property
    def handling_agency_id(self) -> int:
        return self.agency_id or self.process.agency_id

    def clean(self):
        if self.department_id and self.process_id and self.department.agency_id != self.handling_agency_id:
            raise ValidationError({"department": _("The department must belong to the handling agency.")})
        if not self.role and not self.department_id:
            raise ValidationError({"role": _("Give the acting role or the department.")})
