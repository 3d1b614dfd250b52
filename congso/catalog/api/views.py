"""The public, read-only catalogue API. Published catalogue data is public: anyone may read it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny

from congso.catalog.api.serializers import (
    CatalogFieldSerializer,
    ProcedureDetailSerializer,
    ProcedureListSerializer,
)
from congso.catalog.choices import OnlineMode
from congso.catalog.codes import normalize_procedure_code
from congso.catalog.filtersets import ProcedureFilter
from congso.catalog.models import Field, Implementation, ProcedureVersion
from congso.catalog.querysets import as_local_date, in_force_q

ON_PARAM = OpenApiParameter(
    "on", OpenApiTypes.DATE, description="Read the catalogue as it was in force on this day (default today)."
)
CODE_PARAM = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH,
    description="National procedure code (1.001193) or its local form (1.001193.000.00.00.H99).",
)


def parse_on(request) -> dt.date:
    raw = request.query_params.get("on")
    if not raw:
        return as_local_date(None)
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"on": [_("Use a date in the form YYYY-MM-DD.")]}) from exc


def _implementation_count(mode: str | None = None):
    implementations = Implementation.objects.filter(version=OuterRef("pk"), active=True)
    if mode:
        implementations = implementations.filter(online_mode=mode)
    counted = implementations.order_by().values("version").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@extend_schema(parameters=[ON_PARAM])
class ProcedureListView(generics.ListAPIView):
    """Procedures in force on a day, filtered by field, level, implementing agency, online mode, status or
    search words (every word must match the name, code or field; diacritics optional)."""

    permission_classes = [AllowAny]
    serializer_class = ProcedureListSerializer
    filterset_class = ProcedureFilter

    def get_queryset(self):
        return (
            ProcedureVersion.objects.in_force(parse_on(self.request))
            .select_related("procedure", "field")
            .prefetch_related("durations", "fees")
            .annotate(
                agencies_total=_implementation_count(),
                agencies_full=_implementation_count(OnlineMode.FULL),
                agencies_partial=_implementation_count(OnlineMode.PARTIAL),
            )
            .order_by("procedure__code")
        )


@extend_schema(parameters=[CODE_PARAM, ON_PARAM])
class ProcedureDetailView(generics.RetrieveAPIView):
    """One procedure as in force on a day (default today): time limits, components, fees, results, legal basis
    and the agencies that implement it with their online mode."""

    permission_classes = [AllowAny]
    serializer_class = ProcedureDetailSerializer
    queryset = ProcedureVersion.objects.none()

    def get_object(self):
        raw = self.kwargs["code"]
        code = normalize_procedure_code(raw)
        day = parse_on(self.request)
        version = None
        if code:
            version = (
                ProcedureVersion.objects.filter(in_force_q(day), procedure__code=code)
                .select_related("procedure", "field")
                .prefetch_related(
                    "durations", "components", "fees", "results", "legal_basis",
                    Prefetch("implementations", queryset=Implementation.objects.filter(active=True)
                             .select_related("agency").order_by("agency__code")),
                )
                .order_by("-number")
                .first()
            )
        if version is None:
            raise NotFound(_("No procedure with the code %(code)s is in force on %(date)s.") % {
                "code": raw[:40], "date": day.strftime("%d/%m/%Y")})
        self._versions = list(version.procedure.versions.order_by("number").only("number", "valid_from", "valid_to"))
        return version

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["versions"] = getattr(self, "_versions", [])
        return context


class FieldListView(generics.ListAPIView):
    """Fields (lĩnh vực) with the number of procedures in force today."""

    permission_classes = [AllowAny]
    serializer_class = CatalogFieldSerializer
    filterset_class = None

    def get_queryset(self):
        today = as_local_date(None)
        counted = (
            ProcedureVersion.objects.filter(in_force_q(today), field=OuterRef("pk"))
            .order_by().values("field").annotate(n=Count("pk")).values("n")
        )
        return Field.objects.annotate(
            procedure_count=Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
        ).order_by("name")
