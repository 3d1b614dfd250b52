"""The gateway simulator as a real process: it agrees with the adapter on signing, the payment page, the signed
return and querydr; the return page and the reconciliation command settle orders from the gateway's own answer."""

import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from congso.dossiers.choices import PaymentMethod
from congso.dossiers.models import Payment
from congso.payments import services, vnpay
from congso.payments.gateway import GatewayError, get_gateway
from congso.payments.models import GatewayNotice, OrderStatus, PaymentOrder
from congso.payments.tests.conftest import SECRET, hand_signed, online_dossier


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def open_page(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def press(sim_url: str, page: str, action: str) -> str:
    """Press "Pay" or "Cancel" on the simulator's page; returns where the browser is sent."""
    token = page.split("name='token' value='")[1].split("'")[0]
    data = urllib.parse.urlencode({"token": token, "action": action}).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(sim_url + "/paymentv2/confirm", data=data, timeout=30)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302, exc.read()
        return exc.headers["Location"]
    raise AssertionError("no redirect")


@pytest.fixture
def order(world, gateway_sim):
    return services.start_payment(online_dossier(world), world.citizen, ip="10.0.0.5")


def test_the_simulator_accepts_the_adapters_request_and_shows_the_order(order, gateway_sim):
    status, page = open_page(order.payment_url)
    assert status == 200
    assert f"<dd id='txn-ref'>{order.txn_ref}</dd>" in page and "50.000 VND" in page
    assert "id='pay'" in page and "id='cancel'" in page


def test_the_simulator_rejects_a_bad_signature(order, gateway_sim):
    tampered = order.payment_url.replace("vnp_Amount=5000000", "vnp_Amount=100")
    status, page = open_page(tampered)
    assert status == 400 and "invalid signature" in page
    unsigned = order.payment_url.split("&vnp_SecureHash=")[0]
    assert open_page(unsigned)[0] == 400
    other_secret = get_gateway()
    other_secret.secret = "wrong"
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(order.payment_url).query))
    assert open_page(other_secret.payment_url(params))[0] == 400


def test_the_signed_return_verifies_with_the_adapter_and_the_page_asks_the_gateway(order, gateway_sim, world, client):
    # No IPN reaches congso here (the simulator's IPN URL is a closed port): the return page must find out by
    # asking the gateway (querydr), not by believing the return URL.
    _status, page = open_page(order.payment_url)
    location = press(gateway_sim.url, page, "pay")
    assert location.startswith("http://testserver/thanh-toan/ket-qua?")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert vnpay.verify(params, SECRET)
    assert params["vnp_ResponseCode"] == "00" and params["vnp_Amount"] == "5000000"
    assert gateway_sim.get_json("/_sim/transactions")["transactions"][0]["ipn"][0]["status"] == 0  # IPN lost
    client.force_login(world.citizen)
    response = client.get(location.removeprefix("http://testserver"))
    assert response.status_code == 200 and b'data-status="paid"' in response.content
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.payment.method == PaymentMethod.LOCAL_GATEWAY
    sources = sorted(GatewayNotice.objects.filter(order=order).values_list("source", flat=True))
    assert sources == ["querydr", "return"]
    # Reloading the page changes nothing.
    assert client.get(location.removeprefix("http://testserver")).status_code == 200
    assert Payment.objects.count() == 1


def test_a_forged_paid_return_does_not_mark_the_order_paid(order, gateway_sim, world, client):
    forged = hand_signed({"vnp_TxnRef": order.txn_ref, "vnp_Amount": "5000000", "vnp_ResponseCode": "00",
                          "vnp_TransactionStatus": "00"}, secret="guessed")
    client.force_login(world.citizen)
    response = client.get("/thanh-toan/ket-qua", forged)
    assert response.status_code == 200 and b'data-status="pending"' in response.content
    # Even correctly signed, a return is only a reason to ask the gateway, which says "not paid yet".
    signed = hand_signed({"vnp_TxnRef": order.txn_ref, "vnp_Amount": "5000000", "vnp_ResponseCode": "00",
                          "vnp_TransactionStatus": "00"})
    assert b'data-status="pending"' in client.get("/thanh-toan/ket-qua", signed).content
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and Payment.objects.count() == 0


def test_the_return_page_of_someone_elses_order_is_a_404(order, gateway_sim, world, client):
    client.force_login(world.other_citizen)
    assert client.get("/thanh-toan/ket-qua", {"vnp_TxnRef": order.txn_ref}).status_code == 404
    assert client.get("/thanh-toan/ket-qua", {"vnp_TxnRef": "<script>"}).status_code == 404
    assert client.get(f"/thanh-toan/don/{order.txn_ref}").status_code == 404


def test_cancel_at_the_gateway_fails_the_order(order, gateway_sim, world, client):
    _status, page = open_page(order.payment_url)
    location = press(gateway_sim.url, page, "cancel")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert params["vnp_ResponseCode"] == "24" and vnpay.verify(params, SECRET)
    client.force_login(world.citizen)
    assert b'data-status="failed"' in client.get(location.removeprefix("http://testserver")).content
    assert Payment.objects.count() == 0
    # A paid order's page cannot be opened again at the gateway.
    assert open_page(order.payment_url)[0] == 400


def test_querydr_agrees_between_adapter_and_simulator(order, gateway_sim):
    gateway = get_gateway()
    before, _answer = gateway.query(txn_ref=order.txn_ref, order_info=order.order_info,
                                    transaction_date=order.gateway_create_date)
    assert not before.found  # the gateway knows an order once the applicant reached its page
    open_page(order.payment_url)
    result, answer = gateway.query(txn_ref=order.txn_ref, order_info=order.order_info,
                                   transaction_date=order.gateway_create_date)
    assert result.found and not result.paid and not result.failed and result.transaction_status == "01"
    assert answer["vnp_ResponseCode"] == "00"
    unknown, _answer = gateway.query(txn_ref="NOSUCH", order_info="x", transaction_date="20250101000000")
    assert not unknown.found
    wrong = get_gateway()
    wrong.secret = "wrong"
    with pytest.raises(GatewayError, match="checksum"):
        wrong.query(txn_ref=order.txn_ref, order_info="x", transaction_date=order.gateway_create_date)


def test_reconcile_settles_paid_orders_once_and_expires_abandoned_ones(world, gateway_sim, capsys):
    dossier = online_dossier(world)
    paid = services.start_payment(dossier, world.citizen)
    press(gateway_sim.url, open_page(paid.payment_url)[1], "pay")
    abandoned = services.start_payment(online_dossier(world), world.citizen)
    PaymentOrder.objects.filter(pk=abandoned.pk).update(expires_at=abandoned.created_at)
    cancelled = services.start_payment(online_dossier(world), world.citizen)
    press(gateway_sim.url, open_page(cancelled.payment_url)[1], "cancel")
    never_seen = services.start_payment(online_dossier(world), world.citizen)  # page never opened, not expired

    call_command("payments", "reconcile")
    assert capsys.readouterr().out.strip() == "checked=4 paid=1 failed=1 expired=1 open=1 mismatched=0 errors=0"
    statuses = dict(PaymentOrder.objects.values_list("txn_ref", "status"))
    assert statuses == {paid.txn_ref: "paid", abandoned.txn_ref: "expired", cancelled.txn_ref: "failed",
                        never_seen.txn_ref: "pending"}
    assert Payment.objects.get().reference == paid.txn_ref
    dossier.refresh_from_db()
    assert dossier.fee_paid == 50_000

    call_command("payments", "reconcile", "--since", "2020-01-01")
    assert capsys.readouterr().out.strip() == "checked=2 paid=0 failed=0 expired=0 open=2 mismatched=0 errors=0"
    assert Payment.objects.count() == 1


def test_reconcile_reports_an_unreachable_gateway(world, vnpay_settings):
    services.start_payment(online_dossier(world), world.citizen)
    with pytest.raises(CommandError, match="1 order"):
        call_command("payments", "reconcile")
    assert PaymentOrder.objects.get().status == OrderStatus.PENDING
    with pytest.raises(CommandError, match="not a date"):
        call_command("payments", "reconcile", "--since", "yesterday")


def test_the_reconcile_task_settles_and_reports_like_a_sweep(world, gateway_sim):
    from congso.payments.tasks import reconcile_payments

    order = services.start_payment(online_dossier(world), world.citizen)
    press(gateway_sim.url, open_page(order.payment_url)[1], "pay")
    result = reconcile_payments.enqueue().return_value
    assert result == {"count": 1, "paid": 1, "failed": 0, "expired": 0, "open": 0, "mismatched": 0, "errors": []}
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
