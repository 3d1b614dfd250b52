"""Who may take in dossiers at which desk, and for which agencies (tiếp nhận hồ sơ tại bộ phận một cửa).

Rules (docs/desk-intake.md):
- A desk officer (`desk_officer` role, active membership) receives at the agencies where they hold that role.
- A desk receives for its own agency; a public administration service centre also receives for the active
  agencies seated in the same administrative unit (the provincial centre for the provincial departments, a
  commune's centre for its People's Committee), as the engine allows a centre to receive for another agency.
"""

from __future__ import annotations

from django.db.models import Q

from congso.org.choices import AgencyKind, Role
from congso.org.models import Agency, Membership


def desk_agencies(user) -> list[Agency]:
    """The active agencies where `user` is a desk officer today, by code."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    agency_ids = Membership.objects.active().filter(user=user, role=Role.DESK_OFFICER).values("agency_id")
    return list(Agency.objects.active().filter(pk__in=agency_ids).order_by("code"))


def handled_agencies(receiving: Agency):
    """The agencies whose procedures the desk of `receiving` may take in (a queryset)."""
    condition = Q(pk=receiving.pk)
    if receiving.kind == AgencyKind.SERVICE_CENTRE:
        condition |= Q(admin_unit_id=receiving.admin_unit_id)
    return Agency.objects.active().filter(condition)


def pick_receiving(user, agency_id) -> Agency | None:
    """The desk agency `agency_id` if `user` is a desk officer there, else None."""
    return next((a for a in desk_agencies(user) if str(a.pk) == str(agency_id)), None)
