"""My payments, the receipt and the API: each person sees only their own orders (staff: their agencies')."""

import pytest

from congso.payments import services
from congso.payments.models import PaymentOrder
from congso.payments.tests.conftest import hand_signed, ipn_params, online_dossier


@pytest.fixture
def paid(world, vnpay_settings):
    order = services.start_payment(online_dossier(world), world.citizen)
    assert services.handle_ipn(hand_signed(ipn_params(order)))[0] == "00"
    order.refresh_from_db()
    return order


def test_my_payments_lists_only_mine(paid, world, client):
    client.force_login(world.citizen)
    page = client.get("/thanh-toan/")
    assert page.status_code == 200 and paid.txn_ref.encode() in page.content
    client.force_login(world.other_citizen)
    page = client.get("/thanh-toan/")
    assert page.status_code == 200 and paid.txn_ref.encode() not in page.content


def test_the_receipt_is_for_the_payer_and_the_agency_only(paid, world, client):
    url = f"/thanh-toan/bien-lai/{paid.txn_ref}"
    client.force_login(world.citizen)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="receipt-amount">50.000 đ' in html and paid.dossier.code in html and "14000123" in html
    assert "20/01/2025" in html or paid.paid_at.strftime("%d/%m/%Y") in html
    client.force_login(world.justice_desk)  # staff of the handling agency
    assert client.get(url).status_code == 200
    for user in (world.other_citizen, world.fin_spec):  # another applicant; staff of an uninvolved agency
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_no_receipt_for_an_unpaid_order(world, vnpay_settings, client):
    order = services.start_payment(online_dossier(world), world.citizen)
    client.force_login(world.citizen)
    assert client.get(f"/thanh-toan/bien-lai/{order.txn_ref}").status_code == 404
    assert client.get(f"/thanh-toan/don/{order.txn_ref}").status_code == 200
    assert client.get("/thanh-toan/bien-lai/%3Cscript%3E").status_code == 404


def test_hostile_names_are_escaped_on_the_receipt(world, vnpay_settings, client):
    order = services.start_payment(online_dossier(world, applicant_name="<b onmouseover=x>Án</b>"), world.citizen)
    services.handle_ipn(hand_signed(ipn_params(order)))
    client.force_login(world.citizen)
    html = client.get(f"/thanh-toan/bien-lai/{order.txn_ref}").content.decode()
    assert "<b onmouseover" not in html and "&lt;b onmouseover=x&gt;Án&lt;/b&gt;" in html


def test_api_lists_and_shows_only_the_callers_orders(paid, world, client):
    client.force_login(world.citizen)
    listing = client.get("/api/v1/payments/orders").json()
    assert [o["txn_ref"] for o in listing["results"]] == [paid.txn_ref]
    detail = client.get(f"/api/v1/payments/orders/{paid.txn_ref}").json()
    assert detail["status"] == "paid" and detail["amount"] == 50_000 and detail["dossier"] == paid.dossier.code
    assert detail["receipt_url"] == f"/thanh-toan/bien-lai/{paid.txn_ref}"
    assert detail["paid_at"].endswith("+07:00")
    client.force_login(world.other_citizen)
    assert client.get("/api/v1/payments/orders").json()["results"] == []
    response = client.get(f"/api/v1/payments/orders/{paid.txn_ref}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_api_starts_a_payment_with_problem_codes(world, vnpay_settings, client):
    dossier = online_dossier(world)
    client.force_login(world.citizen)
    created = client.post("/api/v1/payments/orders/start", {"dossier": dossier.code}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "pending" and body["payment_url"].startswith("http://127.0.0.1:9/paymentv2/")
    assert PaymentOrder.objects.get().txn_ref == body["txn_ref"]

    client.force_login(world.other_citizen)
    response = client.post("/api/v1/payments/orders/start", {"dossier": dossier.code}, content_type="application/json")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    bad = client.post("/api/v1/payments/orders/start", {"dossier": ["x"] * 3}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "validation_error"

    paid_up = online_dossier(world, fee_paid_by_desk=50_000)
    client.force_login(world.citizen)
    response = client.post("/api/v1/payments/orders/start", {"dossier": paid_up.code}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "not_payable"


def test_api_start_is_rate_limited(world, vnpay_settings, client, settings):
    settings.CONGSO_PAYMENTS_START_LIMIT = 2
    dossier = online_dossier(world)
    client.force_login(world.citizen)
    codes = [client.post("/api/v1/payments/orders/start", {"dossier": dossier.code},
                         content_type="application/json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert PaymentOrder.objects.count() == 1


def test_my_payments_page_and_api_list_take_a_fixed_number_of_queries(world, vnpay_settings, client,
                                                                       django_assert_max_num_queries):
    for _ in range(3):
        services.start_payment(online_dossier(world), world.citizen)
    client.force_login(world.citizen)
    with django_assert_max_num_queries(8):
        assert client.get("/thanh-toan/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/payments/orders").json()["count"] == 3
    for _ in range(5):
        services.start_payment(online_dossier(world), world.citizen)
    with django_assert_max_num_queries(8):
        assert client.get("/thanh-toan/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/payments/orders").json()["count"] == 8
