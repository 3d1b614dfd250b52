"""Print the current one-time code of a demo account's authenticator (`congso demo` makes them).

Only devices named "demo" answer: a real person's authenticator secret never leaves their phone, and this command
cannot read it out.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_DEVICE = "demo"


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        device = TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE, confirmed=True).first() if user else None
        if device is None:
            raise CommandError(_("%(user)s has no demo authenticator.") % {"user": username}, returncode=2)
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
