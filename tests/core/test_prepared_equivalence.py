"""Each prepared read (core.prepared) gives what its plain ORM / django-guardian definition gives, on generated
directories: mandates starting and ending on the day, delegations, lapsed accounts, leaders and co-leads
(granted to the account or to one of its groups), inactive groups, GA-only and GEC-only members.

The rule (ARCHITECTURE.md, "Prepared reads"): a prepared read keeps its ORM twin, here, and this test fails on
any difference. Bounded: a few dozen examples each, run on PostgreSQL in CI (marked `services`).
"""

from __future__ import annotations

import contextlib
import datetime
import itertools

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, get_objects_for_user
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instances.models import Instance
from instances.permissions import MANAGE_MEETINGS
from meetings.models import AgendaItem, Meeting
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
