"""Masking of personal numbers (Decree 13/2023/NĐ-CP): the one function every list, export and detail view uses.

A masked value keeps only its last three characters (`•••••••••345`): citizen IDs, tax codes and phone numbers.
A value of three characters or fewer is masked entirely, so a short or malformed value is never shown whole.
Who sees the values unmasked is decided in `congso.privacy.disclosure` (docs/personal-data.md).
"""

from __future__ import annotations

MASK_CHAR = "•"
KEEP = 3


def mask_tail(value: str | None, keep: int = KEEP) -> str:
    """`value` with every character but the last `keep` replaced by •; "" for an empty value."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) <= keep:
        return MASK_CHAR * len(text)
    return MASK_CHAR * (len(text) - keep) + text[-keep:]


def mask_id_number(value: str | None) -> str:
    """A citizen ID (12 digits) or tax code (10 digits, or 10-3 for a branch): only the last 3 digits shown."""
    return mask_tail(value)


def mask_phone(value: str | None) -> str:
    """A phone number: only the last 3 digits shown."""
    return mask_tail(value)


def mask_personal_fields(row: dict, id_fields=("applicant_id_number",), phone_fields=("applicant_phone",)) -> dict:
    """A copy of an export row with its personal-number fields masked (for exports: lists of many people)."""
    masked = dict(row)
    for name in id_fields:
        if name in masked:
            masked[name] = mask_id_number(masked[name])
    for name in phone_fields:
        if name in masked:
            masked[name] = mask_phone(masked[name])
    return masked
