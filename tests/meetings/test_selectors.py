"""The meeting page loads in a constant number of queries, whatever its size."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings import services
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
    return len(ctx.captured_queries), page


@pytest.mark.django_db
def test_meeting_page_query_count_is_constant():
    small = _build(1, items=2, people=4, documents=2)
    large = _build(2, items=20, people=40, documents=10)
    small_count, small_page = _count(small.pk)
    large_count, large_page = _count(large.pk)
    # 1 meeting+instance+minutes, 2 items+presenting groups, 3 documents, 4 register, 5 the people named
    # (presenters, group leaders, register), 6 decisions, 7 actions and follow-up actions, 8 referrals, 9 Troïka,
    # 10 Troïka titulars, 11 member ids for the chair, 12 member partners (read when shown).
    assert small_count == large_count == 12
    assert (len(large_page.items), len(large_page.attendance), len(large_page.documents)) == (20, 40, 10)
    assert len(small_page.items) == 2
    assert large_page.chair.has_chair is False  # the Troïka titulars are not on the register


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
