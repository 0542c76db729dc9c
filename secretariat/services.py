"""Writes of the secretariat: distribution snapshots, invitations, answers, delegations.

Every invitation is a database row written in the transaction of the action that causes it; its
Celery task is queued only after commit (`enqueue_on_commit`, which never fails the caller), and
the outbox (`secretariat/outbox.py`) sends them in batches and re-queues what the broker lost.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.queue import enqueue_on_commit
from meetings.services import meeting_cancel, meeting_convene, meeting_reschedule
from secretariat.distribution import build_distribution_list
from secretariat.models import CalendarFeedToken, DistributionEntry, DistributionList, Invitation
from secretariat.outbox import queue_on_commit
from secretariat.reasons import render_reasons

logger = logging.getLogger(__name__)


def meeting_date(meeting) -> datetime.date:
    """Mandates are looked up on the meeting's local date (M10)."""
    return timezone.localtime(meeting.start).date()


# --- distribution snapshots -------------------------------------------------------------------------------


@transaction.atomic
def distribution_generate(*, meeting, by_user=None) -> DistributionList:
    """Store a new snapshot of the meeting's list as the mandates say today (M10)."""
    on_date = meeting_date(meeting)
    entries = build_distribution_list(instance=meeting.instance, on_date=on_date, meeting=meeting)
    snapshot = DistributionList(meeting=meeting, on_date=on_date, generated_by=by_user)
    snapshot.full_clean()
    snapshot.save()
    DistributionEntry.objects.bulk_create([
        DistributionEntry(
            distribution_list=snapshot, position=position, person_id=e.person_id, email=e.email, name=e.name,
            language=e.language, partner=e.partner, partner_type=e.partner_type, institution=e.institution,
            instance_code=e.instance, role=e.role, recipient=e.recipient, rule=e.rule[:60], reasons=e.reasons,
        )
        for position, e in enumerate(entries)
    ])
    return snapshot


def distribution_request_generation(*, meeting, by_user=None) -> None:
    """Queue the generation (a Celery task); the page shows the snapshot once it is stored."""
    enqueue_on_commit(GENERATE_DISTRIBUTION_LIST, meeting.pk, by_user.pk if by_user else None)


def distribution_latest(meeting) -> DistributionList | None:
    return DistributionList.objects.filter(meeting=meeting).order_by("-generated_at", "-pk").first()


def distribution_previous(snapshot: DistributionList) -> DistributionList | None:
    return (
        DistributionList.objects.filter(meeting_id=snapshot.meeting_id)
        .filter(Q(generated_at__lt=snapshot.generated_at) | Q(generated_at=snapshot.generated_at, pk__lt=snapshot.pk))
        .order_by("-generated_at", "-pk").first()
    )


def distribution_diff(previous: DistributionList | None, current: DistributionList) -> dict:
    """Who was added or removed between two snapshots (with their reasons), and whose place changed."""
    before = {e.key: e for e in previous.entries.all()} if previous is not None else {}
    after = {e.key: e for e in current.entries.all()}
    changed = [
        (before[k], after[k]) for k in after.keys() & before.keys()
        if (before[k].recipient, before[k].role, before[k].rule) != (after[k].recipient, after[k].role, after[k].rule)
    ]
    return {
        "added": [after[k] for k in after if k not in before],
        "removed": [before[k] for k in before if k not in after],
        "changed": sorted(changed, key=lambda pair: pair[1].position),
    }


@transaction.atomic
def distribution_freeze(*, distribution_list: DistributionList) -> DistributionList:
    if distribution_list.frozen_at is None:
        distribution_list.frozen_at = timezone.now()
        distribution_list.save(update_fields=["frozen_at"])
    return distribution_list


# --- invitations ------------------------------------------------------------------------------------------


GENERATE_DISTRIBUTION_LIST = "secretariat.tasks.generate_distribution_list"


def invitations_queue(invitations) -> None:
    """After commit, batches of sending tasks (see `secretariat.outbox`: never fails the caller)."""
    queue_on_commit(invitations)


def _invitation_from_entry(meeting, entry: DistributionEntry, now=None) -> Invitation:
    return Invitation(
        message_at=now or timezone.now(),
        meeting=meeting, person_id=entry.person_id, email=entry.email, name=entry.name, language=entry.language,
        partner=entry.partner, role=entry.role, reason=render_reasons(entry.reasons), recipient=entry.recipient,
        kind=Invitation.Kind.REQUEST, sequence=meeting.ical_sequence,
    )


@transaction.atomic
def invitations_send(*, meeting, by_user=None) -> int:
    """Convene the meeting, freeze its list and write one pending invitation per entry; sent after commit.

    Returns the number of invitations queued. Nobody already invited to this meeting is invited again.
    """

    meeting_convene(meeting=meeting)  # locks the meeting row: two clicks are serialised
    snapshot = distribution_latest(meeting) or distribution_generate(meeting=meeting, by_user=by_user)
    distribution_freeze(distribution_list=snapshot)
    already = invited_keys(meeting)
    now = timezone.now()  # one message, one time: its DTSTAMP and the issue time of its links
    rows = [_invitation_from_entry(meeting, e, now) for e in snapshot.entries.all() if e.key not in already]
    # With their first history record: the audit then shows every later change of the invitation.
    created = bulk_create_with_history(rows, Invitation, default_user=by_user) if rows else []
    invitations_queue(created)
    return len(created)


def invitation_key(invitation) -> str:
    """The same key as DistributionEntry.key: the person, or the address of someone outside the directory."""
    return f"p{invitation.person_id}" if invitation.person_id else invitation.email.lower()


def invited_keys(meeting) -> set[str]:
    """Who already holds an invitation to the meeting (whatever the route: direct, in copy, by delegation)."""
    return {
        f"p{person_id}" if person_id else email.lower()
        for person_id, email in Invitation.objects.filter(meeting=meeting).values_list("person_id", "email")
    }


NEW_MESSAGE_FIELDS = ["kind", "sequence", "message", "state", "attempts", "last_error", "queued_at",
                      "next_attempt_at", "claimed_at", "claimed_by", "message_at", "delivery_uncertain",
                      "handover_at"]


def reset_to_message(invitation: Invitation, *, kind: str, message: str = "") -> Invitation:
    """Point the person's row at a new message (kind, the meeting's sequence, pending); saved, not queued.

    The row's history keeps the previous message; `messages_sent` goes up when this one leaves.
    """
    now = timezone.now()
    invitation.kind, invitation.sequence, invitation.message = kind, invitation.meeting.ical_sequence, message
    invitation.state, invitation.attempts, invitation.last_error = Invitation.State.PENDING, 0, ""
    invitation.queued_at = invitation.next_attempt_at = invitation.message_at = now
    invitation.claimed_at, invitation.claimed_by, invitation.delivery_uncertain = None, "", False
    invitation.handover_at = None
    return invitation


def _notify_all(meeting, kind: str, message: str = "") -> int:
    """An update or a cancellation: each invited person's row gets the new message (no new row)."""
    rows = list(Invitation.objects.select_for_update().filter(meeting=meeting).select_related("meeting"))
    for row in rows:
        row.meeting = meeting
        reset_to_message(row, kind=kind, message=message)
    bulk_update_with_history(rows, Invitation, NEW_MESSAGE_FIELDS)
    invitations_queue(rows)
    return len(rows)


@transaction.atomic
def invitations_send_update(*, meeting, message: str = "") -> int:
    """After a change of date or place: METHOD:REQUEST, same UID, the meeting's new SEQUENCE."""
    return _notify_all(meeting, Invitation.Kind.UPDATE, message)


@transaction.atomic
def invitations_send_cancellation(*, meeting, reason: str = "") -> int:
    """METHOD:CANCEL to everyone invited."""
    return _notify_all(meeting, Invitation.Kind.CANCEL, reason)


@transaction.atomic
def meeting_reschedule_and_notify(*, meeting, start, end, place=None, video_link=None, message: str = ""):
    """Reschedule (SEQUENCE + 1) and, when invitations went out, send the update. Returns (meeting, count)."""
    meeting = meeting_reschedule(meeting=meeting, start=start, end=end, place=place, video_link=video_link,
                                 message=message)
    return meeting, invitations_send_update(meeting=meeting, message=message)


@transaction.atomic
def meeting_cancel_and_notify(*, meeting, reason: str = ""):
    """Cancel (SEQUENCE + 1) and send METHOD:CANCEL to everyone invited. Returns (meeting, count)."""
    meeting = meeting_cancel(meeting=meeting, reason=reason)
    return meeting, invitations_send_cancellation(meeting=meeting, reason=reason)


@transaction.atomic
def invitation_retry(*, invitation: Invitation) -> Invitation:
    """The secretariat sends a failed invitation again."""
    updated = Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.FAILED).update(
        state=Invitation.State.PENDING, attempts=0, next_attempt_at=timezone.now(), queued_at=timezone.now(),
        claimed_by="",
    )
    if not updated:
        raise ValidationError(_("Only an invitation whose sending failed can be sent again."), code="not_failed")
    invitations_queue([invitation])
    invitation.refresh_from_db()
    return invitation



def calendar_feed_token_for(person) -> CalendarFeedToken:
    """The person's feed secret, created on first use."""
    return CalendarFeedToken.objects.get_or_create(person=person)[0]
