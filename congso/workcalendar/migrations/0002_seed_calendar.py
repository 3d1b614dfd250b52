"""Seed the calendar so that a fresh database has days off 2015–2030 and the standard working hours.

Runs the same idempotent seeding as `congso calendar seed`, with the historical models.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from congso.workcalendar import seeding

    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    WorkSchedule = apps.get_model("workcalendar", "WorkSchedule")
    seeding.write_seed(CalendarDay, seeding.seed_days(seeding.DEFAULT_YEARS))
    seeding.ensure_default_schedule(WorkSchedule)


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
