"""The meeting page loads in a constant number of queries, whatever its size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings import services
from meetings.models import Attendance, Decision, Referral
from meetings.selectors import meeting_page, upcoming_meetings
from membership.models import Mandate
from tests.factories import GroupFactory, TroikaFactory, gec
from tests.meetings.factories import at, item, meeting, partner, pdf, person_of, seat


def _build(size: int, items: int, people: int, documents: int):
    """A convened GEC meeting with items, presenters, documents, a register, decisions, actions, referrals."""
    day = at(-1)
    if not Mandate.objects.exists():
        lead, incoming, outgoing = partner("Lead"), partner("Incoming"), partner("Outgoing")
        TroikaFactory(year=day.year, lead=lead, incoming=incoming, outgoing=outgoing)
        for p in (lead, incoming, outgoing):
            seat(person_of(p), gec())
    group = GroupFactory(leader_person=person_of(partner(f"GL{size}")), co_lead_person=person_of(partner(f"CL{size}")))
    previous = meeting(gec(), days=-40 - size, title="previous")
    m = meeting(gec(), days=-1 - size, title=f"size {size}")
    for n in range(items):
        it = item(m, title=f"item {n}", presenter_person=person_of(partner(f"P{size}-{n}")),
                  presenter_group=group if n % 2 else None)
        if n < documents:
            services.document_attach(meeting=m, uploaded_file=pdf(), title=f"doc {n}", agenda_item=it)
    services.meeting_propose_agenda(meeting=m)
    services.meeting_convene(meeting=m)
    invitees = []
    for n in range(people):
        person = person_of(partner(f"Member {size}-{n}"))
        seat(person, gec(), Mandate.Role.DEPUTY)
        invitees.append(person)
    services.attendance_initialise(meeting=m, people=invitees)
    for person in invitees[::2]:
        services.attendance_record(meeting=m, person=person, status="present")
    services.decision_add(meeting=m, text="Agreed", agenda_item=m.items.first())
    owner = invitees[0].institution.partner
    services.action_add(meeting=m, title="Act", owner_partner=owner, due_date=timezone.localdate())
    services.referral_request(question=f"Q{size}", expected_outcome="decision", requested_at_meeting=m)
    services.minutes_save(meeting=m, text="Minutes")
    # an open action from the previous meeting becomes a follow-up
    services.meeting_cancel(meeting=previous)
    return m


def _count(meeting_id):
    with CaptureQueriesContext(connection) as ctx:
        page = meeting_page(meeting_id)
        # Touch everything a template would show: nothing may trigger a lazy query. (Topic experts are shown on
        # no page built from it: the distribution list reads them itself.)
        shown = []
        for it in page.items:
            shown += [d.title for d in it.document_list]
            shown += [(p.full_name, reason) for p, reason in it.presenter_list]
            shown.append(it.presenter_person.institution.partner.name if it.presenter_person else None)
            shown.append(it.presenter_group.code if it.presenter_group else None)
        shown += [d.agenda_item and d.agenda_item.title for d in page.decisions]
        shown += [(a.owner_person, a.decision and a.decision.agenda_item_id) for a in page.actions]
        for line in page.attendance:
            shown.append((line.person.full_name, line.person.institution.partner.name, line.represented_by))
        shown += [a.owner_partner.name for a in page.actions + page.follow_up_actions]
        shown += [r.question for r in page.referrals]
        shown.append((page.chair.reason, page.minutes and page.minutes.text, page.represented_partners,
                      page.member_partners))
    assert shown
    # PostgreSQL prepares the page's statements once per connection (core.prepared): not a read of the page.
    return len([q for q in ctx.captured_queries if not q["sql"].startswith("PREPARE")]), page


@pytest.mark.django_db
def test_meeting_page_query_count_is_constant():
    small = _build(1, items=2, people=4, documents=2)
    large = _build(2, items=20, people=40, documents=10)
    small_count, small_page = _count(small.pk)
    large_count, large_page = _count(large.pk)
    # 1 meeting+instance+minutes, 2 items, 3 presenting groups, 4 documents, 5 register, 6 decisions, 7 actions
    # and follow-up actions, 8 the people named (presenters, group leaders, register, owners), 9 referrals,
    # 10 Troïka, 11 Troïka titulars, 12 member ids for the chair, 13 member partners (read when shown).
    assert small_count == large_count == 13
    assert (len(large_page.items), len(large_page.attendance), len(large_page.documents)) == (20, 40, 10)
    assert len(small_page.items) == 2
    assert large_page.chair.has_chair is False  # the Troïka titulars are not on the register


def _group_meeting(size: int, *, held: bool):
    """A GT meeting led by a partner, with items presented by another group, a register and, once held, its chair."""
    leader, co_lead = partner(f"Leader {size}"), partner(f"Co-lead {size}")
    group = GroupFactory(leader_partner=leader, leader_person=person_of(leader),
                         co_lead_partner=co_lead, co_lead_person=person_of(co_lead))
    guest = GroupFactory(leader_person=person_of(partner(f"Guest {size}")))
    m = meeting(group, days=-1 - size, title=f"group {size}")
    for n in range(size):
        item(m, title=f"item {n}", presenter_group=guest)
    services.meeting_propose_agenda(meeting=m)
    services.meeting_convene(meeting=m)
    services.attendance_initialise(meeting=m, people=[group.leader_person, group.co_lead_person])
    services.attendance_record(meeting=m, person=group.leader_person, status="present")
    if held:
        services.meeting_mark_held(meeting=m)
    return m


@pytest.mark.django_db
@pytest.mark.parametrize("held", [False, True])
def test_group_meeting_page_reads_its_chair_without_a_lazy_query(held):
    small, large = _group_meeting(1, held=held), _group_meeting(6, held=held)
    small_count, small_page = _count(small.pk)
    large_count, large_page = _count(large.pk)
    with CaptureQueriesContext(connection) as ctx:
        chairs = [(str(p.chair.person), p.chair.partner.name, p.chair.reason) for p in (small_page, large_page)]
        leaders = [person for p in (small_page, large_page) for person, _reason in p.presenters]
    assert not ctx.captured_queries
    # meeting, items, presenting groups, documents, register, actions, people, partners (the chair's or the
    # leaders'), member partners; before it is held, the member ids for the chair from the register. No
    # decisions are recorded: they are not read.
    assert small_count == large_count == (9 if held else 10)
    assert chairs[1][1] == "Leader 6" and large_page.chair.role == "leader"
    assert len(leaders) == 2 and large_page.referrals == []  # each page: the guest group's leader (A5)


@pytest.mark.django_db
def test_a_meeting_to_come_reads_no_register_decisions_or_referrals():
    """Q1 says whether there are any: a meeting to come has none, and their tables are not read."""
    m = meeting(gec(), days=10, title="to come")
    item(m)
    services.meeting_propose_agenda(meeting=m)
    with CaptureQueriesContext(connection) as ctx:
        page = meeting_page(m.pk)
    reads = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith("PREPARE")]
    read = " ".join(reads[1:])  # after Q1, which asks whether there are any
    assert (page.attendance, page.decisions, page.referrals) == ([], [], [])
    for model in (Attendance, Decision, Referral):
        assert model._meta.db_table not in read
    services.meeting_convene(meeting=m)
    services.decision_add(meeting=m, text="Agreed", agenda_item=m.items.first())
    services.referral_request(question="Q?", expected_outcome="decision", requested_at_meeting=m)
    page = meeting_page(m.pk)
    assert [d.text for d in page.decisions] == ["Agreed"] and [r.question for r in page.referrals] == ["Q?"]


@pytest.mark.django_db
def test_upcoming_meetings_for_secretariat_and_member(secretariat_user):
    from tests.factories import UserFactory

    soon = meeting(gec(), days=3)
    item(soon)
    services.meeting_propose_agenda(meeting=soon)
    draft = meeting(gec(), days=5)
    group_meeting = meeting(GroupFactory(), days=4)
    meeting(gec(), days=-3)
    assert upcoming_meetings(user=secretariat_user) == [soon, group_meeting, draft]
    user = UserFactory()
    member = person_of(partner("Member"), user=user)
    seat(member, gec())
    assert upcoming_meetings(user=user) == [soon]
    assert upcoming_meetings(instance=gec(), limit=1) == [soon]
    assert soon.start > timezone.now() - datetime.timedelta(0)
