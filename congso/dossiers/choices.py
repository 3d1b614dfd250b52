"""Choices of the one-stop dossier engine (hồ sơ một cửa)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congso.catalog.choices import Channel  # noqa: F401 - re-exported: a dossier's channel is the catalogue's

# The national portal's channel codes (KenhThucHien).
CHANNEL_NATIONAL_CODE = {"direct": 1, "online": 2, "postal": 3}


class Status(models.IntegerChoices):
    """The ten status codes of the national public service portal (TrangThaiHoSo), the canonical state machine."""

    NEW = 1, pgettext_lazy("dossier status", "Newly registered")
    RECEIVED = 2, pgettext_lazy("dossier status", "Received")
    REFUSED = 3, pgettext_lazy("dossier status", "Not received")
    IN_PROGRESS = 4, pgettext_lazy("dossier status", "In progress")
    SUPPLEMENT_REQUESTED = 5, pgettext_lazy("dossier status", "Supplement requested")
    FINANCIAL_OBLIGATION = 6, pgettext_lazy("dossier status", "Financial obligation requested")
    WITHDRAWN = 7, pgettext_lazy("dossier status", "Withdrawn by the applicant")
    STOPPED = 8, pgettext_lazy("dossier status", "Handling stopped")
    RESOLVED = 9, pgettext_lazy("dossier status", "Resolved")
    RETURNED = 10, pgettext_lazy("dossier status", "Result returned")


TERMINAL_STATUSES = {Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED}
# Statuses that end the handling for the on-time rule ("first terminal status"): resolved counts as the end.
ENDING_STATUSES = {Status.RESOLVED, Status.RETURNED, Status.STOPPED, Status.REFUSED, Status.WITHDRAWN}
WAITING_STATUSES = {Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION}


class Timeliness(models.TextChoices):
    """On-time verdict (trước hạn / đúng hạn / quá hạn), for an ended dossier or an open one at an instant."""

    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    OPEN_WITHIN = "open_within", _("In progress, within the deadline")
    OPEN_OVERDUE = "open_overdue", _("In progress, past the deadline")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class CopyKind(models.TextChoices):
    ORIGINAL = "original", _("Original")
    CERTIFIED_COPY = "certified_copy", _("Certified copy")
    PHOTOCOPY = "photocopy", _("Photocopy")


class FileKind(models.TextChoices):
    COMPONENT = "component", _("Component")
    SUPPLEMENT = "supplement", _("Supplement")
    RESULT = "result", _("Result")
    OTHER = "other", _("Other")


class PaymentMethod(models.IntegerChoices):
    """DuocThanhToanTrucTuyen: 0 = not online (cash, transfer at the desk), 1 = national payment platform,
    2 = the province's own gateway."""

    OFFLINE = 0, _("At the desk")
    NATIONAL_PLATFORM = 1, _("National payment platform")
    LOCAL_GATEWAY = 2, _("Provincial payment gateway")


class SyncState(models.TextChoices):
    """State of the dossier's synchronisation with the national portal (the sync itself comes later)."""

    PENDING = "pending", _("Waiting to be synced")
    SYNCED = "synced", _("Synced")
    FAILED = "failed", _("Sync failed")
    NOT_REQUIRED = "not_required", _("Not required")


class Action(models.TextChoices):
    """The actions of the engine; each is one service and one processing-log event."""

    CREATE = "create", _("Create")
    ACCEPT = "accept", _("Accept")
    REFUSE = "refuse", _("Refuse")
    REQUEST_SUPPLEMENT = "request_supplement", _("Request a supplement")
    SUPPLY = "supply", _("Supply the supplement")
    FORWARD = "forward", _("Forward to the next step")
    SEND_BACK = "send_back", _("Send back")
    ASSIGN = "assign", _("Assign")
    TRANSFER = "transfer", _("Transfer to another agency")
    RETURN_TRANSFER = "return_transfer", _("Return from the other agency")
    REQUEST_PAYMENT = "request_payment", _("Request the financial obligation")
    RECORD_PAYMENT = "record_payment", _("Record a payment")
    APOLOGIZE = "apologize", _("Apologise and set a new appointment")
    STOP = "stop", _("Stop handling")
    WITHDRAW = "withdraw", _("Withdraw")
    COMPLETE = "complete", _("Complete with the result")
    RETURN_RESULT = "return_result", _("Return the result")
