"""Index API: score a counts document; count and score a unit and period from the database."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from congso.core.problems import Problem
from congso.indices import services
from congso.indices.api.serializers import ComputeResultSerializer, CountsSerializer, ScoresSerializer
from congso.indices.models import IndexProfile
from congso.indices.scope import InvalidPeriod, Period, UnknownUnit, parse_date, resolve, visible_to
from congso.indices.scoring import CountsError, score, to_jsonable

_INVALID = OpenApiResponse(description="problem+json: `invalid_counts` (errors by path) or `unknown_profile`.")
_EXAMPLE = {
    "profile": "dvcqg-2025",
    "transparency": {"published_on_time": [80, 100], "updated_on_time": [95, 100], "content_full": [100, 100]},
    "progress": {"on_time": 884, "received": 1000},
    "online": {"procedures_online": [73, 100], "online_services_with_dossiers": [30, 40], "online_dossiers": [3, 20]},
}


class ScoreView(APIView):
    """A pure computation over the caller's own numbers: anyone may call it."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="index766_score",
        summary="Score a counts document (Decision 766)",
        description="Scores the counts with the profile named in `profile` (default: the one in force today). "
                    "Rules: docs/index766.md.",
        request=CountsSerializer,
        responses={200: ScoresSerializer, 400: _INVALID},
        examples=[OpenApiExample("Counts", value=_EXAMPLE, request_only=True)],
    )
    def post(self, request):
        counts = request.data
        key = counts.get("profile") if isinstance(counts, dict) else None
        if key is None:
            profile = services.profile_for(timezone.localdate())
        else:
            found = IndexProfile.objects.filter(key=key).first() if isinstance(key, str) else None
            if found is None:
                raise Problem("unknown_profile", 400, f"Unknown profile {str(key)[:40]!r}.")
            profile = services.Profile(found.key, found.parameters)
        try:
            result = score(counts, profile.parameters, profile.key)
        except CountsError as exc:
            raise Problem(exc.code, 400, "The counts are not valid; see errors.", errors=exc.errors) from None
        return Response(to_jsonable(result))


class ComputeView(APIView):
    """Counts and scores from the database, for a unit the caller may see."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="index766_compute",
        summary="Count and score a unit for a period (Decision 766)",
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.STR, required=True,
                             description="Agency identifier (e.g. 000.00.03.H99) or administrative-unit code."),
            OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="First day (ISO or dd/mm/yyyy)."),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="Last day, inclusive."),
        ],
        responses={
            200: ComputeResultSerializer,
            400: OpenApiResponse(description="problem+json `invalid_period`."),
            404: OpenApiResponse(description="problem+json `unknown_unit` (also for a unit outside your scope)."),
        },
    )
    def get(self, request):
        params = request.query_params
        try:
            period = Period(parse_date(params.get("from", "")), parse_date(params.get("to", "")))
        except InvalidPeriod as exc:
            raise Problem("invalid_period", 400, str(exc)) from None
        try:
            scope = resolve(params.get("unit", ""))
        except UnknownUnit:
            raise Problem("unknown_unit", 404, "No agency or administrative unit has this code.") from None
        if not visible_to(scope, request.user):
            raise Problem("unknown_unit", 404, "No agency or administrative unit has this code.")
        return Response(services.compute(scope, period).as_json())
