import pytest

from congso.org.choices import Role
from congso.org.models import Agency
from congso.org.scoping import visible_users
from congso.org.tests.factories import AgencyFactory, DepartmentFactory, MembershipFactory, UserFactory


@pytest.fixture
def org(db):
    root = AgencyFactory(name="UBND tỉnh")
    justice = AgencyFactory(name="Sở Tư pháp", parent=root)
    justice_sub = AgencyFactory(name="Trung tâm trợ giúp pháp lý", parent=justice, admin_unit=root.admin_unit)
    finance = AgencyFactory(name="Sở Tài chính", parent=root, admin_unit=root.admin_unit)
    people = {
        "justice_specialist": MembershipFactory(agency=justice, role=Role.SPECIALIST).user,
        "justice_leader": MembershipFactory(agency=justice, role=Role.AGENCY_LEADER).user,
        "sub_specialist": MembershipFactory(agency=justice_sub, role=Role.SPECIALIST).user,
        "finance_specialist": MembershipFactory(agency=finance, role=Role.SPECIALIST).user,
        "monitor": MembershipFactory(agency=root, role=Role.PROVINCIAL_MONITOR).user,
        "admin": MembershipFactory(agency=justice, role=Role.ADMINISTRATOR).user,
        "citizen": UserFactory(account_type="citizen"),
    }
    return {"root": root, "justice": justice, "justice_sub": justice_sub, "finance": finance, **people}


def names(qs):
    return sorted(a.name for a in qs)


def test_tree_paths_follow_the_parents(org):
    assert org["justice_sub"].tree_path.startswith(org["justice"].tree_path)
    assert org["justice"].tree_path.startswith(org["root"].tree_path)


def test_moving_an_agency_moves_its_subtree(org):
    justice = org["justice"]
    justice.parent = org["finance"]
    justice.save()
    sub = Agency.objects.get(pk=org["justice_sub"].pk)
    assert sub.tree_path == f"{org['root'].tree_path}{org['finance'].pk}/{justice.pk}/{sub.pk}/"


def test_staff_see_their_agency_and_below(org):
    assert names(Agency.objects.for_user(org["justice_specialist"])) == ["Sở Tư pháp", "Trung tâm trợ giúp pháp lý"]
    assert names(Agency.objects.for_user(org["sub_specialist"])) == ["Trung tâm trợ giúp pháp lý"]
    assert names(Agency.objects.for_user(org["finance_specialist"])) == ["Sở Tài chính"]


def test_monitor_sees_everything_but_changes_nothing(org):
    assert Agency.objects.for_user(org["monitor"]).count() == 4
    assert Agency.objects.for_user(org["monitor"], "change").count() == 0


def test_only_administrators_change(org):
    assert names(Agency.objects.for_user(org["admin"], "change")) == ["Sở Tư pháp", "Trung tâm trợ giúp pháp lý"]
    assert Agency.objects.for_user(org["justice_leader"], "change").count() == 0


def test_citizens_and_anonymous_see_no_agencies(org):
    from django.contrib.auth.models import AnonymousUser

    assert Agency.objects.for_user(org["citizen"]).count() == 0
    assert Agency.objects.for_user(AnonymousUser()).count() == 0
    assert list(visible_users(org["citizen"])) == [org["citizen"]]


def test_ended_memberships_and_inactive_users_give_no_scope(org):
    import datetime as dt

    membership = org["finance_specialist"].memberships.get()
    membership.valid_to = dt.date(2020, 1, 1)
    membership.valid_from = dt.date(2019, 1, 1)
    membership.save()
    user = type(org["finance_specialist"]).objects.get(pk=org["finance_specialist"].pk)
    assert Agency.objects.for_user(user).count() == 0


def test_unknown_action_is_an_error(org):
    with pytest.raises(ValueError):
        Agency.objects.for_user(org["admin"], "delete")


def test_rules_permissions_on_objects(org):
    assert org["justice_specialist"].has_perm("org.view_agency_detail", org["justice_sub"])
    assert not org["justice_specialist"].has_perm("org.view_agency_detail", org["finance"])
    assert org["admin"].has_perm("org.manage_agency", org["justice"])
    assert not org["justice_leader"].has_perm("org.manage_agency", org["justice"])


def test_membership_department_must_belong_to_the_agency(org):
    from django.core.exceptions import ValidationError

    other_department = DepartmentFactory(agency=org["finance"])
    membership = org["justice_specialist"].memberships.get()
    membership.department = other_department
    with pytest.raises(ValidationError):
        membership.full_clean()
