from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.converters import register


class CoreConfig(AppConfig):
    """Small helpers with no domain knowledge; an app for its template tags, the `id` path converter and the
    heartbeats' table."""

    name = "core"
    verbose_name = _("core")

    def ready(self):
        # URLconfs are read after every app is ready: `<id:...>` is known to all of them.
        register()
