"""Counting on a small world with known dossiers (conftest.py), against hand counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext

from congso.indices import counting, services
from congso.indices.scope import Period, resolve
from congso.indices.scoring import evaluate

MARCH = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))

# data_store: D10's component from the national store, and the e-results of D1, D7, D9, D10 pushed to the
# applicant's store by the data-store app when the dossier was completed.
EXPECTED = {
    "progress": {"on_time": 7, "received": 10},  # D1 D4 D7 D8 D9 D10 D11 / all but D6
    "transparency": {"published_on_time": [1, 1], "updated_on_time": [1, 1], "content_full": [0, 1]},
    "online": {"procedures_online": [1, 1], "online_services_with_dossiers": [1, 1], "online_dossiers": [2, 10]},
    "digitization": {"e_result": [4, 7], "digitized": [4, 10], "reused": [1, 10], "data_store": [4, 10],
                     "population_data_procedures": [1, 1], "population_data_dossiers": [1, 10]},
    "satisfaction": {"feedback_on_time": [1, 2], "feedback_satisfied": [1, 2], "dossier_satisfied": [4, 7]},
    "payment": {"paid_online": [1, 10], "procedures_with_online_payment": [1, 1], "procedures_integrated": [1, 1]},
}


def test_counts_of_the_justice_department_match_hand_counts(march):
    found = counting.collect(resolve(march.justice.code), MARCH)
    counts = found.counts
    assert counts["progress"] == EXPECTED["progress"]
    for group in ("transparency", "online", "digitization", "satisfaction", "payment"):
        assert counts[group] == EXPECTED[group], group
    assert counts["profile"] == "dvcqg-2025"
    # no data yet: N/A, never 0
    assert "dossiers_synced" not in counts["transparency"]
    assert "e_certified_copy" not in counts["digitization"]
    assert set(found.no_data) == {"transparency.dossiers_synced", "digitization.e_certified_copy"}


def test_scores_of_the_justice_department(march):
    result = services.compute(resolve(march.justice.code), MARCH)
    out = result.evaluation.as_output()
    assert out["groups"] == {"transparency": D("10.00"), "progress": D("14.00"), "online": D("8.40"),
                             "digitization": D("9.48"), "satisfaction": D("9.81"), "payment": D("5.10")}
    assert out["total"] == D("56.79")
    assert out["max_total"] == D("92.00")
    assert out["indicators"]["transparency.dossiers_synced"] is None


def test_as_of_ignores_later_events(march):
    """D5 resolved in April and D11's second supplement request in April do not change March."""
    february_to_march = counting.collect(resolve(march.justice.code), MARCH)
    assert february_to_march.counts["progress"]["on_time"] == 7
    # April sees D5 resolved late and D11 late (two supplement requests); none of them was received in April.
    april = counting.collect(resolve(march.justice.code), Period(dt.date(2025, 4, 1), dt.date(2025, 4, 30)))
    assert april.counts["progress"] == {"on_time": 0, "received": 0}
    # Counting March with "now" set to mid-March only sees what had happened by then.
    early = counting.collect(resolve(march.justice.code), MARCH, source="recount",
                             now=MARCH.end_at.replace(day=6, hour=12, minute=0))
    # By 06/03 12:00: D1 D2 D3 D7 D8 received (D9 at 09:00 on the 6th too); D1 D7 D8 ended early, the rest open in time.
    assert early.counts["progress"] == {"on_time": 6, "received": 6}


def test_dossier_counts_take_a_fixed_number_of_queries(march):
    scope = resolve(march.justice.code)
    with CaptureQueriesContext(connection) as first:
        counting.collect(scope, MARCH)
    # More dossiers must not mean more queries (aggregate SQL, never a query per row).
    from congso.dossiers.services.creation import create_dossier
    from congso.dossiers.tests.conftest import intake, local

    for minute in range(5):
        create_dossier(intake(march), march.desk, at=local(2025, 3, 18, 9, minute))
    with CaptureQueriesContext(connection) as second:
        counting.collect(scope, MARCH)
    assert len(second.captured_queries) == len(first.captured_queries)


def test_pooling_province_versus_commune(province_world):
    w = province_world
    commune = counting.collect(resolve(w.commune.unit.code), MARCH).counts
    assert commune["progress"] == {"on_time": 1, "received": 2}
    assert commune["level"] == "commune"
    province = counting.collect(resolve(w.province.code), MARCH).counts
    # Pooled records, not an average: (7 + 1) / (10 + 2).
    assert province["progress"] == {"on_time": 8, "received": 12}
    # procedure pairs add up: (province, 1.000001) + (commune, 2.000001)
    assert province["online"]["procedures_online"] == [2, 2]
    score = evaluate(province)
    assert score.as_output()["indicators"]["progress"] == D("13.33")  # 20·8/12 = 13.333…
    # an agency's figures: its own and those below it
    assert counting.collect(resolve(w.justice.code), MARCH).counts["progress"] == {"on_time": 7, "received": 10}


def test_successor_includes_predecessors_records(province_world):
    from congso.org.choices import AgencyKind, SuccessionKind, UnitLevel, UnitType
    from congso.org.models import Agency
    from congso.org.services import SuccessionPlan, apply_succession, create_unit

    w = province_world
    old = create_unit("97002", "Xã Cũ", UnitType.COMMUNE, UnitLevel.COMMUNE, parent=w.province,
                      valid_from=dt.date(2000, 1, 1))
    old_committee = Agency.objects.create(code="000.32.01.H97", name="UBND xã Cũ", kind=AgencyKind.PEOPLES_COMMITTEE,
                                          level=UnitLevel.COMMUNE, admin_unit=old, parent=w.root)
    apply_succession(SuccessionPlan(kind=SuccessionKind.MERGE, effective_date=dt.date(2025, 7, 1),
                                    predecessors=[old, w.commune.unit], successors=[w.commune.unit]))
    successor = resolve(w.commune.unit.code)
    assert old_committee.pk in successor.agency_ids
    assert w.commune.committee.pk in successor.agency_ids
    assert resolve(old.code).agency_ids == frozenset({old_committee.pk})  # the old unit keeps its own figures


DOSSIER_KEYS = ["online.online_dossiers", "digitization.digitized", "digitization.reused", "digitization.data_store",
                "digitization.population_data_dossiers", "payment.paid_online", "digitization.e_result",
                "satisfaction.dossier_satisfied"]


def _dossier_part(found):
    flat = {"progress": found.counts["progress"]}
    for key in DOSSIER_KEYS:
        group, indicator = key.split(".")
        flat[key] = found.counts[group][indicator]
    return flat


def test_statistics_aggregates_equal_the_recount(province_world):
    """The statistics app's aggregates give the same dossier counts as this module's recount (the definition) for
    a period after which nothing happened (March–April: every event of the world lies inside it)."""
    w = province_world
    period = Period(dt.date(2025, 3, 1), dt.date(2025, 4, 30))
    for code in (w.justice.code, w.province.code, w.commune.unit.code):
        recount = counting.collect(resolve(code), period, source="recount")
        aggregates = counting.collect(resolve(code), period, source="aggregates")
        assert aggregates.source == "aggregates" and recount.source == "recount"
        assert _dossier_part(aggregates) == _dossier_part(recount), code
    justice = _dossier_part(counting.collect(resolve(w.justice.code), period, source="recount"))
    # by hand for March–April: D5 resolved late in April, D11 late (second supplement request), D4 past 03/04.
    assert justice["progress"] == {"on_time": 5, "received": 10}
    assert justice["satisfaction.dossier_satisfied"] == [3, 8]  # D8 complained about in April; D5 late


def test_current_period_uses_the_aggregates(march):
    from django.utils import timezone

    today = timezone.localdate()
    found = counting.collect(resolve(march.justice.code), Period(dt.date(2025, 3, 1), today))
    assert found.source == "aggregates"
    assert counting.collect(resolve(march.justice.code), MARCH).source == "recount"


def test_dossiers_synced_once_the_sync_exists(march, settings):
    from congso.dossiers.models import Dossier

    settings.CONGSO_INDEX766_NATIONAL_SYNC = True
    Dossier.objects.filter(pk__in=[march.d.d1.pk, march.d.d2.pk]).update(
        sync_state="synced", synced_at=MARCH.end_at.replace(day=20))
    Dossier.objects.filter(pk=march.d.d3.pk).update(sync_state="synced", synced_at=MARCH.end_at.replace(month=4, day=2))
    found = counting.collect(resolve(march.justice.code), MARCH)
    assert found.counts["transparency"]["dossiers_synced"] == [2, 10]  # D3 synced after the period
    assert "transparency.dossiers_synced" not in found.no_data


def test_many_scopes_at_once_equal_one_by_one(province_world):
    """collect_many (grouped by agency, for rankings and the public page) gives each scope exactly its recount."""
    w = province_world
    scopes = [resolve(code) for code in (w.province.code, w.justice.code, w.commune.unit.code, w.finance.code)]
    for period in (MARCH, Period(dt.date(2025, 3, 1), dt.date(2025, 4, 30))):
        many = counting.collect_many(scopes, period)
        for scope in scopes:
            assert many[scope.code].counts == counting.collect(scope, period, source="recount").counts, scope.code
