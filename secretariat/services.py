"""Writes of the secretariat: distribution snapshots, invitations, answers, delegations.

Every invitation is a database row written in the transaction of the action that causes it; its
Celery task is queued only after commit (`enqueue_on_commit`, which never fails the caller), and
`requeue_pending_invitations` re-queues what the broker lost.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.queue import enqueue_many_on_commit, enqueue_on_commit, publish
from meetings.services import meeting_cancel, meeting_convene, meeting_reschedule
from membership.models import Mandate, Person
from secretariat.distribution import build_distribution_list
from secretariat.models import CalendarFeedToken, DistributionEntry, DistributionList, Invitation
from secretariat.reasons import render_reasons

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = getattr(settings, "INVITATION_MAX_ATTEMPTS", 5)
FIRST_BACKOFF_SECONDS = 30


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


SEND_INVITATION = "secretariat.tasks.send_invitation"
GENERATE_DISTRIBUTION_LIST = "secretariat.tasks.generate_distribution_list"


def _queue(invitations) -> None:
    """After commit, one sending task per invitation (see `core.queue`: never fails the caller)."""
    enqueue_many_on_commit(SEND_INVITATION, [[invitation.pk] for invitation in invitations])


def _invitation_from_entry(meeting, entry: DistributionEntry) -> Invitation:
    return Invitation(
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
    already = set(
        Invitation.objects.filter(meeting=meeting, kind=Invitation.Kind.REQUEST, delegated_from__isnull=True)
        .values_list("email", flat=True)
    )
    rows = [_invitation_from_entry(meeting, e) for e in snapshot.entries.all() if e.email not in already]
    created = Invitation.objects.bulk_create(rows)
    _queue(created)
    return len(created)


def _invited(meeting) -> list[Invitation]:
    """The latest request row of each address invited to the meeting (delegates included)."""
    latest: dict[str, Invitation] = {}
    for invitation in Invitation.objects.filter(meeting=meeting, kind=Invitation.Kind.REQUEST).order_by("pk"):
        latest[invitation.email.lower()] = invitation
    return list(latest.values())


def _notify_all(meeting, kind: str, message: str = "") -> int:
    rows = [
        Invitation(
            meeting=meeting, person_id=i.person_id, email=i.email, name=i.name, language=i.language,
            partner=i.partner, role=i.role, reason=i.reason, recipient=i.recipient, kind=kind,
            sequence=meeting.ical_sequence, message=message,
        )
        for i in _invited(meeting)
    ]
    created = Invitation.objects.bulk_create(rows)
    _queue(created)
    return len(created)


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


def invitation_claim(invitation_id: int) -> bool:
    """pending → sending by a conditional update: only one task ever holds a row.

    On PostgreSQL the claim commits asynchronously (no fsync wait): WAL is sequential, so when the
    later 'sent' update is durable the claim is too, and a claim lost in a database crash is the
    same case as a crash between the hand-off to the mail server and the 'sent' update.
    """

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return Invitation.objects.filter(pk=invitation_id, state=Invitation.State.PENDING).update(
            state=Invitation.State.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
        ) == 1


def invitation_mark_sent(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.SENDING).update(
        state=Invitation.State.SENT, sent_at=timezone.now(), last_error=""
    )


def backoff_seconds(attempts: int) -> int:
    return min(FIRST_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), settings.CELERY_LONGEST_COUNTDOWN)


def invitation_mark_failure(invitation: Invitation, error: str) -> int | None:
    """Back to pending with a backoff (returns the countdown), or failed after MAX_ATTEMPTS (returns None)."""
    attempts = Invitation.objects.filter(pk=invitation.pk).values_list("attempts", flat=True).first() or 0
    if attempts >= MAX_ATTEMPTS:
        Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.SENDING).update(
            state=Invitation.State.FAILED, last_error=error[:2000]
        )
        return None
    countdown = backoff_seconds(attempts)
    Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.SENDING).update(
        state=Invitation.State.PENDING, last_error=error[:2000],
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=countdown),
    )
    return countdown


@transaction.atomic
def invitation_retry(*, invitation: Invitation) -> Invitation:
    """The secretariat sends a failed invitation again."""
    updated = Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.FAILED).update(
        state=Invitation.State.PENDING, attempts=0, next_attempt_at=timezone.now(), queued_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("Only an invitation whose sending failed can be sent again."), code="not_failed")
    _queue([invitation])
    invitation.refresh_from_db()
    return invitation


def invitations_requeue(*, older_than_seconds: int = 60, stuck_after_seconds: int | None = None) -> int:
    """Re-queue pending rows due for a while (their message was lost) and rows stuck in sending (worker killed)."""
    now = timezone.now()
    stuck_after = stuck_after_seconds if stuck_after_seconds is not None else getattr(
        settings, "INVITATION_SENDING_TIMEOUT", 15 * 60)
    due = now - datetime.timedelta(seconds=older_than_seconds)
    Invitation.objects.filter(
        state=Invitation.State.SENDING, claimed_at__lt=now - datetime.timedelta(seconds=stuck_after)
    ).update(state=Invitation.State.PENDING, next_attempt_at=due, queued_at=due)
    ids = list(
        Invitation.objects.filter(state=Invitation.State.PENDING, next_attempt_at__lte=due, queued_at__lte=due)
        .values_list("pk", flat=True)
    )
    queued = 0
    for pk in ids:
        if not publish(SEND_INVITATION, pk):
            break  # broker still down: try again at the next beat
        Invitation.objects.filter(pk=pk).update(queued_at=timezone.now())
        queued += 1
    return queued


# --- answers ----------------------------------------------------------------------------------------------


def _require_open(invitation: Invitation) -> None:
    if invitation.meeting.status == "cancelled":
        raise ValidationError(_("This meeting has been cancelled."), code="cancelled")
    if invitation.meeting.end < timezone.now():
        raise ValidationError(_("This meeting is over: answers are closed."), code="over")


@transaction.atomic
def invitation_rsvp(*, invitation: Invitation, answer: str) -> Invitation:
    """Record attending or declined (delegation goes through invitation_delegate)."""
    if answer not in (Invitation.Rsvp.ATTENDING, Invitation.Rsvp.DECLINED):
        raise ValidationError(_("Unknown answer."), code="bad_answer")
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=invitation.pk)
    _require_open(invitation)
    if invitation.rsvp == Invitation.Rsvp.DELEGATED:
        raise ValidationError(_("You have already delegated this meeting."), code="delegated")
    invitation.rsvp, invitation.rsvp_at = answer, timezone.now()
    invitation.save(update_fields=["rsvp", "rsvp_at"])
    return invitation


def delegate_for(invitation: Invitation):
    """The person who may represent the invitee's partner: deputy (GEC/GA, M3) or binôme (GT/GD, M8)."""
    if invitation.person_id is None:
        return None
    meeting = invitation.meeting
    instance = meeting.instance
    on_date = meeting_date(meeting)
    active = Mandate.objects.active_on(on_date).filter(instance=instance)
    mine = list(active.filter(person_id=invitation.person_id))
    if instance.is_group:
        expert_ids = [m.pk for m in mine if m.role == "expert"]
        paired_ids = [m.pairs_with_id for m in mine if m.role == "binome" and m.pairs_with_id]
        candidates = active.filter(Q(role="binome", pairs_with_id__in=expert_ids) | Q(pk__in=paired_ids))
    else:
        if not any(m.role == "titular" for m in mine):
            return None  # only the titular delegates to the deputy (M3)
        partner_id = invitation.person.institution.partner_id
        candidates = active.filter(role="deputy", person__institution__partner_id=partner_id)
    mandate = candidates.exclude(person_id=invitation.person_id).order_by("start", "pk").first()
    return Person.objects.select_related("institution__partner").get(pk=mandate.person_id) if mandate else None


@transaction.atomic
def _partner_article(invitation) -> str:
    person = invitation.person
    return person.institution.partner.article if person is not None else ""


def invitation_delegate(*, invitation: Invitation) -> Invitation:
    """Record 'delegated' and convene the deputy (binôme) as the partner's representative; returns their row."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related(
        "meeting__instance", "person__institution__partner").get(pk=invitation.pk)
    _require_open(invitation)
    if invitation.rsvp == Invitation.Rsvp.DELEGATED:
        raise ValidationError(_("You have already delegated this meeting."), code="delegated")
    delegate = delegate_for(invitation)
    if delegate is None:
        raise ValidationError(
            _("No deputy (or binôme) of your organisation holds an active mandate in this instance: the meeting "
              "cannot be delegated (M3, M8)."), code="no_deputy")
    invitation.rsvp, invitation.rsvp_at, invitation.delegated_to = Invitation.Rsvp.DELEGATED, timezone.now(), delegate
    invitation.save(update_fields=["rsvp", "rsvp_at", "delegated_to"])
    reason = render_reasons([{"rule": "M3" if not invitation.meeting.instance.is_group else "M8", "code": "delegate",
                              "params": {"partner": invitation.partner, "delegator": invitation.name,
                                         "partner_article": _partner_article(invitation)}}])
    row = Invitation(
        meeting=invitation.meeting, person=delegate, email=delegate.email, name=delegate.full_name,
        language=delegate.language, partner=delegate.institution.partner.name, role="delegate", reason=reason,
        recipient=Invitation.Recipient.TO, kind=Invitation.Kind.REQUEST, sequence=invitation.meeting.ical_sequence,
        delegated_from=invitation,
    )
    row.full_clean(validate_constraints=False)
    row.save()
    _queue([row])
    return row


def calendar_feed_token_for(person) -> CalendarFeedToken:
    """The person's feed secret, created on first use."""
    return CalendarFeedToken.objects.get_or_create(person=person)[0]
