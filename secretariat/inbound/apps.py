from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboundConfig(AppConfig):
    """The secretariat's mailbox read back: calendar replies, bounces, automatic and free-text replies."""

    name = "secretariat.inbound"
    label = "inbound"
    verbose_name = _("Inbound mail")
