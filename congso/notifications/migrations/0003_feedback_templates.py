"""Wording of the messages to people who sent feedback (PAKN): answered, rejected, more information asked."""

import datetime as dt

from django.db import migrations

VALID_FROM = dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
SEED_NOTE = "seed 0003"
FOOTER_VI = "Thư này được gửi tự động từ hệ thống tiếp nhận phản ánh, kiến nghị; vui lòng không trả lời thư này."
FOOTER_EN = "This message was sent automatically by the feedback system; please do not reply."

TEMPLATES = {
    "feedback_answered": {
        "vi": ("Phản ánh {{ code }} đã được trả lời",
               "Kính gửi ông/bà {{ sender_name }},\n\n{{ agency }} đã trả lời phản ánh, kiến nghị “{{ title }}” "
               "(mã {{ code }}):\n\n{{ answer }}\n\nXem và đánh giá câu trả lời: {{ link }}\n\n" + FOOTER_VI),
        "en": ("Feedback {{ code }} has been answered",
               "Dear {{ sender_name }},\n\n{{ agency }} has answered your feedback “{{ title }}” ({{ code }}):\n\n"
               "{{ answer }}\n\nSee and rate the answer: {{ link }}\n\n" + FOOTER_EN),
    },
    "feedback_rejected": {
        "vi": ("Phản ánh {{ code }} không được xử lý",
               "Kính gửi ông/bà {{ sender_name }},\n\n{{ agency }} không xử lý phản ánh, kiến nghị “{{ title }}” "
               "(mã {{ code }}).\n\nLý do: {{ reason }}\n\n" + FOOTER_VI),
        "en": ("Feedback {{ code }} will not be handled",
               "Dear {{ sender_name }},\n\n{{ agency }} will not handle your feedback “{{ title }}” ({{ code }}).\n\n"
               "Reason: {{ reason }}\n\n" + FOOTER_EN),
    },
    "feedback_needs_info": {
        "vi": ("Phản ánh {{ code }}: đề nghị bổ sung thông tin",
               "Kính gửi ông/bà {{ sender_name }},\n\n{{ agency }} cần thêm thông tin để xử lý phản ánh “{{ title }}” "
               "(mã {{ code }}):\n\n{{ reason }}\n\nXem phản ánh: {{ link }}\n\n" + FOOTER_VI),
        "en": ("Feedback {{ code }}: more information needed",
               "Dear {{ sender_name }},\n\n{{ agency }} needs more information to handle your feedback “{{ title }}” "
               "({{ code }}):\n\n{{ reason }}\n\nSee it here: {{ link }}\n\n" + FOOTER_EN),
    },
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, languages in TEMPLATES.items():
        for language, (subject, body) in languages.items():
            MessageTemplate.objects.get_or_create(
                key=key, channel="email", language=language, valid_from=VALID_FROM,
                defaults={"subject": subject, "body": body, "active": True, "note": SEED_NOTE},
            )


def unseed(apps, schema_editor):
    apps.get_model("notifications", "MessageTemplate").objects.filter(note=SEED_NOTE).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_seed_templates")]

    operations = [migrations.RunPython(seed, unseed)]
