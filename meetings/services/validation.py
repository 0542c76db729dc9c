"""The rules every write of a meeting record meets, whoever writes it: the portal's services and the admin's
forms call these same checks, so a rule (A1–A6, I3, M3, M6, M8) has one message with its ID at every door.

Each check raises a ValidationError keyed by field; none writes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.french import with_article
from meetings import rules
from meetings.models import AgendaItem, Meeting
from meetings.services._common import fail, status_label


def check_agenda_open(meeting: Meeting) -> None:
    """A1: the agenda changes while it is being prepared."""
    if meeting.status not in rules.AGENDA_EDITABLE:
        fail(_("The agenda of this meeting can no longer change: it is “%(status)s” (A1).")
             % {"status": status_label(meeting.status)}, code="agenda_closed")


def check_category(meeting: Meeting, category: str) -> None:
    """A2 (GEC), A4 (GA), A6 (GT/GD): an item's category lies within the instance's agenda scope."""
    instance = meeting.instance
    if not rules.category_allowed(instance.kind, category):
        label = dict(AgendaItem.Category.choices).get(category, category)
        fail(rules.scope_error(instance.kind, instance.code, str(label)), "category", code="out_of_scope")


def check_agenda_item(item: AgendaItem, meeting: Meeting, topic_experts=()) -> None:
    """The rules an agenda item meets whoever writes it (A2, A4, A5, A6, M6)."""
    check_category(meeting, item.category)
    if item.presenter_group is not None and not item.presenter_group.is_group:
        fail(_("Only a thematic or dialogue group can be invited to present its sector's stakes (A5)."),
             "presenter_group", code="presenter_not_group")
    if topic_experts and meeting.instance.kind != "GA":
        fail(_("Topic experts are invited per agenda item only in the GA (M6)."), "topic_experts",
             code="experts_only_ga")


def check_recordable(meeting: Meeting) -> None:
    if meeting.status not in rules.RECORDABLE:
        fail(_("Minutes, decisions and actions are recorded once the meeting is convened or held, "
               "not while it is “%(status)s”.") % {"status": status_label(meeting.status)}, code="not_recordable")


def check_register_open(meeting: Meeting) -> None:
    if meeting.status not in rules.REGISTER_OPEN:
        fail(_("The attendance register cannot change while the meeting is “%(status)s”.")
             % {"status": status_label(meeting.status)}, code="register_closed")


def check_decision(meeting: Meeting, agenda_item) -> None:
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        fail(_("The agenda item belongs to another meeting."), "agenda_item")


def check_action(meeting: Meeting, *, owner_partner, owner_person, decision) -> None:
    if decision is not None and decision.meeting_id != meeting.pk:
        fail(_("The decision belongs to another meeting."), "decision")
    if owner_person is not None and owner_partner is not None \
            and owner_person.institution.partner_id != owner_partner.pk:
        fail(_("%(person)s does not work for %(the_partner)s.") % {
            "person": owner_person, "the_partner": with_article(owner_partner.name, article=owner_partner.article)},
             "owner_person")


def check_referral_meetings(*, requested_at_meeting=None, ga_meeting=None, returned_to_meeting=None) -> None:
    """A3: the GEC asks, the GA examines, the conclusion goes back to the GEC."""
    if requested_at_meeting is not None and requested_at_meeting.instance.kind != "GEC":
        fail(_("Only the GEC refers questions to the GA (A3)."), "requested_at_meeting")
    if ga_meeting is not None and ga_meeting.instance.kind != "GA":
        fail(_("A referral is examined at a GA meeting (A3)."), "ga_meeting")
    if returned_to_meeting is not None and returned_to_meeting.instance.kind != "GEC":
        fail(_("The GA's conclusions go back to a GEC meeting (A3)."), "returned_to_meeting")
