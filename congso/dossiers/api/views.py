"""The dossier API: list, detail (with ETag), create, and actions with optimistic concurrency (If-Match)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from congso.core.problems import Problem
from congso.dossiers.api.serializers import (
    ActionInputSerializer,
    ComponentInputSerializer,
    DossierCreateSerializer,
    DossierDetailSerializer,
    DossierListSerializer,
)
from congso.dossiers.filtersets import DossierFilterSet
from congso.dossiers.models import Dossier, ProcessingEvent
from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import ComponentInput, DossierInput, create_dossier
from congso.dossiers.transitions import ACTION_NAMES
from congso.privacy.choices import AccessAction
from congso.privacy.disclosure import decide
from congso.privacy.services import log_access

PROBLEM = OpenApiResponse(description="problem+json with a stable `code`")


def detail_queryset(user):
    return Dossier.objects.for_user(user).select_related(
        "procedure", "procedure_version", "receiving_agency", "handling_agency", "current_agency", "holder",
    ).prefetch_related(
        Prefetch("steps__agency"), "steps__assignee", "handovers__from_agency", "handovers__to_agency",
        "handovers__from_user", "handovers__to_user",
        Prefetch("events", queryset=ProcessingEvent.objects.select_related("agency").order_by("seq")),
        "components__file", "components__data_store_use", "fees", "payments", "results__file",
        "supplement_requests", "extensions",
    )


def detail_response(dossier: Dossier, request, status_code=200) -> Response:
    """The dossier after a change made by the caller (creation, action): masked as the caller's role says; the
    change itself is in the processing log with the request id."""
    fresh = detail_queryset(request.user).get(pk=dossier.pk)
    context = {"unmask": decide(request.user, fresh).unmasked}
    response = Response(DossierDetailSerializer(fresh, context=context).data, status=status_code)
    response["ETag"] = fresh.etag
    return response


class DossierListCreateView(generics.ListCreateAPIView):
    """Dossiers the caller may see (their agencies' for staff, their own for applicants)."""

    filterset_class = DossierFilterSet

    def get_queryset(self):
        return Dossier.objects.for_user(self.request.user).select_related(
            "procedure", "procedure_version", "receiving_agency", "handling_agency", "current_agency", "holder",
        ).order_by("-submitted_at", "-id")

    def get_serializer_class(self):
        return DossierCreateSerializer if self.request.method == "POST" else DossierListSerializer

    @extend_schema(request=DossierCreateSerializer, responses={201: DossierDetailSerializer, 400: PROBLEM,
                                                               403: PROBLEM})
    def post(self, request, *args, **kwargs):
        serializer = DossierCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        at = data.pop("received_at", None)
        components = [
            ComponentInput(**{k: v for k, v in item.items() if k in ComponentInputSerializer().fields})
            for item in data.pop("components", [])
        ]
        dossier = create_dossier(DossierInput(components=components, **data), request.user, at=at)
        return detail_response(dossier, request, status.HTTP_201_CREATED)


class DossierDetailView(APIView):
    """One dossier. Every call is written to the personal-data access log (who, when, request id, address).

    The applicant's citizen ID / tax code and phone are shown in full to the applicant and to the staff handling
    the dossier, masked to everyone else; `reveal=1` with a `reason` shows them in full to a user allowed to
    reveal them (docs/personal-data.md) and logs the reason.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("reveal", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                             description="Show the personal numbers in full (needs `reason`)."),
            OpenApiParameter("reason", OpenApiTypes.STR, OpenApiParameter.QUERY,
                             description="The purpose of revealing the personal numbers (logged)."),
        ],
        responses={200: DossierDetailSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM},
    )
    def get(self, request, code):
        dossier = get_object_or_404(detail_queryset(request.user), code=code)
        reveal = request.query_params.get("reveal", "").strip().lower() in ("1", "true", "yes")
        disclosure = decide(request.user, dossier, reveal=reveal, reason=request.query_params.get("reason", ""))
        log_access(request.user, AccessAction.VIEW, dossier=dossier, purpose=disclosure.purpose,
                   unmasked=disclosure.unmasked, basis=disclosure.basis, request=request)
        response = Response(DossierDetailSerializer(dossier, context={"unmask": disclosure.unmasked}).data)
        response["ETag"] = dossier.etag
        return response


def parse_if_match(request) -> int:
    raw = request.headers.get("If-Match")
    if not raw:
        raise Problem("precondition_required", 428, "Send If-Match with the dossier's ETag.")
    value = raw.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise Problem("conflict", 412, "The If-Match value is not a version of this dossier.")
    return int(value)


class DossierActionView(APIView):
    """Carry out an action. Requires `If-Match: "<version>"` (the ETag): missing → 428, stale → 412 `conflict`.

    Answers with the dossier's detail, or — with `Prefer: return=minimal` (RFC 7240) — with 204 and the new ETag
    only, for systems that chain actions and need no re-read."""

    @extend_schema(
        request=ActionInputSerializer,
        parameters=[OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True),
                    OpenApiParameter("Prefer", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
                                     description="`return=minimal`: answer 204 with the new ETag only."),
                    OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=ACTION_NAMES)],
        responses={200: DossierDetailSerializer, 204: OpenApiResponse(description="Done; the new ETag in the header"),
                   400: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM,
                   412: PROBLEM, 428: PROBLEM},
    )
    def post(self, request, code, action):
        if action not in ACTION_NAMES:
            raise Problem("not_found", 404, "Unknown action.")
        dossier = get_object_or_404(Dossier.objects.for_user(request.user), code=code)
        expected = parse_if_match(request)
        serializer = ActionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = {k: v for k, v in serializer.validated_data.items() if k in request.data}
        if "assignee" in params:
            params["assignee"] = _user_by_username(params["assignee"])
        if "results" in params:
            params["results"] = [_result_input(item) for item in params["results"]]
        updated = perform(dossier, action, request.user, expected_version=expected, **params)
        if "return=minimal" in request.headers.get("Prefer", "").replace(" ", "").lower().split(","):
            response = Response(status=204, headers={"ETag": updated.etag, "Preference-Applied": "return=minimal"})
            return response
        return detail_response(updated, request)


def _user_by_username(username):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise Problem("validation_error", 400, "Unknown user.", errors={"assignee": ["Unknown user."]})
    return user


def _result_input(item: dict) -> dict:
    from congso.dossiers.api.serializers import FileInputSerializer

    clean = {k: item.get(k) for k in ("name", "result_code", "number", "catalog_result_id") if item.get(k) is not None}
    if item.get("file"):
        file_serializer = FileInputSerializer(data=item["file"])
        file_serializer.is_valid(raise_exception=True)
        clean["file"] = file_serializer.validated_data
    return clean
