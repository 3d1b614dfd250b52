"""The pure scoring function of the Decision 766 index (chấm điểm chỉ số 766): counts → scores.

No database access (house rule 2): the counting layer (`congso.indices.counting`) feeds it, the `score` command and
the API call it with a counts file. Conventions (docs/index766.md):

- exact arithmetic with fractions; each indicator is computed from its unrounded ratio r = n / d and rounded half-up
  to 2 decimals; a group is the sum of its indicators' rounded scores, then capped (payment at 10);
- thr(max, r, t) = min(max, max·r/t);
- d = 0 makes an indicator N/A, except where the profile says full points (the two feedback indicators);
- an N/A indicator lowers its group's maximum; a group whose indicators are all N/A is N/A; `max_total` is the sum
  of the maxima of the groups that are not N/A.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from congso.indices.profiles import DEFAULT_PARAMETERS, DEFAULT_PROFILE_KEY, exact, indicator_keys

COMMUNE = "commune"
TWO_PLACES = Decimal("0.01")


class CountsError(ValueError):
    """A counts document that cannot be scored; `errors` maps a path (e.g. `online.procedures_online`) to a
    message, `code` is the API's stable problem code."""

    def __init__(self, errors: dict[str, str], code: str = "invalid_counts"):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
        self.code = code


@dataclass(frozen=True)
class IndicatorScore:
    group: str
    key: str
    n: int | None
    d: int | None
    max: Decimal
    score: Decimal | None  # None = N/A
    reason: str = ""  # why N/A, or why full points without a ratio: "missing", "d_zero", "commune", "commune_full"

    @property
    def output_key(self) -> str:
        return self.group if self.key == self.group else f"{self.group}.{self.key}"

    @property
    def ratio(self) -> Fraction | None:
        return Fraction(self.n, self.d) if self.d else None

    @property
    def lost(self) -> Decimal:
        return Decimal(0) if self.score is None else self.max - self.score


@dataclass(frozen=True)
class GroupScore:
    key: str
    score: Decimal | None
    max: Decimal  # the group's maximum after N/A indicators are taken out (0 when the group is N/A)
    nominal_max: Decimal
    indicators: list[IndicatorScore] = field(default_factory=list)


@dataclass(frozen=True)
class Evaluation:
    profile: str
    groups: list[GroupScore]
    total: Decimal | None
    max_total: Decimal

    def indicators(self) -> list[IndicatorScore]:
        return [i for g in self.groups for i in g.indicators]

    def as_output(self) -> dict:
        """The documented output: {"profile", "groups", "indicators", "total", "max_total"} with Decimals."""
        return {
            "profile": self.profile,
            "groups": {g.key: g.score for g in self.groups},
            "indicators": {i.output_key: i.score for i in self.indicators()},
            "total": self.total,
            "max_total": self.max_total,
        }


def round_half_up(value: Fraction) -> Decimal:
    """Round a non-negative exact value half-up to 2 decimals (0.375 → 0.38), without binary floats."""
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return (Decimal(hundredths) / 100).quantize(TWO_PLACES)


def as_decimal(value: Fraction) -> Decimal:
    """A profile maximum (e.g. 2.5) as a 2-place Decimal."""
    return round_half_up(value)


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _pair(path: str, value, errors: dict) -> tuple[int, int] | None:
    if not isinstance(value, list | tuple) or len(value) != 2:
        errors[path] = "expected [n, d]: two whole numbers"
        return None
    n, d = value
    if not (_is_count(n) and _is_count(d)):
        errors[path] = "n and d must be whole numbers"
        return None
    if n < 0 or d < 0:
        errors[path] = "n and d must not be negative"
        return None
    if n > d:
        errors[path] = "n must not exceed d"
        return None
    return n, d


def parse_counts(counts, parameters: dict = DEFAULT_PARAMETERS) -> dict[tuple[str, str], tuple[int, int]]:
    """Check a counts document (the format in docs/index766.md) and return {(group, indicator): (n, d)}.

    Raises CountsError listing every problem: wrong shape, unknown keys, non-integers, negatives, n > d.
    """
    if not isinstance(counts, dict):
        raise CountsError({"": "the counts must be a JSON object"})
    known = indicator_keys(parameters)
    errors: dict[str, str] = {}
    pairs: dict[tuple[str, str], tuple[int, int]] = {}
    for key, value in counts.items():
        if key == "profile":
            if not isinstance(value, str) or not value:
                errors["profile"] = "the profile must be a non-empty string"
            continue
        if key == "level":
            if value not in ("province", "district", COMMUNE, "agency"):
                errors["level"] = "level must be province, district, commune or agency"
            continue
        if key not in known:
            errors[key] = "unknown group"
            continue
        if not isinstance(value, dict):
            errors[key] = "a group must be an object"
            continue
        if key == "progress":
            extra = set(value) - {"on_time", "received"}
            if extra:
                errors["progress"] = f"unknown keys: {', '.join(sorted(map(str, extra)))}"
                continue
            if not value:
                continue
            if set(value) != {"on_time", "received"}:
                errors["progress"] = "give both on_time and received"
                continue
            pair = _pair("progress", [value["on_time"], value["received"]], errors)
            if pair is not None:
                pairs[("progress", "progress")] = pair
            continue
        for indicator, pair_value in value.items():
            path = f"{key}.{indicator}"
            if indicator not in known[key]:
                errors[path] = "unknown indicator"
                continue
            pair = _pair(path, pair_value, errors)
            if pair is not None:
                pairs[(key, indicator)] = pair
    if errors:
        raise CountsError(errors)
    return pairs


def _indicator(group: str, spec: dict, pair, commune_rule: str | None) -> IndicatorScore:
    maximum = exact(spec["max"])
    top = as_decimal(maximum)
    if commune_rule == "na":
        return IndicatorScore(group, spec["key"], None, None, top, None, "commune")
    if commune_rule == "full":
        return IndicatorScore(group, spec["key"], None, None, top, top, "commune_full")
    if pair is None:
        return IndicatorScore(group, spec["key"], None, None, top, None, "missing")
    n, d = pair
    if d == 0:
        if spec.get("d_zero", "na") == "full":
            return IndicatorScore(group, spec["key"], n, d, top, top, "d_zero")
        return IndicatorScore(group, spec["key"], n, d, top, None, "d_zero")
    ratio = Fraction(n, d)
    if spec["kind"] == "threshold":
        value = min(maximum, maximum * ratio / exact(spec["threshold"]))
    else:
        value = maximum * ratio
    return IndicatorScore(group, spec["key"], n, d, top, round_half_up(value))


def evaluate(counts: dict, parameters: dict = DEFAULT_PARAMETERS, profile_key: str | None = None,
             level: str | None = None) -> Evaluation:
    """Score a counts document with a profile's parameters. `level` ("commune", …) may also come from the counts'
    optional "level" key; it decides the indicators that do not apply to a commune."""
    pairs = parse_counts(counts, parameters)
    level = level or counts.get("level")
    profile_key = profile_key or counts.get("profile") or DEFAULT_PROFILE_KEY
    commune = parameters.get("commune", {})
    exempt = set(commune.get("indicators", [])) if level == COMMUNE else set()
    groups = []
    for group_spec in parameters["groups"]:
        key = group_spec["key"]
        indicators = [
            _indicator(key, spec, pairs.get((key, spec["key"])),
                       commune.get("mode", "na") if f"{key}.{spec['key']}" in exempt else None)
            for spec in group_spec["indicators"]
        ]
        scored = [i for i in indicators if i.score is not None]
        nominal = as_decimal(exact(group_spec["max"]))
        if not scored:
            groups.append(GroupScore(key, None, Decimal("0.00"), nominal, indicators))
            continue
        cap = as_decimal(exact(group_spec["cap"])) if "cap" in group_spec else None
        value = sum((i.score for i in scored), Decimal("0.00"))
        maximum = sum((i.max for i in scored), Decimal("0.00"))
        if cap is not None:
            value, maximum = min(value, cap), min(maximum, cap)
        groups.append(GroupScore(key, value, maximum, nominal, indicators))
    present = [g for g in groups if g.score is not None]
    total = sum((g.score for g in present), Decimal("0.00")) if present else None
    max_total = sum((g.max for g in present), Decimal("0.00"))
    return Evaluation(profile_key, groups, total, max_total)


def score(counts: dict, parameters: dict = DEFAULT_PARAMETERS, profile_key: str | None = None,
          level: str | None = None) -> dict:
    """counts → {"profile", "groups", "indicators", "total", "max_total"} (Decimals; None = N/A)."""
    return evaluate(counts, parameters, profile_key, level).as_output()


def rating(total: Decimal | None, max_total: Decimal, parameters: dict = DEFAULT_PARAMETERS) -> dict | None:
    """The rating band of a total, on its share of max_total in percent; None when nothing was scored."""
    if total is None or not max_total:
        return None
    percent = Fraction(total) * 100 / Fraction(max_total)
    for band in sorted(parameters.get("rating_bands", []), key=lambda b: exact(b["min"]), reverse=True):
        if percent >= exact(band["min"]):
            return {"key": band["key"], "confirmed": bool(band.get("confirmed")), "percent": round_half_up(percent)}
    return None


def to_jsonable(value):
    """Decimals → JSON numbers (2 decimals print as written: 17.68), recursively."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value
