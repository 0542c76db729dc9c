"""`CompiledRead` (core.prepared): a read written with the ORM, compiled once per key and run again with new
values in its slots, gives exactly what the ORM gives when it compiles the same read afresh.

The SEG dashboard's two compiled reads are compared with their queryset on generated worlds: meetings of
every status around the moment of the request (a few minutes either side of `now`, on the day, months back),
with or without a register and an accepted item, in the GEC, the GA, active and inactive groups, several
moments asked under one key (the compiled statement reused, only the moment put in its place); and the bodies
with their leaders (partner only, person with institution, none) and every annotation, as `select_related`
gives them. On PostgreSQL (CI) the statements are prepared and reused; elsewhere they are compiled each time.
"""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.prepared import CompiledRead
from instances.models import Instance
from meetings.models import AgendaItem, Attendance, Meeting
from membership.models import Person
from secretariat.dashboard import (
    _BODIES,
    _MEETINGS,
    BODY_RELATED,
    _bodies,
    _meetings,
    _Moments,
    bodies_query,
    meetings_query,
    secretariat_dashboard,
)
from secretariat.reports.activity import with_activity
from tests.core.test_prepared_equivalence import rolled_back
from tests.factories import GroupFactory, PartnerFactory, PersonFactory, ga, gec

pytestmark = [pytest.mark.django_db, pytest.mark.services]

EXAMPLES = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])
MINUTES = st.one_of(st.integers(-10, 10), st.integers(-3 * 24 * 60, 3 * 24 * 60), st.integers(-400 * 24 * 60, 90 * 24 * 60))
meeting_spec = st.tuples(
    st.sampled_from(["GEC", "GA", "G1", "G2"]), MINUTES, st.sampled_from([s for s, _label in Meeting.Status.choices]),
    st.booleans(), st.booleans())
world = st.fixed_dictionaries({
    "meetings": st.lists(meeting_spec, max_size=14),
    "inactive": st.booleans(),
    "nows": st.lists(st.integers(-12, 12), min_size=2, max_size=4),  # minutes around the base moment
    "streak": st.integers(0, 3),
    "month": st.integers(-1, 1),
})
counter = itertools.count()


def _groups(inactive: bool) -> dict:
    n = next(counter)
    leader = PersonFactory()
    g1 = GroupFactory(code=f"CR1-{n}", leader_partner=leader.institution.partner, leader_person=leader,
                      co_lead_partner=PartnerFactory())
    g2 = GroupFactory(code=f"CR2-{n}", is_active=not inactive)
    return {"GEC": gec(), "GA": ga(), "G1": g1, "G2": g2}


def _build(spec, base: datetime.datetime) -> dict:
    bodies = _groups(spec["inactive"])
    person = PersonFactory()
    for code, minutes, status, register, agenda in spec["meetings"]:
        start = base + datetime.timedelta(minutes=minutes)
        meeting = Meeting.objects.create(instance=bodies[code], title=f"m{minutes}", start=start,
                                         end=start + datetime.timedelta(hours=2), status=status)
        if register:
            Attendance.objects.create(meeting=meeting, person=person, status="present")
        if agenda:
            AgendaItem.objects.create(meeting=meeting, title="i", category="follow_up", status="accepted")
    return bodies


@EXAMPLES
@given(spec=world)
def test_the_dashboard_s_meetings_compiled_once_match_the_orm_at_every_moment(spec):
    base = timezone.now().replace(second=0, microsecond=0)
    with rolled_back():
        _build(spec, base)
        today = timezone.localdate(base)
        first = (today.replace(day=1) + datetime.timedelta(days=32 * spec["month"])).replace(day=1)
        last = (first + datetime.timedelta(days=32)).replace(day=1)
        instances = list(Instance.objects.order_by("kind", "code"))
        values = dict(window=_Moments.of(first, last, today),
                      gec_id=next(i.pk for i in instances if i.code == "GEC"),
                      active_ids=tuple(i.pk for i in instances if i.is_active),
                      ga_ids=tuple(i.pk for i in instances if i.kind == Instance.Kind.GA), streak=spec["streak"])
        for minutes in spec["nows"]:  # one key, several moments: the compiled statement with its slot refilled
            now = base + datetime.timedelta(minutes=minutes, seconds=30)
            # I4's moment: the request's on today's dashboard, the day's midnight on another day.
            ga_from_moment = now if minutes % 2 else datetime.datetime.combine(today, datetime.time(),
                                                                               tzinfo=timezone.get_current_timezone())
            orm = list(meetings_query(now=now, ga_from_moment=ga_from_moment, **values))
            read = _meetings(now=now, ga_from_moment=ga_from_moment, **values)
            assert [_meeting_row(m) for m in read] == orm, minutes
            # Each moment really is asked: what is coming changes with it (a meeting between two moments).
            coming = {m.pk for m in read if m.is_coming}
            assert coming == {m.pk for m in Meeting.objects.filter(start__gte=now).exclude(status="cancelled")
                              if m.pk in {r.pk for r in read}}


def _meeting_row(meeting) -> tuple:
    fields = [f.attname for f in Meeting._meta.concrete_fields]
    return (*(getattr(meeting, name) for name in fields), meeting.has_agenda, meeting.is_coming,
            meeting.is_candidate, meeting.coming_rank, meeting.candidate_rank)


def _fields(obj) -> dict | None:
    if obj is None:
        return None
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@EXAMPLES
@given(spec=world, day=st.integers(-400, 0))
def test_the_dashboard_s_bodies_compiled_once_match_select_related_and_their_annotations(spec, day):
    base = timezone.now().replace(second=0, microsecond=0)
    with rolled_back():
        _build(spec, base)
        today = timezone.localdate(base) + datetime.timedelta(days=day)
        annotations = list(bodies_query(today=today).query.annotation_select)
        orm = list(with_activity(Instance.objects.select_related(*(path for path, _m in BODY_RELATED)), today)
                   .annotate(**{name: bodies_query(today=today).query.annotations[name] for name in annotations
                                if name not in ("held_last", "held_recent")})
                   .order_by("kind", "code"))
        for _ in range(2):  # compiled, then the compiled statement reused
            read = _bodies(today)
            assert [_fields(b) for b in read] == [_fields(b) for b in orm]
            for body, twin in zip(read, orm, strict=True):
                for path, _model in BODY_RELATED:
                    mine, theirs = body, twin
                    for name in path.split("__"):
                        mine = getattr(mine, name) if mine is not None else None
                        theirs = getattr(theirs, name) if theirs is not None else None
                    assert _fields(mine) == _fields(theirs), (body.code, path)
                assert [getattr(body, n) for n in annotations] == [getattr(twin, n) for n in annotations]


def test_the_dashboard_compiles_its_reads_once_a_day_not_on_every_request():
    """Two requests of the same day, at two moments: the second prepares nothing and compiles nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("compiled reads are kept on PostgreSQL only")
    first = timezone.localdate().replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1)
    secretariat_dashboard(first, last)
    kept = {read: dict(read._compiled) for read in (_BODIES, _MEETINGS)}
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        secretariat_dashboard(first, last)
    assert not [sql for sql in statements if sql.startswith("PREPARE")]
    assert sum(sql.startswith("EXECUTE ptf_dashboard_") for sql in statements) == 2
    for read, compiled in kept.items():  # the same compiled entries, none added
        assert read._compiled == compiled and all(entry is not None for entry in compiled.values())


def test_the_bodies_leaders_come_without_a_query(django_assert_num_queries):
    leader = PersonFactory()
    GroupFactory(code="CR-LEAD", leader_partner=leader.institution.partner, leader_person=leader)
    with django_assert_num_queries(1):
        bodies = {b.code: b for b in _bodies(timezone.localdate())}
        group = bodies["CR-LEAD"]
        assert group.leader_person.institution.partner.name == leader.institution.partner.name
        assert group.co_lead_person is None and isinstance(group.leader_person, Person)


def test_a_slot_the_compiling_converts_is_not_reused_but_compiled_for_each_value():
    """`start__date` turns the moment into a date: its place among the parameters cannot be followed, so the
    read is compiled for each value rather than reused with the first one."""
    start = timezone.now()
    meeting = Meeting.objects.create(instance=gec(), title="t", start=start, end=start + datetime.timedelta(hours=1))
    read = CompiledRead("ptf_test_slot_converted",
                        lambda *, now: Meeting.objects.filter(start__date=now.date()).values_list("pk"),
                        slots=("now",))
    assert read.read("k", now=start)[1] == [(meeting.pk,)]
    assert read.read("k", now=start + datetime.timedelta(days=1))[1] == []
    assert read.read("k", now=start)[1] == [(meeting.pk,)]


def test_a_slot_refilled_on_reuse_changes_the_answer():
    """The same key, two moments: the second call answers for its own moment, not the first's."""
    start = timezone.now()
    meeting = Meeting.objects.create(instance=gec(), title="t", start=start, end=start + datetime.timedelta(hours=1))
    read = CompiledRead("ptf_test_slot_refilled",
                        lambda *, now: Meeting.objects.filter(start__gte=now).values_list("pk"), slots=("now",))
    assert read.read("k", now=start - datetime.timedelta(seconds=1))[1] == [(meeting.pk,)]
    assert read.read("k", now=start + datetime.timedelta(seconds=1))[1] == []
    assert read.read("k", now=start)[1] == [(meeting.pk,)]
