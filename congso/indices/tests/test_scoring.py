"""The pure scoring function against hand-computed cases (docs/index766.md), and its properties."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from congso.indices.profiles import DEFAULT_PARAMETERS, check_parameters, indicator_keys
from congso.indices.scoring import CountsError, evaluate, rating, round_half_up, score, to_jsonable

EXAMPLE = {
    "profile": "dvcqg-2025",
    "transparency": {"published_on_time": [80, 100], "updated_on_time": [95, 100], "content_full": [100, 100]},
    "progress": {"on_time": 884, "received": 1000},
    "online": {"procedures_online": [73, 100], "online_services_with_dossiers": [30, 40], "online_dossiers": [3, 20]},
    "satisfaction": {"feedback_on_time": [0, 0], "feedback_satisfied": [3, 4], "dossier_satisfied": [85, 100]},
    "payment": {"paid_online": [1, 2], "procedures_with_online_payment": [1, 1], "procedures_integrated": [3, 3]},
}


def test_default_profile_is_consistent():
    assert check_parameters(DEFAULT_PARAMETERS) == []
    maxima = {g["key"]: D(g["max"]) for g in DEFAULT_PARAMETERS["groups"]}
    assert maxima == {"transparency": 18, "progress": 20, "online": 12, "digitization": 22, "satisfaction": 18,
                      "payment": 10}
    assert sum(maxima.values()) == 100


def test_worked_example_by_hand():
    result = score(EXAMPLE)
    # transparency: 6·0.8 = 4.80, 4·0.95 = 3.80, 2·1 = 2.00; dossiers_synced N/A → max 12.
    assert result["groups"]["transparency"] == D("10.60")
    assert result["indicators"]["transparency.dossiers_synced"] is None
    assert result["indicators"]["progress"] == D("17.68")  # 20·884/1000
    # online: thr(2, .73, .8) = 1.825 → 1.83; 4·30/40 = 3.00; thr(6, .15, .5) = 1.80.
    assert result["indicators"]["online.procedures_online"] == D("1.83")
    assert result["indicators"]["online.online_services_with_dossiers"] == D("3.00")
    assert result["indicators"]["online.online_dossiers"] == D("1.80")
    assert result["groups"]["online"] == D("6.63")
    assert result["groups"]["digitization"] is None  # left out → N/A
    # satisfaction: d = 0 → 6; 6·3/4 = 4.50; thr(6, .85, .9) = 5.666… → 5.67.
    assert result["indicators"]["satisfaction.feedback_on_time"] == D("6.00")
    assert result["indicators"]["satisfaction.dossier_satisfied"] == D("5.67")
    assert result["groups"]["satisfaction"] == D("16.17")
    # payment: 6·1/2 = 3, min(2, 2.5·1) = 2, 2.5·1 = 2.5 → 7.50.
    assert result["groups"]["payment"] == D("7.50")
    assert result["total"] == D("58.58")
    assert result["max_total"] == D("72.00")  # 12 + 20 + 12 + 18 + 10
    assert result["profile"] == "dvcqg-2025"
    assert set(result) == {"profile", "groups", "indicators", "total", "max_total"}


def test_rounding_half_up_on_the_unrounded_ratio():
    # 3/20 of 2 points with the 0.8 threshold: 2·0.15/0.8 = 0.375 → 0.38 (a float would give 0.37).
    result = score({"digitization": {"reused": [3, 20]}})
    assert result["indicators"]["digitization.reused"] == D("0.38")
    assert round_half_up(__import__("fractions").Fraction(3, 8)) == D("0.38")
    assert round_half_up(__import__("fractions").Fraction(1, 3)) == D("0.33")
    # the group is the sum of rounded indicators: 3 × 0.38 (not round(3 × 0.375) = 1.13)
    three = score({"digitization": {"reused": [3, 20], "digitized": [3, 40], "data_store": [1, 64]}})
    # digitized thr(4, .075, .8) = 0.375 → 0.38; data_store 4/64 = 0.0625 → 0.06
    assert three["groups"]["digitization"] == D("0.38") + D("0.38") + D("0.06")


@pytest.mark.parametrize(("path", "pair", "expected"), [
    ("online.procedures_online", [8, 10], "2.00"),  # at the 0.8 threshold: full points
    ("online.procedures_online", [9, 10], "2.00"),  # above it: capped at the maximum
    ("online.procedures_online", [4, 10], "1.00"),  # below: 2·0.4/0.8
    ("online.online_dossiers", [1, 2], "6.00"),  # 0.5 threshold
    ("online.online_dossiers", [1, 4], "3.00"),
    ("satisfaction.dossier_satisfied", [9, 10], "6.00"),  # 0.9 threshold
    ("satisfaction.dossier_satisfied", [45, 100], "3.00"),
    ("digitization.digitized", [4, 5], "4.00"),
    ("digitization.digitized", [2, 5], "2.00"),
    ("payment.procedures_with_online_payment", [4, 5], "2.00"),  # min(2, 2.5·0.8) = 2
    ("payment.procedures_with_online_payment", [2, 5], "1.00"),  # 2.5·0.4
    ("online.online_services_with_dossiers", [1, 3], "1.33"),  # linear, no threshold
])
def test_thresholds(path, pair, expected):
    group, indicator = path.split(".")
    assert score({group: {indicator: pair}})["indicators"][path] == D(expected)


def test_payment_group_capped_at_ten():
    result = score({"payment": {"paid_online": [5, 5], "procedures_with_online_payment": [3, 3],
                                "procedures_integrated": [7, 7]}})
    assert result["indicators"]["payment.procedures_integrated"] == D("2.50")
    assert result["groups"]["payment"] == D("10.00")  # 6 + 2 + 2.5 = 10.5 → 10
    assert result["max_total"] == D("10.00")


def test_na_lowers_the_group_maximum():
    ev = evaluate({"payment": {"paid_online": [1, 1], "procedures_with_online_payment": [0, 0]}})
    payment = next(g for g in ev.groups if g.key == "payment")
    assert payment.score == D("6.00")
    assert payment.max == D("6.00")  # B is N/A (d = 0), C left out
    assert ev.max_total == D("6.00")


def test_all_na_group_is_na_and_not_in_max_total():
    result = score({"progress": {"on_time": 0, "received": 0},
                    "digitization": {"e_result": [0, 0], "reused": [0, 0]}, "transparency": {}})
    assert result["groups"]["progress"] is None
    assert result["groups"]["digitization"] is None
    assert result["groups"]["transparency"] is None
    assert result["total"] is None
    assert result["max_total"] == D("0.00")


def test_feedback_indicators_full_when_no_feedback_but_dossier_satisfaction_na():
    result = score({"satisfaction": {"feedback_on_time": [0, 0], "feedback_satisfied": [0, 0],
                                     "dossier_satisfied": [0, 0]}})
    assert result["indicators"]["satisfaction.feedback_on_time"] == D("6.00")
    assert result["indicators"]["satisfaction.feedback_satisfied"] == D("6.00")
    assert result["indicators"]["satisfaction.dossier_satisfied"] is None
    assert result["groups"]["satisfaction"] == D("12.00")
    assert result["max_total"] == D("12.00")


def test_commune_switch():
    counts = {"digitization": {"e_result": [1, 1], "e_certified_copy": [0, 1]}, "level": "commune"}
    assert score(counts)["indicators"]["digitization.e_certified_copy"] is None
    assert score(counts)["max_total"] == D("6.00")
    full = {**DEFAULT_PARAMETERS, "commune": {"mode": "full", "indicators": ["digitization.e_certified_copy"]}}
    result = score(counts, full)
    assert result["indicators"]["digitization.e_certified_copy"] == D("2.00")
    assert result["max_total"] == D("8.00")
    # a province is scored on its counts
    assert score({**counts, "level": "province"})["indicators"]["digitization.e_certified_copy"] == D("0.00")


def test_pooling_is_on_counts_not_an_average():
    a = {"progress": {"on_time": 9, "received": 10}}
    b = {"progress": {"on_time": 1, "received": 90}}
    pooled = {"progress": {"on_time": 10, "received": 100}}
    assert score(pooled)["total"] == D("2.00")  # 20·10/100, not the average of 18 and 0.22
    assert score(a)["total"] == D("18.00") and score(b)["total"] == D("0.22")


@pytest.mark.parametrize(("counts", "path"), [
    ({"progress": {"on_time": 5, "received": 4}}, "progress"),
    ({"online": {"online_dossiers": [-1, 4]}}, "online.online_dossiers"),
    ({"online": {"online_dossiers": [5, 4]}}, "online.online_dossiers"),
    ({"online": {"online_dossiers": [1]}}, "online.online_dossiers"),
    ({"online": {"online_dossiers": [1.5, 4]}}, "online.online_dossiers"),
    ({"online": {"online_dossiers": [True, 4]}}, "online.online_dossiers"),
    ({"online": {"online_dossiers": "1/4"}}, "online.online_dossiers"),
    ({"online": {"nonsense": [1, 4]}}, "online.nonsense"),
    ({"bogus": {}}, "bogus"),
    ({"online": [1, 2]}, "online"),
    ({"progress": {"on_time": 1}}, "progress"),
    ({"profile": 7}, "profile"),
])
def test_malformed_counts(counts, path):
    with pytest.raises(CountsError) as info:
        score(counts)
    assert path in info.value.errors
    assert info.value.code == "invalid_counts"


def test_not_an_object():
    with pytest.raises(CountsError):
        score([1, 2])


def test_rating_bands():
    assert rating(D("91.00"), D("100.00"))["key"] == "excellent"
    assert rating(D("45.00"), D("50.00"))["key"] == "excellent"  # 90 % of what could be scored
    assert rating(D("49.99"), D("100.00"))["key"] == "weak"
    assert rating(None, D("0")) is None


def test_json_output_keeps_two_decimals():
    out = to_jsonable(score(EXAMPLE))
    assert out["indicators"]["progress"] == 17.68
    assert __import__("json").dumps(out["total"]) == "58.58"


def _pairs():
    return st.integers(min_value=0, max_value=10_000).flatmap(
        lambda d: st.tuples(st.integers(min_value=0, max_value=d), st.just(d)))


@st.composite
def counts_documents(draw):
    doc = {}
    for group, indicators in indicator_keys(DEFAULT_PARAMETERS).items():
        if draw(st.booleans()):
            continue
        if group == "progress":
            n, d = draw(_pairs())
            doc["progress"] = {"on_time": n, "received": d}
            continue
        doc[group] = {i: list(draw(_pairs())) for i in indicators if draw(st.booleans())}
    return doc


@given(counts_documents())
def test_score_never_exceeds_its_maximum(doc):
    ev = evaluate(doc)
    for group in ev.groups:
        if group.score is not None:
            assert D(0) <= group.score <= group.max <= group.nominal_max
        for indicator in group.indicators:
            if indicator.score is not None:
                assert D(0) <= indicator.score <= indicator.max
    assert ev.max_total <= 100
    if ev.total is not None:
        assert ev.total <= ev.max_total


@given(st.sampled_from([(g, i) for g, items in indicator_keys(DEFAULT_PARAMETERS).items() for i in items]),
       _pairs())
def test_monotonic_in_n(key, pair):
    group, indicator = key
    n, d = pair

    def doc(value):
        if group == "progress":
            return {"progress": {"on_time": value, "received": d}}
        return {group: {indicator: [value, d]}}

    if n < d:
        lower, higher = evaluate(doc(n)), evaluate(doc(n + 1))
        assert (higher.total or 0) >= (lower.total or 0)
