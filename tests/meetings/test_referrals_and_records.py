"""Referrals between GEC and GA (A3); minutes, decisions and actions; history."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings import services
from meetings.models import ActionItem, AgendaItem, Referral
from tests.factories import PartnerFactory, ga, gec
from tests.meetings.factories import convened, held, item, meeting, person_of

pytestmark = pytest.mark.django_db


def test_rule_A3_round_trip_gec_to_ga_to_gec():
    gec_1 = held(gec(), days=-20)
    referral = services.referral_request(question="Position on the electoral calendar?", expected_outcome="arbitration",
                                         requested_at_meeting=gec_1)
    assert referral.state == Referral.State.REQUESTED
    ga_meeting = meeting(ga(), days=-3)
    ga_item = services.referral_schedule(referral=referral, ga_meeting=ga_meeting)
    referral.refresh_from_db()
    assert (referral.state, referral.ga_meeting) == (Referral.State.SCHEDULED, ga_meeting)
    assert (ga_item.category, ga_item.expected_outcome, ga_item.confidential) == ("gec_referral", "arbitration", True)
    with pytest.raises(ValidationError):
        services.referral_conclude(referral=referral, conclusion="Too early")  # GA not held yet
    services.meeting_propose_agenda(meeting=ga_meeting)
    services.meeting_convene(meeting=ga_meeting)
    services.meeting_mark_held(meeting=ga_meeting)
    gec_2 = meeting(gec(), days=10)
    services.referral_conclude(referral=referral, conclusion="Support a consensual calendar.")
    referral.refresh_from_db()
    assert (referral.state, referral.returned_to_meeting) == (Referral.State.RETURNED, gec_2)
    returned = gec_2.items.get(category=AgendaItem.Category.REFERRAL_CONCLUSION)
    assert (returned.expected_outcome, returned.description, returned.referral) == (
        "information", "Support a consensual calendar.", referral)
    # Still readable afterwards, with its whole path.
    from meetings.selectors import referral_get

    page = referral_get(referral.pk)
    assert {i.meeting for i in page.agenda_items.all()} == {ga_meeting, gec_2}


def test_rule_A3_self_seized_conclusion_waits_for_the_next_gec_meeting():
    referral = services.referral_self_seize(question="Security situation in the centre")
    ga_meeting = meeting(ga(), days=-3)
    with pytest.raises(ValidationError):
        services.referral_schedule(referral=referral, ga_meeting=ga_meeting)  # needs a GA theme
    services.referral_schedule(referral=referral, ga_meeting=ga_meeting, category="security")
    services.meeting_propose_agenda(meeting=ga_meeting)
    services.meeting_convene(meeting=ga_meeting)
    services.meeting_mark_held(meeting=ga_meeting)
    services.referral_conclude(referral=referral, conclusion="Raise it with the Prime Minister.")
    referral.refresh_from_db()
    assert referral.state == Referral.State.CONCLUDED  # no GEC meeting yet
    gec_next = meeting(gec(), days=15)
    referral.refresh_from_db()
    assert (referral.state, referral.returned_to_meeting) == (Referral.State.RETURNED, gec_next)


def test_rule_A3_only_a_ga_meeting_examines_a_referral():
    referral = services.referral_request(question="Q", expected_outcome="decision")
    with pytest.raises(ValidationError):
        services.referral_schedule(referral=referral, ga_meeting=meeting(gec()))
    with pytest.raises(ValidationError):
        services.referral_request(question="Q", expected_outcome="decision", requested_at_meeting=meeting(ga()))


def test_cancelling_a_ga_meeting_puts_its_referrals_back_to_requested():
    referral = services.referral_request(question="Q", expected_outcome="decision")
    ga_meeting = meeting(ga())
    services.referral_schedule(referral=referral, ga_meeting=ga_meeting)
    services.meeting_cancel(meeting=ga_meeting)
    referral.refresh_from_db()
    assert (referral.state, referral.ga_meeting) == (Referral.State.REQUESTED, None)


def test_rule_A4_ga_minutes_confidential_by_default():
    ga_minutes = services.minutes_save(meeting=held(ga()), text="Secret")
    gec_minutes = services.minutes_save(meeting=held(gec()), text="Open")
    assert (ga_minutes.confidential, gec_minutes.confidential) == (True, False)


def test_minutes_are_not_written_on_a_draft_meeting():
    with pytest.raises(ValidationError):
        services.minutes_save(meeting=meeting(gec()), text="x")


def test_actions_register_and_follow_up_on_next_meeting():
    owner = PartnerFactory(name="Owner")
    other_owner = PartnerFactory(name="Other owner")
    past = held(gec(), days=-30)
    decision = services.decision_add(meeting=past, text="Write to the ministry", agenda_item=past.items.get())
    today = timezone.localdate()
    late = services.action_add(meeting=past, title="Letter", owner_partner=owner, due_date=today - datetime.timedelta(1),
                               decision=decision)
    open_ = services.action_add(meeting=past, title="Table", owner_partner=other_owner,
                                owner_person=person_of(other_owner), due_date=today + datetime.timedelta(10))
    done = services.action_add(meeting=past, title="Call", owner_partner=owner, due_date=today)
    services.action_mark_done(action=done)
    with pytest.raises(ValidationError):
        services.action_mark_done(action=done)
    assert list(services.action_register(state="late")) == [late]
    assert list(services.action_register(state="open")) == [late, open_]
    assert list(services.action_register(state="done")) == [done]
    assert list(services.action_register(owner_partner=owner)) == [late, done]
    assert list(services.action_register(instance=ga())) == []
    assert late.is_late and not open_.is_late
    next_meeting = meeting(gec(), days=5)
    assert list(services.meeting_follow_up_actions(next_meeting)) == [late, open_]
    assert list(services.meeting_follow_up_actions(past)) == []


def test_action_owner_person_must_work_for_the_owner_partner():
    m = held(gec())
    with pytest.raises(ValidationError):
        services.action_add(meeting=m, title="x", owner_partner=PartnerFactory(),
                            owner_person=person_of(PartnerFactory()), due_date=timezone.localdate())
    assert not ActionItem.objects.exists()


def test_history_records_changes_to_every_meeting_record():
    m = convened(gec(), days=-1)
    it = m.items.get()
    person = person_of(PartnerFactory())
    counts = lambda: [  # noqa: E731
        m.history.count(), it.history.count(),
        sum(a.history.count() for a in m.attendance.all()),
    ]
    before = counts()
    services.meeting_mark_held(meeting=m)
    services.attendance_record(meeting=m, person=person, status="present")
    assert counts() == [before[0] + 1, before[1], before[2] + 1]
    m2 = meeting(gec(), days=3)
    it2 = item(m2)
    services.agenda_item_update(item=it2, title="Renamed")
    assert it2.history.count() == 2 and it2.history.first().title == "Renamed"
    minutes = services.minutes_save(meeting=m, text="v1")
    services.minutes_save(meeting=m, text="v2")
    assert [h.text for h in minutes.history.all()] == ["v2", "v1"]
    decision = services.decision_add(meeting=m, text="Agreed")
    assert decision.history.count() == 1
    action = services.action_add(meeting=m, title="Do", owner_partner=person.institution.partner,
                                 due_date=timezone.localdate())
    services.action_mark_done(action=action)
    assert [h.state for h in action.history.all()] == ["done", "open"]
    line = m.attendance.get(person=person)
    services.attendance_record(meeting=m, person=person, status="excused")
    assert [h.status for h in line.history.all()] == ["excused", "present"]

