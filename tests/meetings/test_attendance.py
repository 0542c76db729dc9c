"""The attendance register, representation (M3, M6, M8) and the acting chair from it (T3, T4, T7)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from meetings import services
from meetings.models import Attendance, Meeting
from membership.models import Mandate
from tests.factories import GroupFactory, TroikaFactory, ga, gec
from tests.meetings.factories import at, convened, item, partner, person_of, seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def gec_cast():
    """The Troïka of the meeting's year with their GEC titulars, the lead's deputy, and one ordinary member."""
    lead, incoming, outgoing, other = (partner(n) for n in ("Lead", "Incoming", "Outgoing", "Other"))
    day = at(-2)
    TroikaFactory(year=day.year, lead=lead, incoming=incoming, outgoing=outgoing)
    cast = {
        "lead": person_of(lead), "lead_deputy": person_of(lead), "incoming": person_of(incoming),
        "outgoing": person_of(outgoing), "other": person_of(other),
    }
    for key, person in cast.items():
        seat(person, gec(), Mandate.Role.DEPUTY if key == "lead_deputy" else Mandate.Role.TITULAR)
    cast["meeting"] = convened(gec(), days=-2)
    services.attendance_initialise(meeting=cast["meeting"], people=[p for k, p in cast.items() if k != "meeting"])
    return cast


def _register(cast, present=(), represented=()):
    m = cast["meeting"]
    for key in present:
        services.attendance_record(meeting=m, person=cast[key], status=Attendance.Status.PRESENT)
    for key, by in represented:
        services.attendance_record(meeting=m, person=cast[key], status=Attendance.Status.REPRESENTED,
                                   represented_by=cast[by])
    return m


def test_rule_T4_lead_chairs_when_present(gec_cast):
    m = _register(gec_cast, present=["lead", "incoming", "outgoing", "other"])
    chair = services.current_acting_chair(m)
    assert (chair.person, chair.role, chair.rule) == (gec_cast["lead"], "lead", "T3")


def test_rule_T4_incoming_chairs_when_lead_absent_even_if_lead_deputy_present(gec_cast):
    m = _register(gec_cast, present=["lead_deputy", "incoming", "outgoing"])
    chair = services.current_acting_chair(m)
    assert (chair.person, chair.role, chair.rule) == (gec_cast["incoming"], "incoming", "T4")


def test_rule_T4_represented_lead_does_not_chair_succession_is_horizontal(gec_cast):
    m = _register(gec_cast, present=["lead_deputy", "outgoing"], represented=[("lead", "lead_deputy")])
    chair = services.current_acting_chair(m)
    assert (chair.person, chair.role) == (gec_cast["outgoing"], "outgoing")


def test_rule_T4_outgoing_lead_takes_interim_when_lead_and_incoming_absent(gec_cast):
    m = _register(gec_cast, present=["outgoing", "other"])
    services.attendance_record(meeting=m, person=gec_cast["incoming"], status=Attendance.Status.EXCUSED)
    chair = services.current_acting_chair(m)
    assert (chair.person, chair.role, chair.rule) == (gec_cast["outgoing"], "outgoing", "T4")


def test_rule_T4_no_chair_when_no_troika_member_present(gec_cast):
    m = _register(gec_cast, present=["lead_deputy", "other"])
    chair = services.current_acting_chair(m)
    assert chair.person is None and not chair.has_chair
    assert "T4" in chair.reason


def test_rule_T4_chair_recorded_when_held_and_frozen_after_mandate_change(gec_cast):
    m = _register(gec_cast, present=["incoming", "outgoing"])
    services.meeting_mark_held(meeting=m)
    m.refresh_from_db()
    assert (m.chair_person, m.chair_partner.name, m.chair_role, m.chair_rule) == (
        gec_cast["incoming"], "Incoming", "incoming", "T4")
    # The incoming lead's mandate ends before the meeting and the lead is marked present afterwards:
    Mandate.objects.filter(person=gec_cast["incoming"]).update(end=datetime.date(2000, 1, 2))
    Attendance.objects.filter(meeting=m, person=gec_cast["lead"]).update(status=Attendance.Status.PRESENT)
    assert services.register_chair(m).person == gec_cast["lead"]
    chair = services.current_acting_chair(Meeting.objects.get(pk=m.pk))
    assert (chair.person, chair.role) == (gec_cast["incoming"], "incoming")


@pytest.fixture
def group_cast():
    lp, cp = partner("Leader partner"), partner("Co-lead partner")
    leader, co_lead, member = person_of(lp), person_of(cp), person_of(partner("Member"))
    group = GroupFactory(leader_person=leader, leader_partner=lp, co_lead_person=co_lead, co_lead_partner=cp)
    expert = seat(member, group, Mandate.Role.EXPERT)
    binome = person_of(member.institution.partner)
    seat(binome, group, Mandate.Role.BINOME, pairs_with=expert)
    m = convened(group, days=-1)
    services.attendance_initialise(meeting=m, people=[leader, co_lead, member])
    return {"meeting": m, "leader": leader, "co_lead": co_lead, "member": member, "binome": binome}


def test_rule_T7_group_leader_chairs(group_cast):
    m = _register(group_cast, present=["leader", "co_lead"])
    assert services.current_acting_chair(m).role == "leader"


def test_rule_T7_co_lead_chairs_in_leader_absence(group_cast):
    m = _register(group_cast, present=["co_lead", "member"])
    chair = services.current_acting_chair(m)
    assert (chair.person, chair.role, chair.rule) == (group_cast["co_lead"], "co_lead", "T7")


def test_rule_T7_no_chair_when_leader_and_co_lead_absent(group_cast):
    m = _register(group_cast, present=["member"])
    assert services.current_acting_chair(m).person is None


def test_rule_M8_binome_represents_expert_but_not_someone_else(group_cast):
    m = group_cast["meeting"]
    line = services.attendance_record(meeting=m, person=group_cast["member"], status="represented",
                                      represented_by=group_cast["binome"])
    assert line.represented_by == group_cast["binome"]
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(meeting=m, person=group_cast["leader"], status="represented",
                                   represented_by=group_cast["binome"])
    assert "M8" in str(exc.value)


def test_rule_M3_only_the_partners_deputy_represents_a_gec_titular(gec_cast):
    m = gec_cast["meeting"]
    services.attendance_record(meeting=m, person=gec_cast["lead"], status="represented",
                               represented_by=gec_cast["lead_deputy"])
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(meeting=m, person=gec_cast["incoming"], status="represented",
                                   represented_by=gec_cast["lead_deputy"])
    assert "M3" in str(exc.value)
    with pytest.raises(ValidationError):
        services.attendance_record(meeting=m, person=gec_cast["incoming"], status="represented",
                                   represented_by=gec_cast["other"])  # a titular of another partner


def test_rule_M6_ga_deputy_of_the_same_partner_represents():
    p = partner("Country")
    ambassador, deputy, stranger = person_of(p), person_of(p), person_of(partner("Elsewhere"))
    seat(ambassador, ga())
    seat(deputy, ga(), Mandate.Role.DEPUTY)
    seat(stranger, ga(), Mandate.Role.DEPUTY)
    m = convened(ga(), days=-1)
    services.attendance_record(meeting=m, person=ambassador, status="represented", represented_by=deputy)
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(meeting=m, person=ambassador, status="represented", represented_by=stranger)
    assert "M6" in str(exc.value)


def test_initialise_is_idempotent_and_represented_partners_are_counted(gec_cast):
    m = gec_cast["meeting"]
    services.attendance_initialise(meeting=m, people=[gec_cast["lead"], gec_cast["other"]])
    assert m.attendance.count() == 5
    _register(gec_cast, present=["incoming"], represented=[("lead", "lead_deputy")])
    represented, members = services.represented_partners(m)
    assert [p.name for p in members] == ["Incoming", "Lead", "Other", "Outgoing"]
    assert [p.name for p in represented] == ["Incoming", "Lead"]


def test_register_closed_on_a_draft_meeting():
    m = services.meeting_create(instance=gec(), title="x", start=at(3), end=at(3, hour=11))
    item(m)
    with pytest.raises(ValidationError):
        services.attendance_record(meeting=m, person=person_of(partner("P")), status="present")
