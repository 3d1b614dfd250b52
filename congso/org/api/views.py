import datetime as dt

from django.db.models import Prefetch, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from congso.core.text import search_terms
from congso.org.api.serializers import (
    AdminUnitOnDateSerializer,
    AgencySerializer,
    CrosswalkSerializer,
    MembershipSerializer,
    StaffSerializer,
)
from congso.org.choices import UnitLevel
from congso.org.models import AdminUnit, AdminUnitVersion, Agency, Membership
from congso.org.querysets import today
from congso.org.scoping import visible_users
from congso.org.services import crosswalk

ON_PARAM = OpenApiParameter("on", OpenApiTypes.DATE, description="The date to read the hierarchy on (default today).")
Q_PARAM = OpenApiParameter("q", OpenApiTypes.STR, description="Search words, with or without diacritics.")


def parse_on(request) -> dt.date:
    raw = request.query_params.get("on")
    if not raw:
        return today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"on": ["Use a date in the form YYYY-MM-DD."]}) from exc


@extend_schema(
    parameters=[
        ON_PARAM, Q_PARAM,
        OpenApiParameter("level", OpenApiTypes.STR, enum=UnitLevel.values),
        OpenApiParameter("parent", OpenApiTypes.STR, description="Parent unit code."),
    ]
)
class AdminUnitListView(generics.ListAPIView):
    """Administrative units as they were on a date (names, types and parents of that day)."""

    serializer_class = AdminUnitOnDateSerializer

    def get_queryset(self):
        day = parse_on(self.request)
        qs = AdminUnitVersion.objects.filter_valid_on(day).filter(unit__in=AdminUnit.objects.as_of(day))
        level = self.request.query_params.get("level")
        if level:
            if level not in UnitLevel.values:
                raise ValidationError({"level": [f"Use one of {', '.join(UnitLevel.values)}."]})
            qs = qs.filter(unit__level=level)
        parent = self.request.query_params.get("parent")
        if parent:
            qs = qs.filter(parent__code=parent)
        for term in search_terms(self.request.query_params.get("q")):
            qs = qs.filter(unit__search_text__contains=term)
        return qs.select_related("unit", "parent").order_by("unit__code")


@extend_schema(parameters=[ON_PARAM], responses=CrosswalkSerializer)
class CrosswalkView(generics.GenericAPIView):
    """The unit(s) that carry an old unit code's territory on a date (old → new code crosswalk)."""

    serializer_class = CrosswalkSerializer

    def get(self, request, code):
        day = parse_on(request)
        try:
            successors = crosswalk(code, day)
        except AdminUnit.DoesNotExist as exc:
            raise NotFound() from exc
        return Response(CrosswalkSerializer({"code": code, "on": day, "successors": successors}).data)


class AgencyQuerysetMixin:
    def get_queryset(self):
        return (
            Agency.objects.for_user(self.request.user, "view")
            .select_related("parent", "admin_unit")
            .prefetch_related("departments", "served_units")
            .order_by("code")
        )


@extend_schema(parameters=[Q_PARAM, OpenApiParameter("level", OpenApiTypes.STR, enum=UnitLevel.values)])
class AgencyListView(AgencyQuerysetMixin, generics.ListAPIView):
    """Agencies the caller may see: their own and those below them (everything for provincial monitors)."""

    serializer_class = AgencySerializer

    def get_queryset(self):
        qs = super().get_queryset()
        for term in search_terms(self.request.query_params.get("q")):
            qs = qs.filter(search_text__contains=term)
        level = self.request.query_params.get("level")
        if level:
            qs = qs.filter(level=level)
        return qs


class AgencyDetailView(AgencyQuerysetMixin, generics.RetrieveAPIView):
    serializer_class = AgencySerializer
    lookup_field = "code"


@extend_schema(parameters=[Q_PARAM, OpenApiParameter("agency", OpenApiTypes.STR, description="Agency identifier.")])
class StaffListView(generics.ListAPIView):
    """Staff accounts the caller may see: members of agencies in the caller's scope."""

    serializer_class = StaffSerializer

    def get_queryset(self):
        self.visible_ids = set(Agency.objects.for_user(self.request.user, "view").values_list("pk", flat=True))
        memberships = Membership.objects.active().select_related("agency", "department")
        qs = visible_users(self.request.user).prefetch_related(Prefetch("memberships", queryset=memberships))
        agency = self.request.query_params.get("agency")
        if agency:
            qs = qs.filter(memberships__agency__code=agency, memberships__agency_id__in=self.visible_ids)
        query = (self.request.query_params.get("q") or "").strip()
        if query:
            qs = qs.filter(Q(username__icontains=query) | Q(full_name__icontains=query) | Q(email__icontains=query))
        return qs.order_by("username")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["visible_agency_ids"] = None if self.request.user.is_superuser else getattr(self, "visible_ids", set())
        return context


class MembershipListView(generics.ListAPIView):
    serializer_class = MembershipSerializer

    def get_queryset(self):
        visible = Agency.objects.for_user(self.request.user, "view")
        return (
            Membership.objects.active().filter(agency__in=visible)
            .select_related("user", "agency", "department").order_by("agency__code", "user__username")
        )


