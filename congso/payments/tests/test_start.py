"""Starting a payment: who, when, how much; the start page, CSRF, the rate limit and the pay button."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth import authenticate
from django.template import engines
from django.test import Client, RequestFactory

from congso.catalog.models import Fee
from congso.dossiers.services.actions import perform
from congso.payments import services, vnpay
from congso.payments.models import OrderStatus, PaymentOrder
from congso.payments.tests.conftest import SECRET, TMN, online_dossier


@pytest.fixture
def dossier(world, vnpay_settings):
    return online_dossier(world)


def test_the_order_pays_what_is_due_with_a_signed_gateway_url(dossier, world):
    order = services.start_payment(dossier, world.citizen, ip="198.51.100.7")
    assert (order.amount, order.status, order.user) == (50_000, OrderStatus.PENDING, world.citizen)
    assert re.fullmatch(r"\d{6}[0-9A-F]{10}", order.txn_ref)
    params = dict(parse_qsl(urlsplit(order.payment_url).query))
    assert vnpay.verify(params, SECRET)
    assert params["vnp_Amount"] == "5000000" and params["vnp_TmnCode"] == TMN
    assert params["vnp_IpAddr"] == "198.51.100.7" and params["vnp_TxnRef"] == order.txn_ref
    assert params["vnp_OrderInfo"] == f"Thanh toan phi le phi ho so {dossier.code}"
    assert params["vnp_CreateDate"] == order.gateway_create_date
    assert vnpay.parse_time(params["vnp_ExpireDate"]) == order.expires_at.replace(microsecond=0)


def test_only_the_unpaid_part_is_asked(world, vnpay_settings):
    dossier = online_dossier(world, fee_paid_by_desk=20_000)
    assert services.start_payment(dossier, world.citizen).amount == 30_000


def test_the_reduced_online_fee_of_the_catalogue_is_what_is_due(world, vnpay_settings):
    Fee.objects.filter(version__procedure=world.procedure).update(online_amount=25_000)
    dossier = online_dossier(world)
    assert dossier.fee_due == 25_000
    assert services.start_payment(dossier, world.citizen).amount == 25_000


def test_only_the_applicant_may_start(dossier, world):
    for user in (world.other_citizen, world.justice_desk, world.lead):
        with pytest.raises(services.OrderNotFound):
            services.start_payment(dossier, user)
    with pytest.raises(services.OrderNotFound):
        services.start_payment("NO-SUCH-CODE", world.citizen)
    assert PaymentOrder.objects.count() == 0


def test_nothing_due_or_a_closed_dossier_cannot_be_paid(world, vnpay_settings):
    paid = online_dossier(world, fee_paid_by_desk=50_000)
    with pytest.raises(services.NotPayable, match="Nothing is due"):
        services.start_payment(paid, world.citizen)
    withdrawn = online_dossier(world)
    perform(withdrawn, "withdraw", world.citizen, reason="Nộp nhầm")
    with pytest.raises(services.NotPayable, match="current status"):
        services.start_payment(withdrawn, world.citizen)
    assert PaymentOrder.objects.count() == 0


def test_a_live_order_is_resumed_and_one_for_another_amount_closed(dossier, world):
    first = services.start_payment(dossier, world.citizen)
    assert services.start_payment(dossier, world.citizen).pk == first.pk
    perform(dossier, "record_payment", world.justice_desk, amount=10_000)
    second = services.start_payment(dossier, world.citizen)
    assert second.pk != first.pk and second.amount == 40_000
    first.refresh_from_db()
    assert first.status == OrderStatus.EXPIRED


def test_without_gateway_configuration_payment_is_unavailable(dossier, world, settings):
    settings.CONGSO_VNPAY_HASH_SECRET = ""
    with pytest.raises(services.GatewayUnavailable):
        services.start_payment(dossier, world.citizen)


def test_the_gateway_account_cannot_log_in(dossier, world):
    services.handle_ipn({})  # any notice may create the account
    actor = services.gateway_actor()
    assert actor.account_type == "system" and not actor.is_superuser
    assert not actor.is_active and not actor.has_usable_password()
    assert authenticate(RequestFactory().post("/accounts/login/"), username=actor.username, password="!") is None
    client = Client()
    client.force_login(actor)
    assert client.get("/thanh-toan/").status_code == 302  # the session is not honoured: sent to log in


def test_the_gateway_account_records_online_payments_only(dossier, world):
    from congso.dossiers.choices import PaymentMethod
    from congso.dossiers.services.actions import perform
    from congso.dossiers.services.common import Forbidden

    actor = services.gateway_actor()
    with pytest.raises(Forbidden):
        perform(dossier.code, "record_payment", actor, amount=1000, method=PaymentMethod.OFFLINE)
    with pytest.raises(Forbidden):
        perform(dossier.code, "withdraw", actor, reason="không")


# --- the pages -----------------------------------------------------------------------------------------------------


def test_the_start_page_and_post_redirect_to_the_gateway(dossier, world, client):
    client.force_login(world.citizen)
    page = client.get(f"/thanh-toan/ho-so/{dossier.code}")
    assert page.status_code == 200
    assert b"50.000 \xc4\x91" in page.content and b'id="pay-online"' in page.content
    response = client.post(f"/thanh-toan/ho-so/{dossier.code}")
    assert response.status_code == 302
    order = PaymentOrder.objects.get()
    assert response["Location"] == order.payment_url
    assert response["Location"].startswith("http://127.0.0.1:9/paymentv2/vpcpay.html?")


def test_someone_elses_dossier_is_a_404(dossier, world, client):
    for user in (world.other_citizen, world.justice_desk):
        client.force_login(user)
        assert client.get(f"/thanh-toan/ho-so/{dossier.code}").status_code == 404
        assert client.post(f"/thanh-toan/ho-so/{dossier.code}").status_code == 404
    client.logout()
    assert client.get(f"/thanh-toan/ho-so/{dossier.code}").status_code == 302  # to the login page
    assert PaymentOrder.objects.count() == 0


def test_the_start_form_needs_the_csrf_token(dossier, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.citizen)
    assert client.post(f"/thanh-toan/ho-so/{dossier.code}").status_code == 403
    assert PaymentOrder.objects.count() == 0
    page = client.get(f"/thanh-toan/ho-so/{dossier.code}")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
    assert client.post(f"/thanh-toan/ho-so/{dossier.code}", {"csrfmiddlewaretoken": token}).status_code == 302


def test_starting_is_rate_limited(dossier, world, client, settings):
    settings.CONGSO_PAYMENTS_START_LIMIT = 3
    client.force_login(world.citizen)
    codes = [client.post(f"/thanh-toan/ho-so/{dossier.code}").status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert PaymentOrder.objects.count() == 1
    other = online_dossier(world)
    client.force_login(world.other_citizen)
    assert client.post(f"/thanh-toan/ho-so/{other.code}").status_code == 404  # counted per user, not shared


def test_a_dossier_with_nothing_due_shows_why(world, vnpay_settings, client):
    paid = online_dossier(world, fee_paid_by_desk=50_000)
    client.force_login(world.citizen)
    page = client.get(f"/thanh-toan/ho-so/{paid.code}")
    assert page.status_code == 200 and b"Nothing is due" in page.content and b'id="pay-online"' not in page.content
    response = client.post(f"/thanh-toan/ho-so/{paid.code}")
    assert response.status_code == 409 and b"Nothing is due" in response.content


def test_hostile_applicant_text_is_escaped(world, vnpay_settings, client):
    dossier = online_dossier(world, applicant_name="<script>alert('x')</script>")
    client.force_login(world.citizen)
    page = client.get(f"/thanh-toan/ho-so/{dossier.code}").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_the_pay_button_shows_only_to_the_applicant_while_fees_are_due(dossier, world):
    template = engines["django"].from_string('{% include "payments/_pay_button.html" with dossier=dossier %}')

    def render(user):
        request = RequestFactory().get("/")
        request.user = user
        return template.render({"dossier": dossier}, request)

    html = render(world.citizen)
    assert f'action="/thanh-toan/ho-so/{dossier.code}"' in html and "50.000 đ" in html
    assert "csrfmiddlewaretoken" in html
    assert "<form" not in render(world.other_citizen)
    assert "<form" not in render(world.justice_desk)
    perform(dossier, "record_payment", world.justice_desk, amount=50_000)
    dossier.refresh_from_db()
    assert "<form" not in render(world.citizen)
