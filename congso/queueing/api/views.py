"""The queue's public API, addressed by agency code: the kiosk's groups, taking a ticket from a kiosk device, a
ticket's state, and the display's board. Public (no login), rate-limited per address like the kiosk page."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from congso.org.models import Agency
from congso.queueing.api.serializers import (
    BoardSerializer,
    GroupSerializer,
    TakeTicketSerializer,
    TicketSerializer,
)
from congso.queueing.board import build_board
from congso.queueing.choices import TicketStatus
from congso.queueing.models import ServiceGroup, Ticket
from congso.queueing.ratelimit import check_take
from congso.queueing.services import take_ticket

PROBLEM = OpenApiResponse(description="problem+json with a stable `code`")
AGENCY_PARAM = OpenApiParameter("agency_code", OpenApiTypes.STR, OpenApiParameter.PATH,
                                description="The agency's code (QCVN 102), e.g. 000.00.02.H97.")
TOKEN_PARAM = OpenApiParameter("token", OpenApiTypes.UUID, OpenApiParameter.PATH,
                               description="The ticket's key, from the answer that created it.")


def public_agency(code: str) -> Agency:
    return get_object_or_404(Agency.objects.active(), code=code)


class PublicQueueView(APIView):
    permission_classes = [AllowAny]


@extend_schema(tags=["queue"], parameters=[AGENCY_PARAM])
class GroupListView(PublicQueueView):
    """The services offered at the agency's kiosk, with how many wait in each now."""

    @extend_schema(responses={200: GroupSerializer(many=True), 404: PROBLEM})
    def get(self, request, agency_code):
        agency = public_agency(agency_code)
        groups = (
            ServiceGroup.objects.offered().filter(agency=agency)
            .annotate(waiting=Count("tickets", filter=Q(tickets__day=timezone.localdate(),
                                                        tickets__status=TicketStatus.WAITING)))
            .prefetch_related("fields").order_by("order", "prefix")
        )
        data = [{"prefix": g.prefix, "name": g.name, "fields": [f.name for f in g.fields.all()], "waiting": g.waiting}
                for g in groups]
        return Response(GroupSerializer(data, many=True).data)


@extend_schema(tags=["queue"], parameters=[AGENCY_PARAM])
class TicketCreateView(PublicQueueView):
    """Take a ticket (for a kiosk device). Errors: `validation_error` (unknown group, bad phone), `throttled`
    (too many tickets from this address; see Retry-After)."""

    @extend_schema(request=TakeTicketSerializer,
                   responses={201: TicketSerializer, 400: PROBLEM, 404: PROBLEM, 429: PROBLEM})
    def post(self, request, agency_code):
        agency = public_agency(agency_code)
        verdict = check_take(request)
        if not verdict.allowed:
            raise Throttled(wait=verdict.retry_after,
                            detail=_("Too many tickets were taken from this address; try again later."))
        serializer = TakeTicketSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = take_ticket(agency, serializer.validated_data["group"], phone=serializer.validated_data.get("phone"))
        ticket = Ticket.objects.select_related("agency", "group", "counter").get(pk=ticket.pk)
        return Response(TicketSerializer(ticket, context={"request": request}).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["queue"], parameters=[AGENCY_PARAM, TOKEN_PARAM])
class TicketDetailView(PublicQueueView):
    """A ticket's state: waiting (with how many ahead), called (at which counter), or finished."""

    @extend_schema(responses={200: TicketSerializer, 404: PROBLEM})
    def get(self, request, agency_code, token):
        agency = public_agency(agency_code)
        ticket = get_object_or_404(Ticket.objects.select_related("agency", "group", "counter"), agency=agency,
                                   token=token)
        return Response(TicketSerializer(ticket, context={"request": request}).data)


@extend_schema(tags=["queue"], parameters=[AGENCY_PARAM])
class BoardView(PublicQueueView):
    """What the waiting-room display shows: the latest calls and their counters, and how many wait per group."""

    @extend_schema(responses={200: BoardSerializer, 404: PROBLEM})
    def get(self, request, agency_code):
        agency = public_agency(agency_code)
        board = build_board(agency)
        data = {"agency": agency.code, "stamp": board.stamp, "calls": [vars(c) for c in board.calls],
                "waiting": [vars(w) for w in board.waiting]}
        return Response(BoardSerializer(data).data)
