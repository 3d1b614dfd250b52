"""The one-stop dossier (hồ sơ) and everything recorded about it.

State changes happen only in `congso.dossiers.services` (house rule 1); these models hold the invariants and the
denormalised fields that worklists, statistics and the national-portal sync read without joins.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from congso.dossiers.choices import (
    Action,
    ApplicantKind,
    Channel,
    FileKind,
    PaymentMethod,
    Status,
    SyncState,
    Timeliness,
)
from congso.dossiers.querysets import DossierQuerySet
from congso.org.choices import Role
from congso.workcalendar.units import DurationUnit

USER = settings.AUTH_USER_MODEL


class DossierCodeCounter(models.Model):
    """The daily serial of dossier codes per receiving agency (`<agency>-<yymmdd>-<nnnn>`).

    Allocated inside the creating transaction under a row lock, so codes are unique and gap-free: a rolled-back
    creation rolls its serial back too.
    """

    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossiers_counter_agency_day")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last_serial}"


class Dossier(models.Model):
    """A dossier: one application for one procedure, from submission to the returned result."""

    code = models.CharField(_("dossier code"), max_length=64, unique=True)
    # Optimistic concurrency: incremented by every action; the API's ETag.
    version = models.PositiveIntegerField(_("version"), default=1)
    # Sequence number of the newest processing-log event: the next event takes the next number without a query
    # (the dossier row is locked while an action runs).
    last_event_seq = models.PositiveIntegerField(default=0, editable=False)
    status = models.PositiveSmallIntegerField(_("status"), choices=Status.choices, db_index=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)

    # Foreign keys led by a composite index below carry no index of their own (fewer index writes per action).
    procedure = models.ForeignKey("catalog.Procedure", verbose_name=_("procedure"), on_delete=models.PROTECT,
                                  related_name="dossiers", db_index=False)
    procedure_version = models.ForeignKey("catalog.ProcedureVersion", verbose_name=_("procedure version"),
                                          on_delete=models.PROTECT, related_name="dossiers")
    receiving_agency = models.ForeignKey("org.Agency", verbose_name=_("receiving agency"), on_delete=models.PROTECT,
                                         related_name="received_dossiers", db_index=False)
    handling_agency = models.ForeignKey("org.Agency", verbose_name=_("handling agency"), on_delete=models.PROTECT,
                                        related_name="handled_dossiers", db_index=False,
                                        help_text=_("The agency responsible for the result."))
    current_agency = models.ForeignKey("org.Agency", verbose_name=_("agency holding the dossier"),
                                       on_delete=models.PROTECT, related_name="held_dossiers", db_index=False)

    # Applicant (chủ hồ sơ): a snapshot of who applied, plus the account when there is one.
    applicant = models.ForeignKey(USER, verbose_name=_("applicant account"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="dossiers")
    applicant_kind = models.CharField(_("applicant kind"), max_length=16, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("applicant name"), max_length=255)
    applicant_id_number = models.CharField(_("citizen ID or tax code"), max_length=14, blank=True)
    applicant_phone = models.CharField(_("applicant phone"), max_length=16, blank=True)
    applicant_email = models.EmailField(_("applicant e-mail"), blank=True)
    applicant_address = models.CharField(_("applicant address"), max_length=500, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)

    # The time limit copied from the pinned version at creation, so a later catalogue change never moves it.
    duration = models.DecimalField(_("time limit"), max_digits=8, decimal_places=2, null=True, blank=True)
    duration_unit = models.CharField(_("unit"), max_length=16, choices=DurationUnit.choices, blank=True)
    cutoff = models.TimeField(_("cut-off"), null=True, blank=True)

    # Key instants (the national portal's NgayNopHoSo, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy, NgayTra, …).
    submitted_at = models.DateTimeField(_("submitted at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True, db_index=True)
    effective_start = models.DateTimeField(_("counting from"), null=True, blank=True)
    due_at = models.DateTimeField(_("appointment"), null=True, blank=True, db_index=True)
    current_due_at = models.DateTimeField(_("current appointment"), null=True, blank=True, db_index=True,
                                          help_text=_("The appointment moved by the clock stops."))
    extended_due_at = models.DateTimeField(_("new appointment after apology"), null=True, blank=True)
    finished_at = models.DateTimeField(_("handling ended at"), null=True, blank=True, db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("result returned at"), null=True, blank=True)
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)

    # Clock stops: total elapsed waiting time of the closed stops and the start of the open one (if any).
    waiting_seconds = models.PositiveBigIntegerField(_("waiting time (seconds)"), default=0)
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    supplement_count = models.PositiveSmallIntegerField(_("supplement requests"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("apologies"), default=0)

    timeliness = models.CharField(_("timeliness"), max_length=16, choices=Timeliness.choices,
                                  default=Timeliness.NOT_APPLICABLE)
    timeliness_at = models.DateTimeField(_("timeliness judged at"), null=True, blank=True)

    # The current step and who holds it (denormalised for worklists).
    current_step = models.ForeignKey("DossierStep", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", db_index=False)
    holder = models.ForeignKey(USER, verbose_name=_("holder"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="held_dossiers", db_index=False)
    holder_role = models.CharField(_("holder role"), max_length=24, choices=Role.choices, blank=True)
    holder_department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+", db_index=False)
    step_due_at = models.DateTimeField(_("step deadline"), null=True, blank=True, db_index=True)
    # The internal process copied at receipt: [{name, role, agency, department, share, process_step}, …], so a
    # later change of the procedure's process never changes a dossier already in hand.
    plan = models.JSONField(_("process plan"), default=list, blank=True)

    # Fees.
    fee_due = models.PositiveBigIntegerField(_("fees due (VND)"), default=0)
    fee_paid = models.PositiveBigIntegerField(_("fees paid (VND)"), default=0)
    payment_method = models.PositiveSmallIntegerField(_("payment method"), choices=PaymentMethod.choices, null=True,
                                                      blank=True)

    # The national portal's fields (one-stop-rules.md §5).
    eid_verified = models.BooleanField(_("submitted by an e-ID-verified account"), default=False)
    population_data_refs = models.JSONField(_("population database links"), default=list, blank=True)
    has_digitized_components = models.BooleanField(_("has digitised components"), default=False)
    sync_state = models.CharField(_("national portal sync"), max_length=16, choices=SyncState.choices,
                                  default=SyncState.PENDING)
    synced_at = models.DateTimeField(_("synced at"), null=True, blank=True)
    sync_error = models.TextField(_("last sync error"), blank=True)

    # Where the record comes from: made in congso, or imported from another system (legacy_data keeps what the
    # other system said that has no field here).
    origin = models.CharField(_("origin"), max_length=16, default="congso", db_index=True)
    legacy_data = models.JSONField(_("data from the previous system"), default=dict, blank=True)
    # Searched with LIKE '%…%': a trigram index on PostgreSQL (migration 0002); a b-tree could not serve it.
    search_text = models.CharField(max_length=400, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["handling_agency", "status"], name="dossier_handling_status"),
            models.Index(fields=["current_agency", "status"], name="dossier_current_status"),
            models.Index(fields=["receiving_agency", "received_at"], name="dossier_receiving_received"),
            models.Index(fields=["holder", "status"], name="dossier_holder_status"),
            models.Index(fields=["procedure", "received_at"], name="dossier_procedure_received"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.finished_at is None

    @property
    def national_channel(self) -> int:
        from congso.dossiers.choices import CHANNEL_NATIONAL_CODE

        return CHANNEL_NATIONAL_CODE[self.channel]

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


class DossierParticipant(models.Model):
    """An agency involved in a dossier (receiving, handling, transfer partner): the scope of who may see it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="participants")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="dossier_participations")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dossier", "agency"], name="dossiers_participant_unique")]
        indexes = [models.Index(fields=["agency", "dossier"], name="participant_agency_dossier")]

    def __str__(self) -> str:
        return f"{self.dossier_id} @ {self.agency_id}"


def dossier_file_path(instance, filename: str) -> str:
    # Random names: the original name is kept only in the database, never in the path.
    return f"dossiers/{instance.stored_name[:2]}/{instance.stored_name}"


class DossierFile(models.Model):
    """A file attached to a dossier (component, supplement, result), validated by content and stored by a random
    name with its sha256."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=16, choices=FileKind.choices)
    file = models.FileField(_("file"), upload_to=dossier_file_path, max_length=255)
    stored_name = models.CharField(max_length=80, unique=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dossier file")
        verbose_name_plural = _("dossier files")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class DossierComponent(models.Model):
    """A component as submitted: which paper, how many originals and copies, the file, and the 766 flags."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="components")
    catalog_component = models.ForeignKey("catalog.Component", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.TextField(_("name"))
    originals = models.PositiveSmallIntegerField(_("originals"), default=0)
    certified_copies = models.PositiveSmallIntegerField(_("certified copies"), default=0)
    photocopies = models.PositiveSmallIntegerField(_("photocopies"), default=0)
    file = models.ForeignKey(DossierFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    digitized = models.BooleanField(_("digitised"), default=False)  # DuocSoHoa
    reused = models.BooleanField(_("reused from digitised data"), default=False)  # DuocTaiSuDung
    from_national_store = models.BooleanField(_("taken from the national data store"), default=False)
    replaced_by_result_code = models.CharField(_("replaced by earlier result code"), max_length=64, blank=True)
    supplement = models.ForeignKey("SupplementRequest", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="supplied_components")

    class Meta:
        verbose_name = _("submitted component")
        verbose_name_plural = _("submitted components")
        ordering = ["dossier", "order", "id"]

    def __str__(self) -> str:
        return self.name[:80]


class DossierFee(models.Model):
    """A fee or charge due on a dossier, with the amount fixed at creation."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fees")
    catalog_fee = models.ForeignKey("catalog.Fee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("name"), max_length=500)
    kind = models.CharField(_("kind"), max_length=8)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))

    class Meta:
        verbose_name = _("dossier fee")
        verbose_name_plural = _("dossier fees")

    def __str__(self) -> str:
        return f"{self.name[:60]}: {self.amount}"


class Payment(models.Model):
    """A payment recorded on a dossier (at the desk, or online through a gateway)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="payments")
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    method = models.PositiveSmallIntegerField(_("method"), choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("paid at"))
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(fields=["method", "reference"], condition=~models.Q(reference=""),
                                    name="dossiers_payment_reference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.amount} ({self.get_method_display()})"


class DossierStep(models.Model):
    """One step of the dossier's handling at one agency (bước xử lý), with its deadline from the process."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=255)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)
    assignee = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    share = models.DecimalField(max_digits=9, decimal_places=4, default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("step deadline"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Timeliness.choices, blank=True)
    process_step = models.ForeignKey("catalog.ProcessStep", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    plan_index = models.PositiveSmallIntegerField(null=True, blank=True)
    # For a transfer step: the plan index to go back to when the other agency returns the dossier.
    return_to_index = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("dossier step")
        verbose_name_plural = _("dossier steps")
        ordering = ["dossier", "order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class HandOver(models.Model):
    """A row of the control sheet (phiếu kiểm soát quá trình giải quyết hồ sơ): one hand-over of the dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="handovers")
    at = models.DateTimeField(_("handed over at"))
    from_agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    from_user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_step = models.ForeignKey(DossierStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_step = models.ForeignKey(DossierStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    step_deadline = models.DateTimeField(_("step deadline"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Timeliness.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("control sheet")
        ordering = ["dossier", "at", "id"]

    def __str__(self) -> str:
        return f"{self.from_agency_id} → {self.to_agency_id} {self.at:%d/%m/%Y %H:%M}"


class ProcessingEvent(models.Model):
    """The processing log (nhật ký xử lý): one row per action, the source for statistics and the sync."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField(_("sequence"))
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    from_status = models.PositiveSmallIntegerField(_("from status"), choices=Status.choices, null=True, blank=True)
    to_status = models.PositiveSmallIntegerField(_("to status"), choices=Status.choices)
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("actor"), max_length=255, blank=True)
    actor_role = models.CharField(_("role"), max_length=24, blank=True)
    agency = models.ForeignKey("org.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("processing event")
        verbose_name_plural = _("processing log")
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="dossiers_event_seq_unique")]
        indexes = [models.Index(fields=["action", "at"], name="event_action_at")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.action}"


class ClockStop(models.Model):
    """An interval during which the clock is stopped (waiting for the applicant)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="clock_stops")
    reason = models.CharField(_("reason"), max_length=24, choices=Action.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["dossier", "started_at"]
        constraints = [
            models.UniqueConstraint(fields=["dossier"], condition=models.Q(ended_at__isnull=True),
                                    name="dossiers_one_open_clock_stop"),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%d/%m/%Y %H:%M} – {self.ended_at or '…'}"


class SupplementRequest(models.Model):
    """A supplement request (Mẫu 02): everything missing, listed once."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplement_requests")
    number = models.PositiveSmallIntegerField(_("number"))
    items = models.JSONField(_("what to supplement"), default=list)
    reason = models.TextField(_("reason"))
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    supplied_at = models.DateTimeField(_("supplied at"), null=True, blank=True)
    supplied_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.PositiveSmallIntegerField(choices=Status.choices)
    counts_for_timeliness = models.BooleanField(default=True, help_text=_("Made after receipt."))
    previous_due_at = models.DateTimeField(_("appointment before"), null=True, blank=True)
    new_due_at = models.DateTimeField(_("appointment after"), null=True, blank=True)

    class Meta:
        ordering = ["dossier", "number"]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.number}"


class Extension(models.Model):
    """An apology with a new appointment (Mẫu 04): kept beside the original; it never makes a dossier on time."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="extensions")
    previous_due_at = models.DateTimeField(_("appointment before"))
    new_due_at = models.DateTimeField(_("new appointment"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("apologised at"))
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["dossier", "created_at"]

    def __str__(self) -> str:
        return f"{self.previous_due_at:%d/%m/%Y} → {self.new_due_at:%d/%m/%Y}"


class FinancialObligation(models.Model):
    """A request to pay the financial obligation (nghĩa vụ tài chính); the clock stops while it is unpaid."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="obligations")
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    description = models.TextField(_("description"), blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    stops_clock = models.BooleanField(_("stops the clock"), default=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["dossier", "requested_at"]

    def __str__(self) -> str:
        return f"{self.amount}"


class ResultDocument(models.Model):
    """A result issued for the dossier (giấy tờ kết quả), paper or electronic."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="results")
    catalog_result = models.ForeignKey("catalog.Result", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    name = models.CharField(_("name"), max_length=500)
    result_code = models.CharField(_("result code"), max_length=64, blank=True)  # MaGiayToKetQua
    number = models.CharField(_("document number"), max_length=100, blank=True)
    file = models.ForeignKey(DossierFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_electronic = models.BooleanField(_("electronic result"), default=False)
    pushed_to_data_store = models.BooleanField(_("pushed to the applicant's data store"), default=False)
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name[:80]


