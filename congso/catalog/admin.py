"""Admin of the catalogue. Versions in force (or past) are read-only: a change is a new version, published by an
import or `services.publish_new_version`. What a province may set in place: fee overrides, implementing agencies
and their online mode, internal processes, and the review flag."""

from __future__ import annotations

import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congso.catalog import exporting, importing
from congso.catalog.choices import Level
from congso.catalog.models import (
    Component,
    Fee,
    Field,
    Implementation,
    LegalBasis,
    Procedure,
    ProcedureDuration,
    ProcedureVersion,
    Process,
    ProcessStep,
    Result,
)
from congso.core.text import fold


def version_locked(version) -> bool:
    """A version that is in force or was in force may no longer be edited in place."""
    if version is None or version.pk is None:
        return False
    return version.valid_from is None or version.valid_from <= timezone.localdate()


class FoldedSearchMixin:
    """Search the folded `search_text` columns with a folded term: 'dang ky' finds 'Đăng ký'."""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, fold(search_term))


class LevelFilter(admin.SimpleListFilter):
    title = _("level")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return Level.choices

    def queryset(self, request, queryset):
        if self.value() in Level.values:
            return queryset.filter(levels__icontains=f'"{self.value()}"')
        return queryset


# --- version children -----------------------------------------------------------------------------------------------
class LockedInlineMixin:
    """Inline rows of a locked version are read-only."""

    def has_add_permission(self, request, obj=None):
        return not version_locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not version_locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not version_locked(obj) and super().has_delete_permission(request, obj)


class DurationInline(LockedInlineMixin, admin.TabularInline):
    model = ProcedureDuration
    extra = 0


class ComponentInline(LockedInlineMixin, admin.StackedInline):
    model = Component
    extra = 0
    fields = [("order", "required", "must_be_digitized"), "case", "name",
              ("originals", "certified_copies", "photocopies"), ("template", "template_name")]


class FeeInline(admin.TabularInline):
    """Fees stay editable on a locked version, but only the province's own amount."""

    model = Fee
    extra = 0
    fields = ["order", "name", "kind", "amount", "online_amount", "set_by_province", "amount_override", "description"]

    def get_readonly_fields(self, request, obj=None):
        if version_locked(obj):
            return [name for name in self.fields if name != "amount_override"]
        return []

    def has_add_permission(self, request, obj=None):
        return not version_locked(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not version_locked(obj) and super().has_delete_permission(request, obj)


class ResultInline(LockedInlineMixin, admin.TabularInline):
    model = Result
    extra = 0


class LegalBasisInline(LockedInlineMixin, admin.TabularInline):
    model = LegalBasis
    extra = 0


class ImplementationInline(admin.TabularInline):
    """Implementing agencies and their online mode are the province's settings: editable on any version."""

    model = Implementation
    extra = 0
    raw_id_fields = ["agency"]
    fields = ["agency", "level", "online_mode", "active", "note"]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["procedure", "number", "name", "field", "valid_from", "valid_to", "needs_review"]
    list_filter = ["needs_review", LevelFilter, "online_mode", "procedure__status", "field"]
    search_fields = ["procedure__code", "search_text"]
    list_select_related = ["procedure", "field"]
    inlines = [DurationInline, ComponentInline, FeeInline, ResultInline, LegalBasisInline, ImplementationInline]
    raw_id_fields = ["procedure", "created_by"]
    readonly_fields = ["created_at", "created_by", "review_reason_list"]

    @admin.display(description=_("review reasons"))
    def review_reason_list(self, obj):
        return "; ".join(obj.review_reason_labels()) if obj else ""

    def get_readonly_fields(self, request, obj=None):
        if version_locked(obj):
            editable = {"needs_review", "review_reasons"}
            names = [f.name for f in self.model._meta.fields if f.editable and f.name not in editable]
            return [*names, *self.readonly_fields]
        return self.readonly_fields

    def has_add_permission(self, request):
        return False  # versions are published by an import or services.publish_new_version

    def has_delete_permission(self, request, obj=None):
        return not version_locked(obj) and super().has_delete_permission(request, obj)


# --- procedures, import and export ------------------------------------------------------------------------------------
class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["number", "name", "valid_from", "valid_to", "needs_review"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CatalogueImportForm(forms.Form):
    file = forms.FileField(label=_("Catalogue file (JSON or XLSX)"))
    dry_run = forms.BooleanField(label=_("Only check, write nothing"), required=False, initial=True)


@admin.register(Procedure)
class ProcedureAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["code", "current_name", "status"]
    list_filter = ["status"]
    search_fields = ["code", "versions__search_text"]
    inlines = [VersionInline]
    change_list_template = "admin/catalog/procedure/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    @admin.display(description=_("name"))
    def current_name(self, obj):
        version = obj.current_version or obj.latest_version()
        return version.name if version else ""

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="{}_{}_import".format(*info)),
            path("export/", self.admin_site.admin_view(self.export_view), name="{}_{}_export".format(*info)),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not request.user.has_perm("catalog.add_procedureversion"):
            raise PermissionDenied
        report = None
        form = CatalogueImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > importing.MAX_FILE_BYTES:
                form.add_error("file", _("The file is larger than 20 MB."))
            else:
                fmt = "xlsx" if upload.name.lower().endswith(".xlsx") else "json"
                report = importing.import_catalogue(io.BytesIO(upload.read()), fmt=fmt, user=request.user,
                                                    dry_run=form.cleaned_data["dry_run"], name=upload.name)
                level = messages.ERROR if report.has_errors else messages.SUCCESS
                messages.add_message(request, level, report.summary())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "title": _("Import the procedure catalogue"),
        }
        return render(request, "admin/catalog/procedure/import.html", context)

    def export_view(self, request):
        if not request.user.has_perm("catalog.view_procedure"):
            raise PermissionDenied
        fmt = "xlsx" if request.GET.get("format") == "xlsx" else "json"
        buffer = io.BytesIO()
        exporting.export_catalogue(buffer, fmt)
        content_type = (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx" else "application/json"
        )
        response = HttpResponse(buffer.getvalue(), content_type=content_type)
        name = f"danh-muc-tthc-{timezone.localdate():%Y%m%d}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@admin.register(Field)
class FieldAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["code", "search_text"]


# --- stand-alone lists of version children ------------------------------------------------------------------------------
class VersionChildAdmin(admin.ModelAdmin):
    """Lists across the catalogue; rows of locked versions are read-only, new rows come through the version."""

    raw_id_fields = ["version"]
    list_select_related = ["version__procedure"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and version_locked(obj.version)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and version_locked(obj.version)) and super().has_delete_permission(request, obj)


@admin.register(Component)
class ComponentAdmin(VersionChildAdmin):
    list_display = ["version", "order", "name", "originals", "certified_copies", "photocopies", "required"]
    list_filter = ["required", "must_be_digitized"]
    search_fields = ["name", "version__procedure__code"]


@admin.register(Fee)
class FeeAdmin(VersionChildAdmin):
    """The place to set the province's own amounts (e.g. fees decided by the provincial People's Council)."""

    list_display = ["version", "name", "kind", "amount", "online_amount", "set_by_province", "amount_override"]
    list_editable = ["amount_override"]
    list_filter = ["set_by_province", "kind"]
    search_fields = ["name", "version__procedure__code"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Fee._meta.fields if f.editable and f.name != "amount_override"]

    def has_change_permission(self, request, obj=None):
        return admin.ModelAdmin.has_change_permission(self, request, obj)


@admin.register(Result)
class ResultAdmin(VersionChildAdmin):
    list_display = ["version", "order", "name", "code", "is_document"]
    list_filter = ["is_document"]
    search_fields = ["name", "code", "version__procedure__code"]


@admin.register(LegalBasis)
class LegalBasisAdmin(VersionChildAdmin):
    list_display = ["version", "order", "number", "title", "issued_date", "effective_date"]
    search_fields = ["title", "number", "version__procedure__code"]


@admin.register(Implementation)
class ImplementationAdmin(admin.ModelAdmin):
    list_display = ["version", "agency", "level", "online_mode", "active"]
    list_editable = ["online_mode", "active"]
    list_filter = ["online_mode", "level", "active"]
    list_select_related = ["version__procedure", "agency"]
    search_fields = ["version__procedure__code", "agency__code", "agency__name"]
    raw_id_fields = ["version", "agency"]


# --- internal processes ---------------------------------------------------------------------------------------------------
class ProcessStepFormSet(BaseInlineFormSet):
    """The steps' shares must add up to the version's time limit (processes.check_shares)."""

    def clean(self):
        super().clean()
        if any(self.errors) or not self.instance.version_id:
            return
        shares = [
            form.cleaned_data["share"] for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("share") is not None
        ]
        try:
            self.instance.check_shares(shares)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class ProcessStepInline(admin.TabularInline):
    model = ProcessStep
    formset = ProcessStepFormSet
    extra = 0
    raw_id_fields = ["department", "agency"]
    fields = ["order", "name", "role", "department", "agency", "share"]


@admin.register(Process)
class ProcessAdmin(admin.ModelAdmin):
    list_display = ["version", "agency", "name", "hours_per_day", "is_default"]
    list_filter = ["is_default", "agency__level"]
    list_select_related = ["version__procedure", "agency"]
    search_fields = ["version__procedure__code", "agency__code", "agency__name"]
    raw_id_fields = ["version", "agency"]
    readonly_fields = ["share_total_display"]
    inlines = [ProcessStepInline]

    @admin.display(description=_("shares must add up to"))
    def share_total_display(self, obj):
        if obj is None or not obj.version_id:
            return "–"
        return format(obj.share_total.normalize(), "f")
