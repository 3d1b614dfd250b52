"""Payment orders in the admin are read-only: they change only through the gateway's notices and reconciliation."""

from django.contrib import admin

from congso.core.admin import ReadOnlyAdminMixin
from congso.payments.models import GatewayNotice, PaymentOrder


class NoticeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = GatewayNotice
    extra = 0
    can_delete = False
    fields = ["received_at", "source", "answer", "remote_addr", "params"]


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["txn_ref", "dossier", "amount", "status", "created_at", "paid_at", "transaction_no",
                    "settlement_error"]
    list_filter = ["status", "gateway"]
    search_fields = ["txn_ref", "dossier__code", "transaction_no"]
    date_hierarchy = "created_at"
    inlines = [NoticeInline]


@admin.register(GatewayNotice)
class GatewayNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["received_at", "source", "order", "answer", "remote_addr"]
    list_filter = ["source", "answer"]
