from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Small helpers with no domain knowledge; an app only so that its template tags load."""

    name = "core"
    verbose_name = _("core")
