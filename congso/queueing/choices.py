from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketStatus(models.TextChoices):
    """Where a queue ticket (phiếu số thứ tự) stands."""

    WAITING = "waiting", pgettext_lazy("queue", "Waiting")
    CALLED = "called", pgettext_lazy("queue", "Called")
    SERVING = "serving", _("Being served")
    DONE = "done", pgettext_lazy("queue", "Served")
    NO_SHOW = "no_show", _("Did not come")
    CANCELLED = "cancelled", _("Cancelled")


# A ticket in one of these is at a counter: that counter cannot call the next one until it is resolved.
AT_COUNTER = (TicketStatus.CALLED, TicketStatus.SERVING)
FINISHED = (TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED)


class TicketAction(models.TextChoices):
    """What happened to a ticket (the ticket's log)."""

    TAKE = "take", _("Ticket taken")
    CALL = "call", pgettext_lazy("queue", "Called")
    RECALL = "recall", _("Called again")
    START = "start", _("Service started")
    DONE = "done", pgettext_lazy("queue", "Served")
    NO_SHOW = "no_show", _("Did not come")
    TRANSFER = "transfer", _("Transferred")
    CANCEL = "cancel", _("Cancelled")
    RETURN = "return", _("Returned to the queue")
    LINK_DOSSIER = "link_dossier", _("Dossier linked")
