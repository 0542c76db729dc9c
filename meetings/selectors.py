"""Reads of meetings that several callers need: the meeting page in a constant number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from meetings.models import ActionItem, AgendaItem, Attendance, Document, Meeting, Referral
from meetings.services.agenda import item_presenters, meeting_presenters
from meetings.services.attendance import current_acting_chair, member_partners, represented_partners
from meetings.services.records import meeting_follow_up_actions
from membership.access import active_instance_ids
from membership.chair import ChairResult
from membership.roles import is_secretariat, person_of


@dataclass
class MeetingPage:
    """Everything a meeting page shows. Each item carries `.document_list` and `.presenter_list`."""

    meeting: Meeting
    instance: object
    items: list[AgendaItem]
    accepted_items: list[AgendaItem]
    proposed_items: list[AgendaItem]
    documents: list[Document]
    minutes_documents: list[Document]
    attendance: list[Attendance]
    represented_partners: list
    member_partners: list
    minutes: object | None
    decisions: list
    actions: list[ActionItem]
    follow_up_actions: list[ActionItem]
    referrals: list[Referral]
    presenters: list[tuple]
    chair: ChairResult
    extra: dict = field(default_factory=dict)

    @property
    def total_minutes(self) -> int:
        return sum(item.duration_minutes for item in self.accepted_items)


def meeting_page(meeting_id) -> MeetingPage:
    """Constant query count whatever the number of items, invitees and documents (see the test)."""
    # Q1: the meeting, its instance (with group leaders for the chair), minutes, recorded chair.
    meeting = get_object_or_404(
        Meeting.objects.select_related(
            "instance__leader_person", "instance__leader_partner", "instance__co_lead_person",
            "instance__co_lead_partner", "minutes", "chair_person", "chair_partner",
        ),
        pk=meeting_id,
    )
    # Q2: items with presenters and presenting groups' leaders; Q3: their topic experts (prefetch).
    items = list(
        meeting.items.select_related(
            "presenter_person__institution__partner", "presenter_group__leader_person",
            "presenter_group__co_lead_person", "proposed_by", "referral",
        ).prefetch_related(Prefetch("topic_experts"))
    )
    # Q4: every document of the meeting, grouped onto items in Python.
    documents = list(meeting.documents.select_related("uploaded_by"))
    by_item = defaultdict(list)
    for document in documents:
        if document.agenda_item_id:
            by_item[document.agenda_item_id].append(document)
    for item in items:
        item.document_list = by_item.get(item.pk, [])
        item.presenter_list = item_presenters(item)
    # Q5: the register with persons, partners and representatives.
    attendance = list(
        meeting.attendance.select_related("person__institution__partner", "represented_by__institution__partner")
    )
    # Q6: the instance's member partners on the meeting's date.
    members = member_partners(meeting)
    represented, members = represented_partners(meeting, attendance, members)
    # Q7: decisions; Q8: actions of this meeting; Q9: open actions of earlier meetings (follow-up).
    decisions = list(meeting.decisions.select_related("agenda_item"))
    actions = list(meeting.actions.select_related("owner_partner", "owner_person", "decision"))
    follow_up = list(meeting_follow_up_actions(meeting))
    # Q10: referrals requested at, scheduled on, or returned to this meeting.
    referrals = list(
        Referral.objects.filter(
            Q(requested_at_meeting=meeting) | Q(ga_meeting=meeting) | Q(returned_to_meeting=meeting)
        ).select_related("requested_at_meeting", "ga_meeting", "returned_to_meeting")
    )
    # Chair: recorded (no query, joined in Q1) once held; otherwise Q11 Troïka + Q12 mandates + Q13 members.
    chair = current_acting_chair(meeting, attendance)
    try:
        minutes = meeting.minutes
    except Meeting.minutes.RelatedObjectDoesNotExist:
        minutes = None
    accepted = [item for item in items if item.status == AgendaItem.Status.ACCEPTED]
    return MeetingPage(
        meeting=meeting, instance=meeting.instance, items=items, accepted_items=accepted,
        proposed_items=[item for item in items if item.status == AgendaItem.Status.PROPOSED],
        documents=[d for d in documents if d.kind == Document.Kind.AGENDA],
        minutes_documents=[d for d in documents if d.kind == Document.Kind.MINUTES],
        attendance=attendance, represented_partners=represented, member_partners=members, minutes=minutes,
        decisions=decisions, actions=actions, follow_up_actions=follow_up, referrals=referrals,
        presenters=meeting_presenters(meeting, accepted), chair=chair,
    )


def upcoming_meetings(*, user=None, instance=None, limit: int = 10):
    """Meetings still to come, soonest first; for a user, those of instances they sit in or manage."""
    qs = (
        Meeting.objects.filter(start__gte=timezone.now())
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("instance")
        .order_by("start")
    )
    if instance is not None:
        qs = qs.filter(instance=instance)
    if user is not None:
        qs = _visible_to(qs, user)
    return list(qs[:limit])


def _visible_to(qs, user):
    if not user.is_authenticated:
        return qs.none()
    if is_secretariat(user):
        return qs
    managed = set(
        get_objects_for_user(user, "instances.manage_meetings", accept_global_perms=False).values_list("pk", flat=True)
    )
    member_of = active_instance_ids(user)
    condition = Q(instance_id__in=managed) | (Q(instance_id__in=member_of) & ~Q(status=Meeting.Status.DRAFT))
    person = person_of(user)
    if person is not None and _has_invitations():
        condition |= Q(invitations__person=person) & ~Q(status=Meeting.Status.DRAFT) & ~Q(instance__kind="GA")
    return qs.filter(condition).distinct()


def _has_invitations() -> bool:
    """The secretariat app's invitations, when it provides them (A4: never a way into GA meetings)."""
    try:
        Meeting._meta.get_field("invitations")
    except FieldDoesNotExist:
        return False
    return True


def referral_list(*, state: str | None = None):
    qs = Referral.objects.select_related("requested_at_meeting__instance", "ga_meeting", "returned_to_meeting")
    return qs.filter(state=state) if state else qs


def referral_get(referral_id) -> Referral:
    """A referral stays readable on its own page whatever its state (A3)."""
    return get_object_or_404(referral_list().prefetch_related("agenda_items__meeting"), pk=referral_id)
