import django_filters
from django.db.models import Q

from congso.core.text import search_terms
from congso.dossiers.choices import Channel, Status, Timeliness
from congso.dossiers.models import Dossier


class DossierFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices)
    timeliness = django_filters.MultipleChoiceFilter(choices=Timeliness.choices)
    procedure = django_filters.CharFilter(field_name="procedure__code", label="procedure code")
    agency = django_filters.CharFilter(method="filter_agency", label="agency identifier (receiving, handling or holding)")
    holder = django_filters.CharFilter(field_name="holder__username")
    received_from = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_to = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    due_from = django_filters.IsoDateTimeFilter(field_name="current_due_at", lookup_expr="gte")
    due_to = django_filters.IsoDateTimeFilter(field_name="current_due_at", lookup_expr="lt")
    open = django_filters.BooleanFilter(field_name="finished_at", lookup_expr="isnull", label="still open")
    q = django_filters.CharFilter(method="filter_q", label="code or applicant name, with or without diacritics")

    class Meta:
        model = Dossier
        fields: list[str] = []

    def filter_agency(self, queryset, name, value):
        return queryset.filter(
            Q(receiving_agency__code=value) | Q(handling_agency__code=value) | Q(current_agency__code=value)
        )

    def filter_q(self, queryset, name, value):
        for term in search_terms(value):
            queryset = queryset.filter(search_text__contains=term)
        return queryset
