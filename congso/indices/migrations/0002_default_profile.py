"""Seed the default formula profile `dvcqg-2025` (docs/index766.md). The parameters are copied here, frozen, so a
later change to congso.indices.profiles never rewrites history; a test checks the two agree today."""

import datetime

from django.db import migrations

PARAMETERS = {
    "groups": [
        {
            "key": "transparency",
            "max": "18",
            "indicators": [
                {
                    "key": "published_on_time",
                    "max": "6",
                    "kind": "linear"
                },
                {
                    "key": "updated_on_time",
                    "max": "4",
                    "kind": "linear"
                },
                {
                    "key": "content_full",
                    "max": "2",
                    "kind": "linear"
                },
                {
                    "key": "dossiers_synced",
                    "max": "6",
                    "kind": "linear"
                }
            ]
        },
        {
            "key": "progress",
            "max": "20",
            "indicators": [
                {
                    "key": "progress",
                    "max": "20",
                    "kind": "linear"
                }
            ]
        },
        {
            "key": "online",
            "max": "12",
            "indicators": [
                {
                    "key": "procedures_online",
                    "max": "2",
                    "kind": "threshold",
                    "threshold": "0.8"
                },
                {
                    "key": "online_services_with_dossiers",
                    "max": "4",
                    "kind": "linear"
                },
                {
                    "key": "online_dossiers",
                    "max": "6",
                    "kind": "threshold",
                    "threshold": "0.5"
                }
            ]
        },
        {
            "key": "digitization",
            "max": "22",
            "indicators": [
                {
                    "key": "e_result",
                    "max": "6",
                    "kind": "linear"
                },
                {
                    "key": "digitized",
                    "max": "4",
                    "kind": "threshold",
                    "threshold": "0.8"
                },
                {
                    "key": "reused",
                    "max": "2",
                    "kind": "threshold",
                    "threshold": "0.8"
                },
                {
                    "key": "data_store",
                    "max": "4",
                    "kind": "linear"
                },
                {
                    "key": "population_data_procedures",
                    "max": "2",
                    "kind": "linear"
                },
                {
                    "key": "population_data_dossiers",
                    "max": "2",
                    "kind": "linear"
                },
                {
                    "key": "e_certified_copy",
                    "max": "2",
                    "kind": "linear"
                }
            ]
        },
        {
            "key": "satisfaction",
            "max": "18",
            "indicators": [
                {
                    "key": "feedback_on_time",
                    "max": "6",
                    "kind": "linear",
                    "d_zero": "full"
                },
                {
                    "key": "feedback_satisfied",
                    "max": "6",
                    "kind": "linear",
                    "d_zero": "full"
                },
                {
                    "key": "dossier_satisfied",
                    "max": "6",
                    "kind": "threshold",
                    "threshold": "0.9"
                }
            ]
        },
        {
            "key": "payment",
            "max": "10",
            "cap": "10",
            "indicators": [
                {
                    "key": "paid_online",
                    "max": "6",
                    "kind": "linear"
                },
                {
                    "key": "procedures_with_online_payment",
                    "max": "2",
                    "kind": "threshold",
                    "threshold": "0.8"
                },
                {
                    "key": "procedures_integrated",
                    "max": "2.5",
                    "kind": "linear"
                }
            ]
        }
    ],
    "commune": {
        "mode": "na",
        "indicators": [
            "digitization.e_certified_copy"
        ]
    },
    "rating_bands": [
        {
            "min": "90",
            "key": "excellent",
            "confirmed": True
        },
        {
            "min": "80",
            "key": "good",
            "confirmed": False
        },
        {
            "min": "70",
            "key": "fair",
            "confirmed": False
        },
        {
            "min": "50",
            "key": "average",
            "confirmed": False
        },
        {
            "min": "0",
            "key": "weak",
            "confirmed": True
        }
    ],
    "publish_before_legal_basis_working_days": 5,
    "national_publication_within_working_days": 5
}


def seed(apps, schema_editor):
    IndexProfile = apps.get_model("indices", "IndexProfile")
    IndexProfile.objects.update_or_create(
        key="dvcqg-2025",
        defaults={
            "name": "Decision 766 as the national portal (DVCQG) scores it, 6 groups, 100 points",
            "effective_from": datetime.date(2022, 6, 23),
            "parameters": PARAMETERS,
            "source": "one-stop-rules.md §1.2-1.4; congso docs/index766.md",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("indices", "IndexProfile").objects.filter(key="dvcqg-2025").delete()


class Migration(migrations.Migration):
    dependencies = [("indices", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
