"""Fixtures of the payment tests: the engine's small world with an online dossier, the gateway simulator and the SMS
simulator as real subprocesses on loopback, and an IPN signer written independently of the adapter."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from congso.dossiers.services.actions import perform
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import build_world, intake, local, make_user  # noqa: F401 - re-exported

ROOT = Path(__file__).resolve().parents[3]
SECRET = "TESTSECRET0123456789ABCDEFGHIJKL"
TMN = "CONGSO01"


class Process:
    """A child process started by a test, with the URL it printed on its first line."""

    def __init__(self, args: list[str]):
        self.proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on "):
            self.stop()
            raise RuntimeError(f"{args[1]} did not start: {line!r}")
        self.url = line.removeprefix("listening on ")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def get_json(self, path: str):
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.loads(response.read())

    def post_json(self, path: str, data: dict):
        request = urllib.request.Request(self.url + path, data=json.dumps(data).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


def start_gateway(ipn_url: str, *extra: str) -> Process:
    return Process(["-m", "congso.payments.simulator", "--port", "0", "--secret", SECRET, "--ipn-url", ipn_url,
                    "--tmn-code", TMN, *extra])


@pytest.fixture
def gateway_sim(settings):
    """The simulator, its IPN going nowhere (a closed port): for tests that settle by querydr or call handle_ipn."""
    process = start_gateway("http://127.0.0.1:9/ipn")
    point_settings_at(settings, process.url)
    yield process
    process.stop()


def point_settings_at(settings, url: str) -> None:
    settings.CONGSO_VNPAY_URL = url + "/paymentv2/vpcpay.html"
    settings.CONGSO_VNPAY_API_URL = url + "/merchant_webapi/api/transaction"
    settings.CONGSO_VNPAY_TMN_CODE = TMN
    settings.CONGSO_VNPAY_HASH_SECRET = SECRET
    settings.CONGSO_VNPAY_RETURN_URL = "http://testserver/thanh-toan/ket-qua"
    settings.CONGSO_VNPAY_TIMEOUT = 10


@pytest.fixture
def vnpay_settings(settings):
    """Settings for tests that never reach the gateway (IPN handling, rules)."""
    point_settings_at(settings, "http://127.0.0.1:9")
    return settings


def hand_signed(params: dict, secret: str = SECRET) -> dict:
    """Sign like the gateway, written out by hand (sorted keys, quote_plus values, HMAC-SHA512): independent of
    congso.payments.vnpay, so a test that passes both agree."""
    pieces = []
    for key in sorted(params):
        pieces.append(key + "=" + urllib.parse.quote_plus(str(params[key])))
    digest = hmac.new(secret.encode(), "&".join(pieces).encode(), hashlib.sha512).hexdigest()
    return {**params, "vnp_SecureHash": digest}


def ipn_params(order, *, amount=None, code="00", status="00", number="14000123", **override) -> dict:
    params = {
        "vnp_Amount": str((order.amount if amount is None else amount) * 100), "vnp_BankCode": "NCB",
        "vnp_CardType": "ATM", "vnp_OrderInfo": order.order_info, "vnp_PayDate": "20250120093000",
        "vnp_ResponseCode": code, "vnp_TmnCode": TMN, "vnp_TransactionNo": number,
        "vnp_TransactionStatus": status, "vnp_TxnRef": order.txn_ref,
    }
    params.update(override)
    return params


def online_dossier(w, *, fee_paid_by_desk: int = 0, **extra):
    """An online dossier of w.citizen (50,000 đ due), accepted by the agency."""
    data = intake(w, channel="online", files=False, **extra)
    dossier = create_dossier(data, w.citizen, at=local(2025, 1, 20, 8, 0))
    dossier = perform(dossier, "accept", w.justice_desk, at=local(2025, 1, 20, 8, 30))
    if fee_paid_by_desk:
        perform(dossier, "record_payment", w.justice_desk, amount=fee_paid_by_desk, at=local(2025, 1, 20, 8, 40))
        dossier.refresh_from_db()
    return dossier


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def world_tx(transactional_db):
    from congso.workcalendar.services import reset_cache

    reset_cache()
    return build_world()


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    # Pages too: LocaleMiddleware falls back to LANGUAGE_CODE for a request that names no language.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
