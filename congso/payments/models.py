"""Online payment of a dossier's fees (thanh toán trực tuyến): orders sent to the gateway and the notices it sends
back. The dossier's own record of a payment is `congso.dossiers.models.Payment`, written through the engine's
`record_payment` action when an order is confirmed paid."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from congso.payments.querysets import PaymentOrderQuerySet


class OrderStatus(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("Waiting for the payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Not paid")
    EXPIRED = "expired", _("Expired")


class PaymentOrder(models.Model):
    """One attempt to pay a dossier's fees online (lệnh thanh toán), identified at the gateway by `txn_ref`."""

    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE,
                                related_name="payment_orders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("paid by"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="payment_orders")
    gateway = models.CharField(_("gateway"), max_length=16, default="vnpay")
    txn_ref = models.CharField(_("transaction reference"), max_length=32, unique=True)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    order_info = models.CharField(_("description"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.CREATED,
                              db_index=True)
    payment_url = models.TextField(_("payment address"), blank=True)
    # vnp_CreateDate as sent (querydr needs it back as vnp_TransactionDate).
    gateway_create_date = models.CharField(max_length=14, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField(_("expires at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # What the gateway said.
    transaction_no = models.CharField(_("gateway transaction number"), max_length=32, blank=True)
    bank_code = models.CharField(_("bank"), max_length=32, blank=True)
    response_code = models.CharField(_("response code"), max_length=8, blank=True)
    transaction_status = models.CharField(_("transaction status"), max_length=8, blank=True)

    payment = models.OneToOneField("dossiers.Payment", verbose_name=_("recorded payment"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="online_order")
    # Paid at the gateway but the engine refused to record it (dossier withdrawn meanwhile, more than due, …): the
    # money must be refunded or the payment recorded by hand.
    settlement_error = models.TextField(_("could not be recorded"), blank=True)

    objects = PaymentOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["dossier", "status"], name="payment_order_dossier_status")]

    def __str__(self) -> str:
        return self.txn_ref

    @property
    def needs_review(self) -> bool:
        return bool(self.settlement_error)


class GatewayNotice(models.Model):
    """Every message the gateway sent about an order, as received (the IPN log), with congso's answer."""

    class Source(models.TextChoices):
        IPN = "ipn", _("IPN")
        RETURN = "return", _("Return to the site")
        QUERY = "querydr", _("Transaction query")

    order = models.ForeignKey(PaymentOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    params = models.JSONField(_("parameters"), default=dict)
    answer = models.CharField(_("answer"), max_length=8, blank=True)
    remote_addr = models.CharField(_("from address"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("gateway notice")
        verbose_name_plural = _("gateway notices")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} {self.params.get('vnp_TxnRef', '')} → {self.answer}"
