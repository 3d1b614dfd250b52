import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from congso.org.choices import SuccessionKind, UnitLevel, UnitType
from congso.org.models import AdminUnit, SuccessionEvent
from congso.org.services import NewUnit, SuccessionPlan, apply_succession, create_unit, crosswalk, hierarchy_on

START = dt.date(2010, 1, 1)
REFORM = dt.date(2025, 7, 1)
BEFORE, AFTER = dt.date(2025, 6, 30), dt.date(2025, 7, 1)


@pytest.fixture
def province_tree(db):
    p = create_unit("97", "Tỉnh A", UnitType.PROVINCE, UnitLevel.PROVINCE, valid_from=START)
    q = create_unit("96", "Tỉnh B", UnitType.PROVINCE, UnitLevel.PROVINCE, valid_from=START)
    d = create_unit("970", "Huyện X", UnitType.RURAL_DISTRICT, UnitLevel.DISTRICT, p, valid_from=START)
    c1 = create_unit("70001", "Xã Một", UnitType.COMMUNE, UnitLevel.COMMUNE, d, valid_from=START)
    c2 = create_unit("70002", "Xã Hai", UnitType.COMMUNE, UnitLevel.COMMUNE, d, valid_from=START)
    c3 = create_unit("70003", "Xã Ba", UnitType.COMMUNE, UnitLevel.COMMUNE, d, valid_from=START)
    return {"p": p, "q": q, "d": d, "c1": c1, "c2": c2, "c3": c3}


def test_codes_are_never_reused(province_tree):
    with pytest.raises(ValidationError):
        create_unit("70001", "Xã Khác", UnitType.COMMUNE, UnitLevel.COMMUNE, province_tree["d"])
    apply_succession(SuccessionPlan(kind=SuccessionKind.DISSOLVE, effective_date=REFORM,
                                    predecessors=[province_tree["c3"]]))
    # Even a unit that ceased to exist keeps its code for ever.
    with pytest.raises(ValidationError):
        create_unit("70003", "Xã Ba mới", UnitType.COMMUNE, UnitLevel.COMMUNE, province_tree["d"])


def test_reform_merge_reparent_and_dissolve(province_tree):
    t = province_tree
    apply_succession(SuccessionPlan(kind=SuccessionKind.MERGE, effective_date=REFORM, predecessors=[t["p"], t["q"]],
                                    successors=[t["p"]]))
    event = apply_succession(SuccessionPlan(
        kind=SuccessionKind.MERGE, effective_date=REFORM, predecessors=[t["c1"], t["c2"]],
        new_units=[NewUnit("71001", "Xã Mới", UnitType.COMMUNE, UnitLevel.COMMUNE, t["p"])],
    ))
    apply_succession(SuccessionPlan(kind=SuccessionKind.DISSOLVE, effective_date=REFORM, predecessors=[t["d"]],
                                    successors=[t["p"]], reparent_children_of=[t["d"]], new_parent=t["p"]))
    new = AdminUnit.objects.get(code="71001")
    assert event.links.count() == 2

    # Before the reform: district X with three communes; province B exists.
    before = hierarchy_on(BEFORE)
    assert [u.code for u, _ in before[None]] == ["96", "97"]
    assert [u.code for u, _ in before[t["d"].pk]] == ["70001", "70002", "70003"]
    # After: no district; the new commune and the re-parented Xã Ba hang under the province; province B is gone.
    after = hierarchy_on(AFTER)
    assert [u.code for u, _ in after[None]] == ["97"]
    assert [u.code for u, _ in after[t["p"].pk]] == ["70003", "71001"]
    assert t["d"].pk not in after

    # The crosswalk follows every change; a unit that still exists maps to itself.
    assert [u.code for u in crosswalk("70001", AFTER)] == ["71001"]
    assert [u.code for u in crosswalk("70001", BEFORE)] == ["70001"]
    assert [u.code for u in crosswalk("96", AFTER)] == ["97"]
    assert [u.code for u in crosswalk("970", AFTER)] == ["97"]
    assert [u.code for u in crosswalk("70003", AFTER)] == ["70003"]

    # Xã Ba kept its code but has two dated versions with different parents.
    c3 = AdminUnit.objects.get(code="70003")
    assert c3.version_on(BEFORE).parent == t["d"]
    assert c3.version_on(AFTER).parent == t["p"]
    assert c3.parent == t["p"]
    assert new.exists_on(AFTER) and not new.exists_on(BEFORE)


def test_split_maps_an_old_code_to_every_part(province_tree):
    t = province_tree
    apply_succession(SuccessionPlan(
        kind=SuccessionKind.SPLIT, effective_date=REFORM, predecessors=[t["c1"]],
        new_units=[NewUnit("71010", "Xã Bắc", UnitType.COMMUNE, UnitLevel.COMMUNE, t["d"]),
                   NewUnit("71011", "Xã Nam", UnitType.COMMUNE, UnitLevel.COMMUNE, t["d"])],
    ))
    assert [u.code for u in crosswalk("70001", AFTER)] == ["71010", "71011"]


def test_rename_keeps_the_old_name_in_history(province_tree):
    t = province_tree
    apply_succession(SuccessionPlan(kind=SuccessionKind.RENAME, effective_date=REFORM, predecessors=[t["c2"]],
                                    new_name="Phường Hai", new_unit_type=UnitType.WARD))
    c2 = AdminUnit.objects.get(code="70002")
    assert c2.name == "Phường Hai" and c2.unit_type == UnitType.WARD
    assert c2.version_on(BEFORE).name == "Xã Hai"
    assert c2.versions.count() == 2


def test_a_failed_event_changes_nothing(province_tree):
    t = province_tree
    events, versions = SuccessionEvent.objects.count(), t["c1"].versions.count()
    with pytest.raises(ValidationError):
        apply_succession(SuccessionPlan(
            kind=SuccessionKind.MERGE, effective_date=REFORM, predecessors=[t["c1"], t["c2"]],
            # The new code is already used: the whole event must roll back.
            new_units=[NewUnit("70003", "Xã Trùng", UnitType.COMMUNE, UnitLevel.COMMUNE, t["p"])],
        ))
    assert SuccessionEvent.objects.count() == events
    assert t["c1"].versions.count() == versions
    assert AdminUnit.objects.get(code="70001").valid_to is None


def test_a_unit_cannot_change_twice_or_end_twice(province_tree):
    t = province_tree
    apply_succession(SuccessionPlan(kind=SuccessionKind.DISSOLVE, effective_date=REFORM, predecessors=[t["c3"]]))
    with pytest.raises(ValidationError):
        apply_succession(SuccessionPlan(kind=SuccessionKind.DISSOLVE, effective_date=dt.date(2025, 8, 1),
                                        predecessors=[t["c3"]]))
    with pytest.raises(ValidationError):
        apply_succession(SuccessionPlan(kind=SuccessionKind.MERGE, effective_date=REFORM,
                                        predecessors=[t["c1"]], successors=[t["c2"], t["c3"]]))
