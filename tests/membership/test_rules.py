"""The hard representation rules (DOMAIN.md M1–M9, M4 strict, T1, T2) over plain facts, no database."""

import datetime
import itertools

from django.utils import translation

from membership import rules

D = datetime.date
_keys = itertools.count(1)
JAN_1 = D(2026, 1, 1)


def fact(
    *, person="Ada Diallo", partner="France", partner_type=rules.BILATERAL, un_coordinating=False,
    instance=rules.GEC, role=rules.TITULAR, function=rules.HEAD_OF_COOPERATION, start=JAN_1, end=None,
    pairs_with=None, authority="full", limits="", key=None,
):
    """A mandate fact; the instance kind is its code (GEC, GA) or the part before '-' (GT-SANTE)."""
    return rules.MandateFact(
        key=key if key is not None else next(_keys), person_key=person, person_name=person, function=function,
        partner_key=partner, partner_name=partner, partner_type=partner_type, un_coordinating=un_coordinating,
        instance_key=instance, instance_code=instance, instance_kind=instance.split("-")[0], role=role,
        start=start, end=end, pairs_with_key=pairs_with, authority=authority, limits=limits,
    )


def rule_ids(facts, **kwargs):
    return [v.rule for v in rules.check_mandates(facts, **kwargs)]


def partner(name, partner_type=rules.BILATERAL, un_coordinating=False):
    return rules.PartnerFact(key=name, name=name, partner_type=partner_type, un_coordinating=un_coordinating)


# -- M1: the GEC titular is a head of cooperation or a resident representative ----------------------------------


def test_rule_M1_gec_titular_must_be_head_of_cooperation_or_resident_representative():
    assert rule_ids([fact(function="expert")]) == ["M1"]
    assert rule_ids([fact(function=rules.AMBASSADOR)]) == ["M1"]


def test_rule_M1_allows_heads_of_cooperation_resident_representatives_and_any_deputy():
    assert rule_ids([fact(function=rules.HEAD_OF_COOPERATION)]) == []
    assert rule_ids([fact(function=rules.RESIDENT_REPRESENTATIVE, partner="UE", partner_type=rules.MULTILATERAL)]) == []
    assert rule_ids([fact(role=rules.DEPUTY, function="other")]) == []


# -- M2: one titular and one deputy per partner in the GEC, while active at the same time ----------------------


def test_rule_M2_two_overlapping_gec_titulars_of_one_partner_are_refused():
    a = fact(person="Ada Diallo")
    b = fact(person="Ben Martin", start=D(2026, 6, 1))
    violations = rules.check_mandates([a, b])
    assert [v.rule for v in violations] == ["M2"]
    assert set(violations[0].keys) == {a.key, b.key}
    assert "Ada Diallo" in violations[0].message and "Ben Martin" in violations[0].message
    assert "France" in violations[0].message


def test_rule_M2_two_overlapping_gec_deputies_of_one_partner_are_refused():
    assert rule_ids([fact(person="A", role=rules.DEPUTY), fact(person="B", role=rules.DEPUTY)]) == ["M2"]


def test_rule_M2_an_ended_titular_does_not_block_a_new_one():
    ended = fact(person="Ada Diallo", start=D(2024, 1, 1), end=D(2025, 12, 31))
    new = fact(person="Ben Martin", start=D(2026, 1, 1))
    assert rule_ids([ended, new]) == []


def test_rule_M2_mandates_touching_on_the_same_day_overlap():
    ending = fact(person="Ada Diallo", start=D(2024, 1, 1), end=D(2026, 1, 1))
    new = fact(person="Ben Martin", start=D(2026, 1, 1))
    assert rule_ids([ending, new]) == ["M2"]


def test_rule_M2_a_future_titular_overlapping_an_open_ended_one_is_refused():
    current = fact(person="Ada Diallo", start=D(2020, 1, 1))
    future = fact(person="Ben Martin", start=D(2030, 1, 1), end=D(2031, 1, 1))
    assert rule_ids([current, future]) == ["M2"]


def test_rule_M2_one_titular_and_one_deputy_are_allowed():
    assert rule_ids([fact(person="A"), fact(person="B", role=rules.DEPUTY)]) == []


def test_rule_M2_partners_are_counted_separately():
    assert rule_ids([fact(person="A", partner="France"), fact(person="B", partner="Canada")]) == []


def test_rule_M2_a_person_cannot_hold_two_gec_seats_at_once():
    assert rule_ids([fact(person="A"), fact(person="A", role=rules.DEPUTY)]) == ["M2"]


def test_rule_M2_gec_members_sit_only_as_titular_or_deputy():
    assert rule_ids([fact(role=rules.EXPERT)]) == ["M2"]


# -- M4 strict: the UN system is one partner in the GEC, from the coordinating agency --------------------------


def test_rule_M4_strict_refuses_a_non_coordinating_un_agency_in_the_gec():
    unicef = fact(partner="UNICEF", partner_type=rules.UN_SYSTEM, function=rules.RESIDENT_REPRESENTATIVE)
    assert rule_ids([unicef], one_un_strict=True) == ["M4"]
    assert rule_ids([unicef], one_un_strict=False) == []


def test_rule_M4_strict_allows_the_coordinating_agency():
    rco = fact(partner="SNU", partner_type=rules.UN_SYSTEM, un_coordinating=True,
               function=rules.RESIDENT_REPRESENTATIVE)
    assert rule_ids([rco], one_un_strict=True) == []


# -- M5: GA titulars are ambassadors or resident representatives; only the UN coordinating agency --------------


def test_rule_M5_bilateral_ga_titular_must_be_the_ambassador():
    assert rule_ids([fact(instance=rules.GA, function=rules.HEAD_OF_COOPERATION)]) == ["M5"]
    assert rule_ids([fact(instance=rules.GA, function=rules.AMBASSADOR)]) == []


def test_rule_M5_multilateral_ga_titular_may_be_the_resident_representative():
    assert rule_ids([fact(instance=rules.GA, partner="UE", partner_type=rules.MULTILATERAL,
                          function=rules.RESIDENT_REPRESENTATIVE)]) == []
    assert rule_ids([fact(instance=rules.GA, partner="UE", partner_type=rules.MULTILATERAL,
                          function="expert")]) == ["M5"]


def test_rule_M5_only_the_coordinating_un_agency_sits_in_the_ga():
    kwargs = {"instance": rules.GA, "function": rules.RESIDENT_REPRESENTATIVE, "partner_type": rules.UN_SYSTEM}
    assert rule_ids([fact(partner="UNICEF", **kwargs)]) == ["M5"]
    assert rule_ids([fact(partner="UNICEF", role=rules.DEPUTY, **kwargs)]) == ["M5"]
    assert rule_ids([fact(partner="SNU", un_coordinating=True, **kwargs)]) == []


# -- M6: in the GA one titular (first responsible) and one standing deputy per partner -------------------------


def test_rule_M6_two_overlapping_ga_deputies_of_one_partner_are_refused():
    a = fact(person="A", instance=rules.GA, role=rules.DEPUTY)
    b = fact(person="B", instance=rules.GA, role=rules.DEPUTY)
    assert rule_ids([a, b]) == ["M6"]


def test_rule_M6_two_overlapping_ga_titulars_are_refused_but_not_after_one_ended():
    a = fact(person="A", instance=rules.GA, function=rules.AMBASSADOR, end=D(2026, 8, 31))
    b = fact(person="B", instance=rules.GA, function=rules.AMBASSADOR, start=D(2026, 8, 1))
    assert rule_ids([a, b]) == ["M6"]
    later = fact(person="B", instance=rules.GA, function=rules.AMBASSADOR, start=D(2026, 9, 1))
    assert rule_ids([a, later]) == []


def test_rule_M6_topic_experts_are_not_standing_ga_members():
    assert rule_ids([fact(instance=rules.GA, role=rules.EXPERT)]) == ["M6"]


# -- M7: a bilateral person does not sit in both the GEC and the GA ---------------------------------------------


def test_rule_M7_bilateral_person_cannot_sit_in_gec_and_ga_at_the_same_time():
    gec = fact(person="A", instance=rules.GEC)
    ga = fact(person="A", instance=rules.GA, role=rules.DEPUTY)
    violations = rules.check_mandates([gec, ga])
    assert [v.rule for v in violations] == ["M7"]
    assert "A" in violations[0].message and "France" in violations[0].message


def test_rule_M7_allows_multilateral_heads_in_both():
    kwargs = {"person": "A", "partner": "UE", "partner_type": rules.MULTILATERAL,
              "function": rules.RESIDENT_REPRESENTATIVE}
    assert rule_ids([fact(instance=rules.GEC, **kwargs), fact(instance=rules.GA, **kwargs)]) == []


def test_rule_M7_allows_gec_then_ga_one_after_the_other():
    gec = fact(person="A", instance=rules.GEC, end=D(2026, 6, 30))
    ga = fact(person="A", instance=rules.GA, role=rules.DEPUTY, start=D(2026, 7, 1))
    assert rule_ids([gec, ga]) == []


# -- M8: GT/GD members are experts, each paired with a binôme --------------------------------------------------


def test_rule_M8_group_members_are_experts_or_binomes():
    assert rule_ids([fact(instance="GT-SANTE", role=rules.TITULAR)]) == ["M8"]
    assert rule_ids([fact(instance="GD-BUDGET", role=rules.DEPUTY)]) == ["M8"]
    assert rule_ids([fact(instance="GT-SANTE", role=rules.EXPERT, function="expert")]) == []


def test_rule_M8_binome_pairs_with_an_expert_of_the_same_partner_and_group():
    expert = fact(person="A", instance="GT-SANTE", role=rules.EXPERT)
    good = fact(person="B", instance="GT-SANTE", role=rules.BINOME, pairs_with=expert.key)
    assert rule_ids([expert, good]) == []
    other_partner = fact(person="C", partner="Canada", instance="GT-SANTE", role=rules.BINOME, pairs_with=expert.key)
    other_group = fact(person="D", instance="GT-EDUC", role=rules.BINOME, pairs_with=expert.key)
    assert rule_ids([expert, other_partner]) == ["M8"]
    assert rule_ids([expert, other_group]) == ["M8"]


def test_rule_M8_binome_without_an_expert_is_refused():
    assert rule_ids([fact(instance="GT-SANTE", role=rules.BINOME)]) == ["M8"]
    deputy = fact(person="A", instance="GT-SANTE", role=rules.BINOME)
    pairs_with_binome = fact(person="B", instance="GT-SANTE", role=rules.BINOME, pairs_with=deputy.key)
    assert "M8" in rule_ids([deputy, pairs_with_binome])


def test_rule_M8_a_person_is_not_their_own_binome():
    expert = fact(person="A", instance="GT-SANTE", role=rules.EXPERT, end=D(2026, 3, 1))
    self_pair = fact(person="A", instance="GT-SANTE", role=rules.BINOME, pairs_with=expert.key, start=D(2026, 1, 1))
    assert "M8" in rule_ids([expert, self_pair])


def test_rule_M8_binome_must_be_active_while_its_expert_is():
    expert = fact(person="A", instance="GT-SANTE", role=rules.EXPERT, end=D(2026, 6, 30))
    late = fact(person="B", instance="GT-SANTE", role=rules.BINOME, pairs_with=expert.key, start=D(2026, 7, 1))
    assert rule_ids([expert, late]) == ["M8"]


def test_rule_M8_only_a_binome_pairs_with_another_mandate():
    expert = fact(person="A", instance="GT-SANTE", role=rules.EXPERT)
    second = fact(person="B", instance="GT-SANTE", role=rules.EXPERT, pairs_with=expert.key)
    assert rule_ids([expert, second]) == ["M8"]


def test_rule_M8_a_person_holds_one_seat_per_group_at_a_time():
    a = fact(person="A", instance="GT-SANTE", role=rules.EXPERT)
    b = fact(person="A", instance="GT-SANTE", role=rules.EXPERT, start=D(2026, 5, 1))
    assert rule_ids([a, b]) == ["M8"]
    later = fact(person="A", instance="GT-SANTE", role=rules.EXPERT, start=D(2027, 1, 1))
    ended = fact(person="A", instance="GT-SANTE", role=rules.EXPERT, end=D(2026, 12, 31))
    assert rule_ids([ended, later]) == []


# -- M9: a limited mandate states its limits ------------------------------------------------------------------


def test_rule_M9_limited_mandate_must_state_its_limits():
    assert rule_ids([fact(instance="GT-SANTE", role=rules.EXPERT, authority="limited")]) == ["M9"]
    assert rule_ids([fact(instance="GT-SANTE", role=rules.EXPERT, authority="limited", limits="   ")]) == ["M9"]
    assert rule_ids([fact(instance="GT-SANTE", role=rules.EXPERT, authority="limited",
                          limits="No financial commitment")]) == []


# -- T1, T2: the Troïka ------------------------------------------------------------------------------------------


def test_rule_T1_troika_needs_three_different_partners():
    france, canada = partner("France"), partner("Canada")
    violations = rules.check_troika(2026, france, canada, france)
    assert [v.rule for v in violations] == ["T1"]
    assert "2026" in violations[0].message
    assert rules.check_troika(2026, france, canada, partner("UE", rules.MULTILATERAL)) == []


def test_rule_T2_only_the_un_coordinating_agency_can_be_in_the_troika():
    unicef = partner("UNICEF", rules.UN_SYSTEM)
    violations = rules.check_troika(2026, partner("France"), unicef, partner("Canada"))
    assert [v.rule for v in violations] == ["T2"]
    assert "UNICEF" in violations[0].message
    snu = partner("SNU", rules.UN_SYSTEM, un_coordinating=True)
    assert rules.check_troika(2026, partner("France"), snu, partner("Canada")) == []


# -- messages ----------------------------------------------------------------------------------------------------


def test_violation_message_names_rule_and_people_in_english():
    with translation.override("en"):
        violations = rules.check_mandates([fact(person="Ada Diallo"), fact(person="Ben Martin")])
    assert str(violations[0]) == (
        "France would have two titular members in the GEC at the same time, Ada Diallo and Ben Martin; they overlap "
        "from 1 Jan 2026 onwards: end one of them or move the other's start. (M2)"
    )


def test_rule_M2_overlap_message_names_the_shared_days_and_the_inclusive_fix():
    old = fact(person="Ada Diallo", start=datetime.date(2025, 1, 1), end=datetime.date(2027, 1, 1))
    new = fact(person="Ben Martin", start=datetime.date(2027, 1, 1))
    with translation.override("fr"):
        message = rules.check_mandates([old, new])[0].message
    assert "le 01/01/2027" in message
    assert "terminez le mandat d'Ada Diallo le 31/12/2026" in message
    assert message.startswith("La France aurait deux membres titulaires au GEC")  # the country with its article


def test_violations_are_only_reported_once_per_pair():
    facts = [fact(person=name) for name in ("A", "B", "C")]
    assert rule_ids(facts) == ["M2", "M2", "M2"]
