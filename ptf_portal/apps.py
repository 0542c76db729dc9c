from django.apps import AppConfig, apps
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core.version import VERSION

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

        # The admin says which release runs (the operator's first question after an upgrade). Imported here, in
        # Django's hook: the admin package needs the app registry.
        from django.contrib import admin

        admin.site.site_header = format_lazy("{} · {}", admin.site.site_header, VERSION)
