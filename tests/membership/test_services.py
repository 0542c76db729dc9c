"""The directory services load the saved mandates and apply the rules where data enters."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from instances.models import Instance
from membership import services
from membership.models import Mandate, Partner, Person
from tests.factories import GroupFactory, InstitutionFactory, PartnerFactory, PersonFactory, ga, gec

pytestmark = pytest.mark.django_db
D = datetime.date
JAN_1 = D(2026, 1, 1)


def create(person, instance, role=Mandate.Role.TITULAR, start=JAN_1, **kwargs):
    return services.mandate_create(person=person, instance=instance, role=role, start=start, **kwargs)


def messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


@pytest.fixture
def france():
    return PartnerFactory(name="France")


def test_rule_M2_second_titular_of_a_partner_is_refused_with_the_rule_and_names(france):
    create(PersonFactory(institution__partner=france, first_name="Ada", last_name="Diallo"), gec())
    intruder = PersonFactory(institution__partner=france, first_name="Ben", last_name="Martin")
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        create(intruder, gec(), start=D(2026, 3, 1))
    assert "(M2)" in messages(excinfo)
    assert "Ada Diallo" in messages(excinfo) and "Ben Martin" in messages(excinfo)
    assert Mandate.objects.filter(person=intruder).count() == 0


def test_rule_M2_embassy_and_agency_of_one_country_are_one_partner(france):
    embassy = InstitutionFactory(partner=france, name="Ambassade de France")
    agency = InstitutionFactory(partner=france, name="AFD")
    create(PersonFactory(institution=embassy), gec())
    with pytest.raises(ValidationError, match="M2"):
        create(PersonFactory(institution=agency), gec())


def test_rule_M2_ended_titular_does_not_block_the_successor(france):
    create(PersonFactory(institution__partner=france), gec(), start=D(2023, 1, 1), end=D(2025, 12, 31))
    successor = create(PersonFactory(institution__partner=france), gec(), start=D(2026, 1, 1))
    assert successor.pk is not None


def test_rule_M2_extending_an_ended_mandate_over_the_successor_is_refused(france):
    old = create(PersonFactory(institution__partner=france), gec(), start=D(2023, 1, 1), end=D(2025, 12, 31))
    create(PersonFactory(institution__partner=france), gec(), start=D(2026, 1, 1))
    with pytest.raises(ValidationError, match="M2"):
        services.mandate_update(mandate=old, end=None)
    old.refresh_from_db()
    assert old.end == D(2025, 12, 31)


def test_rule_M2_editing_a_mandate_does_not_conflict_with_itself(france):
    mandate = create(PersonFactory(institution__partner=france), gec())
    services.mandate_update(mandate=mandate, end=D(2027, 1, 1))
    assert Mandate.objects.get(pk=mandate.pk).end == D(2027, 1, 1)


def test_rule_M1_gec_titular_function_is_checked_on_create():
    with pytest.raises(ValidationError, match="M1"):
        create(PersonFactory(function=Person.Function.EXPERT), gec())


def test_rule_M1_changing_a_titular_s_function_is_refused_by_person_violations():
    person = PersonFactory()
    create(person, gec())
    person.function = Person.Function.EXPERT
    assert [v.rule for v in services.person_violations(person)] == ["M1"]


def test_rule_M2_moving_a_titular_to_a_partner_that_has_one_is_caught_by_person_violations(france):
    create(PersonFactory(institution__partner=france), gec())
    mover = PersonFactory()
    create(mover, gec())
    mover.institution = InstitutionFactory(partner=france)
    assert [v.rule for v in services.person_violations(mover)] == ["M2"]


def test_rule_M7_partner_becoming_bilateral_is_refused_while_its_head_sits_in_gec_and_ga():
    eu = PartnerFactory(name="UE", partner_type=Partner.Type.MULTILATERAL)
    head = PersonFactory(institution__partner=eu, function=Person.Function.RESIDENT_REPRESENTATIVE)
    create(head, gec())
    create(head, ga())
    assert services.partner_violations(eu) == []
    eu.partner_type = Partner.Type.BILATERAL
    assert "M7" in [v.rule for v in services.partner_violations(eu)]


def test_rule_M5_un_agency_losing_coordination_is_refused_while_in_the_ga():
    snu = PartnerFactory(name="SNU", partner_type=Partner.Type.UN_SYSTEM, un_coordinating=True)
    create(PersonFactory(institution__partner=snu, function=Person.Function.RESIDENT_REPRESENTATIVE), ga())
    snu.un_coordinating = False
    assert [v.rule for v in services.partner_violations(snu)] == ["M5"]


def test_rule_T2_un_agency_losing_coordination_is_refused_while_in_the_troika():
    snu = PartnerFactory(name="SNU", partner_type=Partner.Type.UN_SYSTEM, un_coordinating=True)
    services.troika_save(year=2026, lead=PartnerFactory(), incoming=snu, outgoing=PartnerFactory())
    snu.un_coordinating = False
    assert [v.rule for v in services.partner_violations(snu)] == ["T2"]


def test_rule_M4_strict_policy_is_read_from_the_gec():
    unicef = PartnerFactory(name="UNICEF", partner_type=Partner.Type.UN_SYSTEM)
    rep = PersonFactory(institution__partner=unicef, function=Person.Function.RESIDENT_REPRESENTATIVE)
    assert services.one_un_strict() is False
    Instance.objects.filter(kind="GEC").update(one_un_policy=Instance.OneUNPolicy.STRICT)
    assert services.one_un_strict() is True
    with pytest.raises(ValidationError, match="M4"):
        create(rep, gec())


def test_rule_M8_binome_pairs_with_a_saved_expert_of_its_partner(france):
    group = GroupFactory()
    expert = create(PersonFactory(institution__partner=france, function="expert"), group, role=Mandate.Role.EXPERT)
    binome = create(PersonFactory(institution__partner=france, function="expert"), group,
                    role=Mandate.Role.BINOME, pairs_with=expert)
    assert binome.pairs_with == expert
    with pytest.raises(ValidationError, match="M8"):
        create(PersonFactory(function="expert"), group, role=Mandate.Role.BINOME, pairs_with=expert)


def test_rule_M9_limited_mandate_without_limits_is_refused():
    with pytest.raises(ValidationError):
        create(PersonFactory(function="expert"), GroupFactory(), role=Mandate.Role.EXPERT, authority="limited")


def test_rule_T1_troika_save_refuses_the_same_partner_twice(france):
    with pytest.raises(ValidationError, match="T1"):
        services.troika_save(year=2026, lead=france, incoming=PartnerFactory(), outgoing=france)


def test_rule_T2_troika_save_refuses_a_non_coordinating_un_agency():
    unicef = PartnerFactory(name="UNICEF", partner_type=Partner.Type.UN_SYSTEM)
    with pytest.raises(ValidationError, match="T2"):
        services.troika_save(year=2026, lead=PartnerFactory(), incoming=unicef, outgoing=PartnerFactory())


def test_mandates_violations_checks_a_set_of_unsaved_mandates_together(france):
    a = Mandate(person=PersonFactory(institution__partner=france), instance=gec(), role="titular", start=D(2026, 1, 1))
    b = Mandate(person=PersonFactory(institution__partner=france), instance=gec(), role="titular", start=D(2026, 1, 1))
    assert services.mandates_violations([a]) == []
    assert [v.rule for v in services.mandates_violations([a, b])] == ["M2"]
