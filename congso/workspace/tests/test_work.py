"""The staff workspace: worklists and counts, the dossier page and its actions, scoping, supervision."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from congso.dossiers.choices import Status
from congso.dossiers.models import Dossier
from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import PDF, intake, make_user
from congso.org.choices import Role
from congso.workspace.work import worklists

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def received(w, **extra):
    return create_dossier(intake(w, **extra), w.desk, accept=True)


def in_progress(w, **extra):
    dossier = received(w, **extra)
    return perform(dossier.code, "forward", w.desk)


def test_staff_only_and_login_required(client, world):
    assert client.get("/can-bo/").status_code == 302
    login(client, world.citizen)
    assert client.get("/can-bo/").status_code == 403
    login(client, world.spec)
    assert client.get("/can-bo/").status_code == 200


def test_worklists_follow_the_dossier_through_its_steps(client, world):
    dossier = received(world)
    # After receipt the next step (appraisal) waits for a specialist of the Department of Justice.
    spec_counts = worklists.counts(world.spec)
    desk_counts = worklists.counts(world.desk)
    step = Dossier.objects.get(pk=dossier.pk)
    assert step.holder_role in (Role.DESK_OFFICER, Role.SPECIALIST)
    perform(dossier.code, "forward", world.desk, assignee=world.spec.pk)
    after = worklists.counts(world.spec)
    assert after["todo"] == spec_counts["todo"] + (0 if step.holder_role == Role.SPECIALIST else 1)
    assert worklists.counts(world.spec2)["todo"] == 0  # assigned to spec, not to every specialist
    assert worklists.counts(world.desk)["todo"] <= desk_counts["todo"]
    login(client, world.spec)
    page = client.get("/can-bo/viec/todo/")
    assert dossier.code in page.content.decode()
    login(client, world.spec2)
    assert dossier.code not in client.get("/can-bo/viec/todo/").content.decode()


def test_deadline_lists_and_urgency(world):
    dossier = in_progress(world)
    dossier.refresh_from_db()
    now = dossier.step_due_at - dt.timedelta(hours=1)
    holder = dossier.holder or world.spec
    counts = worklists.counts(holder, now=now)
    assert counts["overdue"] == 0
    late = worklists.counts(holder, now=dossier.step_due_at + dt.timedelta(minutes=1))
    assert late["overdue"] >= 1
    assert worklists.urgency(dossier.step_due_at, dossier.step_due_at + dt.timedelta(seconds=1)) == "overdue"


def test_waiting_and_transferred_lists(world):
    dossier = in_progress(world)
    holder = Dossier.objects.get(pk=dossier.pk).holder or world.spec
    perform(dossier.code, "request_supplement", world.spec, reason="Thiếu", items=["Tờ khai"])
    assert worklists.worklist(world.spec, "waiting").filter(pk=dossier.pk).exists()
    perform(dossier.code, "supply", world.desk, files=[("bo sung.pdf", PDF)])
    perform(dossier.code, "transfer", holder if holder != world.spec2 else world.spec, to_agency=world.finance.code,
            reason="Lấy ý kiến")
    assert worklists.worklist(world.spec, "transferred").filter(pk=dossier.pk).exists()
    assert worklists.worklist(world.fin_spec, "todo").filter(pk=dossier.pk).exists()


def test_worklist_has_no_query_per_row(client, world):
    for _ in range(3):
        in_progress(world)
    login(client, world.lead)
    client.get("/can-bo/viec/unit/")  # warm the calendar cache
    with CaptureQueriesContext(connection) as few:
        assert client.get("/can-bo/viec/unit/").status_code == 200
    for _ in range(6):
        in_progress(world)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/can-bo/viec/unit/")
    assert response.content.decode().count('data-code="') == 9
    assert len(many) == len(few)


def test_worklist_filters_and_bad_input(client, world):
    first = received(world, applicant_name="Trần Thị Bình")
    received(world, applicant_name="Lê Văn Cường")
    login(client, world.desk)
    # Diacritics-free search over the applicant's name.
    body = client.get("/can-bo/tim-kiem/", {"q": "tran thi binh"}).content.decode()
    assert first.code in body and "Lê Văn Cường" not in body
    bad = client.get("/can-bo/tim-kiem/", {"q": "a", "from": "31/02/2025", "status": "99", "sort": "drop table"})
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "dd/mm/yyyy" in text
    assert client.get("/can-bo/viec/nope/").status_code == 404


def test_hostile_text_is_escaped(client, world):
    dossier = received(world, applicant_name="<script>alert(1)</script>")
    perform(dossier.code, "forward", world.desk)
    perform(dossier.code, "request_supplement", world.lead, reason="<img src=x onerror=alert(2)>", items=["<b>x</b>"])
    login(client, world.lead)
    body = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body and "<b>x</b>" not in body
    assert "&lt;script&gt;" in client.get("/can-bo/viec/unit/").content.decode()


def test_dossier_page_is_scoped_even_by_url_guessing(client, world):
    dossier = received(world)
    outsider = make_user("outsider", world.finance, Role.SPECIALIST)
    login(client, outsider)
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 404
    file_id = dossier.components.exclude(file=None).first().file_id
    assert client.get(f"/can-bo/ho-so/{dossier.code}/tep/{file_id}/").status_code == 404
    assert client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/forward/", {"version": 2}).status_code == 404
    login(client, world.citizen)
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 403
    login(client, world.spec)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/")
    assert page.status_code == 200
    # A file of another dossier cannot be reached through this dossier's URL.
    other = received(world)
    other_file = other.components.exclude(file=None).first().file_id
    assert client.get(f"/can-bo/ho-so/{dossier.code}/tep/{other_file}/").status_code == 404
    preview = client.get(f"/can-bo/ho-so/{dossier.code}/tep/{file_id}/")
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"


def test_personal_numbers_are_masked_for_monitors_and_revealed_with_a_purpose(client, world):
    dossier = received(world)
    login(client, world.monitor)
    body = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "001090012345" not in body
    assert client.post(f"/can-bo/ho-so/{dossier.code}/xem-day-du/", {"reason": ""}).status_code == 302
    shown = client.post(f"/can-bo/ho-so/{dossier.code}/xem-day-du/", {"reason": "Kiểm tra khiếu nại"})
    assert "001090012345" in shown.content.decode()
    login(client, world.desk)
    assert "001090012345" in client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()


def test_actions_through_the_page(client, world):
    dossier = received(world)
    login(client, world.desk)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'data-action="forward"' in page and 'data-action="complete"' not in page
    version = Dossier.objects.get(pk=dossier.pk).version
    response = client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/forward/",
                           {"version": version, "assignee": world.spec.pk})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROGRESS and dossier.holder_id == world.spec.pk
    # A stale form (old version) changes nothing.
    login(client, world.spec)
    client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/forward/", {"version": version})
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version
    # A missing reason where the rules want one changes nothing.
    client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/request_supplement/",
                {"version": dossier.version, "items": "Tờ khai", "reason": ""})
    assert Dossier.objects.get(pk=dossier.pk).status == Status.IN_PROGRESS
    client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/request_supplement/",
                {"version": dossier.version, "items": "Tờ khai\nCCCD", "reason": "Thiếu giấy tờ"})
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.supplement_requests.get().items == ["Tờ khai", "CCCD"]
    # Grave actions need the confirmation box.
    login(client, world.lead)
    client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/stop/",
                {"version": dossier.version, "reason": "Dừng", "confirm_required": "1"})
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUPPLEMENT_REQUESTED
    # An unknown action is a 404; a GET is refused.
    assert client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/explode/", {}).status_code == 404
    assert client.get(f"/can-bo/ho-so/{dossier.code}/thao-tac/forward/").status_code == 405


def test_complete_with_an_uploaded_result_file(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dossier = in_progress(world)
    holder = Dossier.objects.get(pk=dossier.pk).holder or world.spec
    perform(dossier.code, "forward", holder, assignee=world.head.pk)
    perform(dossier.code, "forward", world.head, assignee=world.lead.pk)
    dossier.refresh_from_db()
    login(client, world.lead)
    upload = SimpleUploadedFile("ket qua.pdf", PDF, content_type="application/pdf")
    client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/complete/",
                {"version": dossier.version, "result_name_0": "Giấy chứng nhận", "result_number_0": "12/GCN",
                 "result_file_0": upload})
    dossier.refresh_from_db()
    assert dossier.status == Status.RESOLVED
    result = dossier.results.get()
    assert result.is_electronic and result.number == "12/GCN"
    # A file that is not what its name says is refused and changes nothing.
    other = in_progress(world)
    holder = Dossier.objects.get(pk=other.pk).holder or world.spec
    perform(other.code, "forward", holder, assignee=world.head.pk)
    perform(other.code, "forward", world.head, assignee=world.lead.pk)
    other.refresh_from_db()
    fake = SimpleUploadedFile("ket qua.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    client.post(f"/can-bo/ho-so/{other.code}/thao-tac/complete/",
                {"version": other.version, "result_name_0": "Giấy", "result_file_0": fake})
    assert Dossier.objects.get(pk=other.pk).status == Status.IN_PROGRESS


def test_leader_reassigns_one_and_all_of_an_absent_officer(client, world):
    codes = []
    for _ in range(3):
        dossier = received(world)
        perform(dossier.code, "forward", world.desk, assignee=world.spec.pk)
        codes.append(dossier.code)
    login(client, world.spec)
    assert client.post("/can-bo/giao-viec/", {"codes": codes[:1], "assignee": world.spec2.pk}).status_code == 404
    login(client, world.lead)
    client.post("/can-bo/giao-viec/", {"codes": codes[:1], "assignee": world.spec2.pk, "next": "/can-bo/"})
    assert Dossier.objects.get(code=codes[0]).holder_id == world.spec2.pk
    client.post("/can-bo/giao-viec/", {"all_of": world.spec.pk, "assignee": world.spec2.pk, "reason": "Nghỉ phép"})
    assert set(Dossier.objects.filter(code__in=codes).values_list("holder_id", flat=True)) == {world.spec2.pk}
    # Someone outside the leader's agency cannot be chosen.
    client.post("/can-bo/giao-viec/", {"codes": codes, "assignee": world.fin_spec.pk})
    assert set(Dossier.objects.filter(code__in=codes).values_list("holder_id", flat=True)) == {world.spec2.pk}


def test_supervisor_view_counts_and_scope(client, world):
    for _ in range(2):
        in_progress(world)
    login(client, world.lead)
    page = client.get("/can-bo/giam-sat/", {"agency": world.justice.code})
    assert page.status_code == 200
    assert page.context["totals"]["open"] == Dossier.objects.filter(current_agency=world.justice,
                                                                      finished_at__isnull=True).count()
    assert client.get(f"/can-bo/giam-sat/{world.justice.code}/ho-so/", {"state": "open"}).status_code == 200
    # A leader of Justice cannot supervise Finance by URL.
    assert client.get(f"/can-bo/giam-sat/{world.finance.code}/ho-so/").status_code == 404
    login(client, world.spec)
    assert client.get("/can-bo/giam-sat/").status_code == 404


def test_menu_counts_change_with_the_work(client, world):
    login(client, world.desk)
    before = client.get("/can-bo/").content.decode()
    dossier = create_dossier(intake(world, channel="online"), world.citizen)
    assert dossier.status == Status.NEW
    after = client.get("/can-bo/").content.decode()
    assert before != after
    assert worklists.worklist(world.justice_desk, "todo").filter(pk=dossier.pk).exists()


# --- two-factor login -------------------------------------------------------------------------------------------


@pytest.fixture
def two_factor(settings):
    settings.CONGSO_TWO_FACTOR = True


def _code(device: TOTPDevice) -> str:
    """The code an authenticator app would show now."""
    from django_otp.oath import TOTP

    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():0{device.digits}d}"


def test_administrators_must_set_up_and_use_a_second_factor(client, world, two_factor):
    admin = make_user("quantri", world.root, Role.ADMINISTRATOR)
    admin.set_password("a-long-password-1")
    admin.save()
    response = client.post("/accounts/login/", {"username": "quantri", "password": "a-long-password-1"})
    assert response.status_code == 302 and response["Location"].endswith("/accounts/otp/")
    assert "_auth_user_id" not in client.session  # not logged in before the code
    setup = client.get("/accounts/otp/")
    assert setup.context["setting_up"] and "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=admin)
    assert client.post("/accounts/otp/", {"otp_token": "000000"}).status_code == 400
    time.sleep(1.1)  # django-otp throttles for 2^(failures-1) seconds after a wrong code
    done = client.post("/accounts/otp/", {"otp_token": _code(device)})
    assert done.status_code == 302
    assert client.get("/can-bo/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_second_factor_wrong_codes_end_the_pending_login(client, world, two_factor):
    user = make_user("cb2fa", world.justice, Role.SPECIALIST, require_two_factor=True)
    user.set_password("a-long-password-1")
    user.save()
    TOTPDevice.objects.create(user=user, name="totp", confirmed=True)
    client.post("/accounts/login/", {"username": "cb2fa", "password": "a-long-password-1"})
    for _ in range(5):
        response = client.post("/accounts/otp/", {"otp_token": "12345x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/can-bo/").status_code == 302


def test_a_session_without_the_second_factor_cannot_enter_the_workspace_or_admin(client, world, two_factor):
    user = make_user("boss", world.root, Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(user)  # e.g. a session opened some other way
    response = client.get("/can-bo/")
    assert response.status_code == 302 and "/accounts/otp/" in response["Location"]
    assert client.get("/admin/").status_code == 302


def test_people_without_two_factor_log_in_directly(client, world, two_factor):
    world.spec.set_password("a-long-password-1")
    world.spec.save()
    response = client.post("/accounts/login/", {"username": "spec", "password": "a-long-password-1"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_menu_counts_agree_with_the_lists_for_everyone(world):
    """`counts` applies the lists' rules in Python; each count must equal the size of its list."""
    for index in range(6):
        dossier = received(world)
        if index % 2:
            perform(dossier.code, "forward", world.desk, assignee=world.spec.pk if index % 3 else None)
        if index == 3:
            perform(dossier.code, "request_supplement", world.lead, reason="Thiếu", items=["Tờ khai"])
        if index == 5:
            perform(dossier.code, "transfer", world.spec, to_agency=world.finance.code, reason="Phối hợp")
    create_dossier(intake(world, channel="online"), world.citizen)
    for moment in (timezone.now(), timezone.now() + dt.timedelta(days=9)):
        for user in (world.desk, world.justice_desk, world.spec, world.spec2, world.head, world.lead,
                     world.fin_spec):
            seat = worklists.Seat.of(user)
            totals = worklists.counts(user, now=moment, seat=seat)
            for key, n in totals.items():
                assert n == worklists.worklist(user, key, moment, seat).count(), (user.username, key)


def test_forward_offers_the_officers_of_the_next_steps_agency(world):
    """A dossier received at the service centre goes next to the Department of Justice: its people are offered."""
    from congso.workspace.work.action_forms import build_forms

    dossier = Dossier.objects.select_related("current_step").get(pk=received(world).pk)
    assert dossier.current_agency_id == world.centre.pk
    (form,) = build_forms(dossier, ["forward"])
    offered = {u.pk for u in form.assignees}
    assert world.spec.pk in offered and world.desk.pk not in offered
