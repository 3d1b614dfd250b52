"""Serializers of the calendar API. Instants are ISO 8601 with the offset of Asia/Ho_Chi_Minh (+07:00)."""

from rest_framework import serializers

from congso.workcalendar.models import CalendarDay
from congso.workcalendar.units import DurationUnit


class DueDateSerializer(serializers.Serializer):
    """An appointment (ngày hẹn trả kết quả) and how it was reached."""

    received = serializers.DateTimeField(help_text="Receipt moment.")
    effective_start = serializers.DateTimeField(help_text="Moment the count starts (rule 1).")
    due_at = serializers.DateTimeField(help_text="The appointment.")
    duration = serializers.IntegerField(min_value=0)
    unit = serializers.ChoiceField(choices=DurationUnit.choices)
    cutoff = serializers.TimeField(allow_null=True, format="%H:%M", help_text="Cut-off time of the procedure, if any.")


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "status", "source", "note", "active"]
        read_only_fields = fields
