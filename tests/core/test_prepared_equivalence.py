"""Each prepared read (core.prepared) gives what its plain ORM / django-guardian definition gives, on generated
directories: mandates starting and ending on the day, delegations, lapsed accounts, leaders and co-leads
(granted to the account or to one of its groups), inactive groups, GA-only and GEC-only members.

The meeting page's reads (the meeting with its instance and minutes, its items and documents) are compared
on generated meetings: every status, minutes or none, items and documents in any order, a register, decisions
and referrals pointing to it by any of their three links, and other meetings' rows beside them.

The rule (ARCHITECTURE.md, "Prepared reads"): a prepared read keeps its ORM twin, here, and this test fails on
any difference. Bounded: a few dozen examples each, run on PostgreSQL in CI (marked `services`).
"""

from __future__ import annotations

import contextlib
import datetime
import itertools

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm, get_objects_for_user
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instances.models import Instance
from instances.permissions import MANAGE_MEETINGS
from meetings.models import AgendaItem, Attendance, Decision, Document, Meeting, Minutes, Referral
from meetings.selectors import _meeting, _of_meeting
from membership.models import Institution, Mandate, Partner, Person
from membership.roles import FACTS_KEY, SECRETARIAT_GROUP, load_user
from membership.seats import SEAT_COLUMNS, seat_rows
from secretariat.models import Invitation
from secretariat.selectors import personal_invitations

pytestmark = [pytest.mark.django_db, pytest.mark.services]

DAYS = st.sampled_from([-400, -2, -1, 0, 1, 2, 30])  # relative to today: on the day, either side, far
END = st.one_of(st.none(), DAYS)
ROLES = st.sampled_from(["titular", "deputy", "expert", "binome"])
BODIES = st.sampled_from(["GEC", "GA", "G1", "G2", "G3"])

person_spec = st.fixed_dictionaries({
    "partner": st.integers(0, 2),
    "account": st.sampled_from(["none", "active", "inactive"]),
    "secretariat": st.booleans(),
    "in_leader_group": st.booleans(),
    "mandates": st.lists(st.tuples(BODIES, ROLES, DAYS, END), max_size=3),
})
world = st.fixed_dictionaries({
    "people": st.lists(person_spec, min_size=1, max_size=6),
    "leaders": st.lists(st.tuples(st.sampled_from(["G1", "G2", "G3"]), st.integers(0, 5),
                                  st.sampled_from(["person", "group"])), max_size=4),
    "inactive": st.sets(st.sampled_from(["G1", "G2", "G3"]), max_size=2),
    "meetings": st.lists(st.tuples(BODIES, st.integers(-500, 60)), max_size=5),
    "invited": st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5), st.sampled_from(
        ["none", "attending", "delegated", "declined"]), st.booleans()), max_size=10),
})
EXAMPLES = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])
counter = itertools.count()


@contextlib.contextmanager
def rolled_back():
    """Each example builds its world in a transaction that is undone afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _build(spec) -> dict:
    today = timezone.localdate()
    n = next(counter)
    bodies = {"GEC": Instance.objects.get(code="GEC"), "GA": Instance.objects.get(code="GA")}
    for code in ("G1", "G2", "G3"):
        bodies[code] = Instance.objects.create(code=f"{code}-{n}", kind="GT" if code != "G3" else "GD",
                                               name_fr=code, name_en=code, is_active=code not in spec["inactive"])
    partners = [Partner.objects.create(name=f"P{n}-{i}", partner_type=("bilateral", "multilateral",
                                                                        "bilateral")[i]) for i in range(3)]
    institutions = [Institution.objects.create(partner=p, name=f"I{p.pk}") for p in partners]
    seg = Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0]
    leader_group = Group.objects.create(name=f"leaders-{n}")
    people, users = [], []
    for i, p in enumerate(spec["people"]):
        person = Person.objects.create(first_name=f"F{i}", last_name=f"L{5 - i}", email=f"p{n}-{i}@x.org",
                                       function="expert", institution=institutions[p["partner"]])
        if p["account"] != "none":  # "inactive": an account that lapsed with its mandates
            user = User.objects.create_user(f"u{n}-{i}", is_active=p["account"] == "active")
            person.user = user
            person.save(update_fields=["user"])
            if p["secretariat"]:
                user.groups.add(seg)
            if p["in_leader_group"]:
                user.groups.add(leader_group)
            users.append(user)
        for body, role, start, end in p["mandates"]:
            start_day = today + datetime.timedelta(days=start)
            end_day = None if end is None else max(start_day, today + datetime.timedelta(days=end))
            Mandate.objects.create(person=person, instance=bodies[body], role=role, start=start_day, end=end_day)
        people.append(person)
    for code, who, how in spec["leaders"]:
        person = people[who % len(people)]
        if how == "group":
            assign_perm(MANAGE_MEETINGS, leader_group, bodies[code])
        elif person.user_id:
            assign_perm(MANAGE_MEETINGS, person.user, bodies[code])
    meetings = []
    for body, days in spec["meetings"]:
        start = timezone.now() + datetime.timedelta(days=days)
        meetings.append(Meeting.objects.create(instance=bodies[body], title="M", start=start,
                                               end=start + datetime.timedelta(hours=2), status="convened"))
    for m, who, rsvp, proposed in spec["invited"]:
        if not meetings:
            break
        meeting, person = meetings[m % len(meetings)], people[who % len(people)]
        if Invitation.objects.filter(meeting=meeting, person=person).exists():
            continue
        deputy = people[(who + 1) % len(people)]
        Invitation.objects.create(meeting=meeting, person=person, email=person.email, name="x", rsvp=rsvp,
                                  delegated_to=deputy if rsvp == "delegated" else None)
        if proposed:
            AgendaItem.objects.create(meeting=meeting, title="t", category="follow_up", proposed_by=person,
                                      status="proposed")
    return {"bodies": bodies, "people": people, "users": users}


def _orm_facts(user) -> tuple:
    today = timezone.localdate()
    granted = get_objects_for_user(user, MANAGE_MEETINGS, klass=Instance.objects.filter(kind__in=["GT", "GD"]),
                                   with_superuser=False, accept_global_perms=False)
    person = Person.objects.filter(user=user).values_list("pk", flat=True).first()
    return (
        user.groups.filter(name=SECRETARIAT_GROUP).exists(),
        person,
        frozenset(granted.filter(is_active=True).values_list("pk", flat=True)),
        frozenset(granted.values_list("pk", flat=True)),
        frozenset(Mandate.objects.active_on(today).filter(person__user=user).values_list("instance_id", flat=True)),
    )


@EXAMPLES
@given(spec=world)
def test_the_account_s_facts_read_by_hand_match_guardian_and_the_mandate_rules(spec):
    with rolled_back():
        built = _build(spec)
        for user in built["users"]:
            loaded = load_user(user.pk)
            facts = loaded.__dict__[FACTS_KEY]
            assert (facts.in_secretariat_group, facts.person_id, facts.managed_group_ids, facts.granted_group_ids,
                    facts.member_of) == _orm_facts(user)
            assert loaded.is_active == user.is_active and loaded.username == user.username


@EXAMPLES
@given(spec=world)
def test_seat_rows_read_by_hand_match_the_orm(spec):
    with rolled_back():
        built = _build(spec)
        ids = [i.pk for i in built["bodies"].values()]
        orm = [
            (m.pk, m.person_id, m.person.institution.partner_id, m.role, m.pairs_with_id, m.instance_id, m.start,
             m.end, m.person.first_name, m.person.last_name)
            for m in Mandate.objects.filter(instance_id__in=ids).select_related("person__institution")
            .order_by("person__last_name", "start", "pk")
        ]
        rows = [tuple(row) for row in seat_rows(ids)]
        assert all(len(row) == len(SEAT_COLUMNS) for row in rows)
        assert rows == orm


@EXAMPLES
@given(spec=world, window=st.sampled_from([None, 0, 30, 365]))
def test_personal_invitations_read_by_hand_match_the_orm(spec, window):
    with rolled_back():
        built = _build(spec)
        since = None if window is None else timezone.now() - datetime.timedelta(days=window)
        for person in built["people"]:
            orm = Invitation.objects.filter(person=person).select_related("meeting__instance")
            if since is not None:
                orm = orm.filter(meeting__end__gte=since)
            expected = [
                (i.pk, i.meeting_id, i.rsvp, i.delegated_to_id, i.meeting.start, i.meeting.end, i.meeting.status,
                 i.meeting.instance.code, AgendaItem.objects.filter(proposed_by=person, meeting=i.meeting).exists())
                for i in orm.order_by("meeting__start", "pk")
            ]
            got = [(i.pk, i.meeting_id, i.rsvp, i.delegated_to_id, i.meeting.start, i.meeting.end, i.meeting.status,
                    i.meeting.instance.code, i.has_proposals) for i in personal_invitations(person.pk, since=since)]
            assert got == expected


# The meeting page's prepared reads (meetings/selectors.py): the meeting with its instance, minutes and whether
# it has a register, decisions or referrals (Q1), its items (Q2) and documents (Q4), each against the ORM read
# it replaces (`select_related`, `Exists`, the reverse relations in their page order).
page_world = st.fixed_dictionaries({
    "body": st.sampled_from(["GEC", "GA"]),
    "status": st.sampled_from(["draft", "convened", "held", "minutes_approved", "cancelled"]),
    "minutes": st.sampled_from([None, False, True]),  # none, open, confidential
    "items": st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["accepted", "proposed", "withdrawn"]),
                                st.booleans()), max_size=6),
    "documents": st.lists(st.tuples(st.integers(-3, 3), st.sampled_from(["agenda", "minutes"]), st.booleans()),
                          max_size=5),
    "register": st.booleans(),
    "decision": st.booleans(),
    "referral": st.sampled_from([None, "requested_at_meeting", "ga_meeting", "returned_to_meeting"]),
    "other_meetings": st.integers(0, 2),  # rows of other meetings must not leak in
})


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _minutes(meeting) -> dict | None:
    try:
        return _fields(meeting.minutes)
    except Meeting.minutes.RelatedObjectDoesNotExist:
        return None


def _build_page(spec) -> Meeting:
    n = next(counter)
    instance = Instance.objects.get(code=spec["body"])
    partner = Partner.objects.create(name=f"PP{n}", partner_type="bilateral")
    person = Person.objects.create(first_name="A", last_name=f"B{n}", email=f"page{n}@x.org", function="expert",
                                   institution=Institution.objects.create(partner=partner, name=f"PI{n}"))
    now = timezone.now()
    meetings = []
    for k in range(1 + spec["other_meetings"]):
        start = now + datetime.timedelta(days=k * 7 - 3)
        meetings.append(Meeting.objects.create(instance=instance, title=f"M{n}-{k}", start=start,
                                               end=start + datetime.timedelta(hours=2), status=spec["status"]))
    for meeting in meetings:  # every meeting gets the same rows: only the asked one's may come back
        for order, status, confidential in spec["items"]:
            AgendaItem.objects.create(meeting=meeting, title=f"i{order}", category="follow_up", order=order,
                                      status=status, confidential=confidential, proposed_by=person)
        for shift, kind, confidential in spec["documents"]:
            Document.objects.create(meeting=meeting, kind=kind, title="d", file="x.pdf", filename="x.pdf",
                                    content_type="application/pdf", size=3, confidential=confidential,
                                    uploaded_at=now + datetime.timedelta(minutes=shift))
    meeting = meetings[0]
    if spec["minutes"] is not None:
        Minutes.objects.create(meeting=meeting, text="m", confidential=spec["minutes"])
    if spec["register"]:
        Attendance.objects.create(meeting=meeting, person=person, status="present")
    if spec["decision"]:
        Decision.objects.create(meeting=meeting, text="d")
    if spec["referral"]:
        Referral.objects.create(question="q", **{spec["referral"]: meeting})
    return meeting


@EXAMPLES
@given(spec=page_world)
def test_meeting_page_reads_by_hand_match_the_orm(spec):
    with rolled_back():
        built = _build_page(spec)
        orm = (Meeting.objects.select_related("instance", "minutes")
               .annotate(has_register=Exists(Attendance.objects.filter(meeting=OuterRef("pk"))),
                         has_decisions=Exists(Decision.objects.filter(meeting=OuterRef("pk"))),
                         has_referrals=Exists(Referral.objects.filter(
                             Q(requested_at_meeting=OuterRef("pk")) | Q(ga_meeting=OuterRef("pk"))
                             | Q(returned_to_meeting=OuterRef("pk")))))
               .get(pk=built.pk))
        meeting = _meeting(built.pk)
        assert _fields(meeting) == _fields(orm)
        assert _fields(meeting.instance) == _fields(orm.instance)
        with CaptureQueriesContext(connection) as queries:  # known without a query, as select_related does
            assert _minutes(meeting) == _minutes(orm)
        assert not queries.captured_queries
        assert (meeting.has_register, meeting.has_decisions, meeting.has_referrals) == (
            orm.has_register, orm.has_decisions, orm.has_referrals)
        items = _of_meeting(meeting, AgendaItem, "ptf_meeting_items", ("order", "id"))
        assert [_fields(i) for i in items] == [_fields(i) for i in orm.items.order_by("order", "id")]
        documents = _of_meeting(meeting, Document, "ptf_meeting_documents", ("uploaded_at", "id"))
        assert [_fields(d) for d in documents] == [_fields(d) for d in orm.documents.order_by("uploaded_at", "id")]
        assert all(row.meeting is meeting for row in [*items, *documents])
