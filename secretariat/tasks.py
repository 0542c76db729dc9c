"""Thin Celery tasks: load by id, call a service. Every task is safe to run twice."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from meetings.models import AgendaItem, Meeting
from secretariat import outbox, reminders
from secretariat.emails import digest_message, proposal_decision_message
from secretariat.models import Invitation
from secretariat.selectors import chair_changes
from secretariat.services import distribution_generate

logger = logging.getLogger(__name__)


@shared_task(name="secretariat.tasks.generate_distribution_list")
def generate_distribution_list(meeting_id: int, user_id: int | None = None) -> int | None:
    """Store a new snapshot of the meeting's distribution list; returns its id."""
    meeting = Meeting.objects.select_related("instance").filter(pk=meeting_id).first()
    if meeting is None:
        return None
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return distribution_generate(meeting=meeting, by_user=user).pk


@shared_task(name="secretariat.tasks.send_invitation_batch", time_limit=settings.INVITATION_BATCH_TIME_LIMIT)
def send_invitation_batch(invitation_ids: list[int]) -> dict:
    """Send the due rows among these over one SMTP connection (see secretariat/outbox.py)."""
    return outbox.send_batch(invitation_ids)


@shared_task(name="secretariat.tasks.send_invitation", time_limit=settings.INVITATION_BATCH_TIME_LIMIT)
def send_invitation(invitation_id: int) -> dict:
    """One row: a batch of one (messages queued before batches existed)."""
    return outbox.send_batch([invitation_id])


@shared_task(name="secretariat.tasks.requeue_pending_invitations")
def requeue_pending_invitations(older_than_seconds: float | None = None) -> int:
    """Beat, on its own queue: recover rows left sending, publish the due rows that are not queued."""
    return outbox.requeue(older_than_seconds=older_than_seconds)


REMINDER_DAYS_BEFORE = 3


@shared_task(name="secretariat.tasks.send_reminders")
def send_reminders() -> int:
    """Beat (hourly): three days before a convened meeting, remind once those who have not answered."""
    now = timezone.now()
    ids = list(
        Invitation.objects.exclude(kind=Invitation.Kind.CANCEL).filter(
            state=Invitation.State.SENT, rsvp=Invitation.Rsvp.NONE, reminded_at__isnull=True,
            meeting__status="convened", meeting__start__gt=now,
            meeting__start__lte=now + datetime.timedelta(days=REMINDER_DAYS_BEFORE),
        ).values_list("pk", flat=True)
    )
    for batch in outbox.chunks(ids, settings.INVITATION_BATCH_SIZE):
        send_reminder_batch.delay(batch)
    return len(ids)


@shared_task(name="secretariat.tasks.send_reminder_batch")
def send_reminder_batch(invitation_ids: list[int]) -> int:
    """The due reminders among these, over one SMTP connection (see secretariat/reminders.py)."""
    return reminders.send_reminder_batch(invitation_ids)


@shared_task(name="secretariat.tasks.send_reminder")
def send_reminder(invitation_id: int) -> bool:
    """One reminder: a batch of one (messages queued before batches existed)."""
    return reminders.send_reminder_batch([invitation_id]) == 1


@shared_task(name="secretariat.tasks.send_daily_digest")
def send_daily_digest() -> bool:
    """Beat (daily): tell the secretariat which invitations failed and which are still unanswered."""
    failed = list(Invitation.objects.filter(state=Invitation.State.FAILED).select_related("meeting__instance"))
    unanswered = list(
        Invitation.objects.exclude(kind=Invitation.Kind.CANCEL).filter(
            state=Invitation.State.SENT, rsvp=Invitation.Rsvp.NONE, meeting__status="convened",
            meeting__start__gt=timezone.now(),
        ).select_related("meeting__instance").order_by("meeting__start", "name")
    )
    upcoming = Meeting.objects.filter(status="convened", start__gt=timezone.now()).select_related("instance")
    chairs = chair_changes(upcoming)
    if not failed and not unanswered and not chairs:
        return False
    digest_message(failed=failed, unanswered=unanswered, chairs=chairs).send()
    return True


@shared_task(name="secretariat.tasks.send_proposal_decision")
def send_proposal_decision(item_id: int) -> bool:
    """Tell the proposer that her agenda item was accepted or rejected (with the reason)."""
    item = AgendaItem.objects.select_related("meeting__instance", "proposed_by").filter(pk=item_id).first()
    if item is None or item.proposed_by is None or item.status == AgendaItem.Status.PROPOSED:
        return False
    proposal_decision_message(item).send()
    return True
