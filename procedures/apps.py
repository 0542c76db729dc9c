from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Written procedures")

    def ready(self):
        # Django's hook: the procedures' e-mails ride on the secretariat's outbox (one sending path).
        from procedures import mail, panels  # noqa: F401
