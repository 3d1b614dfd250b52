"""The beat's state in the admin, read-only: the lease, each sweep's last run, the reminders fired."""

from django.contrib import admin

from congso.operations.models import BeatLock, ReminderLog, SweepRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BeatLock)
class BeatLockAdmin(ReadOnlyAdmin):
    list_display = ["name", "holder", "acquired_at", "heartbeat_at", "expires_at"]


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "every_seconds", "next_due_at", "last_started", "last_finished", "last_count",
                    "runs", "failures", "last_error"]


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "dossier", "step", "deadline", "recipients"]
    list_filter = ["kind"]
    list_select_related = ["dossier", "step"]
    raw_id_fields = ["dossier", "step"]
    date_hierarchy = "at"
