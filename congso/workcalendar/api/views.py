"""Calendar API: compute an appointment, and list the special dates of a year."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from congso.workcalendar import services
from congso.workcalendar.api.serializers import CalendarDaySerializer, DueDateSerializer
from congso.workcalendar.filtersets import CalendarDayFilterSet
from congso.workcalendar.inputs import InvalidInput, local_time_zone, parse_due_date_query
from congso.workcalendar.models import CalendarDay
from congso.workcalendar.units import DurationUnit

_PROBLEM = OpenApiResponse(description="problem+json with code `validation_error` and the field messages in `errors`.")


class DueDateView(APIView):
    """A pure computation over public data, so anyone may call it."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="calendar_due_date",
        summary="Compute an appointment (ngày hẹn trả)",
        description=(
            "Applies congso's due-date convention (docs/calendar.md) with the working calendar in force. "
            "`received` without an offset is local time (Asia/Ho_Chi_Minh)."
        ),
        parameters=[
            OpenApiParameter("received", OpenApiTypes.DATETIME, required=True, description="ISO 8601 receipt moment."),
            OpenApiParameter("duration", OpenApiTypes.INT, required=True, description="0 = within the day."),
            OpenApiParameter("unit", OpenApiTypes.STR, enum=DurationUnit.values, default=DurationUnit.WORKING_DAY),
            OpenApiParameter("cutoff", OpenApiTypes.STR, description="Cut-off time HH:MM, e.g. 15:00."),
        ],
        responses={200: DueDateSerializer, 400: _PROBLEM},
        examples=[
            OpenApiExample(
                "Tet days skipped",
                response_only=True,
                value={
                    "received": "2025-01-20T09:00:00+07:00",
                    "effective_start": "2025-01-20T09:00:00+07:00",
                    "due_at": "2025-02-03T09:00:00+07:00",
                    "duration": 5,
                    "unit": "working_day",
                    "cutoff": None,
                },
            )
        ],
    )
    def get(self, request):
        params = request.query_params
        try:
            query = parse_due_date_query(
                params.get("received"),
                params.get("duration"),
                params.get("unit") or DurationUnit.WORKING_DAY,
                params.get("cutoff"),
                local_time_zone(),
            )
        except InvalidInput as exc:
            raise ValidationError(exc.errors) from None
        try:
            result = services.due_date(query.received, query.duration, query.unit, query.cutoff)
        except ValueError as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from None
        data = {
            "received": result.received,
            "effective_start": result.effective_start,
            "due_at": result.due_at,
            "duration": query.duration,
            "unit": query.unit.value,
            "cutoff": query.cutoff,
        }
        return Response(DueDateSerializer(data).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="calendar_days_list",
        summary="List days off and make-up working days",
        description="Special dates of the working calendar (CalendarDay rows); filter with ?year=2025.",
    )
)
class CalendarDayListView(generics.ListAPIView):
    """Public: which dates are off or worked is published by the government anyway."""

    permission_classes = [AllowAny]
    serializer_class = CalendarDaySerializer
    filterset_class = CalendarDayFilterSet
    queryset = CalendarDay.objects.order_by("date")
