"""Scoping and the queue's orderings."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


def staff_agency_ids(user) -> set[int] | None:
    """Agencies whose counters `user` may work at: those where they hold an active membership themselves (a
    membership higher up the tree is not a seat at this desk). None means every agency (superusers)."""
    from congso.org.scoping import member_agencies

    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return None
    return {agency.pk for agency, _role in member_agencies(user)}


def supervises(user, agency_id: int) -> bool:
    """The user may close another officer's counter of this agency (an administrator, the agency's leader or a
    department head there), e.g. one left open at the end of the day."""
    from congso.org.choices import Role
    from congso.org.scoping import member_agencies

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    roles = {Role.ADMINISTRATOR, Role.AGENCY_LEADER, Role.DEPARTMENT_HEAD}
    return any(agency.pk == agency_id and role in roles for agency, role in member_agencies(user))


class CounterQuerySet(models.QuerySet):
    def for_user(self, user) -> CounterQuerySet:
        agency_ids = staff_agency_ids(user)
        if agency_ids is None:
            return self.all()
        return self.filter(agency_id__in=agency_ids)

    def in_use(self) -> CounterQuerySet:
        return self.filter(is_active=True)


class ServiceGroupQuerySet(models.QuerySet):
    def offered(self) -> ServiceGroupQuerySet:
        return self.filter(is_active=True)


class TicketQuerySet(models.QuerySet):
    def of_day(self, agency, day=None) -> TicketQuerySet:
        return self.filter(agency=agency, day=day or timezone.localdate())

    def in_queue_order(self) -> TicketQuerySet:
        # Oldest first; a transferred ticket keeps the time it was taken, so it does not go to the back of the line.
        return self.order_by("taken_at", "id")

    def ahead_of(self, ticket) -> TicketQuerySet:
        """Waiting tickets of the same queue (agency, day, group) that will be called before `ticket`."""
        from congso.queueing.choices import TicketStatus

        return self.filter(
            models.Q(taken_at__lt=ticket.taken_at) | models.Q(taken_at=ticket.taken_at, id__lt=ticket.pk),
            agency_id=ticket.agency_id, day=ticket.day, group_id=ticket.group_id, status=TicketStatus.WAITING,
        )
