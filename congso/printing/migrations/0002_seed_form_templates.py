"""The seven default forms (01/2018 wording under the numbering of 03/2025), from the files in printing/defaults/."""

from django.db import migrations

SEED_NOTE = "seed: 01/2018 wording under the 03/2025 numbering"


def seed(apps, schema_editor):
    from congso.printing import seeding

    seeding.seed(apps.get_model("printing", "FormTemplate"))


def unseed(apps, schema_editor):
    apps.get_model("printing", "FormTemplate").objects.filter(note=SEED_NOTE).delete()


class Migration(migrations.Migration):
    dependencies = [("printing", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
