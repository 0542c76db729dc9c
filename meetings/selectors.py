"""Reads of meetings that several callers need: the meeting page in a constant number of queries."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, Count, F, IntegerField, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.prepared import ModelReader, column, fetch_prepared, table
from instances.models import Instance
from meetings.models import ActionItem, AgendaItem, Attendance, Decision, Document, Meeting, Minutes, Referral
from meetings.services.agenda import item_presenters, meeting_presenters
from meetings.services.attendance import current_acting_chair, member_partners, represented_partners
from meetings.services.records import follow_up_condition
from membership.access import meeting_scope
from membership.chair import ChairResult
from membership.models import Partner, Person
from membership.roles import is_secretariat

# The meeting page lists the first fifteen actions left open at the body's earlier meetings, and links to the
# register for all of them.
FOLLOW_UP_SHOWN = 15

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
    minutes: object | None
    decisions: list
    actions: list[ActionItem]
    follow_up_actions: list[ActionItem]  # the first FOLLOW_UP_SHOWN
    follow_up_count: int  # all of them
    referrals: list[Referral]
    presenters: list[tuple]
    chair: ChairResult
    extra: dict = field(default_factory=dict)

    @property
    def total_minutes(self) -> int:
        return sum(item.duration_minutes for item in self.accepted_items)

    @cached_property
    def member_partners(self) -> list:
        """The instance's member partners on the meeting's date: one query, only for a page that shows them."""
        return member_partners(self.meeting)

    @cached_property
    def represented_partners(self) -> list:
        """The member partners present or represented according to the register."""
        return represented_partners(self.meeting, self.attendance, self.member_partners)[0]


def _attach(links, queryset) -> None:
    """Set each (object, foreign key name) of `links` from one query on `queryset`: none when every key is null
    (a null foreign key reads as None without a query)."""
    links = [(obj, name, getattr(obj, obj._meta.get_field(name).attname)) for obj, name in links]
    links = [(obj, name, pk) for obj, name, pk in links if pk is not None]
    if not links:
        return
    found = queryset.order_by().in_bulk({pk for _obj, _name, pk in links})
    for obj, name, pk in links:
        if pk in found:
            setattr(obj, name, found[pk])


# Q1, Q2 and Q4 of every meeting page are written in SQL and prepared (core.prepared): the ORM spent ~1.8 ms
# compiling them, for a few dozen rows read by id.
@functools.cache
def _page_readers() -> tuple[ModelReader, ModelReader, ModelReader]:
    return ModelReader(Meeting), ModelReader(Instance), ModelReader(Minutes)


@functools.cache
def _meeting_sql() -> str:
    meeting, instance, minutes = _page_readers()
    pk = f"m.{column(Meeting, 'id')}"
    return f"""
        SELECT {meeting.select("m")}, {instance.select("i")}, {minutes.select("mi")},
            EXISTS (SELECT 1 FROM {table(Attendance)} a WHERE a.{column(Attendance, "meeting")} = {pk}),
            EXISTS (SELECT 1 FROM {table(Decision)} d WHERE d.{column(Decision, "meeting")} = {pk}),
            EXISTS (SELECT 1 FROM {table(Referral)} r WHERE r.{column(Referral, "requested_at_meeting")} = {pk}
                OR r.{column(Referral, "ga_meeting")} = {pk} OR r.{column(Referral, "returned_to_meeting")} = {pk})
        FROM {table(Meeting)} m
            INNER JOIN {table(Instance)} i ON i.{column(Instance, "id")} = m.{column(Meeting, "instance")}
            LEFT JOIN {table(Minutes)} mi ON mi.{column(Minutes, "meeting")} = {pk}
        WHERE {pk} = %s
    """  # noqa: S608 (model table and column names only)


def _meeting(meeting_id) -> Meeting:
    """The meeting with its instance and minutes (or none, known without a query), as `select_related` would
    give it, and `has_register`, `has_decisions`, `has_referrals`; 404 if there is no such meeting."""
    try:
        pk = int(meeting_id)
    except (TypeError, ValueError):
        raise Http404("No meeting matches the given query.") from None
    rows = fetch_prepared("ptf_meeting_page", _meeting_sql(), [pk])
    if not rows:
        raise Http404("No meeting matches the given query.")
    meeting_reader, instance_reader, minutes_reader = _page_readers()
    row = rows[0]
    meeting, end = meeting_reader.read_from(row)
    meeting.instance, end = instance_reader.read_from(row, end)
    minutes, end = minutes_reader.read_from(row, end)
    Meeting.minutes.related.set_cached_value(meeting, minutes)  # what select_related does for a reverse one-to-one
    if minutes is not None:
        minutes.meeting = meeting
    meeting.has_register, meeting.has_decisions, meeting.has_referrals = (bool(value) for value in row[end:])
    return meeting


@functools.cache
def _reader(model) -> ModelReader:
    return ModelReader(model)


@functools.cache
def _rows_of_meeting_sql(model, order: tuple[str, ...]) -> str:
    order_by = ", ".join(f"x.{column(model, name)}" for name in order)
    return f"""
        SELECT {_reader(model).select("x")} FROM {table(model)} x
        WHERE x.{column(model, "meeting")} = %s ORDER BY {order_by}
    """  # noqa: S608 (model table and column names only)


def _of_meeting(meeting, model, name: str, order: tuple[str, ...]) -> list:
    """The meeting's rows of `model` (every field), each knowing its meeting, as `meeting.<related>` would."""
    reader = _reader(model)
    found = []
    for row in fetch_prepared(name, _rows_of_meeting_sql(model, order), [meeting.pk]):
        obj = reader.read(row)
        obj.meeting = meeting
        found.append(obj)
    return found


def meeting_page(meeting_id) -> MeetingPage:
    """Constant query count whatever the number of items, invitees and documents (see the test).

    Queries read one table where they can: on PostgreSQL a join of optional relations, or an ordering through
    the meeting again (the models' default), costs more to compile and plan than the rows it saves. What rows
    point to is read afterwards by id, once for all of them, and not at all when no row points to any.
    """
    # Q1: the meeting, its instance, its minutes, and whether it has a register, decisions or referrals: a
    # meeting to come has none of them, and each is then not read at all.
    meeting = _meeting(meeting_id)
    instance = meeting.instance
    held = meeting.status in (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED)
    # Q2: the items; Q3 (when an item has one) their presenting groups (A5).
    items = _of_meeting(meeting, AgendaItem, "ptf_meeting_items", ("order", "id"))
    _attach([(item, "presenter_group") for item in items], Instance.objects.all())
    groups = [item.presenter_group for item in items if item.presenter_group_id]
    # Q4: every document of the meeting, grouped onto items in Python.
    documents = _of_meeting(meeting, Document, "ptf_meeting_documents", ("uploaded_at", "id"))
    # Q5: the register (in name order once its people are read).
    attendance = list(meeting.attendance.order_by("pk")) if meeting.has_register else []
    # Q6: decisions; their items are the meeting's own, read above.
    items_by_pk = {item.pk: item for item in items}
    decisions = list(meeting.decisions.order_by("pk")) if meeting.has_decisions else []
    for decision in decisions:
        if decision.agenda_item_id in items_by_pk:
            decision.agenda_item = items_by_pk[decision.agenda_item_id]
    # Q7: the actions of this meeting and the open ones of earlier meetings (follow-up), in one query: of the
    # follow-up, the first FOLLOW_UP_SHOWN soonest due and how many there are (counted by the database, since
    # the actions left open pile up over the years).
    is_follow_up = Case(When(meeting_id=meeting.pk, then=Value(0)), default=Value(1), output_field=IntegerField())
    rows = list(
        ActionItem.objects.filter(Q(meeting=meeting) | follow_up_condition(meeting))
        .annotate(is_follow_up=is_follow_up,
                  follow_up_rank=Window(RowNumber(), partition_by=[F("is_follow_up")], order_by=[F("due_date"), F("pk")]),
                  follow_up_total=Window(Count("pk"), partition_by=[F("is_follow_up")]))
        .filter(Q(meeting=meeting) | Q(follow_up_rank__lte=FOLLOW_UP_SHOWN))
        .select_related("owner_partner").order_by("due_date", "pk")
    )
    actions = [action for action in rows if action.meeting_id == meeting.pk]
    follow_up = [action for action in rows if action.meeting_id != meeting.pk]
    follow_up_count = follow_up[0].follow_up_total if follow_up else 0
    decisions_by_pk = {decision.pk: decision for decision in decisions}
    for action in actions:
        if action.decision_id in decisions_by_pk:
            action.decision = decisions_by_pk[action.decision_id]
    # Q8: the people named: presenters, proposers, presenting groups' leaders, the register, the actions' owners,
    # and for the chair the one recorded once held, or a group's leaders (T7).
    people = [(item, name) for item in items for name in ("presenter_person", "proposed_by")]
    people += [(group, name) for group in groups for name in ("leader_person", "co_lead_person")]
    people += [(line, name) for line in attendance for name in ("person", "represented_by")]
    people += [(action, "owner_person") for action in rows]
    partners = []
    if held:
        people.append((meeting, "chair_person"))
        partners.append((meeting, "chair_partner"))
    elif instance.is_group:
        people += [(instance, "leader_person"), (instance, "co_lead_person")]
        partners += [(instance, "leader_partner"), (instance, "co_lead_partner")]
    _attach(people, Person.objects.select_related("institution__partner"))
    # Q9 (held or group meetings): the chair's partner, or the group's leading partners.
    _attach(partners, Partner.objects.all())
    attendance.sort(key=lambda line: line.person.last_name)
    by_item = defaultdict(list)
    for document in documents:
        if document.agenda_item_id:
            by_item[document.agenda_item_id].append(document)
    for item in items:
        item.document_list = by_item.get(item.pk, [])
        item.presenter_list = item_presenters(item)
    # Q10: referrals requested at, scheduled on, or returned to this meeting: GEC and GA meetings only (A3).
    referrals = [] if instance.is_group or not meeting.has_referrals else list(
        Referral.objects.filter(Q(requested_at_meeting=meeting) | Q(ga_meeting=meeting) | Q(returned_to_meeting=meeting))
    )
    # Chair: recorded once held (read above); otherwise from the register, Q11 Troïka, Q12 titulars, and with a
    # register Q13 the instance's members.
    chair = current_acting_chair(meeting, attendance)
    try:
        minutes = meeting.minutes
    except Meeting.minutes.RelatedObjectDoesNotExist:
        minutes = None
    accepted = [item for item in items if item.status == AgendaItem.Status.ACCEPTED]
    return MeetingPage(
        meeting=meeting, instance=instance, items=items, accepted_items=accepted,
        proposed_items=[item for item in items if item.status == AgendaItem.Status.PROPOSED],
        documents=[d for d in documents if d.kind == Document.Kind.AGENDA],
        minutes_documents=[d for d in documents if d.kind == Document.Kind.MINUTES],
        attendance=attendance, minutes=minutes, decisions=decisions, actions=actions, follow_up_actions=follow_up,
        follow_up_count=follow_up_count,
        referrals=referrals, presenters=meeting_presenters(meeting, accepted), chair=chair,
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
    """The meetings the user may open (membership.access's one rule)."""
    if is_secretariat(user):
        return qs
    return qs.filter(meeting_scope(user, with_invitations=_has_invitations())).distinct()


def _has_invitations() -> bool:
    """The secretariat app's invitations, when it provides them."""
    try:
        Meeting._meta.get_field("invitations")
    except FieldDoesNotExist:
        return False
    return True


def referral_list(*, state: str | None = None):
    qs = Referral.objects.select_related("requested_at_meeting__instance", "ga_meeting__instance",
                                        "returned_to_meeting__instance")
    return qs.filter(state=state) if state else qs


def referral_get(referral_id) -> Referral:
    """A referral stays readable on its own page whatever its state (A3)."""
    return get_object_or_404(referral_list().prefetch_related("agenda_items__meeting"), pk=referral_id)
