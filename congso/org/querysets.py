"""Querysets with the scoping every page and API list goes through (`for_user`, house rule 3)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone


def _active_on(day: dt.date) -> models.Q:
    return (models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day)) & (
        models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=day)
    )


def today() -> dt.date:
    return timezone.localdate()


class AdminUnitQuerySet(models.QuerySet):
    def as_of(self, day: dt.date):
        """Units that existed on `day`."""
        return self.filter(_active_on(day))

    def current(self):
        return self.as_of(today())


class MembershipQuerySet(models.QuerySet):
    def active(self, day: dt.date | None = None):
        return self.filter(_active_on(day or today()), user__is_active=True)


class AgencyQuerySet(models.QuerySet):
    def active(self, day: dt.date | None = None):
        return self.filter(_active_on(day or today()))

    def subtree_of(self, agencies) -> AgencyQuerySet:
        """The given agencies and every agency below them."""
        paths = [a.tree_path for a in agencies if a.tree_path]
        if not paths:
            return self.none()
        condition = models.Q()
        for path in paths:
            condition |= models.Q(tree_path__startswith=path)
        return self.filter(condition)

    def for_user(self, user, action: str = "view") -> AgencyQuerySet:
        """Agencies `user` may see (`view`) or change (`change`).

        - Superusers: all. Provincial monitors: all, to view.
        - Administrators: their agencies and everything below them, to view and change.
        - Other staff: their agencies and everything below them, to view.
        - Applicants and anonymous users: none (the public portal lists published data through its own views).
        """
        from congso.org.choices import Role
        from congso.org.scoping import member_agencies

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        memberships = member_agencies(user)
        if action == "view":
            if any(role == Role.PROVINCIAL_MONITOR for _, role in memberships):
                return self.all()
            agencies = [agency for agency, _ in memberships]
        elif action == "change":
            agencies = [agency for agency, role in memberships if role == Role.ADMINISTRATOR]
        else:
            raise ValueError(f"unknown action {action!r}")
        return self.subtree_of(agencies)
