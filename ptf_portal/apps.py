from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ptf_portal"
    verbose_name = "PTF portal"

    def ready(self):
        from ptf_portal import security_log  # noqa: F401  (connects auth signals)
