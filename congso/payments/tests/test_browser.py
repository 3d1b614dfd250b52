"""In a real browser (Playwright + Debian Chromium): a citizen pays a dossier's fees through the gateway simulator
(its own process), comes back to the result page and opens the receipt."""

import pytest

from congso.dossiers.models import Payment
from congso.payments.models import OrderStatus, PaymentOrder
from congso.payments.tests.conftest import online_dossier, point_settings_at, start_gateway
from tests.browser.conftest import artifacts, browser, log_in, page, shot  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_citizen_pays_online_and_gets_the_receipt(world_tx, live_server, settings, page, shot):  # noqa: F811
    simulator = start_gateway(live_server.url + "/thanh-toan/vnpay/ipn")
    try:
        point_settings_at(settings, simulator.url)
        settings.CONGSO_VNPAY_RETURN_URL = live_server.url + "/thanh-toan/ket-qua"
        citizen = world_tx.citizen
        citizen.set_password("mat-khau-thu-nghiem-1")
        citizen.save()
        dossier = online_dossier(world_tx)

        log_in(page, "citizen", "mat-khau-thu-nghiem-1")
        page.goto(f"/thanh-toan/ho-so/{dossier.code}")
        assert page.locator("#amount-due").inner_text() == "50.000 đ"
        shot("start")
        page.click("#pay-online")
        page.wait_for_url(simulator.url + "/paymentv2/vpcpay.html?**")
        assert page.locator("#amount").inner_text() == "50.000 VND"
        shot("gateway")
        page.click("#pay")
        page.wait_for_url(live_server.url + "/thanh-toan/ket-qua?**")
        assert page.locator("#payment-status").get_attribute("data-status") == "paid"
        shot("result")
        page.click("#receipt-link")
        order = PaymentOrder.objects.get()
        assert page.locator("#receipt-ref").inner_text() == order.txn_ref
        assert page.locator("#receipt-amount").inner_text() == "50.000 đ"
        shot("receipt")
        assert order.status == OrderStatus.PAID and Payment.objects.filter(dossier=dossier).count() == 1
    finally:
        simulator.stop()
