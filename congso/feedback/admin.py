from django.contrib import admin

from congso.feedback.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "agency", "status", "received_at", "answer_due_at"]
    list_filter = ["status", "subject"]
    search_fields = ["code", "title", "search_text"]
    raw_id_fields = ["procedure", "dossier", "agency", "sender", "handled_by", "parent"]
    readonly_fields = ["code", "received_at", "reject_due_at", "info_due_at", "answer_due_at", "publish_due_at"]
