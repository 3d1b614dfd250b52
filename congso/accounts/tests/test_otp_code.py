import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from congso.accounts.models import User
from congso.accounts.two_factor import verify

pytestmark = pytest.mark.django_db


def test_otp_code_prints_a_code_the_login_accepts_for_demo_devices_only(capsys):
    user = User.objects.create(username="quantri", account_type="staff", is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
    call_command("otp_code", "quantri")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and verify(device, code)
    personal = User.objects.create(username="an", account_type="staff")
    TOTPDevice.objects.create(user=personal, name="totp", confirmed=True)
    with pytest.raises(CommandError):
        call_command("otp_code", "an")
    with pytest.raises(CommandError):
        call_command("otp_code", "nobody")
