"""Finding a procedure at the desk: diacritic-free search over the versions in force that the desk may take in.

One row per (procedure, handling agency): a service centre receives for several agencies, and the officer picks
the one that handles the dossier. The list is read in a fixed number of queries, whatever its length.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from congso.catalog.models import Implementation, ProcedureDuration
from congso.catalog.querysets import in_force_q
from congso.core.text import search_terms
from congso.workspace.intake.scope import handled_agencies

MAX_RESULTS = 25


@dataclass(frozen=True)
class ProcedureOption:
    code: str
    name: str
    field: str
    agency_code: str
    agency_name: str
    duration: object  # ProcedureDuration | None
    version_id: int


def implementations_for(receiving, day: dt.date | None = None):
    """Active implementations of versions in force on `day` at the agencies the desk of `receiving` serves."""
    day = day or timezone.localdate()
    return (
        Implementation.objects.filter(active=True, agency__in=handled_agencies(receiving))
        .filter(in_force_q(day, "version__"))
    )


def find_procedures(receiving, query: str, day: dt.date | None = None, limit: int = MAX_RESULTS):
    """Options matching every folded word of `query` (code, name or field), at most `limit`."""
    rows = implementations_for(receiving, day)
    for term in search_terms(query)[:8]:
        rows = rows.filter(Q(version__search_text__contains=term))
    rows = (
        rows.select_related("version__procedure", "version__field", "agency")
        .prefetch_related(Prefetch("version__durations", queryset=ProcedureDuration.objects.order_by("channel")))
        .order_by("version__procedure__code", "agency__code")[:limit]
    )
    return [
        ProcedureOption(
            code=impl.version.procedure.code, name=impl.version.name, field=impl.version.field.name,
            agency_code=impl.agency.code, agency_name=impl.agency.name,
            duration=impl.version.duration_for("direct"), version_id=impl.version_id,
        )
        for impl in rows
    ]


def find_option(receiving, procedure_code: str, agency_code: str, day: dt.date | None = None):
    """The implementation the desk may take in for this procedure and handling agency, or None."""
    return (
        implementations_for(receiving, day)
        .filter(version__procedure__code=procedure_code, agency__code=agency_code)
        .select_related("version__procedure", "agency")
        .first()
    )
