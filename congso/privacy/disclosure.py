"""Who sees a dossier's personal numbers (citizen ID / tax code, phone) in full — docs/personal-data.md.

- Lists and exports: always masked (`congso.privacy.masking`).
- Detail: in full for the applicant themself, and for staff with a handling role (desk officer, specialist,
  department head, agency leader) in the agency that received, handles or holds the dossier. Everyone else who may
  see the dossier (provincial monitors, clerks, administrators, other agencies taking part, superusers) sees them
  masked.
- Reveal on request (`?reveal=1&reason=…`): superusers, provincial monitors, administrators and agency leaders who
  may see the dossier, and the people above, may reveal them by stating a purpose, which goes to the access log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from congso.core.problems import Problem
from congso.org.choices import Role
from congso.org.scoping import member_agencies
from congso.privacy.choices import DisclosureBasis

# Roles that see a dossier's personal numbers in full at the agencies handling it.
HANDLING_ROLES = frozenset({Role.DESK_OFFICER, Role.SPECIALIST, Role.DEPARTMENT_HEAD, Role.AGENCY_LEADER})
# Roles that may reveal them on a dossier they may see, by stating a purpose.
REVEALING_ROLES = frozenset({Role.PROVINCIAL_MONITOR, Role.ADMINISTRATOR, Role.AGENCY_LEADER})
MAX_PURPOSE = 1000


@dataclass(frozen=True)
class Disclosure:
    """The outcome for one viewer and one dossier."""

    unmasked: bool
    basis: str = DisclosureBasis.MASKED
    purpose: str = ""


def dossier_agency_ids(dossier) -> set[int]:
    return {dossier.receiving_agency_id, dossier.handling_agency_id, dossier.current_agency_id}


def handling_membership(user, dossier):
    """(agency, role) of the user's handling-role membership at an agency of the dossier, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    agencies = dossier_agency_ids(dossier)
    for agency, role in member_agencies(user):
        if agency.pk in agencies and role in HANDLING_ROLES:
            return agency, role
    return None


def full_view_basis(user, dossier) -> str:
    """The basis on which `user` sees the dossier's personal numbers in full, or "" (masked)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return DisclosureBasis.MASKED
    if dossier.applicant_id is not None and dossier.applicant_id == user.pk:
        return DisclosureBasis.APPLICANT
    if handling_membership(user, dossier) is not None:
        return DisclosureBasis.HANDLING
    return DisclosureBasis.MASKED


def may_reveal(user, dossier) -> bool:
    """Whether `user` (who may already see the dossier) may reveal its personal numbers by stating a purpose."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or full_view_basis(user, dossier):
        return True
    return any(role in REVEALING_ROLES for _agency, role in member_agencies(user))


def clean_purpose(text) -> str:
    """A purpose as plain text: trimmed, without NUL and other control characters (newlines and tabs kept).
    Too long → validation error. Nothing else is changed: it is stored and returned as text, never as markup."""
    value = "".join(ch for ch in str(text or "") if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127)).strip()
    if len(value) > MAX_PURPOSE:
        raise Problem("validation_error", 400, _("The request has invalid fields; see errors."), errors={
            "reason": [_("The reason is too long (at most %(n)d characters).") % {"n": MAX_PURPOSE}]})
    return value


def decide(user, dossier, *, reveal: bool = False, reason: str = "") -> Disclosure:
    """What `user` sees of the dossier's personal numbers. With `reveal`, a purpose is required (400) and the user
    must be allowed to reveal (403)."""
    if reveal:
        purpose = clean_purpose(reason)
        if not purpose:
            raise Problem("validation_error", 400, _("The request has invalid fields; see errors."), errors={
                "reason": [_("Give the purpose for seeing the personal numbers in full.")]})
        if not may_reveal(user, dossier):
            raise Problem("forbidden", 403, _("You may not see this dossier's personal numbers in full."))
        return Disclosure(True, DisclosureBasis.STATED_REASON, purpose)
    basis = full_view_basis(user, dossier)
    return Disclosure(bool(basis), basis)
