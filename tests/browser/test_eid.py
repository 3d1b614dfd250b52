"""Login with the national e-ID through a real OpenID Connect provider (the simulator, in its own process)."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from congso.accounts.models import User
from congso.dossiers.services.creation import create_dossier
from congso.dossiers.tests.conftest import build_world, intake

CLIENT_ID, SECRET = "congso-test", "test-secret-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def provider(live_server, settings, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "congso.eid_simulator", "--port", str(port), "--client-id", CLIENT_ID,
         "--client-secret", SECRET, "--redirect-uri", f"{live_server.url}/oidc/callback/",
         "--db", str(tmp_path / "eid.sqlite3")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = process.stdout.readline()
    assert line.startswith("ready"), line
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, SECRET
    settings.CONGSO_EID_ISSUER = base + "/o"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = base + "/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = base + "/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = base + "/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = base + "/o/.well-known/jwks.json"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "congso.accounts.eid.EidBackend"]
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_citizen_logs_in_with_the_e_id_and_their_dossiers_carry_the_flag(page, provider, shot, live_server):
    page.goto("/accounts/login/")
    page.click("[data-testid=eid-login]")
    page.wait_for_url(f"{provider}/login/**")
    shot("provider-sign-in")
    page.fill("#citizen_id", "079185001234")
    page.fill("#password", "vneid-demo")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(live_server.url)
    assert "/accounts/login/" not in page.url
    shot("after-login")
    user = User.objects.get(citizen_id="079185001234")
    assert user.full_name == "Trần Thị Bích" and user.is_eid_verified and user.eid_issuer == provider + "/o"
    assert user.account_type == "citizen" and not user.has_usable_password()
    world = build_world()
    dossier = create_dossier(intake(world, channel="online", applicant_id_number="079185001234"), user)
    assert dossier.eid_verified

    # A second login finds the same account by its (issuer, subject) pair.
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.click("[data-testid=eid-login]")
    page.fill("#citizen_id", "079185001234")
    page.fill("#password", "vneid-demo")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert User.objects.filter(citizen_id="079185001234").count() == 1


def test_a_wrong_password_at_the_provider_logs_nobody_in(page, provider):
    page.goto("/accounts/login/")
    page.click("[data-testid=eid-login]")
    page.fill("#citizen_id", "079185001234")
    page.fill("#password", "wrong")
    page.click("button[type=submit]")
    assert "không đúng" in page.content()
    assert not User.objects.filter(citizen_id="079185001234").exists()
