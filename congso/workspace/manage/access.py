"""Who may use the daily administration pages (quản trị hằng ngày) and what they may change.

- The pages: superusers and staff holding an active `administrator` membership.
- Internal processes: an administrator changes those of the agencies they administer (their agency and the
  agencies below it, `Agency.objects.for_user(user, "change")`); a superuser, any agency's.
- Calendar days off and make-up days apply to the whole province, so only a *provincial* administrator edits
  them: an administrator of the top agency of the tree (a province-level agency without a parent, the provincial
  People's Committee), or a superuser. Every other administrator sees the calendar read-only.
"""

from __future__ import annotations

from congso.org.choices import Role, UnitLevel
from congso.org.models import Agency
from congso.org.scoping import member_agencies


def _admin_agencies(user) -> list:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return [agency for agency, role in member_agencies(user) if role == Role.ADMINISTRATOR]


def may_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or _admin_agencies(user)))


def managed_agencies(user):
    """Agencies whose internal processes `user` may change."""
    return Agency.objects.for_user(user, "change")


def may_manage_agency(user, agency) -> bool:
    if not may_manage(user):
        return False
    return user.is_superuser or any(agency.tree_path.startswith(a.tree_path) for a in _admin_agencies(user))


def may_edit_calendar(user) -> bool:
    if not may_manage(user):
        return False
    return user.is_superuser or any(
        a.parent_id is None and a.level == UnitLevel.PROVINCE for a in _admin_agencies(user))
