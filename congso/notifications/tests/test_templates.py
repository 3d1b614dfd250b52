"""The wording as versioned data: the seeded templates, choosing a version, languages, the date filters."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from congso.notifications.models import MessageTemplate, Notification
from congso.notifications.receivers import APPLICANT_NOTICES
from congso.notifications.rendering import RenderError, check_syntax, render, render_with
from congso.notifications.services import enqueue
from congso.notifications.templatefilters import local_date, local_datetime
from congso.notifications.tests.conftest import local

pytestmark = pytest.mark.django_db

STAFF_KEYS = ["step_due_soon", "step_overdue", "dossier_overdue_escalation"]
STAFF_CONTEXT = {"code": "000.00.03.H97-250120-0007", "procedure": "Cấp phiếu lý lịch tư pháp", "step": "Thẩm định",
                 "deadline": local(2025, 1, 23, 16, 45), "holder": "Trần Thị Bình",
                 "link": "https://congso.test/ho-so/000.00.03.H97-250120-0007"}


def queue(template, context=STAFF_CONTEXT, key="1"):
    [notification] = enqueue(template=template, context=context, dedupe_key=f"{template}:{key}",
                             email="can-bo@example.org")
    return notification


def test_every_message_is_seeded_in_vietnamese_and_english():
    # The dossier notices and staff reminders, plus the messages of other apps: feedback (PAKN) and queue calls.
    keys = set(APPLICANT_NOTICES.values()) | set(STAFF_KEYS) | {
        "feedback_answered", "feedback_rejected", "feedback_needs_info", "queue_called"}
    seeded = set(MessageTemplate.objects.filter(active=True).values_list("key", "language"))
    assert seeded == {(key, lang) for key in keys for lang in ("vi", "en")}
    for wording in MessageTemplate.objects.all():
        wording.full_clean()  # every seeded template compiles


@pytest.mark.parametrize("key, subject, facts", [
    ("step_due_soon", "Sắp đến hạn xử lý hồ sơ 000.00.03.H97-250120-0007",
     ["Kính gửi Trần Thị Bình,", "Bước “Thẩm định” của hồ sơ 000.00.03.H97-250120-0007 (Cấp phiếu lý lịch tư pháp)",
      "sắp đến hạn xử lý: 23/01/2025 16:45"]),
    ("step_overdue", "Quá hạn xử lý hồ sơ 000.00.03.H97-250120-0007",
     ["Kính gửi Trần Thị Bình,", "đã quá hạn xử lý từ 23/01/2025 16:45"]),
    ("dossier_overdue_escalation", "Hồ sơ 000.00.03.H97-250120-0007 quá hạn giải quyết",
     ["Kính gửi lãnh đạo đơn vị,", "(hạn trả kết quả: 23/01/2025 16:45)", "Bước hiện tại: Thẩm định",
      "Người đang xử lý: Trần Thị Bình"]),
])
def test_staff_reminders_render_in_vietnamese(key, subject, facts):
    rendered = render(queue(key))
    assert rendered.subject == subject
    for fact in facts:
        assert fact in rendered.text, fact
    assert "Xem hồ sơ: https://congso.test/ho-so/000.00.03.H97-250120-0007" in rendered.text
    assert '<a href="https://congso.test/ho-so/000.00.03.H97-250120-0007"' in rendered.html


def test_escalation_without_holder_or_step():
    context = {**STAFF_CONTEXT, "holder": "", "step": "", "recipient": "Giám đốc Sở Tư pháp"}
    text = render(queue("dossier_overdue_escalation", context)).text
    assert "Kính gửi Giám đốc Sở Tư pháp," in text
    assert "Người đang xử lý: chưa phân công" in text and "Bước hiện tại: —" in text


def test_the_newest_active_version_valid_at_creation_is_used():
    notification = queue("step_due_soon")
    created = notification.created_at
    base = dict(key="step_due_soon", channel="email", language="vi", body="Mới: {{ code }}")
    MessageTemplate.objects.create(**base, subject="Phiên bản 2", valid_from=created - dt.timedelta(days=1))
    MessageTemplate.objects.create(**base, subject="Phiên bản 3 (chưa hiệu lực)", valid_from=created + dt.timedelta(seconds=1))
    MessageTemplate.objects.create(**base, subject="Phiên bản 2b (tắt)", valid_from=created - dt.timedelta(hours=1),
                                   active=False)
    rendered = render(notification)
    assert rendered.subject == "Phiên bản 2" and rendered.text == "Mới: 000.00.03.H97-250120-0007\n"


def test_english_when_asked_vietnamese_when_missing():
    notification = queue("step_due_soon")
    Notification.objects.filter(pk=notification.pk).update(language="en")
    notification.refresh_from_db()
    assert render(notification).subject == "Dossier 000.00.03.H97-250120-0007: step due soon"
    MessageTemplate.objects.filter(key="step_due_soon", language="en").update(active=False)
    assert render(notification).subject == "Sắp đến hạn xử lý hồ sơ 000.00.03.H97-250120-0007"


def test_a_template_that_does_not_compile_is_rejected():
    wording = MessageTemplate(key="x", channel="email", language="vi", subject="{{ code|khong_co_bo_loc }}",
                              body="{% for item in items %}", valid_from=timezone.now())
    with pytest.raises(ValidationError) as caught:
        wording.full_clean()
    assert set(caught.value.message_dict) == {"subject", "body"}


def test_templates_cannot_read_files():
    wording = MessageTemplate(key="x", channel="email", language="vi", subject="s", valid_from=local(2020, 1, 1),
                              body='{% include "notifications/email.html" %}')
    with pytest.raises(ValidationError):
        wording.full_clean()
    wording.save()  # saved anyway (not through the admin): delivery refuses it
    with pytest.raises(RenderError, match="cannot be rendered"):
        render(queue("x", {}))
    assert "Template error" in check_syntax("{% load humanize %}")  # no template libraries either


def test_date_filters_show_local_dd_mm_yyyy():
    moment = dt.datetime(2025, 2, 3, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hanoi
    assert local_datetime(moment) == "03/02/2025 09:00"
    assert local_datetime("2025-02-03T02:00:00Z") == "03/02/2025 09:00"
    assert local_datetime("2025-02-03T09:00:00+07:00") == "03/02/2025 09:00"
    assert local_date("2025-02-03T20:00:00Z") == "04/02/2025"
    assert local_date(dt.date(2025, 2, 3)) == "03/02/2025" and local_datetime("2025-02-03") == "03/02/2025"
    assert local_datetime("03/02/2025 09:00") == "03/02/2025 09:00"  # already formatted: left alone
    assert local_datetime(None) == ""


# The tags the renderer itself makes: paragraphs, line breaks, and links made from escaped text by urlize
# (web addresses get rel="nofollow", e-mail addresses a plain mailto link).
ALLOWED_TAG = re.compile(r'<(?:p|/p|br|/a|a href="[^"<>]*" rel="nofollow"|a href="mailto:[^"<>]*")>')


PIECES = [*'<>&"\' /=:.aăđxyz\n', "http://", "www.", "<script>", "@example.org", "javascript:"]


@given(reason=st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_html_part_never_carries_markup_from_the_context(reason):
    wording = MessageTemplate(key="x", subject="Hồ sơ {{ code }}", body="Lý do: {{ reason }}\n\nXem: {{ link }}")
    rendered = render_with(wording, {"code": "<b>", "reason": reason, "link": "https://congso.test/a?b=1&c=2"})
    body = rendered.html[rendered.html.index("<p>"):rendered.html.rindex("</p>") + 4]
    assert "<" not in ALLOWED_TAG.sub("", body)
    assert "<b>" not in rendered.html
    assert " ".join(f"Lý do: {reason}".split()) in " ".join(rendered.text.split())  # plain text: as typed


def test_the_guide_names_every_template_and_setting():
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[3] / "docs" / "notifications.md").read_text(encoding="utf-8")
    for key in [*APPLICANT_NOTICES.values(), *STAFF_KEYS]:
        assert f"`{key}`" in guide, key
    for setting in ["MAX_ATTEMPTS", "RETRY_BASE_SECONDS", "RETRY_MAX_SECONDS", "LEASE_SECONDS", "BATCH",
                    "MESSAGE_ID_DOMAIN"]:
        assert f"`CONGSO_NOTIFICATIONS_{setting}`" in guide, setting
