"""The whole path over HTTP: congso on Django's live server, the gateway simulator in its own process sending the IPN
to congso, the browser's return and the receipt."""

import urllib.parse

import pytest

from congso.dossiers.choices import PaymentMethod
from congso.dossiers.models import Payment, ProcessingEvent
from congso.payments.models import GatewayNotice, OrderStatus, PaymentOrder
from congso.payments.tests.conftest import online_dossier, point_settings_at, start_gateway
from congso.payments.tests.test_simulator import open_page, press

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def live_gateway(live_server, settings):
    def start(*extra):
        process = start_gateway(live_server.url + "/thanh-toan/vnpay/ipn", *extra)
        point_settings_at(settings, process.url)
        settings.CONGSO_VNPAY_RETURN_URL = live_server.url + "/thanh-toan/ket-qua"
        started.append(process)
        return process

    started = []
    yield start
    for process in started:
        process.stop()


def pay_through(sim, client, dossier, action="pay") -> str:
    response = client.post(f"/thanh-toan/ho-so/{dossier.code}")
    assert response.status_code == 302
    status, page = open_page(response["Location"])
    assert status == 200
    return press(sim.url, page, action)


def test_pay_through_the_simulator_with_the_ipn_sent_twice(world_tx, live_gateway, live_server, client):
    sim = live_gateway("--ipn-twice")
    dossier = online_dossier(world_tx)
    client.force_login(world_tx.citizen)
    location = pay_through(sim, client, dossier)

    # The simulator sent the IPN to congso twice (before redirecting the browser): confirmed, then already confirmed.
    transactions = sim.get_json("/_sim/transactions")["transactions"]
    assert [(ipn["status"], ipn["body"]) for ipn in transactions[0]["ipn"]] == [
        (200, '{"RspCode": "00", "Message": "Confirm Success"}'),
        (200, '{"RspCode": "02", "Message": "Order already confirmed"}'),
    ]
    order = PaymentOrder.objects.get()
    assert order.status == OrderStatus.PAID and order.transaction_no == transactions[0]["transaction_no"]
    assert Payment.objects.get().method == PaymentMethod.LOCAL_GATEWAY
    assert ProcessingEvent.objects.filter(dossier=dossier, action="record_payment").count() == 1
    assert list(GatewayNotice.objects.filter(source="ipn").order_by("id").values_list("answer", flat=True)) == \
        ["00", "02"]

    # The browser comes back: the page says paid (from the database), and links the receipt.
    assert location.startswith(live_server.url + "/thanh-toan/ket-qua?")
    page = client.get(location.removeprefix(live_server.url))
    assert b'data-status="paid"' in page.content and b'id="receipt-link"' in page.content
    receipt = client.get(f"/thanh-toan/bien-lai/{order.txn_ref}")
    assert receipt.status_code == 200
    assert b"50.000 \xc4\x91" in receipt.content and order.transaction_no.encode() in receipt.content
    assert b"@media print" in receipt.content


def test_cancelled_then_paid_on_a_second_attempt(world_tx, live_gateway, live_server, client):
    sim = live_gateway()
    dossier = online_dossier(world_tx)
    client.force_login(world_tx.citizen)
    location = pay_through(sim, client, dossier, "cancel")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["vnp_ResponseCode"] == ["24"]
    assert PaymentOrder.objects.get().status == OrderStatus.FAILED
    pay_through(sim, client, dossier, "pay")
    assert sorted(PaymentOrder.objects.values_list("status", flat=True)) == ["failed", "paid"]
    dossier.refresh_from_db()
    assert dossier.fee_paid == dossier.fee_due == 50_000
    page = client.get(f"/thanh-toan/ho-so/{dossier.code}")
    assert b"Nothing is due" in page.content
