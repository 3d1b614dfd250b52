"""Admin for the wording of messages (editable, versioned) and the outbox (read-only, with "retry now")."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from congso.notifications import services
from congso.notifications.models import MessageTemplate, Notification


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["key", "channel", "language", "subject", "valid_from", "active", "updated_at"]
    list_filter = ["key", "channel", "language", "active"]
    search_fields = ["key", "subject", "body", "note"]
    date_hierarchy = "valid_from"
    # "Save as new": the way to publish a new version of a wording with a later "valid from".
    save_as = True
    fields = ["key", "channel", "language", "valid_from", "active", "subject", "body", "note"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["id", "template", "channel", "address", "state", "attempts", "next_attempt_at", "sent_at",
                    "dossier", "created_at"]
    list_filter = ["state", "channel", "template", "language", "created_at", "sent_at"]
    search_fields = ["address", "dedupe_key", "message_id", "dossier__code", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["dossier"]
    actions = ["retry_now"]
    readonly_fields = [
        "channel", "template", "language", "address", "user", "dossier", "dedupe_key", "context", "state",
        "attempts", "next_attempt_at", "lease_until", "last_error", "created_at", "sent_at", "message_template",
        "message_id", "subject", "body_text", "body_html",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # Every field is read-only: saving the form must not write a stale state over a delivery run's.
        pass

    @admin.action(description=_("Retry now"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = services.retry_now(list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        self.message_user(request, ngettext(
            "%(count)d notification will be sent again.",
            "%(count)d notifications will be sent again.", count) % {"count": count}, messages.SUCCESS)
        if skipped > 0:
            self.message_user(request, ngettext(
                "%(count)d notification was skipped (already sent or being sent).",
                "%(count)d notifications were skipped (already sent or being sent).", skipped) % {"count": skipped},
                messages.WARNING)
