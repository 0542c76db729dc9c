"""Minutes, decisions and follow-up actions of a meeting."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import ActionItem, Decision, Meeting, Minutes
from meetings.services import validation
from meetings.services._common import fail, lock


def _require_recordable(meeting: Meeting) -> None:
    validation.check_recordable(meeting)


@transaction.atomic
def minutes_save(*, meeting: Meeting, text: str, confidential: bool | None = None) -> Minutes:
    """Write or rewrite the minutes until they are approved; GA minutes are confidential by default (A4)."""
    lock(meeting)
    _require_recordable(meeting)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        minutes = Minutes(meeting=meeting, confidential=meeting.confidential_by_default)
    minutes.text = text
    if confidential is not None:
        minutes.confidential = confidential
    minutes.full_clean()
    minutes.save()
    return minutes


@transaction.atomic
def decision_add(*, meeting: Meeting, text: str, agenda_item=None) -> Decision:
    lock(meeting)
    _require_recordable(meeting)
    validation.check_decision(meeting, agenda_item)
    decision = Decision(meeting=meeting, text=text, agenda_item=agenda_item, body=meeting.instance,
                        decided_on=timezone.localdate(meeting.start), source=Decision.Source.MEETING)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def decision_record_written(*, body, decided_on: datetime.date, text: str) -> Decision:
    """A decision taken between meetings by written procedure: the body, the day, the text (no meeting)."""
    decision = Decision(meeting=None, body=body, decided_on=decided_on, text=text,
                        source=Decision.Source.WRITTEN)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def action_add(*, meeting: Meeting, title: str, owner_partner, due_date: datetime.date, owner_person=None,
               decision: Decision | None = None) -> ActionItem:
    lock(meeting)
    _require_recordable(meeting)
    validation.check_action(meeting, owner_partner=owner_partner, owner_person=owner_person, decision=decision)
    action = ActionItem(meeting=meeting, title=title, owner_partner=owner_partner, owner_person=owner_person,
                        due_date=due_date, decision=decision)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_mark_done(*, action: ActionItem) -> ActionItem:
    action.refresh_from_db(from_queryset=ActionItem.objects.select_for_update())
    if action.state == ActionItem.State.DONE:
        fail(_("This action is already done."), code="already_done")
    action.state, action.done_at = ActionItem.State.DONE, timezone.now()
    action.full_clean()
    action.save()
    return action


ACTION_STATES = ("open", "late", "done")


def action_register(*, instance=None, owner_partner=None, state: str | None = None):
    """One register of actions across meetings and instances; 'late' is open and past its due date."""
    qs = ActionItem.objects.select_related(
        "meeting__instance", "owner_partner", "owner_person", "decision"
    ).order_by("due_date", "pk")
    if instance is not None:
        qs = qs.filter(meeting__instance=instance)
    if owner_partner is not None:
        qs = qs.filter(owner_partner=owner_partner)
    if state in (None, ""):
        return qs
    if state == "late":
        return qs.filter(state=ActionItem.State.OPEN, due_date__lt=timezone.localdate())
    if state in (ActionItem.State.OPEN, ActionItem.State.DONE):
        return qs.filter(state=state)
    fail(_("Unknown action state."), "state")


def follow_up_condition(meeting: Meeting) -> Q:
    """Open actions from the instance's earlier meetings: the follow-up section of this meeting's agenda."""
    return Q(state=ActionItem.State.OPEN, meeting__instance_id=meeting.instance_id, meeting__start__lt=meeting.start)


def meeting_follow_up_actions(meeting: Meeting):
    """The actions of `follow_up_condition`, soonest due first."""
    return (
        ActionItem.objects.filter(follow_up_condition(meeting))
        .select_related("meeting", "owner_partner", "owner_person")
        .order_by("due_date", "pk")
    )
