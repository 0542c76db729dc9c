from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecretariatConfig(AppConfig):
    name = "secretariat"
    verbose_name = _("Secretariat")

    def ready(self):
        # The meeting page shows the answers panel; meetings does not import the secretariat.
        from secretariat import panels  # noqa: F401
