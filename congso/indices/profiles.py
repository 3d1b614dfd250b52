"""The Decision 766 formula profiles (hồ sơ công thức chỉ số 766) as plain data.

A profile is versioned data (house rule 4): the database keeps every profile with its effective date
(`IndexProfile`); this module holds the default profile's parameters, which the data migration copied into the
database, and the reading of a parameter set into the shape the pure scoring function walks.

Numbers are strings so that they are exact (Fraction/Decimal) and survive JSON unchanged.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

DEFAULT_PROFILE_KEY = "dvcqg-2025"
DEFAULT_EFFECTIVE_FROM = dt.date(2022, 6, 23)  # Decision 766/QĐ-TTg took effect; the only profile seeded so far.

# Indicator kinds: "linear" = max·r; "threshold" = thr(max, r, t) = min(max, max·r/t).
# d_zero: what d = 0 gives: "na" (the indicator is N/A) or "full" (full points).
DEFAULT_PARAMETERS: dict = {
    "groups": [
        {"key": "transparency", "max": "18", "indicators": [
            {"key": "published_on_time", "max": "6", "kind": "linear"},
            {"key": "updated_on_time", "max": "4", "kind": "linear"},
            {"key": "content_full", "max": "2", "kind": "linear"},
            {"key": "dossiers_synced", "max": "6", "kind": "linear"},
        ]},
        {"key": "progress", "max": "20", "indicators": [
            {"key": "progress", "max": "20", "kind": "linear"},
        ]},
        {"key": "online", "max": "12", "indicators": [
            {"key": "procedures_online", "max": "2", "kind": "threshold", "threshold": "0.8"},
            {"key": "online_services_with_dossiers", "max": "4", "kind": "linear"},
            {"key": "online_dossiers", "max": "6", "kind": "threshold", "threshold": "0.5"},
        ]},
        {"key": "digitization", "max": "22", "indicators": [
            {"key": "e_result", "max": "6", "kind": "linear"},
            # Unconfirmed whether the portal scores this linearly; set "kind": "linear" in a new profile if so.
            {"key": "digitized", "max": "4", "kind": "threshold", "threshold": "0.8"},
            {"key": "reused", "max": "2", "kind": "threshold", "threshold": "0.8"},
            {"key": "data_store", "max": "4", "kind": "linear"},
            {"key": "population_data_procedures", "max": "2", "kind": "linear"},
            {"key": "population_data_dossiers", "max": "2", "kind": "linear"},
            {"key": "e_certified_copy", "max": "2", "kind": "linear"},
        ]},
        {"key": "satisfaction", "max": "18", "indicators": [
            {"key": "feedback_on_time", "max": "6", "kind": "linear", "d_zero": "full"},
            {"key": "feedback_satisfied", "max": "6", "kind": "linear", "d_zero": "full"},
            {"key": "dossier_satisfied", "max": "6", "kind": "threshold", "threshold": "0.9"},
        ]},
        # min(10, 6·A + min(2, 2.5·B) + 2.5·C): min(2, 2.5·B) is thr(2, B, 0.8); the sum of maxima (10.5) is capped.
        {"key": "payment", "max": "10", "cap": "10", "indicators": [
            {"key": "paid_online", "max": "6", "kind": "linear"},
            {"key": "procedures_with_online_payment", "max": "2", "kind": "threshold", "threshold": "0.8"},
            {"key": "procedures_integrated", "max": "2.5", "kind": "linear"},
        ]},
    ],
    # Indicators that do not apply to a commune: N/A ("na") or full points ("full", what the portal may do).
    "commune": {"mode": "na", "indicators": ["digitization.e_certified_copy"]},
    # Rating bands on the total as a share of max_total (percent). Only 90 and 50 come from the decision's text.
    "rating_bands": [
        {"min": "90", "key": "excellent", "confirmed": True},
        {"min": "80", "key": "good", "confirmed": False},
        {"min": "70", "key": "fair", "confirmed": False},
        {"min": "50", "key": "average", "confirmed": False},
        {"min": "0", "key": "weak", "confirmed": True},
    ],
    # Time rules the counting layer reads (working days).
    "publish_before_legal_basis_working_days": 5,
    "national_publication_within_working_days": 5,
}


def exact(value) -> Fraction:
    """A profile number (string, int or Decimal) as an exact fraction; never through a binary float."""
    if isinstance(value, float):
        raise TypeError("profile numbers are strings, not floats")
    return Fraction(str(value))


def indicator_keys(parameters: dict) -> dict[str, list[str]]:
    """{group key: [indicator keys]} in the profile's order."""
    return {g["key"]: [i["key"] for i in g["indicators"]] for g in parameters["groups"]}


def check_parameters(parameters: dict) -> list[str]:
    """Problems with a parameter set (empty when it is usable); the admin and the migration test use it."""
    problems = []
    try:
        for group in parameters["groups"]:
            total = sum(exact(i["max"]) for i in group["indicators"])
            limit = exact(group.get("cap", group["max"]))
            if min(total, limit) != exact(group["max"]):
                problems.append(f"{group['key']}: maxima add up to {total}, not {group['max']}")
            for indicator in group["indicators"]:
                if indicator["kind"] not in ("linear", "threshold"):
                    problems.append(f"{group['key']}.{indicator['key']}: unknown kind")
                if indicator["kind"] == "threshold" and not 0 < exact(indicator["threshold"]) <= 1:
                    problems.append(f"{group['key']}.{indicator['key']}: threshold outside (0, 1]")
                if indicator.get("d_zero", "na") not in ("na", "full"):
                    problems.append(f"{group['key']}.{indicator['key']}: d_zero must be na or full")
        if parameters.get("commune", {}).get("mode", "na") not in ("na", "full"):
            problems.append("commune.mode must be na or full")
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        problems.append(f"malformed parameters: {exc!r}")
    return problems
