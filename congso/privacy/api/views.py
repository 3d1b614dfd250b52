"""Who looked at a dossier (or a document): the personal-data access log, for the people entitled to it."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics

from congso.core.problems import Problem
from congso.datastore.models import ApplicantDocument
from congso.dossiers.models import Dossier
from congso.dossiers.services.common import NotFound
from congso.privacy.api.serializers import AccessLogSerializer
from congso.privacy.models import AccessLog
from congso.privacy.rules import may_read_access_log

PROBLEM = OpenApiResponse(description="problem+json with a stable `code`")


class AccessLogListView(generics.ListAPIView):
    """The access log of one dossier (`dossier=CODE`) or one document of the data store (`document=ID`), newest
    first.

    A dossier's log: the applicant (their own dossier), leaders and administrators of the handling agency or an
    agency above it, superusers. A document's log: its owner and superusers. Without a filter: an applicant gets
    every access to their own dossiers and documents ("who looked at my data"), a superuser the whole log; other
    staff must name a dossier or a document.
    """

    serializer_class = AccessLogSerializer

    @extend_schema(parameters=[
        OpenApiParameter("dossier", OpenApiTypes.STR, OpenApiParameter.QUERY, description="A dossier code."),
        OpenApiParameter("document", OpenApiTypes.INT, OpenApiParameter.QUERY,
                         description="The id of a document of the data store."),
    ], responses={200: AccessLogSerializer(many=True), 400: PROBLEM, 403: PROBLEM, 404: PROBLEM})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["show_ip"] = user.is_superuser or user.account_type == "staff"
        return context

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AccessLog.objects.none()
        user = self.request.user
        params = self.request.query_params
        code = (params.get("dossier") or "").strip()
        document_id = (params.get("document") or "").strip()
        rows = AccessLog.objects.select_related("actor_agency")
        if code:
            dossier = Dossier.objects.for_user(user).select_related("handling_agency").filter(code=code[:64]).first()
            if dossier is None:
                raise NotFound()
            if not may_read_access_log(user, dossier):
                raise Problem("forbidden", 403, _("You may not see who viewed this dossier."))
            rows = rows.filter(dossier_code=dossier.code)
        elif document_id:
            if not document_id.isdigit():
                raise Problem("validation_error", 400, _("The request has invalid fields; see errors."),
                              errors={"document": [_("Give the id of a document.")]})
            documents = ApplicantDocument.objects.all() if user.is_superuser else \
                ApplicantDocument.objects.owned_by(user)
            document = documents.filter(pk=int(document_id)).first()
            if document is None:
                raise Problem("not_found", 404, _("No such document."))
            rows = rows.filter(document=document)
        elif user.account_type != "staff" and not user.is_superuser:
            # An applicant without a filter: every access to their own dossiers and documents.
            own_dossiers = Dossier.objects.filter(applicant=user).values("code")
            own_documents = ApplicantDocument.objects.owned_by(user).values("pk")
            rows = rows.filter(Q(dossier_code__in=own_dossiers) | Q(document__in=own_documents))
        elif not user.is_superuser:
            raise Problem("validation_error", 400, _("The request has invalid fields; see errors."),
                          errors={"dossier": [_("Give a dossier code or a document id.")]})
        return rows.order_by("-at", "-id")
