"""The applicant data store API: the caller's documents, one document, its file, and reuse in a dossier."""

from __future__ import annotations

from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from congso.core.problems import Problem
from congso.datastore.api.serializers import (
    ApplicantDocumentDetailSerializer,
    ApplicantDocumentSerializer,
    ReuseInputSerializer,
    ReuseResultSerializer,
)
from congso.datastore.models import ApplicantDocument, DocumentKind
from congso.datastore.querysets import applicant_condition
from congso.datastore.services import DocumentNotFound, FileIntegrityError, reuse_in_dossier
from congso.dossiers.api.serializers import DossierComponentSerializer
from congso.dossiers.models import Dossier, DossierComponent
from congso.dossiers.services.common import NotFound
from congso.privacy.choices import AccessAction
from congso.privacy.services import log_access

PROBLEM = OpenApiResponse(description="problem+json with a stable `code`")
DOSSIER_PARAMETER = OpenApiParameter(
    "dossier", OpenApiTypes.STR, OpenApiParameter.QUERY,
    description="A dossier code: the documents reached through that dossier (staff; the desk of the receiving "
                "agency also sees every document of the dossier's applicant).")


def context_dossier(request) -> Dossier | None:
    """The dossier named by `?dossier=CODE`, which the caller must be able to see (else 404)."""
    code = (request.query_params.get("dossier") or "").strip()
    if not code:
        return None
    dossier = Dossier.objects.for_user(request.user).select_related("receiving_agency").filter(code=code[:64]).first()
    if dossier is None:
        raise NotFound()
    return dossier


def visible_documents(request, dossier: Dossier | None = None):
    documents = ApplicantDocument.objects.for_user(request.user, dossier=dossier)
    if dossier is not None:
        documents = documents.filter(applicant_condition(dossier) | Q(pk__in=ApplicantDocument.objects.linked_to(
            Dossier.objects.filter(pk=dossier.pk)).values("pk")))
    return documents.select_related("source_dossier")


class DocumentListView(generics.ListAPIView):
    """The caller's own data store (applicants); with `dossier`, the documents reached through that dossier."""

    serializer_class = ApplicantDocumentSerializer

    @extend_schema(parameters=[
        DOSSIER_PARAMETER,
        OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=DocumentKind.values),
        OpenApiParameter("valid", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                         description="true: only documents not expired (those that can be reused)."),
    ], responses={200: ApplicantDocumentSerializer(many=True), 400: PROBLEM, 404: PROBLEM})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApplicantDocument.objects.none()
        documents = visible_documents(self.request, context_dossier(self.request))
        kind = self.request.query_params.get("kind")
        if kind:
            if kind not in DocumentKind.values:
                raise Problem("validation_error", 400, _("The request has invalid fields; see errors."),
                              errors={"kind": [_("Unknown kind of document.")]})
            documents = documents.filter(kind=kind)
        if self.request.query_params.get("valid") in ("1", "true", "True"):
            documents = documents.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))
        return documents.order_by("-created_at", "-id")


def _document(request, pk: int) -> tuple[ApplicantDocument, Dossier | None]:
    dossier = context_dossier(request)
    document = visible_documents(request, dossier).filter(pk=pk).first()
    if document is None:
        raise DocumentNotFound()
    return document, dossier


def _is_owner(user, document) -> bool:
    return user.is_superuser or ApplicantDocument.objects.owned_by(user).filter(pk=document.pk).exists()


class DocumentDetailView(APIView):
    """One document of the data store (the view is written to the personal-data access log)."""

    @extend_schema(parameters=[DOSSIER_PARAMETER],
                   responses={200: ApplicantDocumentDetailSerializer, 404: PROBLEM})
    def get(self, request, pk: int):
        document, dossier = _document(request, pk)
        log_access(request.user, AccessAction.VIEW, document=document, dossier=dossier, request=request)
        context = {"show_uses": _is_owner(request.user, document)}
        return Response(ApplicantDocumentDetailSerializer(document, context=context).data)


class AnyMediaRenderer(BaseRenderer):
    """Lets a client that asks for the file's own type (Accept: application/pdf) through content negotiation;
    the file response itself bypasses renderers, errors are rendered as JSON."""

    media_type = "*/*"
    format = "file"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, "application/json", renderer_context)


class DocumentFileView(APIView):
    """Download a document's file (written to the personal-data access log)."""

    renderer_classes = [JSONRenderer, AnyMediaRenderer]

    @extend_schema(parameters=[DOSSIER_PARAMETER], responses={
        (200, "application/pdf"): OpenApiTypes.BINARY, (200, "image/jpeg"): OpenApiTypes.BINARY,
        (200, "image/png"): OpenApiTypes.BINARY, (404, "application/problem+json"): PROBLEM,
        (409, "application/problem+json"): PROBLEM})
    def get(self, request, pk: int):
        document, dossier = _document(request, pk)
        try:
            handle = document.file.open("rb")
        except (OSError, ValueError):
            raise FileIntegrityError() from None
        try:
            log_access(request.user, AccessAction.DOWNLOAD, document=document, dossier=dossier, request=request)
        except BaseException:
            handle.close()
            raise
        response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                                content_type=document.content_type)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class DossierReuseView(APIView):
    """Reuse a document of the applicant's data store as a component of the dossier (DuocTaiSuDung).

    201 with the new component; 200 when the document was already reused in this dossier (the same component).
    """

    @extend_schema(request=ReuseInputSerializer, responses={
        201: ReuseResultSerializer, 200: ReuseResultSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM,
        409: PROBLEM})
    def post(self, request, code: str):
        dossier = get_object_or_404(Dossier.objects.for_user(request.user).select_related("receiving_agency"),
                                    code=code)
        serializer = ReuseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = data.get("catalog_component_id")
        if target is None:
            target = data.get("name", "")
        # The service decides who may reuse which document on this dossier (403 / 404 / 409 / 400).
        use = reuse_in_dossier(data["document"], dossier, target, request.user)
        version = Dossier.objects.filter(pk=dossier.pk).values_list("version", flat=True).get()
        component = DossierComponent.objects.select_related("file", "data_store_use").get(pk=use.component_id)
        body = {"created": use.created, "document": use.document_id, "dossier": dossier.code, "version": version,
                "component": DossierComponentSerializer(component).data}
        response = Response(ReuseResultSerializer(body).data, status=201 if use.created else 200)
        response["ETag"] = f'"{version}"'
        return response
