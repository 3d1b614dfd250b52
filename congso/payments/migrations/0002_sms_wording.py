"""The SMS wording of the applicants' notices (MessageTemplate, channel "sms"), Vietnamese and English.

Kept here until the notifications app seeds it itself (docs/sms.md, "Wiring"); it adds only versions that are not
there yet, so moving it later creates no duplicates. Written with diacritics: the SMS channel folds them unless
CONGSO_SMS_UNICODE is on.
"""

import datetime as dt

from django.db import migrations

VALID_FROM = dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
NOTE = "seed payments 0002 (SMS)"

WORDING = {
    "dossier_received": {
        "vi": "Hồ sơ {{ code }} đã được tiếp nhận{% if appointment %}, hẹn trả kết quả {{ appointment|local_datetime }}"
              "{% endif %}. Tra cứu: {{ link }}",
        "en": "Dossier {{ code }} was received{% if appointment %}; result due {{ appointment|local_datetime }}"
              "{% endif %}. Track: {{ link }}",
    },
    "supplement_requested": {
        "vi": "Hồ sơ {{ code }} cần bổ sung {{ items|length }} nội dung. Chi tiết: {{ link }}",
        "en": "Dossier {{ code }} needs {{ items|length }} item(s) supplemented. Details: {{ link }}",
    },
    "apology": {
        "vi": "Xin lỗi ông/bà: hồ sơ {{ code }} chưa có kết quả đúng hẹn. Hẹn mới: {{ new_appointment|local_datetime }}."
              " Tra cứu: {{ link }}",
        "en": "We apologise: dossier {{ code }} is late. New appointment: {{ new_appointment|local_datetime }}."
              " Track: {{ link }}",
    },
    "result_ready": {
        "vi": "Hồ sơ {{ code }} đã có kết quả{% if electronic %} (có bản điện tử){% endif %}. Nhận tại {{ collect_at }}."
              " Tra cứu: {{ link }}",
        "en": "Dossier {{ code }} has its result{% if electronic %} (electronic copy available){% endif %}. Collect at"
              " {{ collect_at }}. Track: {{ link }}",
    },
    "dossier_refused": {
        "vi": "Hồ sơ {{ code }} không được tiếp nhận. Lý do: {{ reason|truncatechars:80 }}. Tra cứu: {{ link }}",
        "en": "Dossier {{ code }} was not accepted. Reason: {{ reason|truncatechars:80 }}. Track: {{ link }}",
    },
    "withdrawal_confirmed": {
        "vi": "Hồ sơ {{ code }} đã được rút theo đề nghị của ông/bà lúc {{ at|local_datetime }}.",
        "en": "Dossier {{ code }} was withdrawn at your request at {{ at|local_datetime }}.",
    },
    "dossier_stopped": {
        "vi": "Hồ sơ {{ code }} đã dừng xử lý. Lý do: {{ reason|truncatechars:80 }}. Tra cứu: {{ link }}",
        "en": "Handling of dossier {{ code }} was stopped. Reason: {{ reason|truncatechars:80 }}. Track: {{ link }}",
    },
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for key, languages in WORDING.items():
        for language, body in languages.items():
            MessageTemplate.objects.get_or_create(
                key=key, channel="sms", language=language, valid_from=VALID_FROM,
                defaults={"subject": "", "body": body, "active": True, "note": NOTE},
            )


def unseed(apps, schema_editor):
    apps.get_model("notifications", "MessageTemplate").objects.filter(channel="sms", note=NOTE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("notifications", "0002_seed_templates"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
