"""Who chairs (T3–T5 for GEC and GA, T7 for GT/GD), one test per branch."""

import datetime

import pytest
from django.utils import translation

from instances.models import Troika
from membership import services
from membership.chair import acting_chair
from membership.models import Mandate, Person
from tests.factories import GroupFactory, PartnerFactory, PersonFactory, ga, gec

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 11)
HEAD, AMBASSADOR = Person.Function.HEAD_OF_COOPERATION, Person.Function.AMBASSADOR


def seat(partner, instance, role=Mandate.Role.TITULAR, function=HEAD, **kwargs):
    person = PersonFactory(institution__partner=partner, function=function, **kwargs)
    services.mandate_create(person=person, instance=instance, role=role, start=datetime.date(2025, 1, 1))
    return person


@pytest.fixture
def troika():
    """Troïka 2026: Canada leads, Germany is the deputy lead of the year, France the outgoing lead."""
    canada, germany, france = (PartnerFactory(name=n) for n in ("Canada", "Allemagne", "France"))
    services.troika_save(year=2026, lead=canada, incoming=germany, outgoing=france)
    people = {}
    for key, partner in (("lead", canada), ("incoming", germany), ("outgoing", france)):
        people[key] = seat(partner, gec())
        people[f"{key}_deputy"] = seat(partner, gec(), role=Mandate.Role.DEPUTY, function=Person.Function.OTHER)
        people[f"{key}_ambassador"] = seat(partner, ga(), function=AMBASSADOR)
    return people


def chair(instance, absent=()):
    with translation.override("en"):
        return acting_chair(instance, DAY, {p.pk for p in absent})


def test_rule_T3_lead_s_gec_titular_chairs_the_gec(troika):
    result = chair(gec())
    assert result.person == troika["lead"]
    assert result.partner.name == "Canada"
    assert result.role == Troika.Role.LEAD
    assert result.rule == "T3"
    assert result.reason == "Canada, lead, chairs (T3)"


def test_rule_T4_deputy_lead_of_the_year_chairs_when_the_lead_is_absent(troika):
    result = chair(gec(), absent=[troika["lead"]])
    assert result.person == troika["incoming"]
    assert result.role == Troika.Role.INCOMING
    assert result.rule == "T4"
    assert result.reason == "Allemagne, deputy lead of the year, chairs in the lead's absence (T4)"


def test_rule_T4_outgoing_lead_takes_the_interim_when_lead_and_incoming_are_absent(troika):
    result = chair(gec(), absent=[troika["lead"], troika["incoming"]])
    assert result.person == troika["outgoing"]
    assert result.role == Troika.Role.OUTGOING
    assert result.rule == "T4"
    assert result.reason == "France, outgoing lead, takes the interim (T4)"


def test_rule_T4_no_chair_when_no_troika_member_is_present(troika):
    result = chair(gec(), absent=[troika["lead"], troika["incoming"], troika["outgoing"]])
    assert not result.has_chair
    assert result.person is None and result.partner is None and result.role is None
    assert result.rule == "T4"
    assert "no chair" in result.reason and "GEC" in result.reason


def test_rule_T4_succession_does_not_pass_down_to_the_lead_partner_s_deputy(troika):
    result = chair(gec(), absent=[troika["lead"]])
    assert result.person != troika["lead_deputy"]
    assert result.partner.name == "Allemagne"


def test_rule_T4_deputies_alone_do_not_make_a_chair(troika):
    result = chair(gec(), absent=[troika["lead"], troika["incoming"], troika["outgoing"]])
    assert not result.has_chair  # the three deputies are present, yet no one chairs


def test_rule_T5_ga_is_chaired_by_the_lead_s_ga_titular(troika):
    result = chair(ga())
    assert result.person == troika["lead_ambassador"]
    assert result.rule == "T3"


def test_rule_T5_ga_succession_uses_ga_titulars(troika):
    result = chair(ga(), absent=[troika["lead_ambassador"]])
    assert result.person == troika["incoming_ambassador"]
    # The lead's head of cooperation being absent does not matter in the GA.
    assert chair(ga(), absent=[troika["lead"]]).person == troika["lead_ambassador"]


def test_rule_T4_an_ended_titular_is_not_counted(troika):
    Mandate.objects.filter(person=troika["lead"]).update(end=datetime.date(2026, 2, 28))
    assert chair(gec()).person == troika["incoming"]


def test_rule_T1_no_chair_when_no_troika_is_recorded_for_the_year(troika):
    with translation.override("en"):
        result = acting_chair(gec(), datetime.date(2031, 3, 1), set())
    assert not result.has_chair
    assert result.rule == "T1"
    assert "2031" in result.reason


@pytest.fixture
def led_group():
    health = GroupFactory(code="GT-SANTE")
    canada, who = PartnerFactory(name="Canada"), PartnerFactory(name="OMS")
    leader = seat(canada, health, role=Mandate.Role.EXPERT, function=Person.Function.EXPERT)
    co_lead = seat(who, health, role=Mandate.Role.EXPERT, function=Person.Function.EXPERT)
    from instances.services import instance_set_leadership

    instance_set_leadership(instance=health, leader_partner=canada, leader_person=leader,
                            co_lead_partner=who, co_lead_person=co_lead)
    return health, leader, co_lead


def test_rule_T7_group_leader_chairs(led_group):
    health, leader, _co_lead = led_group
    result = chair(health)
    assert result.person == leader and result.role == "leader" and result.rule == "T7"
    assert result.reason == "Canada, group leader, chairs (T7)"


def test_rule_T7_co_lead_chairs_when_the_leader_is_absent(led_group):
    health, leader, co_lead = led_group
    result = chair(health, absent=[leader])
    assert result.person == co_lead and result.role == "co_lead"
    assert result.reason == "OMS, co-lead, chairs in the leader's absence (T7)"


def test_rule_T7_no_chair_when_leader_and_co_lead_are_absent(led_group):
    health, leader, co_lead = led_group
    result = chair(health, absent=[leader, co_lead])
    assert not result.has_chair and result.rule == "T7"


def test_rule_T7_group_without_leadership_has_no_chair():
    assert not chair(GroupFactory()).has_chair
