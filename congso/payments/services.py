"""Paying a dossier's fees online: starting an order, settling it from the gateway's notice (IPN), the return page's
refresh and the reconciliation sweep. Every state change is one `transaction.atomic` block under a row lock; the
dossier's payment is recorded through the engine (`perform(…, "record_payment", …)`), exactly once per order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congso.core.problems import Problem
from congso.dossiers.choices import Action, PaymentMethod
from congso.dossiers.models import Dossier, Payment
from congso.dossiers.services.actions import perform
from congso.dossiers.transitions import TRANSITIONS
from congso.payments import vnpay
from congso.payments.gateway import GatewayError, GatewayResult, get_gateway
from congso.payments.models import GatewayNotice, OrderStatus, PaymentOrder

logger = logging.getLogger(__name__)

# The method the index counts: 2 = paid through the province's own gateway (DuocThanhToanTrucTuyen).
ONLINE_METHOD = PaymentMethod.LOCAL_GATEWAY
OPEN_STATUSES = (OrderStatus.CREATED, OrderStatus.PENDING)
FINAL_STATUSES = (OrderStatus.PAID, OrderStatus.FAILED)
ACTOR_NAME = "Cổng thanh toán trực tuyến"


class OrderNotFound(Problem):
    def __init__(self):
        super().__init__("not_found", 404, _("No such dossier or payment."))


class NotPayable(Problem):
    def __init__(self, detail):
        super().__init__("not_payable", 409, detail)


class GatewayUnavailable(Problem):
    def __init__(self):
        super().__init__("gateway_unavailable", 503, _("Online payment is not available at the moment."))


# --- rules (pure) --------------------------------------------------------------------------------------------------


def amount_due(dossier: Dossier) -> int:
    """What is still unpaid. The reduced online fee (Fee.online_amount) is already in `fee_due`: the engine fixes
    each fee's amount at creation, from the channel the dossier came in by."""
    return max(0, int(dossier.fee_due or 0) - int(dossier.fee_paid or 0))


def payable_statuses() -> frozenset:
    """Statuses in which the engine records a payment (the transition table's rule for record_payment)."""
    return TRANSITIONS[Action.RECORD_PAYMENT].from_statuses


def why_not_payable(dossier: Dossier, user) -> str:
    """'' when `user` may pay this dossier online now, else the reason (for the page and the API)."""
    if user is None or not user.is_authenticated or dossier.applicant_id != user.pk:
        return _("Only the applicant can pay this dossier online.")
    if dossier.status not in payable_statuses():
        return _("Fees cannot be paid in the dossier's current status.")
    if amount_due(dossier) <= 0:
        return _("Nothing is due on this dossier.")
    return ""


def can_pay(dossier: Dossier, user) -> bool:
    return not why_not_payable(dossier, user)


def new_txn_ref(now: dt.datetime) -> str:
    """yymmdd + 10 random hex digits: unique (checked by the database), unguessable, accepted by VNPay."""
    return f"{vnpay.format_time(now)[2:8]}{secrets.token_hex(5).upper()}"


# --- the system actor ----------------------------------------------------------------------------------------------


def gateway_actor():
    """The account that records gateway payments in the dossier's processing log: a system account (inactive, no
    usable password — no login, session or token can act as it), which the engine lets record online payments only."""
    from congso.accounts.models import AccountType

    User = get_user_model()
    user = User.objects.filter(username=settings.CONGSO_PAYMENTS_ACTOR_USERNAME).first()
    wanted = {"account_type": AccountType.SYSTEM, "full_name": ACTOR_NAME, "is_active": False, "is_superuser": False,
              "is_staff": False, "password": "!"}  # "!" = an unusable password
    if user is None:
        user, _created = User.objects.get_or_create(username=settings.CONGSO_PAYMENTS_ACTOR_USERNAME,
                                                    defaults=wanted)
    elif user.account_type != AccountType.SYSTEM or user.is_superuser:  # made by an earlier release
        for field, value in wanted.items():
            setattr(user, field, value)
        user.save()
    return user


# --- starting a payment --------------------------------------------------------------------------------------------


def start_payment(dossier: Dossier | str, user, *, ip: str = "", now: dt.datetime | None = None) -> PaymentOrder:
    """Open (or resume) the order that pays what is due on `dossier`; returns it with its payment URL.

    Only the dossier's applicant, only while fees are due and the engine can record a payment. A live order for the
    same amount is resumed instead of opening a second one (two orders paid twice would be one payment too many);
    a live order for another amount (a new obligation came in) is closed first."""
    gateway = get_gateway()
    if not gateway.configured:
        raise GatewayUnavailable()
    now = now or timezone.now()
    with transaction.atomic():
        query = Dossier.objects.select_for_update(of=("self",))
        found = query.filter(pk=dossier.pk) if isinstance(dossier, Dossier) else query.filter(code=str(dossier)[:64])
        locked = found.first()
        if locked is None or user is None or not user.is_authenticated or locked.applicant_id != user.pk:
            raise OrderNotFound()
        problem = why_not_payable(locked, user)
        if problem:
            raise NotPayable(problem)
        amount = amount_due(locked)
        live = list(PaymentOrder.objects.select_for_update().filter(dossier=locked, status__in=OPEN_STATUSES))
        for order in live:
            if order.expires_at > now and order.amount == amount and order.payment_url:
                return order
            order.status = OrderStatus.EXPIRED
            order.save(update_fields=["status", "updated_at"])
        expires = now + dt.timedelta(minutes=settings.CONGSO_VNPAY_EXPIRE_MINUTES)
        order = PaymentOrder(
            dossier=locked, user=user, gateway=gateway.name, txn_ref=new_txn_ref(now), amount=amount,
            order_info=f"Thanh toan phi, le phi ho so {locked.code}", expires_at=expires,
            gateway_create_date=vnpay.format_time(now),
        )
        params = gateway.request_params(
            txn_ref=order.txn_ref, amount=amount, order_info=order.order_info, created=now, expires=expires,
            ip=ip, return_url=settings.CONGSO_VNPAY_RETURN_URL,
        )
        order.payment_url = gateway.payment_url(params)
        order.status = OrderStatus.PENDING
        order.save()
    return order


# --- settling --------------------------------------------------------------------------------------------------------


def _clean_params(params) -> dict:
    """What is kept of a gateway message in the log: vnp_* fields only, bounded (a forged flood cannot bloat it)."""
    kept = {}
    for key in list(params)[:60]:
        if isinstance(key, str) and key.startswith("vnp_") and len(key) <= 40:
            kept[key] = str(params.get(key, ""))[:512]
    return kept


def _log(order, source: str, params: dict, answer: str, remote_addr: str = "") -> None:
    GatewayNotice.objects.create(order=order, source=source, params=_clean_params(params), answer=answer,
                                 remote_addr=(remote_addr or "")[:64])


def _settle(order: PaymentOrder, result: GatewayResult, now: dt.datetime) -> None:
    """Apply the gateway's verdict to a locked, not yet final order; record the dossier payment when paid."""
    order.transaction_no = result.transaction_no or order.transaction_no
    order.bank_code = result.bank_code or order.bank_code
    order.response_code = result.response_code or order.response_code
    order.transaction_status = result.transaction_status or order.transaction_status
    if result.paid:
        order.status = OrderStatus.PAID
        order.paid_at = min(result.pay_date or now, now)
        _record(order)
    elif result.failed:
        order.status = OrderStatus.FAILED
    order.save()


def _record(order: PaymentOrder) -> None:
    """Record the dossier payment through the engine, once: the reference is the order's txn_ref, unique per method
    in the engine's Payment table too."""
    existing = Payment.objects.filter(method=ONLINE_METHOD, reference=order.txn_ref).first()
    if existing is not None:
        order.payment = existing
        return
    try:
        with transaction.atomic():  # a savepoint: a refusal leaves the order's transaction usable
            perform(Dossier(pk=order.dossier_id), Action.RECORD_PAYMENT, gateway_actor(),
                    at=order.paid_at, amount=order.amount, method=ONLINE_METHOD, reference=order.txn_ref,
                    reason=f"{order.gateway} {order.transaction_no}".strip())
    except Problem as exc:
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in (exc.errors or {}).items())
        order.settlement_error = f"{exc.detail} {errors}".strip()[:2000]
        logger.error("payment order %s was paid but could not be recorded: %s", order.txn_ref, order.settlement_error)
        return
    order.payment = Payment.objects.get(method=ONLINE_METHOD, reference=order.txn_ref)
    order.settlement_error = ""


def handle_ipn(params, *, remote_addr: str = "", now: dt.datetime | None = None) -> tuple[str, str]:
    """The gateway's server-to-server notice. Returns (RspCode, Message) for the JSON answer.

    Checked in VNPay's order: signature (97), known order (01), amount (04), not already settled (02); then the
    order is settled and the dossier payment recorded (00). Idempotent: the same notice again answers 02 and
    changes nothing; concurrent duplicates are serialised by the order's row lock."""
    params = {str(k): (v if isinstance(v, str) else str(v)) for k, v in dict(params).items()}
    now = now or timezone.now()
    gateway = get_gateway()
    try:
        if not gateway.verify(params):
            _log(None, GatewayNotice.Source.IPN, params, vnpay.IPN_INVALID_SIGNATURE[0], remote_addr)
            return vnpay.IPN_INVALID_SIGNATURE
        result = gateway.parse(params)
        with transaction.atomic():
            order = PaymentOrder.objects.select_for_update().filter(txn_ref=result.txn_ref).first() \
                if result.txn_ref else None
            if order is None or str(params.get("vnp_TmnCode", "")) != gateway.tmn_code:
                answer = vnpay.IPN_ORDER_NOT_FOUND
            elif result.amount != order.amount:
                answer = vnpay.IPN_INVALID_AMOUNT
            elif order.status in FINAL_STATUSES:
                answer = vnpay.IPN_ALREADY_CONFIRMED
            else:
                _settle(order, result, now)
                answer = vnpay.IPN_CONFIRMED
            _log(order, GatewayNotice.Source.IPN, params, answer[0], remote_addr)
        return answer
    except Exception:  # noqa: BLE001 - the gateway gets 99 and will send the notice again
        logger.exception("IPN could not be handled")
        return vnpay.IPN_UNKNOWN_ERROR


def handle_return(params, *, remote_addr: str = "") -> PaymentOrder | None:
    """The browser came back from the gateway. The parameters are only a hint: a correctly signed return for an
    order still open makes congso ask the gateway itself (querydr); the page shows what the database then says."""
    params = {str(k): str(v) for k, v in dict(params).items()}
    gateway = get_gateway()
    ref = str(params.get("vnp_TxnRef", ""))[:32]
    order = PaymentOrder.objects.filter(txn_ref=ref).first() if ref else None
    valid = gateway.verify(params)
    if order is None:
        return None
    _log(order, GatewayNotice.Source.RETURN, params, "ok" if valid else "97", remote_addr)
    if valid and order.status in OPEN_STATUSES + (OrderStatus.EXPIRED,):
        try:
            refresh_order(order)
        except GatewayError as exc:
            logger.warning("return of %s: the gateway could not be asked: %s", order.txn_ref, exc)
        order.refresh_from_db()
    return order


def refresh_order(order: PaymentOrder, *, now: dt.datetime | None = None) -> str:
    """Ask the gateway about one order (querydr) and settle it idempotently. Returns what happened:
    'paid', 'failed', 'expired', 'open', 'final' (already settled), 'mismatch' (the gateway's amount differs).
    Raises GatewayError when the gateway cannot be asked."""
    now = now or timezone.now()
    if order.status in FINAL_STATUSES:
        return "final"
    result, answer = get_gateway().query(txn_ref=order.txn_ref, order_info=order.order_info,
                                         transaction_date=order.gateway_create_date, now=now)
    with transaction.atomic():
        locked = PaymentOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status in FINAL_STATUSES:
            outcome = "final"
        elif result.found and result.amount is not None and result.amount != locked.amount:
            outcome = "mismatch"
        elif result.paid or result.failed:
            _settle(locked, result, now)
            outcome = locked.status
        elif locked.status != OrderStatus.EXPIRED and locked.expires_at <= now:
            locked.status = OrderStatus.EXPIRED
            locked.save(update_fields=["status", "updated_at"])
            outcome = "expired"
        else:
            outcome = "open"
        _log(locked, GatewayNotice.Source.QUERY, answer, str(answer.get("vnp_ResponseCode", "")))
    return outcome


@dataclasses.dataclass
class ReconcileReport:
    checked: int = 0
    paid: int = 0
    failed: int = 0
    expired: int = 0
    still_open: int = 0
    mismatched: int = 0
    errors: int = 0
    problems: list = dataclasses.field(default_factory=list)  # "<txn_ref>: <why>" for each order not checked

    def as_sweep_result(self) -> dict:
        """The shape `congso beat` records (count, errors as a list of texts)."""
        return {"count": self.checked, "paid": self.paid, "failed": self.failed, "expired": self.expired,
                "open": self.still_open, "mismatched": self.mismatched, "errors": self.problems[:20]}


def reconcile(*, since: dt.datetime | None = None, now: dt.datetime | None = None) -> ReconcileReport:
    """Ask the gateway about every open order (and expired ones, which a late payment may still have paid) created
    since `since` (default: the last 7 days), settling each idempotently. Safe to run while IPNs arrive."""
    now = now or timezone.now()
    since = since or now - dt.timedelta(days=7)
    report = ReconcileReport()
    candidates = PaymentOrder.objects.filter(
        status__in=OPEN_STATUSES + (OrderStatus.EXPIRED,), created_at__gte=since,
    ).order_by("created_at", "id")
    for order in candidates.iterator():
        report.checked += 1
        try:
            outcome = refresh_order(order, now=now)
        except GatewayError as exc:
            logger.warning("reconcile %s: %s", order.txn_ref, exc)
            report.errors += 1
            report.problems.append(f"{order.txn_ref}: {exc}"[:500])
            continue
        if outcome == "paid":
            report.paid += 1
        elif outcome == "failed":
            report.failed += 1
        elif outcome == "expired":
            report.expired += 1
        elif outcome == "mismatch":
            report.mismatched += 1
        elif outcome == "open":
            report.still_open += 1
    return report
