"""The SMS channel against the SMS simulator in its own process: the applicants' notices by SMS, folded text,
numbers in 84… form, retries through the outbox, permanent refusals."""

import datetime as dt

import pytest
from django.utils import timezone

from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import create_dossier
from congso.notifications.models import Notification
from congso.notifications.services import deliver_batch
from congso.notifications.sms import msisdn, plain_text, sms_body
from congso.payments.tests.conftest import Process, intake, local

API_KEY = "sms-test-key"


@pytest.fixture
def sms_sim(settings):
    process = Process(["-m", "congso.notifications.sms_simulator", "--port", "0", "--api-key", API_KEY])
    settings.CONGSO_SMS_URL = process.url + "/send"
    settings.CONGSO_SMS_API_KEY = API_KEY
    settings.CONGSO_SMS_BRANDNAME = "UBND-TINH"
    settings.CONGSO_SMS_UNICODE = False
    settings.CONGSO_NOTIFICATION_CHANNELS = {"email": "congso.notifications.channels.EmailChannel",
                                             "sms": "congso.notifications.sms.SmsChannel"}
    yield process
    process.stop()


def desk_dossier(w, **extra):
    """A desk-intake dossier, received at once: the 'dossier_received' notice is queued."""
    values = {"applicant_email": "an@example.org", **extra}
    return create_dossier(intake(w, files=False, **values), w.desk, at=local(2025, 1, 20, 9, 0))


def sms_rows():
    return Notification.objects.filter(channel="sms").order_by("id")


def test_phone_numbers_in_international_form():
    assert msisdn("0912345678") == "84912345678"
    assert msisdn("+84 912 345 678") == "84912345678"
    assert msisdn("0912.345.678") == "84912345678"
    for bad in ("", "12345", "0912345678901", "abc", "+1 202 555 0100"):
        with pytest.raises(ValueError):
            msisdn(bad)


def test_text_without_diacritics_keeps_case_and_lines():
    assert plain_text("Hồ sơ ĐÃ được tiếp nhận\nHẹn trả: 03/02/2025") == "Ho so DA duoc tiep nhan\nHen tra: 03/02/2025"
    assert plain_text("“Giấy tờ” – bản sao… 50.000₫") == '"Giay to" - ban sao... 50.000d'
    assert plain_text("Nguyễn Thị Ánh Tuyết, Đắk Lắk") == "Nguyen Thi Anh Tuyet, Dak Lak"
    assert plain_text("e\u0301 ✓ 中") == "e ? ?"
    assert sms_body("Một\n\n\nhai", unicode=False, limit=100) == "Mot\nhai"
    assert sms_body("Một hai", unicode=True, limit=100) == "Một hai"
    assert sms_body("x" * 500, unicode=False, limit=459) == "x" * 456 + "..."


def test_the_received_notice_goes_by_sms_too(world, sms_sim):
    dossier = desk_dossier(world)
    rows = list(sms_rows())
    assert [(r.template, r.address) for r in rows] == [("dossier_received", "0912345678")]
    assert Notification.objects.filter(channel="email", template="dossier_received").count() == 1
    assert rows[0].dedupe_key == Notification.objects.get(channel="email").dedupe_key
    run = deliver_batch()
    assert run.sent == 2
    messages = sms_sim.get_json("/messages")
    assert len(messages) == 1
    message = messages[0]
    assert message["to"] == "84912345678" and message["from"] == "UBND-TINH" and message["unicode"] is False
    assert message["text"].startswith(f"Ho so {dossier.code} da duoc tiep nhan, hen tra ket qua ")
    assert message["text"].endswith(f"Tra cuu: http://127.0.0.1:8000/tra-cuu/{dossier.code}")
    assert message["text"].isascii()
    sent = sms_rows().get()
    assert sent.state == Notification.State.SENT and sent.body_text.startswith("Hồ sơ")  # the wording as rendered


def test_unicode_when_the_setting_says_so(world, sms_sim, settings):
    settings.CONGSO_SMS_UNICODE = True
    desk_dossier(world)
    deliver_batch()
    message = sms_sim.get_json("/messages")[0]
    assert message["unicode"] is True and "Hồ sơ" in message["text"] and "đã được tiếp nhận" in message["text"]


def test_every_applicant_notice_has_sms_wording(world, sms_sim):
    dossier = desk_dossier(world)
    perform(dossier, "request_supplement", world.desk, reason="Thiếu <script>alert(1)</script>",
            items=["Bản sao CCCD", "Tờ khai"], at=local(2025, 1, 20, 10, 0))
    perform(dossier, "supply", world.desk, at=local(2025, 1, 21, 9, 0))
    perform(dossier, "stop", world.lead, reason="Trùng hồ sơ", at=local(2025, 1, 21, 10, 0))
    run = deliver_batch()
    assert run.failed == 0
    texts = {m["text"].split(". ")[0] for m in sms_sim.get_json("/messages")}
    assert f"Ho so {dossier.code} can bo sung 2 noi dung" in texts
    assert f"Ho so {dossier.code} da dung xu ly" in texts
    assert sms_rows().filter(state=Notification.State.SENT).count() == 3


def test_no_phone_no_sms(world, sms_sim):
    desk_dossier(world, applicant_phone="")
    assert not sms_rows().exists()
    assert Notification.objects.filter(channel="email").count() == 1


def test_no_sms_channel_configured_no_sms_rows(world, settings):
    settings.CONGSO_NOTIFICATION_CHANNELS = {"email": "congso.notifications.channels.EmailChannel"}
    desk_dossier(world)
    assert not sms_rows().exists()


def test_gateway_errors_are_retried_by_the_outbox_until_sent_once(world, sms_sim):
    sms_sim.post_json("/control", {"fail_next": 2, "status": 503})
    desk_dossier(world)
    now = timezone.now()
    first = deliver_batch(now=now)
    assert (first.sent, first.retried) == (1, 1)  # the e-mail went, the SMS waits
    row = sms_rows().get()
    assert row.state == Notification.State.PENDING and row.attempts == 1 and "503" in row.last_error
    assert deliver_batch(now=now).claimed == 0  # not due before its backoff
    second = deliver_batch(now=now + dt.timedelta(minutes=2))
    assert second.retried == 1
    third = deliver_batch(now=now + dt.timedelta(minutes=10))
    assert third.sent == 1
    row.refresh_from_db()
    assert row.state == Notification.State.SENT and row.attempts == 3
    assert len(sms_sim.get_json("/messages")) == 1


def test_an_unreachable_gateway_is_retried(world, settings):
    settings.CONGSO_SMS_URL = "http://127.0.0.1:9/send"
    settings.CONGSO_NOTIFICATION_CHANNELS = {"sms": "congso.notifications.sms.SmsChannel"}
    desk_dossier(world)
    desk_dossier(world)
    run = deliver_batch()
    assert run.retried == 2 and run.sent == 0
    assert all("unreachable" in r.last_error for r in sms_rows())


def test_permanent_refusals_fail_at_once(world, sms_sim, settings):
    sms_sim.post_json("/control", {"refuse": "84912345678"})
    desk_dossier(world)
    deliver_batch()
    row = sms_rows().get()
    assert row.state == Notification.State.FAILED and "400" in row.last_error and row.attempts == 1
    settings.CONGSO_SMS_API_KEY = "wrong key"
    desk_dossier(world, applicant_phone="0987654321")
    deliver_batch()
    assert "401" in sms_rows().last().last_error and sms_rows().last().state == Notification.State.FAILED
    assert sms_sim.get_json("/messages") == []


def test_a_malformed_number_fails_without_calling_the_gateway(world, sms_sim):
    from congso.notifications.services import enqueue

    enqueue(template="dossier_received", context={"code": "X"}, dedupe_key="t-1", phone="12345", channels=("sms",))
    run = deliver_batch()
    assert run.failed == 1 and "not a Vietnamese phone number" in sms_rows().get().last_error
    assert sms_sim.get_json("/messages") == []


@pytest.fixture(autouse=True)
def _vietnamese_notices(settings):
    """The notices are queued in the installation's language: Vietnamese here (the package's pages are read in
    English by the other tests)."""
    settings.LANGUAGE_CODE = "vi"
