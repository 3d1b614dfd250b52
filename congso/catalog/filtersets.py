"""Filters of the public procedure list (/api/v1/catalog/procedures)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from congso.catalog.choices import Level, OnlineMode, ProcedureStatus
from congso.catalog.codes import normalize_procedure_code
from congso.catalog.models import Implementation, ProcedureVersion
from congso.core.text import search_terms


class ProcedureFilter(django_filters.FilterSet):
    field = django_filters.NumberFilter(field_name="field_id", label=_("Field (id)"))
    level = django_filters.ChoiceFilter(choices=Level.choices, method="filter_level", label=_("Level"))
    agency = django_filters.CharFilter(method="filter_agency", label=_("Implementing agency (identifier)"))
    online_mode = django_filters.ChoiceFilter(
        choices=OnlineMode.choices, method="filter_online_mode", label=_("Online mode at an implementing agency")
    )
    status = django_filters.ChoiceFilter(field_name="procedure__status", choices=ProcedureStatus.choices,
                                         label=_("Status"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search words, with or without diacritics"))

    class Meta:
        model = ProcedureVersion
        fields: list[str] = []

    def filter_level(self, queryset, name: str, value: str):
        # The levels are a JSON list of codes; no code is part of another, so the quoted code is unambiguous.
        return queryset.filter(levels__icontains=f'"{value}"')

    def _implementations(self, queryset, agency: str | None, mode: str | None):
        implementations = Implementation.objects.filter(version=OuterRef("pk"), active=True)
        if agency:
            implementations = implementations.filter(agency__code=agency)
        if mode:
            implementations = implementations.filter(online_mode=mode)
        return queryset.filter(Exists(implementations))

    def filter_agency(self, queryset, name: str, value: str):
        # agency and online_mode together apply to the same implementing agency.
        return self._implementations(queryset, value, self.form.cleaned_data.get("online_mode") or None)

    def filter_online_mode(self, queryset, name: str, value: str):
        if self.form.cleaned_data.get("agency"):
            return queryset  # already applied with the agency
        return self._implementations(queryset, None, value)

    def filter_q(self, queryset, name: str, value: str):
        for term in search_terms(value):
            # A local code (1.001193.000.00.00.H48) finds its procedure by the national code.
            term = (normalize_procedure_code(term) or term).lower()
            queryset = queryset.filter(search_text__contains=term)
        return queryset
