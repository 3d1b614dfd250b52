"""Tables of the working calendar: special dates and working hours. The due-date maths reads them via services."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from congso.core.models import TimeStampedModel
from congso.workcalendar.choices import DayKind, DayStatus
from congso.workcalendar.engine import Schedule


class CalendarDay(TimeStampedModel):
    """One special date (ngày nghỉ lễ, nghỉ bù, ngày làm bù): a weekday off or a make-up weekend day worked.

    Ordinary weekdays and weekends need no row. Rows are seeded from the official schedules and the `holidays`
    package, then confirmed or corrected by an administrator; seeding never overwrites a row an administrator edited
    (`seed_checksum` remembers the values as seeded). A wrong seeded row is switched off (`active`), not deleted,
    so that re-seeding does not bring it back.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices, default=DayKind.DAY_OFF)
    name = models.CharField(_("name"), max_length=200, help_text=_("In Vietnamese, e.g. Tết Nguyên Đán."))
    status = models.CharField(_("status"), max_length=16, choices=DayStatus.choices, default=DayStatus.UNCONFIRMED)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the row comes from, e.g. an announcement.")
    )
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(
        _("applies"),
        default=True,
        help_text=_("Untick instead of deleting a wrong row, so that re-seeding does not bring it back."),
    )
    seed_checksum = models.CharField(_("seed checksum"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("day off or make-up day")
        verbose_name_plural = _("days off and make-up days")
        indexes = [models.Index(fields=["kind", "date"], name="workcal_day_kind_date")]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    def clean(self):
        super().clean()
        if self.date is None:
            return
        weekend = self.date.weekday() >= 5
        if self.kind == DayKind.DAY_OFF and weekend:
            raise ValidationError(
                {"kind": _("A Saturday or Sunday is already a rest day; only weekdays can be days off.")}
            )
        if self.kind == DayKind.WORKING_DAY and not weekend:
            raise ValidationError({"kind": _("Only a Saturday or Sunday can be a make-up working day.")})


class WorkSchedule(TimeStampedModel):
    """Working hours (giờ làm việc) in force from a date: a morning and an afternoon block of local time.

    The schedule in force on a date is the one with the latest `valid_from` not after it; the earliest one also covers
    earlier dates. Without any row the engine uses 08:00–12:00 and 13:00–17:00. One working day of a duration is the
    length of the schedule in force (e.g. 7.5 hours in a summer schedule).
    """

    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"), unique=True)
    morning_start = models.TimeField(_("morning start"), default=time(8))
    morning_end = models.TimeField(_("morning end"), default=time(12))
    afternoon_start = models.TimeField(_("afternoon start"), default=time(13))
    afternoon_end = models.TimeField(_("afternoon end"), default=time(17))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("work schedule")
        verbose_name_plural = _("work schedules")

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y})"

    def to_schedule(self) -> Schedule:
        return Schedule(((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end)))

    def clean(self):
        super().clean()
        times = (self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end)
        if None in times:
            return
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValidationError(
                _("Working hours must be in order: morning start < morning end ≤ afternoon start < afternoon end.")
            )
