"""Delivery through a real SMTP server on loopback: multipart mail, retries with backoff, permanent failures, the
crash window, leases, the delivery task and the admin's "retry now"."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from congso.dossiers.choices import Action
from congso.dossiers.services.actions import perform
from congso.notifications import services
from congso.notifications.models import Notification
from congso.notifications.services import deliver_batch, deliver_due, enqueue, retry_delay
from congso.notifications.tests.conftest import REFUSED_DOMAIN, local, make_dossier, part

pytestmark = pytest.mark.django_db

State = Notification.State
STAFF_CONTEXT = {"code": "000.00.02.H97-250120-0001", "procedure": "Đăng ký khai sinh", "step": "Thẩm định",
                 "deadline": local(2025, 1, 23, 9, 30), "holder": "Trần Thị Bình",
                 "link": "https://congso.test/ho-so/000.00.02.H97-250120-0001"}


def queue(address: str, key: str = "1", template: str = "step_due_soon") -> Notification:
    [notification] = enqueue(template=template, context=STAFF_CONTEXT, dedupe_key=f"test:{key}", email=address)
    return notification


def subject(message) -> str:
    # A long encoded subject is folded; the parser keeps the folding space in front.
    return str(message["Subject"]).strip()


def fresh(notification) -> Notification:
    return Notification.objects.get(pk=notification.pk)


def test_sends_a_multipart_vietnamese_email_and_records_what_was_sent(world, smtp):
    d = make_dossier(world)
    assert deliver_due() == 1
    [message] = smtp.messages
    notice = Notification.objects.get(dossier=d)
    assert notice.state == State.SENT and notice.sent_at and notice.attempts == 1 and notice.last_error == ""
    assert message["To"] == "an@example.org"
    assert subject(message) == f"Hồ sơ {d.code} đã được tiếp nhận"
    assert message["Message-ID"] == notice.message_id and notice.message_id.startswith(f"<congso.{notice.pk}.")
    assert notice.message_id.endswith("@congso.test>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text, html = part(message, "plain"), part(message, "html")
    assert "Ngày hẹn trả kết quả: 03/02/2025 09:00" in text and "Ngày hẹn trả kết quả: 03/02/2025 09:00" in html
    assert "<p>Kính gửi ông/bà Nguyễn Văn Án,</p>" in html
    # The audit copy on the row is what went out.
    assert notice.subject == subject(message) and notice.body_text.strip() == text.strip()
    assert notice.message_template.key == "dossier_received" and notice.message_template.language == "vi"
    assert deliver_due() == 0 and len(smtp.messages) == 1


def test_server_down_retries_with_backoff_and_then_delivers_each_notice_exactly_once(smtp):
    notices = [queue(f"can-bo{i}@example.org", key=str(i)) for i in range(3)]
    smtp.stop()
    t0 = timezone.now()
    assert deliver_due(now=t0) == 0
    for n in map(fresh, notices):
        assert (n.state, n.attempts, n.next_attempt_at) == (State.PENDING, 1, t0 + dt.timedelta(minutes=1))
        assert "Connection" in n.last_error or "refused" in n.last_error.lower()
    assert deliver_batch(now=t0 + dt.timedelta(seconds=59)).claimed == 0  # not due yet
    t1 = t0 + dt.timedelta(minutes=1)
    assert deliver_batch(now=t1).retried == 3
    assert {fresh(n).next_attempt_at for n in notices} == {t1 + dt.timedelta(minutes=2)}
    t2 = t1 + dt.timedelta(minutes=2)
    assert deliver_batch(now=t2).retried == 3
    assert {(fresh(n).attempts, fresh(n).next_attempt_at) for n in notices} == {(3, t2 + dt.timedelta(minutes=4))}

    smtp.start()
    assert deliver_due(now=t2 + dt.timedelta(minutes=4)) == 3
    assert deliver_due(now=t2 + dt.timedelta(hours=5)) == 0
    sent = [fresh(n) for n in notices]
    assert all(n.state == State.SENT for n in sent)
    assert smtp.mailbox.message_ids() == {n.message_id: 1 for n in sent}  # every notice once, nothing lost


def test_backoff_doubles_up_to_the_cap_then_gives_up(smtp, settings):
    settings.CONGSO_NOTIFICATIONS_MAX_ATTEMPTS = 5
    settings.CONGSO_NOTIFICATIONS_RETRY_MAX_SECONDS = 300
    assert [retry_delay(n).total_seconds() / 60 for n in range(1, 7)] == [1, 2, 4, 5, 5, 5]
    notice = queue("can-bo@example.org")
    smtp.stop()
    at, delays = timezone.now(), []
    for _attempt in range(5):
        deliver_due(now=at)
        n = fresh(notice)
        if n.state != State.PENDING:
            break
        delays.append((n.next_attempt_at - at).total_seconds() / 60)
        at = n.next_attempt_at
    assert delays == [1, 2, 4, 5]
    n = fresh(notice)
    assert (n.state, n.attempts, n.next_attempt_at) == (State.FAILED, 5, None) and n.last_error
    assert deliver_batch(now=at + dt.timedelta(days=1)).claimed == 0


def test_bad_addresses_fail_permanently_without_blocking_the_others(smtp):
    good = queue("mot@example.org", key="good1")
    refused = queue(f"khong-co@{REFUSED_DOMAIN}", key="refused")
    malformed = queue("khong-phai-dia-chi-email", key="malformed")
    other = queue("hai@example.org", key="good2")
    run = deliver_batch()
    assert (run.sent, run.failed, run.retried) == (2, 2, 0)
    assert fresh(good).state == fresh(other).state == State.SENT
    r, m = fresh(refused), fresh(malformed)
    assert (r.state, r.attempts) == (State.FAILED, 1) and "550" in r.last_error
    assert (m.state, m.attempts) == (State.FAILED, 1) and "invalid e-mail address" in m.last_error
    assert sorted(msg["To"] for msg in smtp.messages) == ["hai@example.org", "mot@example.org"]


def test_hostile_text_is_escaped_in_the_html_part(world, smtp):
    d = make_dossier(world)
    reason = '<script>alert("x")</script> <img src=x onerror=alert(1)> & <b>đậm</b>'
    perform(d.code, Action.STOP, world.lead, at=local(2025, 1, 21, 9, 0), reason=reason)
    assert deliver_due() == 2
    [message] = [m for m in smtp.messages if "dừng giải quyết" in subject(m)]
    html, text = part(message, "html"), part(message, "plain")
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "Lý do: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; &amp; " \
           "&lt;b&gt;đậm&lt;/b&gt;" in html
    assert f"Lý do: {reason}" in text  # the plain part is plain text: shown as typed


def test_a_crash_between_sending_and_recording_resends_with_the_same_message_id(smtp, monkeypatch):
    notice = queue("can-bo@example.org")
    t0 = timezone.now()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("the worker dies right after the SMTP server accepted the message")

    monkeypatch.setattr(services, "_mark_sent", crash)
    with pytest.raises(KeyboardInterrupt):
        deliver_due(now=t0)
    monkeypatch.undo()
    assert fresh(notice).state == State.SENDING and len(smtp.messages) == 1
    assert deliver_batch(now=t0 + dt.timedelta(minutes=4)).claimed == 0  # the lease still holds
    assert deliver_due(now=t0 + services.lease() + dt.timedelta(seconds=1)) == 1  # taken over after the lease
    n = fresh(notice)
    assert (n.state, n.attempts) == (State.SENT, 2)
    # The documented window: sent twice, but with one Message-ID, so the receiver can tell it is a duplicate.
    assert smtp.mailbox.message_ids() == {n.message_id: 2}


def test_a_run_that_lost_its_lease_does_not_send(smtp):
    notice = queue("can-bo@example.org")
    t0 = timezone.now()
    slow_token = "a" * 32
    assert services._claim(t0, 10, slow_token) == [notice.pk]  # a run claims it and stalls…
    later = t0 + services.lease() + dt.timedelta(seconds=1)
    assert deliver_due(now=later) == 1  # …another run takes it over after the lease and sends it
    run = services.DeliveryRun()
    services._deliver_one(notice.pk, slow_token, lambda: later, {}, run)  # the stalled run wakes up
    assert run.lost == 1 and run.sent == 0
    assert len(smtp.messages) == 1 and fresh(notice).state == State.SENT


def test_missing_wording_fails_permanently_with_a_clear_error(smtp):
    notice = queue("can-bo@example.org", template="khong_co_mau_nay")
    assert deliver_batch().failed == 1
    n = fresh(notice)
    assert n.state == State.FAILED and "no active template 'khong_co_mau_nay'" in n.last_error
    assert smtp.messages == []


def test_the_task_after_commit_delivers_at_once(world, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        d = make_dossier(world)
        assert smtp.messages == []  # nothing leaves before the commit
    [message] = smtp.messages
    assert message["Message-ID"] == Notification.objects.get(dossier=d).message_id


def test_enqueue_skips_unconfigured_channels_and_stores_dates_as_iso(db):
    created = enqueue(template="step_due_soon", context=STAFF_CONTEXT, dedupe_key="x", email="a@example.org",
                      phone="0912345678", channels=("email", "sms"))
    assert [n.channel for n in created] == ["email"]
    assert Notification.objects.get().context["deadline"] == "2025-01-23T09:30:00+07:00"
    assert enqueue(template="step_due_soon", context=STAFF_CONTEXT, dedupe_key="x", email="a@example.org") == []


def test_admin_lists_and_retries_failed_notifications(admin_client, smtp):
    notice = queue("can-bo@example.org")
    sent = queue("da-gui@example.org", key="sent")
    smtp.stop()
    Notification.objects.filter(pk=notice.pk).update(state=State.FAILED, attempts=12, last_error="x")
    smtp.start()
    deliver_due(now=timezone.now())
    assert fresh(sent).state == State.SENT
    changelist = reverse("admin:notifications_notification_changelist")
    assert admin_client.get(changelist, {"state__exact": "failed"}).status_code == 200
    assert admin_client.get(reverse("admin:notifications_notification_change", args=[notice.pk])).status_code == 200
    response = admin_client.post(changelist, {"action": "retry_now", "_selected_action": [notice.pk, sent.pk]},
                                 follow=True)
    assert response.status_code == 200
    n = fresh(notice)
    assert (n.state, n.attempts) == (State.PENDING, 0) and n.next_attempt_at <= timezone.now()
    assert fresh(sent).state == State.SENT  # a sent notice is never sent again by "retry now"
    assert deliver_due() == 1 and len(smtp.messages) == 2


def test_admin_rejects_a_template_that_does_not_compile(admin_client):
    url = reverse("admin:notifications_messagetemplate_add")
    response = admin_client.post(url, {
        "key": "thu", "channel": "email", "language": "vi", "valid_from_0": "01/01/2026", "valid_from_1": "00:00",
        "active": "on", "subject": "Hồ sơ {{ code|khong_co }}", "body": "{% if %}", "note": "",
    })
    assert response.status_code == 200 and "Lỗi mẫu" in response.content.decode()  # the admin speaks Vietnamese
    assert admin_client.get(reverse("admin:notifications_messagetemplate_changelist")).status_code == 200
