"""Applicant notices from the dossier engine: which events notify whom, and what the Vietnamese text says."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from congso.dossiers.choices import Action
from congso.dossiers.models import ProcessingEvent
from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import create_dossier
from congso.notifications.models import Notification
from congso.notifications.receivers import on_event_recorded
from congso.notifications.rendering import render
from congso.notifications.tests.conftest import intake, local, make_dossier

SUPPLEMENT_ITEMS = ["Bản sao Căn cước công dân có chứng thực", "Tờ khai có chữ ký của người nộp hồ sơ"]


def notices(dossier):
    return {n.template: n for n in Notification.objects.filter(dossier=dossier)}


def resolve(w, d, start):
    d = perform(d.code, Action.FORWARD, w.desk, at=start, assignee=w.spec)
    d = perform(d.code, Action.FORWARD, w.spec, at=start + dt.timedelta(hours=1), assignee=w.head)
    d = perform(d.code, Action.FORWARD, w.head, at=start + dt.timedelta(hours=2), assignee=w.lead)
    return perform(d.code, Action.COMPLETE, w.lead, at=start + dt.timedelta(hours=3),
                   results=[{"name": "Giấy chứng nhận đăng ký", "result_code": "KQ.G15.000001", "number": "12/GCN"}])


def test_received_notice_has_code_procedure_appointment_and_lookup_link(world, settings):
    settings.SITE_URL = "https://dichvucong.thu.gov.vn"
    d = make_dossier(world)
    notice = notices(d)["dossier_received"]
    assert notice.address == "an@example.org" and notice.channel == "email" and notice.language == "vi"
    assert notice.dedupe_key == f"dossier-event:{d.events.get(action=Action.ACCEPT).pk}"
    assert notice.state == Notification.State.PENDING
    rendered = render(notice)
    assert rendered.subject == f"Hồ sơ {d.code} đã được tiếp nhận"
    text = rendered.text
    assert "Kính gửi ông/bà Nguyễn Văn Án," in text
    assert "Trung tâm PVHCC tỉnh đã tiếp nhận hồ sơ của ông/bà." in text
    assert f"Mã hồ sơ: {d.code}" in text
    assert "Thủ tục: Thủ tục thử 1.000001" in text
    assert "Thời điểm tiếp nhận: 20/01/2025 09:00" in text
    assert "Ngày hẹn trả kết quả: 03/02/2025 09:00" in text  # 5 working days, Tết skipped
    assert f"Tra cứu tình trạng hồ sơ: https://dichvucong.thu.gov.vn/tra-cuu/{d.code}" in text
    assert f'<a href="https://dichvucong.thu.gov.vn/tra-cuu/{d.code}"' in rendered.html
    assert "{{" not in text and "{%" not in text


def test_supplement_apology_and_result_notices_in_vietnamese(world):
    w = world
    d = make_dossier(w)
    d = perform(d.code, Action.REQUEST_SUPPLEMENT, w.desk, at=local(2025, 1, 20, 10, 0),
                reason="Thiếu giấy tờ tùy thân", items=SUPPLEMENT_ITEMS)
    d = perform(d.code, Action.SUPPLY, w.desk, at=local(2025, 1, 21, 9, 0))
    d = perform(d.code, Action.APOLOGIZE, w.lead, at=local(2025, 1, 22, 9, 0), reason="Cần xác minh thực địa",
                new_due_at=local(2025, 2, 10, 16, 30))
    d = resolve(w, d, local(2025, 1, 23, 9, 0))
    d = perform(d.code, Action.RETURN_RESULT, w.desk, at=local(2025, 1, 24, 9, 0))
    found = notices(d)
    assert set(found) == {"dossier_received", "supplement_requested", "apology", "result_ready"}

    supplement = render(found["supplement_requested"])
    assert supplement.subject == f"Hồ sơ {d.code}: đề nghị bổ sung, hoàn thiện hồ sơ"
    assert ("bổ sung, hoàn thiện các nội dung sau:\n\n"
            "1. Bản sao Căn cước công dân có chứng thực\n"
            "2. Tờ khai có chữ ký của người nộp hồ sơ\n") in supplement.text
    assert "Lý do: Thiếu giấy tờ tùy thân" in supplement.text
    assert "Trung tâm PVHCC tỉnh" in supplement.text

    apology = render(found["apology"])
    assert apology.subject == f"Hồ sơ {d.code}: thư xin lỗi và hẹn lại ngày trả kết quả"
    assert "Sở Tư pháp thành thật xin lỗi ông/bà" in apology.text
    assert "Lý do: Cần xác minh thực địa" in apology.text
    assert "Ngày hẹn trả kết quả mới: 10/02/2025 16:30" in apology.text
    # The appointment before the apology: the original moved by the supplement's waiting time.
    previous = timezone.localtime(d.extensions.get().previous_due_at)
    assert previous > local(2025, 2, 3, 9, 0)
    assert f"không thể trả kết quả đúng hẹn ({previous:%d/%m/%Y %H:%M})" in apology.text

    result = render(found["result_ready"])
    assert result.subject == f"Hồ sơ {d.code} đã có kết quả"
    assert "Kết quả giải quyết:\n- Giấy chứng nhận đăng ký\n" in result.text
    assert "Mời ông/bà nhận kết quả tại Trung tâm PVHCC tỉnh." in result.text
    assert f"/tra-cuu/{d.code}" in result.text


def test_refusal_withdrawal_and_stop_notices(world):
    w = world
    w.citizen.email = "citizen@example.org"
    w.citizen.save()
    online = create_dossier(intake(w, channel="online", files=False), w.citizen, at=local(2025, 1, 20, 9, 0))
    assert not Notification.objects.filter(dossier=online).exists()  # submitted, not yet received: no notice
    perform(online.code, Action.REFUSE, w.justice_desk, at=local(2025, 1, 20, 10, 0),
            reason="Hồ sơ không thuộc thẩm quyền giải quyết của Sở Tư pháp")
    refused = notices(online)["dossier_refused"]
    assert refused.address == "citizen@example.org" and refused.user == w.citizen  # the account's e-mail
    text = render(refused).text
    assert "Sở Tư pháp từ chối tiếp nhận hồ sơ" in text
    assert "Lý do: Hồ sơ không thuộc thẩm quyền giải quyết của Sở Tư pháp" in text

    withdrawn = make_dossier(w, email="rut@example.org")
    perform(withdrawn.code, Action.WITHDRAW, w.desk, at=local(2025, 1, 21, 14, 5), reason="Người nộp xin rút")
    text = render(notices(withdrawn)["withdrawal_confirmed"]).text
    assert "đã được ghi nhận lúc 21/01/2025 14:05" in text and "Lý do: Người nộp xin rút" in text

    stopped = make_dossier(w, email="dung@example.org")
    perform(stopped.code, Action.STOP, w.lead, at=local(2025, 1, 22, 8, 0), reason="Người nộp đã qua đời")
    rendered = render(notices(stopped)["dossier_stopped"])
    assert rendered.subject == f"Hồ sơ {stopped.code}: thông báo dừng giải quyết"
    assert "Sở Tư pháp thông báo dừng giải quyết hồ sơ" in rendered.text
    assert "kể từ 22/01/2025 08:00" in rendered.text and "Lý do: Người nộp đã qua đời" in rendered.text


def test_postal_dossier_result_is_mailed(world):
    w = world
    d = make_dossier(w, channel="postal")
    d = resolve(w, d, local(2025, 1, 21, 9, 0))
    text = render(notices(d)["result_ready"]).text
    assert "qua dịch vụ bưu chính công ích" in text and "Mời ông/bà nhận kết quả tại" not in text


def test_no_email_no_notice_and_each_event_notifies_once(world):
    w = world
    silent = make_dossier(w, email="")
    perform(silent.code, Action.STOP, w.lead, at=local(2025, 1, 21, 9, 0), reason="Dừng")
    assert not Notification.objects.filter(dossier=silent).exists()

    d = make_dossier(w)
    event = d.events.get(action=Action.ACCEPT)
    on_event_recorded(ProcessingEvent, event=event, dossier=d)  # the same event again
    assert Notification.objects.filter(dossier=d).count() == 1


def test_steps_without_a_notice_queue_nothing(world):
    w = world
    d = make_dossier(w)
    perform(d.code, Action.FORWARD, w.desk, at=local(2025, 1, 20, 10, 0), assignee=w.spec)
    perform(d.code, Action.ASSIGN, w.head, at=local(2025, 1, 20, 11, 0), assignee=w.spec2)
    assert list(Notification.objects.filter(dossier=d).values_list("template", flat=True)) == ["dossier_received"]


def test_an_event_in_a_rolled_back_action_creates_no_notification(world, django_capture_on_commit_callbacks):
    w = world
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            d = make_dossier(w)
            assert Notification.objects.filter(dossier=d).count() == 1  # queued inside the transaction…
            raise RuntimeError("the action fails after its event")
    assert Notification.objects.count() == 0  # …and gone with it
    assert callbacks == []  # no delivery task either

    d = make_dossier(w, email="khac@example.org")
    with pytest.raises(RuntimeError), transaction.atomic():
        perform(d.code, Action.STOP, w.lead, at=local(2025, 1, 21, 9, 0), reason="Dừng")
        raise RuntimeError
    assert list(Notification.objects.filter(dossier=d).values_list("template", flat=True)) == ["dossier_received"]


def test_receivers_only_insert_rows_and_schedule_one_delivery_after_commit(world, django_capture_on_commit_callbacks):
    w = world
    with django_capture_on_commit_callbacks() as callbacks:
        d = make_dossier(w)
        d = perform(d.code, Action.REQUEST_SUPPLEMENT, w.desk, at=local(2025, 1, 20, 10, 0), reason="Thiếu",
                    items=["Tờ khai"])
    assert mail.outbox == []
    assert Notification.objects.filter(dossier=d).count() == 2
    assert len(callbacks) == 1  # one delivery task for the whole transaction, not one per notice


def test_a_broken_notice_never_blocks_the_action(world, monkeypatch):
    def boom(*args, **kwargs):
        raise ValueError("bug in the notice")

    monkeypatch.setattr("congso.notifications.receivers.notice_context", boom)
    d = make_dossier(world)
    assert d.status == 2 and not Notification.objects.exists()
