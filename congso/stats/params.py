"""Reading the statistics parameters of a request (page, export and API alike), scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from congso.core.problems import Problem
from congso.dossiers.choices import Channel
from congso.org.choices import UnitLevel
from congso.org.models import Agency
from congso.stats.periods import Period, parse_period
from congso.stats.statistics import GROUPS, Filters


class BadParameter(Problem):
    def __init__(self, errors: dict):
        super().__init__("invalid_parameter", 400, _("The request has invalid parameters; see errors."),
                         errors={k: [str(v)] for k, v in errors.items()})


class OutOfScope(Problem):
    def __init__(self):
        super().__init__("not_found", 404, _("No such agency."))


@dataclass
class Query:
    period: Period
    group: str
    filters: Filters
    agency: Agency | None


def _id(params, name: str, errors: dict) -> int | None:
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        errors[name] = _("Choose from the list.")
        return None
    return int(raw)


def visible_agencies(user):
    return Agency.objects.for_user(user, "view")


def parse_query(params, user) -> Query:
    """Raises BadPeriod / BadParameter (400) and OutOfScope (404, also for an agency that exists elsewhere)."""
    period = parse_period(params)
    errors: dict = {}
    group = str(params.get("group") or "agency")
    if group not in GROUPS:
        errors["group"] = _("Choose agency, level, field, procedure or channel.")
    channel = str(params.get("channel") or "") or None
    if channel is not None and channel not in Channel.values:
        errors["channel"] = _("Choose direct, online or postal.")
    level = str(params.get("level") or "") or None
    if level is not None and level not in UnitLevel.values:
        errors["level"] = _("Choose province, district or commune.")
    agency_id, procedure_id, field_id = (_id(params, n, errors) for n in ("agency", "procedure", "field"))
    if errors:
        raise BadParameter(errors)
    visible = visible_agencies(user)
    agency = None
    if agency_id is not None:
        agency = visible.filter(pk=agency_id).first()
        if agency is None:
            raise OutOfScope()
        ids = list(visible.filter(pk__in=Agency.objects.subtree_of([agency]).values("pk")).values_list("pk", flat=True))
    else:
        ids = list(visible.values_list("pk", flat=True))
    return Query(period, group, Filters(ids, procedure_id, channel, level, field_id), agency)
