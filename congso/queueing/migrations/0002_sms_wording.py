"""The SMS wording of "your number is called" (MessageTemplate key queue_called, channel "sms"), Vietnamese and
English. Adds only versions that are not there yet. Sent only where the SMS channel is configured (docs/sms.md)."""

import datetime as dt

from django.db import migrations

VALID_FROM = dt.datetime(2025, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
NOTE = "seed queueing 0002 (SMS)"

WORDING = {
    "vi": "{{ agency }}: mời số {{ number }} đến quầy {{ counter }}.",
    "en": "{{ agency }}: number {{ number }}, please come to counter {{ counter }}.",
}


def seed(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for language, body in WORDING.items():
        MessageTemplate.objects.get_or_create(
            key="queue_called", channel="sms", language=language, valid_from=VALID_FROM,
            defaults={"subject": "", "body": body, "active": True, "note": NOTE},
        )


def unseed(apps, schema_editor):
    apps.get_model("notifications", "MessageTemplate").objects.filter(note=NOTE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0001_initial"),
        ("notifications", "0002_seed_templates"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
