import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from congso.catalog import services
from congso.catalog.choices import Channel, OnlineMode, ProcedureStatus
from congso.catalog.models import Implementation, Procedure, ProcedureVersion, Process
from congso.catalog.services import StepData
from congso.catalog.tests.factories import make_version, record_data
from congso.org.choices import Role

D = Decimal
JAN, MAR, JUN = dt.date(2026, 1, 1), dt.date(2026, 3, 1), dt.date(2026, 6, 1)


def test_procedure_code_is_validated(db):
    procedure = Procedure(code="1.00119")
    with pytest.raises(ValidationError) as excinfo:
        procedure.full_clean()
    assert "code" in excinfo.value.message_dict


def test_local_code_and_current_version(version):
    procedure = version.procedure
    assert procedure.local_code == "1.001193.000.00.00.H99"
    assert procedure.current_version == version
    assert procedure.version_on(dt.date(1990, 1, 1)) == version  # open start: in force since an unknown date


def test_publish_new_version_closes_the_previous_one(version):
    procedure = version.procedure
    new = services.publish_new_version(procedure, record_data(name="Đăng ký khai sinh (mới)"), MAR, None)
    version.refresh_from_db()
    assert (version.valid_to, new.valid_from, new.valid_to, new.number) == (MAR, MAR, None, 2)
    assert procedure.version_on(dt.date(2026, 2, 28)) == version
    assert procedure.version_on(MAR) == new
    # An instant is read at its local date: 23:30 UTC on 28 Feb is 06:30 on 1 March in Hà Nội.
    instant = dt.datetime(2026, 2, 28, 23, 30, tzinfo=dt.UTC)
    assert procedure.version_on(instant) == new
    assert procedure.version_on(timezone.make_aware(dt.datetime(2026, 2, 28, 23, 30))) == version
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.AMENDED
    assert version.name == "Thủ tục đăng ký khai sinh"  # the old version was not edited


def test_a_new_version_cannot_start_before_the_newest(version):
    services.publish_new_version(version.procedure, record_data(), MAR, None)
    with pytest.raises(ValidationError):
        services.publish_new_version(version.procedure, record_data(name="Khác"), MAR, None)
    with pytest.raises(ValidationError):
        services.publish_new_version(version.procedure, record_data(name="Khác"), JAN, None)
    assert version.procedure.versions.count() == 2


def test_publish_refuses_invalid_data(version):
    with pytest.raises(ValidationError) as excinfo:
        services.publish_new_version(version.procedure, record_data(durations=[
            {"channel": "direct", "amount": 2, "unit": "tuần"}]), MAR, None)
    assert "tuần" in str(excinfo.value)
    assert version.procedure.versions.count() == 1


def test_publish_needs_the_permission(version):
    user = get_user_model().objects.create_user(username="canbo", password="x" * 12)
    with pytest.raises(PermissionDenied):
        services.publish_new_version(version.procedure, record_data(), MAR, user)
    user.user_permissions.add(Permission.objects.get(codename="add_procedureversion"))
    user = get_user_model().objects.get(pk=user.pk)
    assert services.publish_new_version(version.procedure, record_data(), MAR, user).created_by == user


def test_versions_must_not_overlap(version):
    other = ProcedureVersion(procedure=version.procedure, number=2, valid_from=JAN, valid_to=JUN, name="x",
                             field=version.field)
    with pytest.raises(ValidationError) as excinfo:
        other.full_clean()
    assert "valid_from" in excinfo.value.message_dict  # the open-ended first version overlaps it
    version.valid_to = JAN
    version.save()
    other.full_clean()
    other.save()
    third = ProcedureVersion(procedure=version.procedure, number=3, valid_from=MAR, name="x", field=version.field)
    with pytest.raises(ValidationError):
        third.full_clean()
    third.valid_from = JUN
    third.full_clean()
    backwards = ProcedureVersion(procedure=version.procedure, number=4, valid_from=JUN, valid_to=MAR, name="x",
                                 field=version.field)
    with pytest.raises(ValidationError) as excinfo:
        backwards.full_clean()
    assert "valid_to" in excinfo.value.message_dict


def test_database_refuses_two_open_versions(version):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcedureVersion.objects.create(procedure=version.procedure, number=2, valid_from=JAN, name="x",
                                        field=version.field)


def test_abolish_procedure(version):
    services.abolish_procedure(version.procedure, JUN, None)
    version.refresh_from_db()
    assert version.valid_to == JUN
    assert version.procedure.version_on(JUN) is None
    assert version.procedure.status == ProcedureStatus.ABOLISHED
    assert Procedure.objects.in_force(JUN).count() == 0
    assert Procedure.objects.in_force(MAR).count() == 1


def test_durations_per_channel(db):
    version = make_version(durations=[{"channel": "direct", "amount": 5, "unit": "ngày làm việc"},
                                      {"channel": "postal", "amount": None}])
    assert version.channels == [Channel.DIRECT, Channel.POSTAL]
    assert version.duration_for(Channel.POSTAL).channel == Channel.DIRECT  # no figure by post: the reference
    assert version.duration_for(Channel.ONLINE).amount == 5
    assert version.process_share_total() == 40


def test_content_and_fee_helpers(version, org):
    assert version.missing_content() == []
    assert version.content_full
    assert not version.has_fee
    fee = version.fees.get()
    services.set_fee_override(fee, 8000, None)
    version = ProcedureVersion.objects.get(pk=version.pk)
    assert version.has_fee and version.fees.get().effective_amount == 8000
    assert version.newest_legal_effective_date() == dt.date(2016, 1, 1)
    bare = make_version("2.000635", steps="", method="", agency_text="", applicant_types=[], components=[],
                        durations=[], fees=[{"name": "Phí", "kind": "fee"}])
    assert bare.missing_content() == ["steps", "method", "components", "duration", "applicant_types", "agency"]
    assert bare.has_fee  # an amount not stated may be due
    assert set(bare.review_reasons) >= {"duration_unknown", "fee_amount_unknown", "applicant_types_unknown"}
    Implementation.objects.create(version=bare, agency=org.justice, level="province")
    assert "agency" not in ProcedureVersion.objects.get(pk=bare.pk).missing_content()


def test_save_process_validates_shares(version, org):
    pc = org.commune_pcs[0]
    steps = [StepData("Tiếp nhận", D(1), Role.DESK_OFFICER, agency=org.centres[0]),
             StepData("Xử lý", D(6), Role.SPECIALIST), StepData("Ký", D(1), Role.AGENCY_LEADER)]
    process = services.save_process(version, pc, steps)
    process.full_clean()
    assert [s.share for s in process.steps.all()] == [1, 6, 1]
    assert process.steps.first().handling_agency_id == org.centres[0].pk  # a hand-over step
    with pytest.raises(ValidationError, match="8 working hours"):
        services.save_process(version, pc, steps[:2])
    assert Process.objects.get().pk == process.pk  # the failed save left the old process alone
    with pytest.raises(ValidationError):
        services.save_process(version, pc, [StepData("Không ai", D(8))])  # neither role nor department


def test_process_model_clean_checks_the_saved_steps(version, org):
    process = services.default_process(version, org.commune_pcs[0])
    process.full_clean()
    step = process.steps.get(order=2)
    step.share += 1
    step.save()
    with pytest.raises(ValidationError):
        process.full_clean()


@pytest.mark.parametrize("durations, total", [
    ([{"channel": "direct", "amount": 3, "unit": "working_day"}], D(24)),
    ([{"channel": "direct", "amount": 6, "unit": "giờ"}], D(6)),
    ([{"channel": "direct", "amount": 0, "unit": "working_day"}], D(1)),
    ([{"channel": "direct", "amount": 15, "unit": "ngày"}], D(1)),
    ([{"channel": "direct", "amount": None}], D(1)),
])
def test_default_process_fits_each_unit(org, durations, total):
    version = make_version(durations=durations)
    provincial = services.default_process(version, org.justice)
    assert provincial.steps.count() == 5
    assert sum(s.share for s in provincial.steps.all()) == total
    desk = provincial.steps.get(order=1)
    assert desk.role == Role.DESK_OFFICER and desk.agency == org.centre  # received at the provincial centre
    commune = services.default_process(version, org.commune_pcs[1])
    assert commune.steps.count() == 4
    assert commune.steps.get(order=1).agency == org.centres[1]
    assert sum(s.share for s in commune.steps.all()) == total


def test_new_version_carries_implementations_overrides_and_processes(org):
    version = make_version(fees=[{"name": "Lệ phí", "kind": "charge", "set_by_province": True}])
    Implementation.objects.create(version=version, agency=org.justice, level="province",
                                  online_mode=OnlineMode.FULL)
    services.set_fee_override(version.fees.get(), 5000, None)
    services.default_process(version, org.justice)
    new = services.publish_new_version(
        version.procedure,
        record_data(durations=[{"channel": "direct", "amount": 2, "unit": "working_day"}],
                    fees=[{"name": "Lệ phí", "kind": "charge", "set_by_province": True}]),
        MAR, None)
    assert new.implementations.get().online_mode == OnlineMode.FULL
    assert new.fees.get().amount_override == 5000
    process = new.processes.get()
    assert sum(s.share for s in process.steps.all()) == 16  # rescaled from 8 to 16 working hours
    process.full_clean()
    assert version.processes.get().steps.count() == 5  # the old version keeps its own process
