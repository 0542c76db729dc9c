from django.db import models
from django.utils.translation import gettext_lazy as _

from ptf_portal.incident_text import describe


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the periodic heartbeat: shows the secretariat work is flowing."""

    hostname = models.CharField(_("worker"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M}"


class Incident(models.Model):
    """A moving part found wrong by monitoring, from when it was found to when it recovered.

    One open incident per check at most: the admins are e-mailed when it opens, not at every check.
    """

    check_name = models.CharField(_("check"), max_length=40)
    # Since when the part has been silent (its last sign of life), and what the outbox's stall is blamed on:
    # the message is written when shown, in the reader's language (ptf_portal.operations.describe).
    since = models.DateTimeField(_("silent since"), null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=20, blank=True)
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    notified_at = models.DateTimeField(_("admins notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_name"], condition=models.Q(closed_at__isnull=True), name="one_open_incident_per_check"
            ),
        ]

    def __str__(self):
        return f"{self.check_name} {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def message(self) -> str:
        return describe(self.check_name, self.since, self.cause)
