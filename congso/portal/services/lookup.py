"""The public dossier lookup (tra cứu hồ sơ): a dossier code plus a second factor the applicant knows.

The answer is the same "not found" for an unknown code and for a wrong phone or ID number, so the form cannot be used
to find out which codes exist; the view rate-limits attempts per address.
"""

from __future__ import annotations

import hmac

from congso.core.validators import normalize_phone
from congso.dossiers.models import Dossier

LOOKUP_FIELDS = ["id", "code", "status", "applicant_phone", "applicant_id_number", "due_at", "current_due_at",
                 "extended_due_at", "finished_at", "resolved_at", "returned_at"]


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def second_factor_matches(dossier, factor: str) -> bool:
    """The phone number (any usual spelling) or the citizen ID / tax code recorded on the dossier."""
    factor = (factor or "").strip()
    if not factor:
        return False
    by_phone = _same(normalize_phone(factor), normalize_phone(dossier.applicant_phone or ""))
    by_number = _same(factor.replace(" ", "").upper(), (dossier.applicant_id_number or "").strip().upper())
    return by_phone or by_number


def find(code: str, factor: str):
    """The dossier when both the code and the second factor match, else None."""
    code = (code or "").strip()[:64]
    if not code:
        return None
    # Exact matches only (the unique index serves them); codes are printed in upper case.
    dossier = Dossier.objects.filter(code__in={code, code.upper()}).only(*LOOKUP_FIELDS).first()
    if dossier is None or not second_factor_matches(dossier, factor):
        return None
    return dossier
