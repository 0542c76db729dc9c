from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecretariatConfig(AppConfig):
    name = "secretariat"
    verbose_name = _("Secretariat")

    def ready(self):
        # Django's hook for wiring an app in: registering the Celery tasks (queued by name from services)
        # the secretariat's panels on the meeting page, and its listeners on agenda proposals. Imports here are the documented exception.
        from secretariat import panels, proposals, tasks  # noqa: F401
