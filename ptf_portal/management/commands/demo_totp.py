"""`manage.py demo_totp USERNAME`: the current TOTP code of a demo account's device (development only).

load_demo gives the demo secretariat and admin accounts a TOTP device so that the second factor is
exercised in the demo too; this prints the code an authenticator app would show for it.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ptf_portal.two_factor import DEMO_DEVICE_NAME


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (only with DEBUG on)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError(_("demo_totp only works with DEBUG on: use an authenticator app."))
        user = User.objects.filter(username=username).first()
        device = TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME, confirmed=True).first() if user else None
        if device is None:
            raise CommandError(_("“%(user)s” has no demo TOTP device: run load_demo first.") % {"user": username})
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
