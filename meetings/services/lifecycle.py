"""A meeting's life: draft → agenda proposed → convened → held → minutes approved, or cancelled (A1, I3)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import rules
from meetings.models import AgendaItem, Meeting, Minutes, Referral
from meetings.services._common import apply_fields, check_transition, fail, lock, meeting_day, require_agenda_editable
from meetings.services.attendance import register_chair
from meetings.services.referrals import return_concluded_referrals

UPDATABLE = {"title", "place", "video_link", "kind", "extraordinary_reason", "proposal_deadline", "with_government"}


@transaction.atomic
def meeting_create(*, instance, title: str, start: datetime.datetime, end: datetime.datetime,
                   kind: str = Meeting.Kind.ORDINARY, place: str = "", video_link: str = "",
                   extraordinary_reason: str = "", proposal_deadline: datetime.datetime | None = None,
                   with_government: bool = False, created_by=None) -> Meeting:
    """A new meeting in draft; an extraordinary GEC meeting says why it is convened (I3)."""
    meeting = Meeting(
        instance=instance, title=title, start=start, end=end, kind=kind, place=place, video_link=video_link,
        extraordinary_reason=extraordinary_reason, proposal_deadline=proposal_deadline,
        with_government=with_government, created_by=created_by,
    )
    meeting.full_clean()
    meeting.save()
    if instance.kind == "GEC":

        return_concluded_referrals()
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, **fields) -> Meeting:
    """Title, place, link, kind… while the agenda is being prepared; times move through meeting_reschedule."""
    lock(meeting)
    require_agenda_editable(meeting)
    apply_fields(meeting, fields, UPDATABLE)
    meeting.full_clean()
    meeting.save()
    return meeting


def _require_agenda(meeting: Meeting) -> None:
    if not meeting.items.filter(status=AgendaItem.Status.ACCEPTED).exists():
        fail(_("A meeting needs an agenda with at least one accepted item first (A1)."), code="no_agenda")


@transaction.atomic
def meeting_propose_agenda(*, meeting: Meeting) -> Meeting:
    lock(meeting)
    check_transition(meeting, rules.AGENDA_PROPOSED)
    _require_agenda(meeting)
    meeting.status = Meeting.Status.AGENDA_PROPOSED
    meeting.save()
    return meeting


@transaction.atomic
def meeting_convene(*, meeting: Meeting) -> Meeting:
    """agenda proposed → convened; the caller (secretariat) then sends the invitations."""
    lock(meeting)
    check_transition(meeting, rules.CONVENED)
    _require_agenda(meeting)
    meeting.status = Meeting.Status.CONVENED
    meeting.save()
    return meeting


def _history_reason(text: str) -> str | None:
    """The message to the invitees, kept whole as the reason of the change in the meeting's history."""
    return (text or "").strip() or None


@transaction.atomic
def meeting_reschedule(*, meeting: Meeting, start: datetime.datetime, end: datetime.datetime,
                       place: str | None = None, video_link: str | None = None, message: str = "") -> Meeting:
    """New times (and place); the calendar SEQUENCE rises so invitees' calendars replace the event. The message
    to the invitees is kept in the meeting's history (the audit trail) as the reason of the change."""
    lock(meeting)
    if meeting.status not in rules.RESCHEDULABLE:
        fail(_("A meeting that is “%(status)s” cannot be rescheduled.")
             % {"status": meeting.get_status_display()}, code="invalid_transition")
    meeting.start, meeting.end = start, end
    if place is not None:
        meeting.place = place
    if video_link is not None:
        meeting.video_link = video_link
    meeting.full_clean()
    meeting.ical_sequence += 1  # the row is locked
    meeting._change_reason = _history_reason(message)
    meeting.save()
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str = "") -> Meeting:
    lock(meeting)
    check_transition(meeting, rules.CANCELLED)
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancellation_reason = reason
    meeting.ical_sequence += 1  # the row is locked
    meeting._change_reason = _history_reason(reason)
    meeting.save()
    # A3: questions waiting on this GA meeting wait again; conclusions due at this GEC meeting go to the next.
    Referral.objects.filter(ga_meeting=meeting, state=Referral.State.SCHEDULED).update(
        state=Referral.State.REQUESTED, ga_meeting=None)
    returned = Referral.objects.filter(returned_to_meeting=meeting, state=Referral.State.RETURNED)
    if returned.exists():
        for referral in returned:
            referral.state, referral.returned_to_meeting = Referral.State.CONCLUDED, None
            referral.save()
        return_concluded_referrals()
    return meeting


@transaction.atomic
def meeting_mark_held(*, meeting: Meeting) -> Meeting:
    """convened → held; the acting chair from the register is recorded and frozen (T3–T7)."""
    lock(meeting)
    check_transition(meeting, rules.HELD)
    if meeting.start > timezone.now():
        fail(_("A meeting cannot be marked as held before it starts."), code="not_started")
    chair = register_chair(meeting)
    meeting.chair_person, meeting.chair_partner = chair.person, chair.partner
    meeting.chair_role, meeting.chair_reason, meeting.chair_rule = chair.role or "", str(chair.reason), chair.rule
    meeting.status = Meeting.Status.HELD
    meeting.save()
    return meeting


@transaction.atomic
def meeting_approve_minutes(*, meeting: Meeting, approved_at) -> Meeting:
    """held → minutes approved, at a LATER meeting of the same instance (or on a later date)."""
    lock(meeting)
    check_transition(meeting, rules.MINUTES_APPROVED)
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None or not minutes.text.strip():
        fail(_("There are no minutes to approve."), code="no_minutes")
    if isinstance(approved_at, Meeting):
        if approved_at.instance_id != meeting.instance_id or approved_at.start <= meeting.start:
            fail(_("Minutes are approved at a later meeting of the same instance."), "approved_at")
        if approved_at.status == Meeting.Status.CANCELLED:
            fail(_("Minutes cannot be approved at a cancelled meeting."), "approved_at")
        minutes.approved_at_meeting, minutes.approved_on = approved_at, meeting_day(approved_at)
    else:
        if approved_at <= meeting_day(meeting):
            fail(_("Minutes are approved after the meeting."), "approved_at")
        minutes.approved_on = approved_at
    minutes.full_clean()
    minutes.save()
    meeting.status = Meeting.Status.MINUTES_APPROVED
    meeting.save()
    return meeting
