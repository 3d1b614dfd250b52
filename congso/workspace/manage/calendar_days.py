"""Changing the calendar's days off and make-up days from the workspace (house rule 1: one service, one
transaction, permission and invariants checked).

Only today and later dates may be added, changed or removed: appointments already stored on dossiers never move
(they are copied at receipt), and a past date would also change how the clock stops of past dossiers are counted.
The cached working calendar is forgotten by the workcalendar app's own signals, so the next appointment computed
uses the change at once (docs/calendar.md).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.workcalendar.models import CalendarDay
from congso.workspace.manage.access import may_edit_calendar

EDITABLE = ("date", "kind", "name", "status", "source", "note", "active")


def _check_date(day) -> None:
    if day is not None and day < timezone.localdate():
        raise ValidationError({"date": _("Days before today cannot be changed: appointments already computed "
                                         "with them must not move.")})


def save_day(day: CalendarDay | None, values: dict, user) -> CalendarDay:
    """Create (day=None) or change a calendar row; ValidationError with field messages when it is not valid."""
    if not may_edit_calendar(user):
        raise PermissionDenied(_("Only a provincial administrator may change the calendar."))
    with transaction.atomic():
        if day is not None:
            day = CalendarDay.objects.select_for_update().get(pk=day.pk)
            _check_date(day.date)
        else:
            day = CalendarDay()
        _check_date(values.get("date"))
        for name in EDITABLE:
            if name in values:
                setattr(day, name, values[name])
        day.full_clean()
        day.save()
    return day


def remove_day(day: CalendarDay, user) -> str:
    """Delete a row made by hand; switch off a seeded one ("applies" unticked), since re-seeding would bring a
    deleted seeded row back. Returns "deleted" or "switched_off"."""
    if not may_edit_calendar(user):
        raise PermissionDenied(_("Only a provincial administrator may change the calendar."))
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().get(pk=day.pk)
        _check_date(day.date)
        if day.seed_checksum:
            day.active = False
            day.save(update_fields=["active", "updated_at"])
            return "switched_off"
        day.delete()
        return "deleted"
