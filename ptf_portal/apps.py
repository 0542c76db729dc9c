from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Titles of the Django admin that its French catalogue writes without elision ("Ajout de action"):
# the portal's catalogue (LOCALE_PATHS wins) gives them a form that suits every model name.
ADMIN_TITLES = (gettext_noop("Add %s"), gettext_noop("Change %s"), gettext_noop("View %s"))


class PortalConfig(AppConfig):
    name = "ptf_portal"
    verbose_name = "PTF portal"

    def ready(self):
        from ptf_portal import security_log  # noqa: F401  (connects auth signals)

        # The admin names the second-factor devices in the reader's language, not "OTP_TOTP / TOTP devices".
        totp = apps.get_app_config("otp_totp")
        totp.verbose_name = _("Two-factor authentication")
        device = totp.get_model("TOTPDevice")
        device._meta.verbose_name = _("authenticator app (TOTP)")
        device._meta.verbose_name_plural = _("authenticator apps (TOTP)")
