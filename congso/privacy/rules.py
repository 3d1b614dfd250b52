"""Who may read the personal-data access log of a dossier."""

from __future__ import annotations

from congso.org.choices import Role
from congso.org.scoping import member_agencies


def may_read_access_log(user, dossier) -> bool:
    """The applicant of their own dossier; agency leaders and administrators of the dossier's handling agency or of
    an agency above it; superusers."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if dossier.applicant_id is not None and dossier.applicant_id == user.pk:
        return True
    path = dossier.handling_agency.tree_path
    return any(
        role in (Role.AGENCY_LEADER, Role.ADMINISTRATOR) and agency.tree_path and path.startswith(agency.tree_path)
        for agency, role in member_agencies(user)
    )
