import datetime as dt

import pytest
from django.core.management import call_command

from congso.accounts.models import AccountType, User
from congso.demo.builder import DEMO_PASSWORD, build_demo
from congso.org.choices import Role, UnitLevel
from congso.org.models import AdminUnit, Agency, Membership
from congso.org.services import crosswalk

BEFORE, AFTER = dt.date(2025, 6, 30), dt.date(2025, 7, 1)


@pytest.fixture
def demo(db):
    return build_demo(with_catalogue=False)


def test_demo_province_shape(demo):
    assert demo.created
    communes_now = AdminUnit.objects.as_of(AFTER).filter(level=UnitLevel.COMMUNE)
    assert communes_now.count() >= 30
    assert AdminUnit.objects.as_of(AFTER).filter(level=UnitLevel.DISTRICT).count() == 0
    assert AdminUnit.objects.as_of(BEFORE).filter(level=UnitLevel.DISTRICT).count() == 6
    assert all(c.parent.code == "99" for c in communes_now.select_related("parent"))
    assert Agency.objects.filter(level=UnitLevel.PROVINCE, kind="department").count() >= 15
    assert Agency.objects.filter(kind="service_centre").count() >= 30


def test_demo_staff_cover_every_role(demo):
    assert User.objects.filter(account_type=AccountType.STAFF).count() >= 50
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.filter(account_type=AccountType.CITIZEN).count() >= 3
    applicant = User.objects.get(username="congdan1")
    applicant.full_clean()
    User.objects.get(username="doanhnghiep1").full_clean()


def test_demo_history_and_crosswalk(demo):
    assert [u.code for u in crosswalk("40001", AFTER)] == ["41001"]
    assert [u.code for u in crosswalk("98", AFTER)] == ["99"]
    assert [u.code for u in crosswalk("980", AFTER)] == ["99"]


def test_demo_is_idempotent(demo):
    counts = (AdminUnit.objects.count(), Agency.objects.count(), User.objects.count())
    again = build_demo(with_catalogue=False)
    assert not again.created
    assert (AdminUnit.objects.count(), Agency.objects.count(), User.objects.count()) == counts


def test_demo_accounts_can_log_in(demo, client):
    response = client.post("/accounts/login/", {"username": "sotuphap.cv1", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_demo_command_prints_accounts(db, capsys):
    call_command("demo", "--no-catalogue")
    call_command("demo", "--if-empty")
    call_command("demo", "--accounts")
    out = capsys.readouterr().out
    assert "quantri" in out and DEMO_PASSWORD in out
