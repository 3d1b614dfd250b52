"""Feedback (PAKN): deadlines in working days, handling, publication, the sender's reaction, scoping, bad input."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection

from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import build_world, intake, local, make_user
from congso.feedback import services
from congso.feedback.models import Feedback, FeedbackStatus
from congso.org.choices import Role


@pytest.fixture
def world(db):
    return build_world()


def send(world, **extra):
    values = dict(subject="agency", title="Thái độ phục vụ", content="Cán bộ hẹn trả kết quả nhiều lần không đúng.",
                  sender_name="Nguyễn Văn An", sender_email="an@example.vn", agency=world.justice,
                  at=local(2025, 3, 7, 16, 0))  # a Friday afternoon
    values.update(extra)
    return services.submit(**values)


def test_deadlines_are_working_days_from_receipt(world):
    item = send(world)
    # Friday 16:00 + 2 working days → Tuesday 16:00; + 5 → the next Friday; + 15 → three weeks later.
    assert item.reject_due_at == local(2025, 3, 11, 16, 0)
    assert item.info_due_at == local(2025, 3, 14, 16, 0)
    assert item.answer_due_at == local(2025, 3, 28, 16, 0)
    assert item.code.startswith("PAKN-250307-")


def test_bad_input_changes_nothing(world):
    with pytest.raises(services.FeedbackError) as info:
        services.submit(subject="x", title="", content="ngắn", sender_name="", agency=None)
    assert {"subject", "title", "content", "sender_name", "sender_email", "agency"} <= set(info.value.errors)
    with pytest.raises(services.FeedbackError):
        services.submit(subject="dossier", title="T", content="Nội dung đủ dài ở đây", sender_name="A",
                        sender_phone="0912345678")
    assert Feedback.objects.count() == 0


def test_handling_answer_publish_and_the_sender_is_told(world, django_capture_on_commit_callbacks):
    citizen = world.citizen
    item = send(world, user=citizen)
    with pytest.raises(services.FeedbackError):
        services.answer(item, world.fin_spec, "Không phải việc của tôi")  # another agency
    with pytest.raises(services.FeedbackError):
        services.publish(item, world.spec)  # nothing answered yet
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.answer(item, world.spec, "Đã chấn chỉnh cán bộ.", at=local(2025, 3, 10, 9, 0))
    assert answered.publish_due_at == local(2025, 3, 12, 9, 0)
    assert mail.outbox and item.code in mail.outbox[-1].subject and "Đã chấn chỉnh cán bộ." in mail.outbox[-1].body
    published = services.publish(answered, world.spec, at=local(2025, 3, 11, 9, 0))
    assert published.status == FeedbackStatus.PUBLISHED
    assert services.handled_on_time(published, local(2025, 4, 1)) is True
    services.react(published, citizen, liked=False)
    again = services.reraise(published, citizen, "Vẫn chưa được giải quyết.")
    assert again.parent_id == item.pk and Feedback.objects.get(pk=item.pk).reraised
    with pytest.raises(services.FeedbackError):
        services.react(published, world.other_citizen, liked=True)


def test_on_time_rules(world):
    late = send(world)
    assert services.handled_on_time(late, local(2025, 3, 20)) is None  # nothing due yet
    assert services.handled_on_time(late, local(2025, 3, 29)) is False  # answer overdue
    rejected = services.reject(send(world), world.spec, "Không thuộc thẩm quyền", at=local(2025, 3, 12, 9, 0))
    assert services.handled_on_time(rejected, local(2025, 4, 1)) is False  # rejected after 2 working days
    unpublished = services.answer(send(world), world.spec, "Trả lời", at=local(2025, 3, 10, 9, 0))
    assert services.handled_on_time(unpublished, local(2025, 3, 11, 9, 0)) is True
    assert services.handled_on_time(unpublished, local(2025, 3, 13, 9, 0)) is False  # not published in 2 days


def test_a_dossier_complaint_is_for_the_dossiers_applicant_only(client, world):
    dossier = create_dossier(intake(world, channel="online"), world.citizen)
    form = {"subject": "dossier", "dossier_code": dossier.code, "sender_name": "An", "sender_email": "an@x.vn",
            "title": "Chậm", "content": "Hồ sơ của tôi bị chậm nhiều ngày."}
    client.force_login(world.other_citizen)
    assert client.post("/phan-anh/gui/", form).status_code == 400
    client.force_login(world.citizen)
    response = client.post("/phan-anh/gui/", form)
    assert response.status_code == 200
    item = Feedback.objects.get()
    assert item.is_complaint and item.agency_id == dossier.handling_agency_id and item.dossier_id == dossier.pk


def test_pages_scope_and_escape(client, world):
    item = send(world, title="<script>alert(1)</script>", user=world.citizen)
    # Not published: only its sender sees it on the portal.
    assert client.get(f"/phan-anh/{item.code}/").status_code == 404
    client.force_login(world.other_citizen)
    assert client.get(f"/phan-anh/{item.code}/").status_code == 404
    assert client.post(f"/phan-anh/{item.code}/react/", {"liked": "1"}).status_code == 404
    client.force_login(world.citizen)
    body = client.get(f"/phan-anh/{item.code}/").content.decode()
    assert "&lt;script&gt;" in body and "<script>alert(1)" not in body
    # Staff of another agency cannot open it by URL.
    client.force_login(world.fin_spec)
    assert client.get(f"/phan-anh/can-bo/{item.code}/").status_code == 404
    client.force_login(world.spec)
    assert client.get(f"/phan-anh/can-bo/{item.code}/").status_code == 200
    client.post(f"/phan-anh/can-bo/{item.code}/", {"action": "answer", "text": "Đã xử lý."})
    client.post(f"/phan-anh/can-bo/{item.code}/", {"action": "publish"})
    assert Feedback.objects.get(pk=item.pk).status == FeedbackStatus.PUBLISHED
    client.logout()
    assert "Đã xử lý." in client.get(f"/phan-anh/{item.code}/").content.decode()
    assert item.code in client.get("/phan-anh/").content.decode()


def test_public_form_is_rate_limited(client, world, settings):
    settings.CONGSO_RATE_LIMITS = {"feedback": (2, 3600)}
    form = {"subject": "agency", "agency": world.justice.code, "sender_name": "An", "sender_email": "an@x.vn",
            "title": "Góp ý", "content": "Nội dung góp ý đủ dài."}
    assert client.post("/phan-anh/gui/", form).status_code == 200
    assert client.post("/phan-anh/gui/", form).status_code == 200
    assert client.post("/phan-anh/gui/", form).status_code == 429
    assert Feedback.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officers_answering_at_once_give_one_answer():
    from congso.workcalendar.services import reset_cache

    reset_cache()
    world = build_world()
    other = make_user("spec3", world.justice, Role.SPECIALIST)
    item = send(world, at=dt.datetime.now(dt.UTC))
    outcomes = []

    def run(user, text):
        try:
            services.answer(item, user, text)
            outcomes.append("ok")
        except services.FeedbackError as error:
            outcomes.append(error.problem_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u, f"Trả lời của {u.username}")) for u in (world.spec, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["invalid_transition", "ok"]
