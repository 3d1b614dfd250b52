"""Filters of the calendar API: `?year=2025&kind=day_off&status=official`."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from congso.workcalendar.choices import DayKind, DayStatus
from congso.workcalendar.models import CalendarDay


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter (NumberFilter accepts decimals, which a year is not)."""

    field_class = forms.IntegerField


class CalendarDayFilterSet(django_filters.FilterSet):
    # Bounded: an out-of-range year would otherwise reach the database as an impossible date.
    year = IntegerFilter(field_name="date", lookup_expr="year", min_value=1, max_value=9999, label=_("year"))
    kind = django_filters.ChoiceFilter(choices=DayKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=DayStatus.choices, label=_("status"))

    class Meta:
        model = CalendarDay
        fields = ["year", "kind", "status"]
