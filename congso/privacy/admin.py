"""The access log in the Django admin: read-only; rows leave only by the retention purge."""

from django.contrib import admin

from congso.core.admin import ReadOnlyAdminMixin
from congso.privacy.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "actor_name", "actor_role", "action", "target", "dossier_code", "document", "unmasked",
                    "basis", "channel", "request_id", "ip"]
    list_filter = ["action", "target", "channel", "unmasked", "basis"]
    search_fields = ["dossier_code", "actor_name", "request_id", "export_name"]
    date_hierarchy = "at"
    list_select_related = ["document"]
    readonly_fields = [f.name for f in AccessLog._meta.fields]
