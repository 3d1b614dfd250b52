"""Read-only admin lists: certificates (never their PKCS#12) and issued documents. Changes go through the services
and the `congso signing` command."""

from django.contrib import admin

from congso.signing.models import IssuedDocument, SigningCertificate


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SigningCertificate)
class SigningCertificateAdmin(ReadOnly):
    list_display = ["common_name", "kind", "agency", "serial", "not_before", "not_after", "active"]
    list_filter = ["kind", "active", "is_demo"]
    search_fields = ["common_name", "serial", "agency__code"]
    exclude = ["pkcs12"]


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnly):
    list_display = ["name", "dossier", "agency", "issued_at", "token"]
    search_fields = ["dossier__code", "token", "sha256"]
    raw_id_fields = ["dossier", "result", "file", "certificate", "issued_by"]
    list_select_related = ["dossier", "agency"]
