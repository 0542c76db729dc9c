"""Monitoring: the portal checks its own moving parts and says, in plain words, what stopped.

Checks: the database, the broker (Redis), the worker (its heartbeat), the beat (its own record of each entry it
sent, see ptf_portal.beat), the outbox (the oldest invitation due and not sent) and the secretariat's mailbox (the
last successful poll). `evaluate()` runs them, opens an incident for each check found wrong (the admins get one
e-mail when it opens) and closes it when the check recovers. It is called by the beat every minute, by
`manage.py status`, by the operator's `/status` endpoint and by the SEG dashboard's banner (at most once a
minute there): a stopped worker or beat cannot silence it.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.mail import mail_admins
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.heartbeats import last_seen
from ptf_portal.beat import beat_mark_name
from ptf_portal.celery import app
from ptf_portal.celery_config import beat_schedule
from ptf_portal.incident_text import describe
from ptf_portal.models import Incident, WorkerHeartbeat
from secretariat.inbound.tasks import MAILBOX_HEARTBEAT
from secretariat.models import Invitation

logger = logging.getLogger(__name__)
# The beat's most frequent entry: if the beat lives, this one ran within the last minutes.
BEAT_PROBE_ENTRY = "worker-heartbeat"
DASHBOARD_CHECK_KEY = "ops:dashboard-evaluated"


@dataclass
class Finding:
    """One check's outcome; `message` is for the SEG and the admins (in the active language)."""

    name: str
    ok: bool
    since: datetime.datetime | None = None
    cause: str = ""
    detail: dict = field(default_factory=dict)
    applicable: bool = True

    @property
    def message(self) -> str:
        return "" if self.ok else describe(self.name, self.since, self.cause)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok, "applicable": self.applicable, "message": self.message,
            "since": self.since.isoformat() if self.since else None, "detail": self.detail,
        }


def _workers_expected() -> bool:
    """Eager Celery (development, tests) runs tasks in the request: there is no worker or beat to watch."""
    return not app.conf.task_always_eager


def check_database() -> Finding:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return Finding("database", False, detail={"error": str(exc)[:200]})
    return Finding("database", True)


def check_broker() -> Finding:
    if not _workers_expected():
        return Finding("broker", True, applicable=False)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
    except Exception as exc:  # kombu raises the transport's own errors
        return Finding("broker", False, detail={"error": str(exc)[:200]})
    return Finding("broker", True)


def check_worker(now: datetime.datetime) -> Finding:
    if not _workers_expected():
        return Finding("worker", True, applicable=False)
    seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    silence = datetime.timedelta(seconds=settings.OPS_WORKER_SILENCE_SECONDS)
    if seen is None or now - seen > silence:
        return Finding("worker", False, since=seen, detail={"last_seen": seen.isoformat() if seen else None})
    return Finding("worker", True, detail={"last_seen": seen.isoformat()})


def check_beat(now: datetime.datetime) -> Finding:
    if not _workers_expected():
        return Finding("beat", True, applicable=False)
    marks = last_seen(beat_mark_name(name) for name in beat_schedule)
    runs = {name: marks.get(beat_mark_name(name)) for name in beat_schedule}
    detail = {"last_runs": {name: at.isoformat() if at else None for name, at in runs.items()}}
    probe = runs.get(BEAT_PROBE_ENTRY)
    if probe is None or now - probe > datetime.timedelta(seconds=settings.OPS_BEAT_SILENCE_SECONDS):
        return Finding("beat", False, since=probe, detail=detail)
    return Finding("beat", True, detail=detail)


def check_outbox(now: datetime.datetime, causes: list[Finding]) -> Finding:
    """Invitations due and not sent for longer than OPS_MAIL_STALL_MINUTES: mail has stopped leaving."""
    due = Invitation.objects.filter(
        state__in=[Invitation.State.PENDING, Invitation.State.SENDING], next_attempt_at__lte=now
    )
    oldest = due.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    day = now - datetime.timedelta(days=1)
    detail = {
        "oldest_due": oldest.isoformat() if oldest else None,
        "failed_last_day": Invitation.objects.filter(state=Invitation.State.FAILED, claimed_at__gte=day).count(),
        "uncertain_last_day": Invitation.objects.filter(delivery_uncertain=True, sent_at__gte=day).count(),
    }
    if oldest is None or now - oldest <= datetime.timedelta(minutes=settings.OPS_MAIL_STALL_MINUTES):
        return Finding("outbox", True, detail=detail)
    names = {f.name for f in causes if not f.ok}
    cause = next((name for name in ("worker", "broker", "database") if name in names), "")
    return Finding("outbox", False, since=oldest, cause=cause, detail=detail)


def check_mailbox(now: datetime.datetime) -> Finding:
    if not settings.INBOUND_IMAP_HOST:
        return Finding("mailbox", True, applicable=False)
    polled = last_seen([MAILBOX_HEARTBEAT]).get(MAILBOX_HEARTBEAT)
    if polled is None or now - polled > datetime.timedelta(minutes=settings.OPS_MAILBOX_STALL_MINUTES):
        return Finding("mailbox", False, since=polled,
                       detail={"last_poll": polled.isoformat() if polled else None})
    return Finding("mailbox", True, detail={"last_poll": polled.isoformat()})


def run_checks(now: datetime.datetime | None = None) -> list[Finding]:
    """Every check, without recording anything."""
    now = now or timezone.now()
    database = check_database()
    if not database.ok:
        return [database]
    parts = [database, check_broker(), check_worker(now), check_beat(now)]
    return [*parts, check_outbox(now, parts), check_mailbox(now)]


def _notify_admins(incident: Incident) -> None:
    """One e-mail per incident: claimed by a conditional update; released when it could not be sent."""
    if not Incident.objects.filter(pk=incident.pk, notified_at__isnull=True).update(notified_at=timezone.now()):
        return  # another process notifies
    try:
        message = incident.message
        mail_admins(_("PTF portal: %(problem)s") % {"problem": message[:80]},
                    message + "\n\n" + _("Run “python manage.py status” on the server for the details."))
    except Exception:  # the mail server may be what is down: retried at the next check
        logger.warning("admins not notified of incident %s", incident.pk, exc_info=True)
        Incident.objects.filter(pk=incident.pk).update(notified_at=None)


def record(findings: list[Finding], now: datetime.datetime | None = None) -> list[Incident]:
    """Open an incident for each wrong check (e-mailing the admins once), close those that recovered.

    Returns the incidents open afterwards. Two processes evaluating at once open one incident (the unique
    constraint on open incidents) and notify once (the conditional update on notified_at).
    """
    now = now or timezone.now()
    wrong = {f.name: f for f in findings if not f.ok}
    checked = {f.name for f in findings}
    Incident.objects.filter(closed_at__isnull=True, check_name__in=checked - set(wrong)).update(closed_at=now)
    for name, finding in wrong.items():
        try:
            with transaction.atomic():
                Incident.objects.get_or_create(
                    check_name=name, closed_at__isnull=True,
                    defaults={"since": finding.since, "cause": finding.cause, "opened_at": now},
                )
        except IntegrityError:  # another process opened it between our read and our write
            pass
        Incident.objects.filter(check_name=name, closed_at__isnull=True).update(cause=finding.cause)
    for incident in Incident.objects.filter(closed_at__isnull=True, notified_at__isnull=True):
        _notify_admins(incident)
    return list(Incident.objects.filter(closed_at__isnull=True).order_by("opened_at"))


def evaluate(now: datetime.datetime | None = None) -> tuple[list[Finding], list[Incident]]:
    """Run the checks and record their incidents."""
    findings = run_checks(now)
    if not findings[0].ok:  # no database: nothing can be recorded
        return findings, []
    return findings, record(findings, now)


def banner_incidents() -> list[Incident]:
    """What the SEG's dashboard shows: the open incidents, the checks run again at most once a minute."""
    if cache.add(DASHBOARD_CHECK_KEY, 1, timeout=60):
        try:
            return evaluate()[1]
        except DatabaseError:
            cache.delete(DASHBOARD_CHECK_KEY)
            raise
    return list(Incident.objects.filter(closed_at__isnull=True).order_by("opened_at"))
