"""Display names of the index's groups and indicators (translated; Vietnamese is the default language)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from congso.indices.counting import NO_DATA_CERTIFIED_COPY, NO_DATA_SYNC
from congso.org.choices import UnitLevel

GROUP_LABELS = {
    "transparency": _("Publicity and transparency"),
    "progress": _("Progress and results of handling"),
    "online": _("Online public services"),
    "digitization": _("Digitisation of dossiers"),
    "satisfaction": _("Satisfaction"),
    "payment": _("Online payment"),
}

INDICATOR_LABELS = {
    "transparency.published_on_time": _("Procedures published on time"),
    "transparency.updated_on_time": _("Procedures put on the national database on time"),
    "transparency.content_full": _("Procedures published with full content"),
    "transparency.dossiers_synced": _("Dossiers synced to the national portal"),
    "progress": _("Dossiers handled on time"),
    "online.procedures_online": _("Procedures provided online"),
    "online.online_services_with_dossiers": _("Online services that received online dossiers"),
    "online.online_dossiers": _("Dossiers submitted online"),
    "digitization.e_result": _("Dossiers with an electronic result"),
    "digitization.digitized": _("Dossiers digitised"),
    "digitization.reused": _("Dossiers reusing digitised data"),
    "digitization.data_store": _("Dossiers linked to the applicant's data store"),
    "digitization.population_data_procedures": _("Procedures using population data"),
    "digitization.population_data_dossiers": _("Dossiers using population data"),
    "digitization.e_certified_copy": _("Communes offering electronic certified copies"),
    "satisfaction.feedback_on_time": _("Feedback handled on time"),
    "satisfaction.feedback_satisfied": _("Satisfaction with feedback handling"),
    "satisfaction.dossier_satisfied": _("Satisfaction with dossier handling"),
    "payment.paid_online": _("Dossiers paid online"),
    "payment.procedures_with_online_payment": _("Fee-charging procedures with online payments"),
    "payment.procedures_integrated": _("Fee-charging procedures integrated with a payment gateway"),
}

RATING_LABELS = {
    "excellent": _("Excellent"), "good": _("Good"), "fair": _("Fair"), "average": _("Average"), "weak": _("Weak"),
}


def indicator_label(key: str):
    return INDICATOR_LABELS.get(key, key)


def level_label(level: str | None):
    if level in UnitLevel.values:
        return UnitLevel(level).label
    return _("Agency") if level == "agency" else (level or "")


def no_data_label(reason: str | None):
    if reason == NO_DATA_SYNC:
        return _("No data yet (the national-portal sync is not connected)")
    if reason == NO_DATA_CERTIFIED_COPY:
        return _("No data yet (no electronic certified copy service)")
    return _("No data yet")
