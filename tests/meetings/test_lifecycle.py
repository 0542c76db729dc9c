"""Meeting life cycle (A1, I3): every transition through a service, every invalid one refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from meetings import rules, services
from meetings.models import Meeting
from tests.factories import GroupFactory, gec
from tests.meetings.factories import at, convened, held, item, meeting

pytestmark = pytest.mark.django_db


def test_rule_I3_extraordinary_gec_meeting_requires_a_reason():
    with pytest.raises(ValidationError) as exc:
        meeting(gec(), kind=Meeting.Kind.EXTRAORDINARY)
    assert "I3" in str(exc.value)
    assert not Meeting.objects.exists()
    m = meeting(gec(), kind=Meeting.Kind.EXTRAORDINARY, extraordinary_reason="Security crisis")
    assert m.extraordinary_reason == "Security crisis"


def test_meeting_must_end_after_it_starts():
    start = at(10)
    with pytest.raises(ValidationError):
        services.meeting_create(instance=gec(), title="x", start=start, end=start)


def test_rule_A1_agenda_cannot_be_proposed_without_an_accepted_item():
    m = meeting(gec())
    with pytest.raises(ValidationError) as exc:
        services.meeting_propose_agenda(meeting=m)
    assert "A1" in str(exc.value)
    m.refresh_from_db()
    assert m.status == Meeting.Status.DRAFT


def test_rule_A1_a_proposed_item_alone_is_not_an_agenda():
    from membership.models import Partner
    from tests.meetings.factories import person_of, seat

    m = meeting(gec(), proposal_deadline=at(5))
    member = person_of(Partner.objects.create(name="France", partner_type="bilateral"))
    seat(member, gec())
    services.agenda_item_propose(meeting=m, proposer=member, title="Idea", category="effectiveness",
                                 expected_outcome="information")
    with pytest.raises(ValidationError):
        services.meeting_propose_agenda(meeting=m)


def test_rule_A1_full_life_cycle_through_services():
    m = meeting(gec(), days=-1)
    item(m)
    services.meeting_propose_agenda(meeting=m)
    assert m.status == Meeting.Status.AGENDA_PROPOSED
    services.meeting_convene(meeting=m)
    assert m.status == Meeting.Status.CONVENED
    services.meeting_mark_held(meeting=m)
    assert m.status == Meeting.Status.HELD
    services.minutes_save(meeting=m, text="We met.")
    later = meeting(gec(), days=20)
    services.meeting_approve_minutes(meeting=m, approved_at=later)
    m.refresh_from_db()
    assert m.status == Meeting.Status.MINUTES_APPROVED
    assert m.minutes.approved_at_meeting == later


def _meeting_in(status):
    """A GEC meeting brought to `status` through the services."""
    if status == "draft":
        return meeting(gec())
    if status == "agenda_proposed":
        m = meeting(gec())
        item(m)
        return services.meeting_propose_agenda(meeting=m)
    if status == "convened":
        return convened(gec(), days=-1)
    if status == "held":
        return held(gec())
    if status == "minutes_approved":
        m = held(gec())
        services.minutes_save(meeting=m, text="Minutes")
        return services.meeting_approve_minutes(meeting=m, approved_at=datetime.date.today() + datetime.timedelta(1))
    if status == "cancelled":
        return services.meeting_cancel(meeting=meeting(gec()))
    raise AssertionError(status)


ACTIONS = {
    "agenda_proposed": lambda m: services.meeting_propose_agenda(meeting=m),
    "convened": lambda m: services.meeting_convene(meeting=m),
    "held": lambda m: services.meeting_mark_held(meeting=m),
    "minutes_approved": lambda m: services.meeting_approve_minutes(meeting=m, approved_at=meeting(gec(), days=60)),
    "cancelled": lambda m: services.meeting_cancel(meeting=m),
}
INVALID = [
    (source, target)
    for source in rules.TRANSITIONS
    for target in ACTIONS
    if target not in rules.TRANSITIONS[source]
]


@pytest.mark.parametrize("source,target", INVALID)
def test_every_invalid_transition_is_refused(source, target):
    m = _meeting_in(source)
    assert m.status == source
    with pytest.raises(ValidationError):
        ACTIONS[target](m)
    m.refresh_from_db()
    assert m.status == source


def test_transition_table_covers_every_status():
    assert set(rules.TRANSITIONS) == set(Meeting.Status.values)


def test_a_meeting_cannot_be_held_before_it_starts():
    m = convened(gec(), days=3)
    with pytest.raises(ValidationError):
        services.meeting_mark_held(meeting=m)


def test_reschedule_raises_the_calendar_sequence_and_keeps_the_uid():
    m = convened(gec(), days=10)
    uid = m.ical_uid
    start = at(12)
    services.meeting_reschedule(meeting=m, start=start, end=start + datetime.timedelta(hours=3), place="SEG")
    m.refresh_from_db()
    assert (m.ical_sequence, m.ical_uid, m.start, m.place) == (1, uid, start, "SEG")


def test_a_held_meeting_cannot_be_rescheduled():
    m = held(gec())
    with pytest.raises(ValidationError):
        services.meeting_reschedule(meeting=m, start=at(5), end=at(5, hour=11))


def test_cancel_records_why_and_raises_the_sequence():
    m = convened(gec(), days=10)
    services.meeting_cancel(meeting=m, reason="Public holiday")
    m.refresh_from_db()
    assert (m.status, m.cancellation_reason, m.ical_sequence) == ("cancelled", "Public holiday", 1)


def test_update_only_while_agenda_is_prepared():
    m = meeting(gec())
    services.meeting_update(meeting=m, place="Hotel de l'Amitié")
    assert Meeting.objects.get(pk=m.pk).place == "Hotel de l'Amitié"
    c = convened(gec(), days=11)
    with pytest.raises(ValidationError):
        services.meeting_update(meeting=c, title="Changed")


def test_minutes_are_approved_at_a_later_meeting_of_the_same_instance():
    m = held(gec())
    services.minutes_save(meeting=m, text="Minutes")
    earlier = meeting(gec(), days=-30)
    other = meeting(GroupFactory(), days=30)
    for wrong in (earlier, other):
        with pytest.raises(ValidationError):
            services.meeting_approve_minutes(meeting=m, approved_at=wrong)
    m.refresh_from_db()
    assert m.status == Meeting.Status.HELD


def test_minutes_cannot_be_approved_when_there_are_none():
    m = held(gec())
    with pytest.raises(ValidationError):
        services.meeting_approve_minutes(meeting=m, approved_at=meeting(gec(), days=30))
