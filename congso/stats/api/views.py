"""The statistics API (/api/v1/stats/): the statistics table and the Decision 766 dossier counts, scoped to the
agencies the caller may see; bad periods and parameters answer problem+json (invalid_period, invalid_parameter)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from congso.accounts.models import AccountType
from congso.stats.api.serializers import StatsDossierCountsSerializer, StatsTableSerializer
from congso.stats.params import BadParameter, parse_query
from congso.stats.queries import dossier_counts, judging_day
from congso.stats.statistics import statistics_rows

PROBLEM = OpenApiResponse(description="problem+json with a stable `code` (invalid_period, invalid_parameter, "
                                      "not_found, forbidden)")
PERIOD_PARAMETERS = [
    OpenApiParameter("period", str, enum=["month", "quarter", "year", "custom"], description="default: quarter"),
    OpenApiParameter("year", int), OpenApiParameter("quarter", int), OpenApiParameter("month", int),
    OpenApiParameter("from", OpenApiTypes.DATE, description="custom period: first day (inclusive)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="custom period: last day (inclusive)"),
    OpenApiParameter("agency", int, description="an agency id: the agency and its sub-units"),
    OpenApiParameter("level", str, enum=["province", "district", "commune"]),
    OpenApiParameter("field", int), OpenApiParameter("procedure", int),
    OpenApiParameter("channel", str, enum=["direct", "online", "postal"]),
]


def _staff_only(request) -> None:
    user = request.user
    if not (user.is_superuser or user.account_type == AccountType.STAFF):
        raise PermissionDenied()


class StatisticsTableView(APIView):
    @extend_schema(
        operation_id="stats_table", summary="Statistics table for a period",
        parameters=[*PERIOD_PARAMETERS, OpenApiParameter(
            "group", str, enum=["agency", "level", "field", "procedure", "channel"], description="default: agency")],
        responses={200: StatsTableSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
    )
    def get(self, request):
        _staff_only(request)
        query = parse_query(request.query_params, request.user)
        rows, total = statistics_rows(query.filters, query.period.start, query.period.end, query.group)
        data = {
            "period": {"kind": query.period.kind, "start": query.period.start, "end": query.period.end},
            "group": query.group,
            "rows": [{"key": str(r.key), "label": r.label, "values": r.values, "rates": r.rates} for r in rows],
            "total": {"key": "total", "label": str(_("Total")), "values": total.values, "rates": total.rates},
        }
        return Response(StatsTableSerializer(data).data)


class DossierCountsView(APIView):
    @extend_schema(
        operation_id="stats_dossier_counts", summary="Decision 766 dossier counts for a period",
        parameters=[*PERIOD_PARAMETERS, OpenApiParameter(
            "as_of", OpenApiTypes.DATETIME, description="judge as of this instant (default: end of the period or now)")],
        responses={200: StatsDossierCountsSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
    )
    def get(self, request):
        _staff_only(request)
        query = parse_query(request.query_params, request.user)
        as_of = None
        raw = str(request.query_params.get("as_of") or "").strip()
        if raw:
            try:
                as_of = parse_datetime(raw)
            except ValueError:
                as_of = None
            if as_of is None or timezone.is_naive(as_of):
                raise BadParameter({"as_of": _("Give an ISO 8601 date and time with its offset.")})
        start, end = query.period.start, query.period.end
        counts = dossier_counts(query.filters.agency_ids, start, end, as_of)
        day, _last = judging_day(start, end, as_of)
        data = {"start": start, "end": end,
                "as_of": as_of or timezone.make_aware(dt.datetime.combine(day, dt.time.max)), **counts.as_dict()}
        return Response(StatsDossierCountsSerializer(data).data)
