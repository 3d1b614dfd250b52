from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from congso.org import importing
from congso.org.models import (
    AdminUnit,
    AdminUnitVersion,
    Agency,
    Department,
    Membership,
    SuccessionEvent,
    SuccessionLink,
)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    dry_run = forms.BooleanField(label=_("Only check, write nothing"), required=False)


class ImportAdminMixin:
    """Adds an "Import" page that shows the row-by-row validation report."""

    import_function = None
    import_columns: list[str] = []
    max_upload = 20 * 1024 * 1024

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        extra = [path("import/", self.admin_site.admin_view(self.import_view), name="{}_{}_import".format(*info))]
        return extra + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > self.max_upload:
                form.add_error("file", _("The file is larger than 20 MB."))
            else:
                report = type(self).import_function(upload.read(), upload.name, dry_run=form.cleaned_data["dry_run"])
                if report.written:
                    messages.success(request, _("Import finished: %(c)d created, %(u)d updated.") % {"c": report.created, "u": report.updated})
                elif report.ok:
                    messages.info(request, _("The file is valid; nothing was written (check only)."))
                else:
                    messages.error(request, _("The file has errors; nothing was written."))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "columns": self.import_columns,
            "title": _("Import %(name)s") % {"name": self.model._meta.verbose_name_plural},
        }
        return render(request, "admin/org/import.html", context)


class AdminUnitVersionInline(admin.TabularInline):
    model = AdminUnitVersion
    fk_name = "unit"
    extra = 0
    raw_id_fields = ["parent", "event"]
    readonly_fields = ["event"]


@admin.register(AdminUnit)
class AdminUnitAdmin(ImportAdminMixin, admin.ModelAdmin):
    import_function = staticmethod(importing.import_units)
    import_columns = importing.UNIT_COLUMNS
    list_display = ["code", "name", "level", "unit_type", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "unit_type"]
    search_fields = ["code", "name", "search_text"]
    raw_id_fields = ["parent"]
    inlines = [AdminUnitVersionInline]
    change_list_template = "admin/org/change_list_with_import.html"

    def get_readonly_fields(self, request, obj=None):
        # A unit's code is its identity for all time.
        return ["code"] if obj else []


class SuccessionLinkInline(admin.TabularInline):
    model = SuccessionLink
    extra = 0
    raw_id_fields = ["predecessor", "successor"]


@admin.register(SuccessionEvent)
class SuccessionEventAdmin(admin.ModelAdmin):
    list_display = ["effective_date", "kind", "legal_basis"]
    list_filter = ["kind", "effective_date"]
    search_fields = ["legal_basis", "note"]
    inlines = [SuccessionLinkInline]


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0


@admin.register(Agency)
class AgencyAdmin(ImportAdminMixin, admin.ModelAdmin):
    import_function = staticmethod(importing.import_agencies)
    import_columns = importing.AGENCY_COLUMNS
    list_display = ["code", "name", "kind", "level", "parent", "admin_unit", "valid_to"]
    list_filter = ["kind", "level"]
    search_fields = ["code", "name", "short_name", "search_text"]
    raw_id_fields = ["parent", "admin_unit"]
    filter_horizontal = ["served_units"]
    inlines = [DepartmentInline]
    change_list_template = "admin/org/change_list_with_import.html"

    def get_queryset(self, request):
        return Agency.objects.for_user(request.user, "view").select_related("parent", "admin_unit")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "agency", "is_one_stop_desk", "is_active"]
    list_filter = ["is_one_stop_desk", "is_active"]
    search_fields = ["code", "name", "agency__name"]
    raw_id_fields = ["agency"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "department", "role", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "agency__name", "agency__code"]
    raw_id_fields = ["user", "agency", "department"]

    def get_queryset(self, request):
        visible = Agency.objects.for_user(request.user, "view")
        return super().get_queryset(request).filter(agency__in=visible).select_related("user", "agency", "department")
