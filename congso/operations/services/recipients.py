"""Who receives a reminder or an escalation, resolved from memberships loaded once per agency and sweep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from congso.org.choices import Role
from congso.org.models import Membership


class Recipients:
    """A per-sweep cache of the active memberships of the agencies met so far (one query per batch of new
    agencies, never one per dossier)."""

    def __init__(self, day: dt.date):
        self.day = day
        self._by_agency: dict[int, list[Membership]] = {}
        self.queries = 0

    def load(self, agency_ids: Iterable[int]) -> None:
        missing = {a for a in agency_ids if a is not None and a not in self._by_agency}
        if not missing:
            return
        for agency_id in missing:
            self._by_agency[agency_id] = []
        rows = (Membership.objects.active(self.day).filter(agency_id__in=missing)
                .select_related("user").order_by("user_id", "id"))
        self.queries += 1
        for membership in rows:
            self._by_agency[membership.agency_id].append(membership)

    def members(self, agency_id: int | None, role: str, department_id: int | None = None) -> list:
        """Active users with `role` at the agency; with a department, those of that department and those with no
        department (agency-wide), or every holder of the role when the department has none."""
        if agency_id is None or not role:
            return []
        self.load([agency_id])
        found = [m for m in self._by_agency[agency_id] if m.role == role]
        if department_id is not None:
            narrowed = [m for m in found if m.department_id in (department_id, None)]
            found = narrowed or found
        return _unique_users(m.user for m in found)

    def department_of(self, agency_id: int | None, user_id: int | None) -> int | None:
        """The department of the user's membership at the agency (the first one that names a department)."""
        if agency_id is None or user_id is None:
            return None
        self.load([agency_id])
        for membership in self._by_agency[agency_id]:
            if membership.user_id == user_id and membership.department_id is not None:
                return membership.department_id
        return None

    def for_step(self, dossier) -> list:
        """The holder of the step; with no holder, the members of the step's role at the holding agency."""
        holder = dossier.holder
        if holder is not None and holder.is_active:
            return [holder]
        return self.members(dossier.current_agency_id, dossier.holder_role, dossier.holder_department_id)

    def for_escalation(self, dossier) -> list:
        """The department heads of the holder's department (all heads of the holding agency when it is unknown),
        the leaders of the holding agency and the leaders of the agency responsible for the result."""
        agency = dossier.current_agency_id
        department = dossier.holder_department_id or self.department_of(agency, dossier.holder_id)
        heads = self.members(agency, Role.DEPARTMENT_HEAD, department)
        leaders = self.members(agency, Role.AGENCY_LEADER)
        if dossier.handling_agency_id != agency:
            leaders += self.members(dossier.handling_agency_id, Role.AGENCY_LEADER)
        return _unique_users([*heads, *leaders])


def _unique_users(users: Iterable) -> list:
    seen, result = set(), []
    for user in users:
        if user.pk not in seen and user.is_active:
            seen.add(user.pk)
            result.append(user)
    return result
