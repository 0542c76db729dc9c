from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "membership"
    verbose_name = _("Directory")

    def ready(self):
        # Django's hook for wiring an app in: registering the Celery tasks of portal accounts (queued by name
        # from membership.accounts.services). Imports here are the documented exception.
        from membership import tasks  # noqa: F401
