from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Small helpers with no domain knowledge; an app for its template tags and the heartbeats' table."""

    name = "core"
    verbose_name = _("core")
