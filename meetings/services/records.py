"""Minutes, decisions and follow-up actions of a meeting."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.french import with_article
from meetings import rules
from meetings.models import ActionItem, Decision, Meeting, Minutes
from meetings.services._common import fail, lock, status_label


def _require_recordable(meeting: Meeting) -> None:
    if meeting.status not in rules.RECORDABLE:
        fail(_("Minutes, decisions and actions are recorded once the meeting is convened or held, "
               "not while it is “%(status)s”.") % {"status": status_label(meeting.status)}, code="not_recordable")


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
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        fail(_("The agenda item belongs to another meeting."), "agenda_item")
    decision = Decision(meeting=meeting, text=text, agenda_item=agenda_item)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def action_add(*, meeting: Meeting, title: str, owner_partner, due_date: datetime.date, owner_person=None,
               decision: Decision | None = None) -> ActionItem:
    lock(meeting)
    _require_recordable(meeting)
    if decision is not None and decision.meeting_id != meeting.pk:
        fail(_("The decision belongs to another meeting."), "decision")
    if owner_person is not None and owner_person.institution.partner_id != owner_partner.pk:
        fail(_("%(person)s does not work for %(the_partner)s.") % {
            "person": owner_person, "the_partner": with_article(owner_partner.name, article=owner_partner.article)},
             "owner_person")
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


def meeting_follow_up_actions(meeting: Meeting):
    """Open actions from the instance's earlier meetings: the follow-up section of this meeting's agenda."""
    return (
        ActionItem.objects.filter(
            state=ActionItem.State.OPEN, meeting__instance_id=meeting.instance_id, meeting__start__lt=meeting.start
        )
        .select_related("meeting", "owner_partner", "owner_person")
        .order_by("due_date", "pk")
    )
