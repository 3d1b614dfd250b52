"""The gateway's notice (IPN): signature, order, amount, replay; the dossier payment recorded once, by the engine."""

import threading

import pytest
from django.db import connection

from congso.dossiers.choices import PaymentMethod, Status
from congso.dossiers.models import Payment, ProcessingEvent
from congso.dossiers.services.actions import perform
from congso.payments import services
from congso.payments.models import GatewayNotice, OrderStatus, PaymentOrder
from congso.payments.tests.conftest import hand_signed, ipn_params, local, online_dossier


@pytest.fixture
def order(world, vnpay_settings):
    dossier = online_dossier(world)
    return services.start_payment(dossier, world.citizen)


def state(order):
    order.refresh_from_db()
    dossier = order.dossier
    dossier.refresh_from_db()
    return (order.status, order.payment_id, dossier.fee_paid, dossier.version, Payment.objects.count(),
            ProcessingEvent.objects.filter(dossier=dossier).count())


def test_a_paid_notice_records_the_payment_through_the_engine(order, world):
    assert order.status == OrderStatus.PENDING and order.amount == 50_000
    assert services.handle_ipn(hand_signed(ipn_params(order))) == ("00", "Confirm Success")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.transaction_no == "14000123" and order.bank_code == "NCB"
    payment = order.payment
    assert (payment.amount, payment.method, payment.reference) == (50_000, PaymentMethod.LOCAL_GATEWAY, order.txn_ref)
    dossier = order.dossier
    dossier.refresh_from_db()
    assert (dossier.fee_paid, dossier.fee_due, dossier.payment_method) == (50_000, 50_000, PaymentMethod.LOCAL_GATEWAY)
    event = ProcessingEvent.objects.filter(dossier=dossier, action="record_payment").get()
    assert event.data == {"amount": 50_000, "method": 2}
    assert event.actor.username == "congso-payment-gateway"
    assert [n.answer for n in GatewayNotice.objects.filter(order=order)] == ["00"]


def test_the_same_notice_again_answers_02_and_changes_nothing(order):
    params = hand_signed(ipn_params(order))
    assert services.handle_ipn(params)[0] == "00"
    before = state(order)
    assert services.handle_ipn(params) == ("02", "Order already confirmed")
    # A replay claiming a different result changes nothing either.
    assert services.handle_ipn(hand_signed(ipn_params(order, code="24", status="02", number="0")))[0] == "02"
    assert state(order) == before
    assert Payment.objects.filter(reference=order.txn_ref).count() == 1


def test_a_bad_signature_answers_97_and_changes_nothing(order):
    before = state(order)
    forged = hand_signed(ipn_params(order), secret="not the merchant's secret")
    assert services.handle_ipn(forged) == ("97", "Invalid signature")
    tampered = {**hand_signed(ipn_params(order, amount=1)), "vnp_Amount": str(order.amount * 100)}
    assert services.handle_ipn(tampered)[0] == "97"
    unsigned = ipn_params(order)
    assert services.handle_ipn(unsigned)[0] == "97"
    assert state(order) == before
    assert list(GatewayNotice.objects.values_list("answer", flat=True)) == ["97", "97", "97"]


def test_a_wrong_amount_answers_04(order):
    before = state(order)
    assert services.handle_ipn(hand_signed(ipn_params(order, amount=order.amount - 1))) == ("04", "Invalid amount")
    assert services.handle_ipn(hand_signed(ipn_params(order, vnp_Amount="5000050")))[0] == "04"
    assert state(order) == before


def test_an_unknown_order_answers_01(order):
    before = state(order)
    params = ipn_params(order, vnp_TxnRef="NOSUCHORDER")
    assert services.handle_ipn(hand_signed(params)) == ("01", "Order not found")
    other_merchant = ipn_params(order, vnp_TmnCode="OTHER")
    assert services.handle_ipn(hand_signed(other_merchant))[0] == "01"
    assert services.handle_ipn(hand_signed({k: v for k, v in ipn_params(order).items() if k != "vnp_TxnRef"}))[0] \
        == "01"
    assert state(order) == before


def test_a_cancelled_payment_fails_the_order_and_records_nothing(order):
    assert services.handle_ipn(hand_signed(ipn_params(order, code="24", status="02", number="0")))[0] == "00"
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED and order.payment is None
    assert Payment.objects.count() == 0
    # A later "paid" notice for the same (failed) order is not accepted.
    assert services.handle_ipn(hand_signed(ipn_params(order)))[0] == "02"
    assert Payment.objects.count() == 0


def test_hostile_values_are_refused_and_logged_as_text(order, client):
    hostile = ipn_params(order, vnp_TxnRef="<script>alert(1)</script>", vnp_OrderInfo="<img src=x onerror=alert(1)>")
    response = client.get("/thanh-toan/vnpay/ipn", hand_signed(hostile))
    assert response.status_code == 200 and response.json() == {"RspCode": "01", "Message": "Order not found"}
    assert response["Content-Type"] == "application/json"
    notice = GatewayNotice.objects.get()
    assert notice.params["vnp_TxnRef"] == "<script>alert(1)</script>"[:32]
    huge = {f"vnp_X{i}": "A" * 5000 for i in range(200)}
    assert client.get("/thanh-toan/vnpay/ipn", huge).json()["RspCode"] == "97"
    logged = GatewayNotice.objects.order_by("-id").first().params
    assert len(logged) <= 60 and all(len(v) <= 512 for v in logged.values())


def test_the_ipn_endpoint_answers_json_over_http(order, client):
    response = client.get("/thanh-toan/vnpay/ipn", hand_signed(ipn_params(order)), REMOTE_ADDR="203.0.113.9")
    assert response.json() == {"RspCode": "00", "Message": "Confirm Success"}
    assert GatewayNotice.objects.get().remote_addr == "203.0.113.9"
    assert client.post("/thanh-toan/vnpay/ipn", hand_signed(ipn_params(order))).status_code == 405


def test_paid_but_refused_by_the_engine_is_kept_for_review(order, world):
    # The applicant withdrew the dossier while the payment was under way: the money came, the engine refuses.
    perform(order.dossier, "withdraw", world.citizen, reason="Không cần nữa")
    assert services.handle_ipn(hand_signed(ipn_params(order)))[0] == "00"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.payment is None
    assert "not allowed" in order.settlement_error
    assert Payment.objects.count() == 0
    assert services.handle_ipn(hand_signed(ipn_params(order)))[0] == "02"


def test_a_late_payment_of_an_expired_order_is_still_recorded(order):
    PaymentOrder.objects.filter(pk=order.pk).update(status=OrderStatus.EXPIRED)
    assert services.handle_ipn(hand_signed(ipn_params(order)))[0] == "00"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.payment is not None


def test_payment_of_a_financial_obligation_restarts_the_clock(world, vnpay_settings):
    dossier = online_dossier(world)
    perform(dossier, "record_payment", world.justice_desk, amount=50_000, at=local(2025, 1, 20, 8, 45))
    perform(dossier, "forward", world.justice_desk, at=local(2025, 1, 20, 9, 0), assignee=world.spec)
    perform(dossier, "request_payment", world.spec, amount=120_000, at=local(2025, 1, 21, 9, 0))
    dossier.refresh_from_db()
    assert dossier.status == Status.FINANCIAL_OBLIGATION
    order = services.start_payment(dossier, world.citizen)
    assert order.amount == 120_000
    assert services.handle_ipn(hand_signed(ipn_params(order)))[0] == "00"
    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROGRESS and dossier.waiting_since is None
    assert dossier.obligations.get().paid_at is not None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_duplicate_notices_record_one_payment(world_tx, vnpay_settings):
    dossier = online_dossier(world_tx)
    order = services.start_payment(dossier, world_tx.citizen)
    params = hand_signed(ipn_params(order))
    answers, barrier = [], threading.Barrier(6)

    def deliver():
        try:
            barrier.wait(timeout=20)
            answers.append(services.handle_ipn(params)[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == ["00", "02", "02", "02", "02", "02"]
    assert Payment.objects.filter(dossier=dossier).count() == 1
    dossier.refresh_from_db()
    assert dossier.fee_paid == 50_000
    assert ProcessingEvent.objects.filter(dossier=dossier, action="record_payment").count() == 1


def test_an_unexpected_error_answers_99_and_changes_nothing(order, monkeypatch):
    before = state(order)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_settle", broken)
    assert services.handle_ipn(hand_signed(ipn_params(order))) == ("99", "Unknown error")
    assert state(order) == before
    monkeypatch.undo()
    assert services.handle_ipn(hand_signed(ipn_params(order)))[0] == "00"  # the gateway's retry succeeds


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_starts_open_one_order(world_tx, vnpay_settings):
    dossier = online_dossier(world_tx)
    refs, errors, barrier = [], [], threading.Barrier(4)

    def start():
        try:
            barrier.wait(timeout=20)
            refs.append(services.start_payment(dossier, world_tx.citizen).txn_ref)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(refs) == 4 and len(set(refs)) == 1
    assert PaymentOrder.objects.filter(dossier=dossier).count() == 1
