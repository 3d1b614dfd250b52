"""The applicant data store in the Django admin: read-mostly (changes go through the services); a superuser may
correct a document's descriptive fields and its expiry date."""

from django.contrib import admin

from congso.datastore.models import ApplicantDocument, DocumentUse


class DocumentUseInline(admin.TabularInline):
    model = DocumentUse
    extra = 0
    can_delete = False
    fields = ["dossier", "component", "used_at", "used_by", "used_by_role", "request_id"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApplicantDocument)
class ApplicantDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "document_type", "result_code", "number", "owner", "owner_id_number",
                    "issued_on", "valid_until", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "number", "result_code", "owner_id_number", "sha256"]
    date_hierarchy = "created_at"
    list_select_related = ["owner"]
    inlines = [DocumentUseInline]
    # Only these may be corrected; the file, its owner and its origin never change.
    editable = {"document_type", "title", "number", "issuer", "issued_on", "valid_until"}

    def get_queryset(self, request):
        return ApplicantDocument.objects.for_user(request.user).select_related("owner")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ApplicantDocument._meta.fields if f.name not in self.editable]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False
