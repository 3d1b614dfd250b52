from __future__ import annotations

from rest_framework import serializers

from congso.payments.models import PaymentOrder


class PaymentOrderSerializer(serializers.ModelSerializer):
    dossier = serializers.CharField(source="dossier.code", read_only=True)
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = PaymentOrder
        fields = ["txn_ref", "dossier", "amount", "status", "gateway", "payment_url", "created_at", "expires_at",
                  "paid_at", "transaction_no", "bank_code", "receipt_url"]
        read_only_fields = fields

    def get_receipt_url(self, order) -> str | None:
        from django.urls import reverse

        return reverse("payments:receipt", args=[order.txn_ref]) if order.status == "paid" else None


class StartPaymentSerializer(serializers.Serializer):
    dossier = serializers.CharField(max_length=64, help_text="The dossier code.")
