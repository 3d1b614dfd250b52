"""Dossiers in the Django admin are read-only: every change goes through the services (house rule 1)."""

from django.contrib import admin

from congso.core.admin import ReadOnlyAdminMixin
from congso.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierStep,
    HandOver,
    ProcessingEvent,
    ResultDocument,
)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class StepInline(ReadOnlyInline):
    model = DossierStep
    fields = ["order", "name", "agency", "role", "assignee", "started_at", "deadline_at", "finished_at", "verdict"]


class HandOverInline(ReadOnlyInline):
    model = HandOver
    fk_name = "dossier"
    fields = ["at", "from_agency", "from_user", "to_agency", "to_user", "step_deadline", "verdict", "note"]


class EventInline(ReadOnlyInline):
    model = ProcessingEvent
    fields = ["seq", "action", "from_status", "to_status", "at", "actor_name", "actor_role", "reason"]


class ComponentInline(ReadOnlyInline):
    model = DossierComponent
    fields = ["order", "name", "originals", "certified_copies", "photocopies", "file", "digitized", "reused"]


class ResultInline(ReadOnlyInline):
    model = ResultDocument
    fields = ["name", "result_code", "number", "file", "is_electronic", "issued_at"]


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "status", "channel", "procedure", "applicant_name", "received_at", "due_at",
                    "timeliness", "current_agency"]
    list_filter = ["status", "channel", "timeliness"]
    search_fields = ["code", "search_text"]
    date_hierarchy = "received_at"
    inlines = [ComponentInline, StepInline, HandOverInline, EventInline, ResultInline]
    list_select_related = ["procedure", "current_agency"]

    def get_queryset(self, request):
        return Dossier.objects.for_user(request.user).select_related("procedure", "current_agency")
