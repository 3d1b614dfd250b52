"""Admin for the form templates: versions are edited here; a version already in force is frozen (copy it to a new
draft with a later date instead), and a template that does not compile cannot be saved (FormTemplate.clean)."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from congso.printing.choices import TemplateStatus
from congso.printing.models import FormTemplate
from congso.printing.preview import preview_pdf

FROZEN_FIELDS = ["kind", "effective_from", "title", "body", "css", "paper_size", "orientation"]


@admin.register(FormTemplate)
class FormTemplateAdmin(admin.ModelAdmin):
    list_display = ["number_and_title", "kind", "effective_from", "status", "paper_size", "orientation",
                    "updated_at", "preview_link"]
    list_filter = ["kind", "status", "paper_size"]
    search_fields = ["title", "body", "legal_source", "note"]
    date_hierarchy = "effective_from"
    actions = ["copy_as_draft"]
    fields = ["kind", "effective_from", "status", "title", "paper_size", "orientation", "body", "css",
              "legal_source", "note", "updated_by", "updated_at"]

    @admin.display(description=_("form"), ordering="kind")
    def number_and_title(self, obj):
        return f"{obj.number} {obj.title}"

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        if obj.pk is None:
            return ""
        return format_html('<a href="{}" target="_blank">PDF</a>',
                           reverse("admin:printing_formtemplate_preview", args=[obj.pk]))

    def in_force(self, obj) -> bool:
        return bool(obj and obj.pk and obj.status == TemplateStatus.PUBLISHED and obj.effective_from <= timezone.now())

    def get_readonly_fields(self, request, obj=None):
        readonly = ["updated_by", "updated_at"]
        if self.in_force(obj):
            # Documents already printed used this wording: it stays as it was.
            readonly += FROZEN_FIELDS
        return readonly

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path("<int:pk>/preview.pdf", self.admin_site.admin_view(self.preview), name="printing_formtemplate_preview"),
            *super().get_urls(),
        ]

    def preview(self, request, pk: int):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        template = get_object_or_404(FormTemplate, pk=pk)
        response = HttpResponse(preview_pdf(template), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="preview-{template.kind}-{template.pk}.pdf"'
        return response

    @admin.action(description=_("Copy as a new draft version (in force from tomorrow)"), permissions=["add"])
    def copy_as_draft(self, request, queryset):
        tomorrow = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
        count = 0
        for template in queryset:
            template.pk = None
            template.status = TemplateStatus.DRAFT
            template.effective_from = tomorrow
            template.note = str(_("copy of a previous version"))
            template.updated_by = request.user
            template.save()
            count += 1
        self.message_user(request, ngettext(
            "%(count)d draft created: edit it, set its date and publish it.",
            "%(count)d drafts created: edit them, set their dates and publish them.", count) % {"count": count},
            messages.SUCCESS)
