"""The first wording of every message, in Vietnamese and English (data; edit later versions in the admin)."""

import datetime as dt

from django.db import migrations

VALID_FROM = dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
SEED_NOTE = "seed 0002"

FOOTER_VI = "Thư này được gửi tự động từ hệ thống giải quyết thủ tục hành chính; vui lòng không trả lời thư này."
FOOTER_EN = "This message was sent automatically by the administrative procedure system; please do not reply."
STAFF_FOOTER_VI = "Thư nhắc việc tự động của hệ thống giải quyết thủ tục hành chính."
STAFF_FOOTER_EN = "Automatic reminder from the administrative procedure system."

TEMPLATES = {
    # --- to applicants ------------------------------------------------------------------------------------------
    "dossier_received": {
        "vi": (
            "Hồ sơ {{ code }} đã được tiếp nhận",
            """Kính gửi ông/bà {{ applicant_name }},

{{ agency }} đã tiếp nhận hồ sơ của ông/bà.

Mã hồ sơ: {{ code }}
Thủ tục: {{ procedure }}
Thời điểm tiếp nhận: {{ received_at|local_datetime }}
{% if appointment %}Ngày hẹn trả kết quả: {{ appointment|local_datetime }}{% else %}Thủ tục này không quy định thời hạn giải quyết; cơ quan sẽ thông báo khi có kết quả.{% endif %}

Tra cứu tình trạng hồ sơ: {{ link }}

""" + FOOTER_VI,
        ),
        "en": (
            "Dossier {{ code }} has been received",
            """Dear {{ applicant_name }},

{{ agency }} has received your dossier.

Dossier code: {{ code }}
Procedure: {{ procedure }}
Received at: {{ received_at|local_datetime }}
{% if appointment %}Appointment for the result: {{ appointment|local_datetime }}{% else %}This procedure has no time limit; you will be told when the result is ready.{% endif %}

Track your dossier: {{ link }}

""" + FOOTER_EN,
        ),
    },
    "supplement_requested": {
        "vi": (
            "Hồ sơ {{ code }}: đề nghị bổ sung, hoàn thiện hồ sơ",
            """Kính gửi ông/bà {{ applicant_name }},

Hồ sơ {{ code }} ({{ procedure }}) chưa đầy đủ. Đề nghị ông/bà bổ sung, hoàn thiện các nội dung sau:
{% for item in items %}
{{ forloop.counter }}. {{ item }}{% endfor %}

Lý do: {{ reason }}

Ông/bà vui lòng nộp bổ sung tại nơi đã nộp hồ sơ ({{ agency }}). Thời gian chờ bổ sung không tính vào thời hạn giải quyết hồ sơ.

Tra cứu tình trạng hồ sơ: {{ link }}

""" + FOOTER_VI,
        ),
        "en": (
            "Dossier {{ code }}: please supplement your dossier",
            """Dear {{ applicant_name }},

Dossier {{ code }} ({{ procedure }}) is incomplete. Please supply the following:
{% for item in items %}
{{ forloop.counter }}. {{ item }}{% endfor %}

Reason: {{ reason }}

Please hand in the supplement where you submitted the dossier ({{ agency }}). The time spent waiting for it does not count towards the time limit.

Track your dossier: {{ link }}

""" + FOOTER_EN,
        ),
    },
    "apology": {
        "vi": (
            "Hồ sơ {{ code }}: thư xin lỗi và hẹn lại ngày trả kết quả",
            """Kính gửi ông/bà {{ applicant_name }},

{{ acting_agency }} thành thật xin lỗi ông/bà vì hồ sơ {{ code }} ({{ procedure }}) không thể trả kết quả đúng hẹn{% if previous_appointment %} ({{ previous_appointment|local_datetime }}){% endif %}.

Lý do: {{ reason }}

Ngày hẹn trả kết quả mới: {{ new_appointment|local_datetime }}

Rất mong ông/bà thông cảm.

Tra cứu tình trạng hồ sơ: {{ link }}

""" + FOOTER_VI,
        ),
        "en": (
            "Dossier {{ code }}: apology and new appointment",
            """Dear {{ applicant_name }},

{{ acting_agency }} sincerely apologises: the result of dossier {{ code }} ({{ procedure }}) cannot be returned by the appointment{% if previous_appointment %} ({{ previous_appointment|local_datetime }}){% endif %}.

Reason: {{ reason }}

New appointment: {{ new_appointment|local_datetime }}

Thank you for your understanding.

Track your dossier: {{ link }}

""" + FOOTER_EN,
        ),
    },
    "result_ready": {
        "vi": (
            "Hồ sơ {{ code }} đã có kết quả",
            """Kính gửi ông/bà {{ applicant_name }},

Hồ sơ {{ code }} ({{ procedure }}) đã được giải quyết xong.
{% if results %}
Kết quả giải quyết:
{% for result in results %}- {{ result }}
{% endfor %}{% endif %}
{% if channel == "postal" %}Kết quả sẽ được gửi đến ông/bà qua dịch vụ bưu chính công ích theo địa chỉ đã đăng ký.{% else %}Mời ông/bà nhận kết quả tại {{ collect_at }}{% if collect_address %}, địa chỉ: {{ collect_address }}{% endif %}{% if collect_phone %}, điện thoại: {{ collect_phone }}{% endif %}. Khi đến nhận, vui lòng mang theo giấy tờ tùy thân và Giấy tiếp nhận hồ sơ và hẹn trả kết quả.{% endif %}
{% if electronic %}
Bản điện tử của kết quả có thể xem và tải về tại: {{ link }}{% else %}
Tra cứu tình trạng hồ sơ: {{ link }}{% endif %}

""" + FOOTER_VI,
        ),
        "en": (
            "Dossier {{ code }}: the result is ready",
            """Dear {{ applicant_name }},

Dossier {{ code }} ({{ procedure }}) has been resolved.
{% if results %}
Result:
{% for result in results %}- {{ result }}
{% endfor %}{% endif %}
{% if channel == "postal" %}The result will be sent to you by public postal service at the address you gave.{% else %}Please collect the result at {{ collect_at }}{% if collect_address %}, {{ collect_address }}{% endif %}{% if collect_phone %}, phone {{ collect_phone }}{% endif %}. Please bring your identity document and the receipt and appointment slip.{% endif %}
{% if electronic %}
The electronic copy of the result can be viewed and downloaded at: {{ link }}{% else %}
Track your dossier: {{ link }}{% endif %}

""" + FOOTER_EN,
        ),
    },
    "dossier_refused": {
        "vi": (
            "Hồ sơ {{ code }} không được tiếp nhận",
            """Kính gửi ông/bà {{ applicant_name }},

{{ acting_agency }} từ chối tiếp nhận hồ sơ {{ code }} ({{ procedure }}).

Lý do: {{ reason }}

Nếu cần được hướng dẫn thêm, ông/bà vui lòng liên hệ {{ acting_agency }}.

Tra cứu hồ sơ: {{ link }}

""" + FOOTER_VI,
        ),
        "en": (
            "Dossier {{ code }} was not accepted",
            """Dear {{ applicant_name }},

{{ acting_agency }} could not accept dossier {{ code }} ({{ procedure }}).

Reason: {{ reason }}

For guidance, please contact {{ acting_agency }}.

Your dossier: {{ link }}

""" + FOOTER_EN,
        ),
    },
    "withdrawal_confirmed": {
        "vi": (
            "Hồ sơ {{ code }}: xác nhận rút hồ sơ",
            """Kính gửi ông/bà {{ applicant_name }},

Yêu cầu rút hồ sơ {{ code }} ({{ procedure }}) của ông/bà đã được ghi nhận lúc {{ at|local_datetime }}. Hồ sơ không tiếp tục được giải quyết.
{% if reason %}
Lý do: {{ reason }}
{% endif %}
Tra cứu hồ sơ: {{ link }}

""" + FOOTER_VI,
        ),
        "en": (
            "Dossier {{ code }}: withdrawal confirmed",
            """Dear {{ applicant_name }},

Your request to withdraw dossier {{ code }} ({{ procedure }}) was recorded at {{ at|local_datetime }}. The dossier will not be handled further.
{% if reason %}
Reason: {{ reason }}
{% endif %}
Your dossier: {{ link }}

""" + FOOTER_EN,
        ),
    },
    "dossier_stopped": {
        "vi": (
            "Hồ sơ {{ code }}: thông báo dừng giải quyết",
            """Kính gửi ông/bà {{ applicant_name }},

{{ acting_agency }} thông báo dừng giải quyết hồ sơ {{ code }} ({{ procedure }}) kể từ {{ at|local_datetime }}.

Lý do: {{ reason }}

Nếu cần được hướng dẫn thêm, ông/bà vui lòng liên hệ {{ acting_agency }}.

Tra cứu hồ sơ: {{ link }}

""" + FOOTER_VI,
        ),
        "en": (
            "Dossier {{ code }}: handling stopped",
            """Dear {{ applicant_name }},

{{ acting_agency }} has stopped handling dossier {{ code }} ({{ procedure }}) as of {{ at|local_datetime }}.

Reason: {{ reason }}

For guidance, please contact {{ acting_agency }}.

Your dossier: {{ link }}

""" + FOOTER_EN,
        ),
    },
    # --- to staff (reminder sweeps); context: code, procedure, step, deadline, holder, link [, recipient] -----------
    "step_due_soon": {
        "vi": (
            "Sắp đến hạn xử lý hồ sơ {{ code }}",
            """Kính gửi {{ holder|default:"anh/chị" }},

Bước “{{ step }}” của hồ sơ {{ code }} ({{ procedure }}) sắp đến hạn xử lý: {{ deadline|local_datetime }}.

Đề nghị hoàn thành bước xử lý trước thời hạn.

Xem hồ sơ: {{ link }}

""" + STAFF_FOOTER_VI,
        ),
        "en": (
            "Dossier {{ code }}: step due soon",
            """Dear {{ holder|default:"colleague" }},

The step “{{ step }}” of dossier {{ code }} ({{ procedure }}) is due at {{ deadline|local_datetime }}.

Please finish it before the deadline.

Open the dossier: {{ link }}

""" + STAFF_FOOTER_EN,
        ),
    },
    "step_overdue": {
        "vi": (
            "Quá hạn xử lý hồ sơ {{ code }}",
            """Kính gửi {{ holder|default:"anh/chị" }},

Bước “{{ step }}” của hồ sơ {{ code }} ({{ procedure }}) đã quá hạn xử lý từ {{ deadline|local_datetime }}.

Đề nghị xử lý ngay. Nếu hồ sơ có nguy cơ trễ hẹn trả kết quả, báo cáo lãnh đạo để gửi văn bản xin lỗi và hẹn lại ngày trả kết quả trước khi đến hẹn.

Xem hồ sơ: {{ link }}

""" + STAFF_FOOTER_VI,
        ),
        "en": (
            "Dossier {{ code }}: step overdue",
            """Dear {{ holder|default:"colleague" }},

The step “{{ step }}” of dossier {{ code }} ({{ procedure }}) has been overdue since {{ deadline|local_datetime }}.

Please handle it now. If the dossier may miss its appointment, tell your leader so that an apology with a new appointment is sent before the appointment passes.

Open the dossier: {{ link }}

""" + STAFF_FOOTER_EN,
        ),
    },
    "dossier_overdue_escalation": {
        "vi": (
            "Hồ sơ {{ code }} quá hạn giải quyết",
            """Kính gửi {{ recipient|default:"lãnh đạo đơn vị" }},

Hồ sơ {{ code }} ({{ procedure }}) đã quá hạn giải quyết{% if deadline %} (hạn trả kết quả: {{ deadline|local_datetime }}){% endif %}.

Bước hiện tại: {{ step|default:"—" }}
Người đang xử lý: {{ holder|default:"chưa phân công" }}

Đề nghị chỉ đạo giải quyết dứt điểm hồ sơ.

Xem hồ sơ: {{ link }}

""" + STAFF_FOOTER_VI,
        ),
        "en": (
            "Dossier {{ code }} is overdue",
            """Dear {{ recipient|default:"head of unit" }},

Dossier {{ code }} ({{ procedure }}) is past its deadline{% if deadline %} (appointment: {{ deadline|local_datetime }}){% endif %}.

Current step: {{ step|default:"—" }}
Handled by: {{ holder|default:"nobody assigned" }}

Please see that it is resolved without further delay.

Open the dossier: {{ link }}

""" + STAFF_FOOTER_EN,
        ),
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
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
