"""Querysets of the catalogue: versions in force on a date."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone


def as_local_date(instant_or_date) -> dt.date:
    """A date for a date, or the local (Asia/Ho_Chi_Minh) date of an instant."""
    if instant_or_date is None:
        return timezone.localdate()
    if isinstance(instant_or_date, dt.datetime):
        if timezone.is_aware(instant_or_date):
            return timezone.localtime(instant_or_date).date()
        return instant_or_date.date()
    if isinstance(instant_or_date, dt.date):
        return instant_or_date
    raise TypeError(f"expected a date or a datetime, not {type(instant_or_date).__name__}")


def in_force_q(day: dt.date, prefix: str = "") -> models.Q:
    """Versions whose [valid_from, valid_to) contains `day`; an empty valid_from is open towards the past."""
    return (models.Q(**{f"{prefix}valid_from__isnull": True}) | models.Q(**{f"{prefix}valid_from__lte": day})) & (
        models.Q(**{f"{prefix}valid_to__isnull": True}) | models.Q(**{f"{prefix}valid_to__gt": day})
    )


class ProcedureVersionQuerySet(models.QuerySet):
    def in_force(self, instant_or_date=None):
        """Versions in force on a date (default today)."""
        return self.filter(in_force_q(as_local_date(instant_or_date)))


class ProcedureQuerySet(models.QuerySet):
    def in_force(self, instant_or_date=None):
        """Procedures that have a version in force on a date (default today)."""
        from congso.catalog.models import ProcedureVersion

        day = as_local_date(instant_or_date)
        return self.filter(
            models.Exists(ProcedureVersion.objects.filter(in_force_q(day), procedure=models.OuterRef("pk")))
        )
