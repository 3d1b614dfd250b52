"""Queue tickets at a service centre (xếp hàng, lấy số thứ tự).

An agency's kiosk offers `ServiceGroup`s (nhóm lĩnh vực): each is one button, a prefix letter and the catalogue
fields (lĩnh vực) it covers. An applicant takes a `Ticket` ("A012") in a group; numbers run per agency, per day and
per prefix letter, gap-free (`TicketSequence`, allocated like dossier codes). A `Counter` (quầy) serves some groups;
the officer at it calls the oldest waiting ticket of those groups. Every change to a ticket is a `TicketEvent`.
"""

from __future__ import annotations

import string
import uuid

from auditlog.registry import auditlog
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congso.core.models import TimeStampedModel
from congso.queueing.choices import AT_COUNTER, TicketAction, TicketStatus
from congso.queueing.querysets import CounterQuerySet, ServiceGroupQuerySet, TicketQuerySet

validate_prefix = RegexValidator(r"^[A-Z]$", _("The prefix is one capital letter A–Z."), code="prefix")


def format_ticket_number(prefix: str, number: int) -> str:
    """'A', 12 → 'A012': three digits as the displays show them; a day past 999 simply gets more digits."""
    return f"{prefix}{number:03d}"


class ServiceGroup(TimeStampedModel):
    """A kiosk button (nhóm lĩnh vực): a prefix letter and the catalogue fields whose applicants queue together."""

    agency = models.ForeignKey(
        "org.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="queue_groups"
    )
    prefix = models.CharField(
        _("prefix letter"), max_length=1, validators=[validate_prefix],
        help_text=_("Ticket numbers of this group start with this letter, e.g. A012."),
    )
    name = models.CharField(_("name on the kiosk"), max_length=150)
    fields = models.ManyToManyField(
        "catalog.Field", verbose_name=_("fields"), blank=True, related_name="queue_groups",
        help_text=_("The fields (lĩnh vực) whose applicants take a number in this group."),
    )
    order = models.PositiveSmallIntegerField(_("order on the kiosk"), default=0)
    is_active = models.BooleanField(_("offered on the kiosk"), default=True)

    objects = ServiceGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("service group")
        verbose_name_plural = _("service groups")
        ordering = ["agency", "order", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "prefix"], name="queueing_group_prefix_unique"),
            models.CheckConstraint(condition=models.Q(prefix__in=list(string.ascii_uppercase)),
                                   name="queueing_group_prefix_letter"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} – {self.name}"


class Counter(TimeStampedModel):
    """A service counter (quầy) of an agency, the groups it serves, and the officer at it while it is open."""

    agency = models.ForeignKey(
        "org.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="queue_counters"
    )
    number = models.PositiveSmallIntegerField(_("counter number"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    groups = models.ManyToManyField(
        ServiceGroup, verbose_name=_("groups served"), blank=True, related_name="counters",
        help_text=_("The officer at this counter calls the oldest waiting ticket of these groups."),
    )
    is_open = models.BooleanField(_("open"), default=False, editable=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer at the counter"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="queue_counters", editable=False,
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = CounterQuerySet.as_manager()

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["agency", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="queueing_counter_number_unique"),
            # An officer sits at one counter at a time.
            models.UniqueConstraint(fields=["officer"], condition=models.Q(officer__isnull=False),
                                    name="queueing_counter_one_per_officer"),
            models.CheckConstraint(
                condition=models.Q(is_open=True, officer__isnull=False) | models.Q(is_open=False, officer__isnull=True),
                name="queueing_counter_open_has_officer",
            ),
        ]

    def __str__(self) -> str:
        label = _("Counter %(number)s") % {"number": self.number}
        return f"{label} – {self.name}" if self.name else str(label)


class TicketSequence(models.Model):
    """The last number given out per agency, day and prefix letter (the daily counter)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    prefix = models.CharField(max_length=1)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ticket sequence")
        verbose_name_plural = _("ticket sequences")
        constraints = [
            models.UniqueConstraint(fields=["agency", "day", "prefix"], name="queueing_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.day:%d/%m/%Y}: {self.last_number}"


class Ticket(models.Model):
    """A queue ticket (phiếu số thứ tự). `prefix` and `number` never change; `group` is the queue the ticket waits
    in now (a transfer moves it to another group and keeps its number and its place by time taken)."""

    agency = models.ForeignKey("org.Agency", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="queue_tickets")
    day = models.DateField(_("service date"))
    prefix = models.CharField(_("prefix letter"), max_length=1)
    number = models.PositiveIntegerField(pgettext_lazy("queue", "number"))
    group = models.ForeignKey(ServiceGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="tickets")
    field = models.ForeignKey("catalog.Field", verbose_name=_("field"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING)
    token = models.UUIDField(_("ticket link key"), default=uuid.uuid4, unique=True, editable=False)
    taken_at = models.DateTimeField(_("taken at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    first_called_at = models.DateTimeField(_("first called at"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(_("times called"), default=0)
    started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    counter = models.ForeignKey(Counter, verbose_name=_("counter"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="tickets")
    served_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("served by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("dossier"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="queue_tickets")
    phone = models.CharField(_("phone"), max_length=16, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["day", "taken_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "day", "prefix", "number"], name="queueing_ticket_number_unique"),
            # A counter holds at most one ticket at a time: the database refuses a second, whatever the code does.
            models.UniqueConstraint(fields=["counter"], condition=models.Q(status__in=[s.value for s in AT_COUNTER]),
                                    name="queueing_ticket_one_per_counter"),
        ]
        indexes = [
            models.Index(fields=["agency", "day", "status", "taken_at"], name="queueing_ticket_queue_idx"),
            models.Index(fields=["agency", "day", "called_at"], name="queueing_ticket_calls_idx"),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return format_ticket_number(self.prefix, self.number)


class TicketEvent(models.Model):
    """One thing that happened to a ticket: who, where, when (the queue's log, for statistics and disputes)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=TicketAction.choices)
    at = models.DateTimeField(_("at"))
    counter = models.ForeignKey(Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.get_action_display()}"


auditlog.register(ServiceGroup, m2m_fields={"fields"})
auditlog.register(Counter, m2m_fields={"groups"})
