"""Rules that span several records: changing the OTHER record (a person's institution, an institution's partner,
a mandate's deletion or dates, a partner's flags) is refused, through the admin and through the service, with
nothing changed (DOMAIN.md M2, M6, M8, T2, T7)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from instances.models import Troika
from instances.services import instance_set_leadership
from membership import services
from membership.models import Institution, Mandate, Partner, Person
from tests.factories import GroupFactory, InstitutionFactory, PartnerFactory, PersonFactory, UserFactory, ga, gec
from tests.membership.test_admin import form_data, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, settings):
    settings.REQUIRE_2FA_FOR_STAFF = False
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client

START = datetime.date(2025, 1, 1)


def backdate(*mandates):
    """Recorded in the directory long ago (not a mistake of the day)."""
    for m in mandates:
        m.history.update(history_date=timezone.now() - datetime.timedelta(days=30))


def person_of(partner, function=Person.Function.EXPERT, **fields):
    return PersonFactory(institution=InstitutionFactory(partner=partner), function=function, **fields)


@pytest.fixture
def pair():
    """A GT with an expert of France and her binôme (M8), both recorded long ago."""
    france = PartnerFactory(name="France", article="la")
    group = GroupFactory(code="GT-SANTE")
    expert_person = person_of(france, first_name="Ada", last_name="Diallo")
    binome_person = person_of(france, first_name="Ben", last_name="Martin")
    expert = services.mandate_create(person=expert_person, instance=group, role="expert", start=START)
    binome = services.mandate_create(person=binome_person, instance=group, role="binome", start=START,
                                     pairs_with=expert)
    backdate(expert, binome)
    return france, group, expert, binome


def person_change(client, person, **changes):
    change = url("membership.person", "change", person.pk)
    data = form_data(client.get(change))
    data.update({k: str(v) for k, v in changes.items()})
    return client.post(change, data)


def unchanged(obj, **fields):
    obj.refresh_from_db()
    return all(getattr(obj, name) == value for name, value in fields.items())


# -- M8: binômes ---------------------------------------------------------------------------------------------------


def test_rule_M8_moving_the_expert_to_another_partner_is_refused_through_the_service(pair):
    _france, _group, expert, binome = pair
    belgium = InstitutionFactory(partner=PartnerFactory(name="Belgique", article="la"))
    person = expert.person
    before = person.institution_id
    with pytest.raises(ValidationError, match=r"Ben Martin.*\(M8\)"):
        services.person_update(person=person, institution=belgium)
    assert Person.objects.get(pk=person.pk).institution_id == before


def test_rule_M8_moving_the_expert_to_another_partner_is_refused_through_the_admin(admin_client, pair):
    _france, _group, expert, _binome = pair
    belgium = InstitutionFactory(partner=PartnerFactory(name="Belgique", article="la"))
    before = expert.person.institution_id
    response = person_change(admin_client, expert.person, institution=belgium.pk)
    assert response.status_code == 200
    page = response.content.decode()
    assert "(M8)" in page and "Ben Martin" in page
    assert unchanged(expert.person, institution_id=before)


def test_rule_M8_moving_the_binome_s_institution_to_another_partner_is_refused(admin_client, pair):
    _france, _group, _expert, binome = pair
    institution = binome.person.institution
    belgium = PartnerFactory(name="Belgique", article="la")
    with pytest.raises(ValidationError, match=r"\(M8\)"):
        services.institution_update(institution=institution, partner=belgium)
    change = url("membership.institution", "change", institution.pk)
    data = form_data(admin_client.get(change))
    data["partner"] = str(belgium.pk)
    response = admin_client.post(change, data)
    assert response.status_code == 200 and "(M8)" in response.content.decode()
    assert unchanged(institution, partner_id=_france.pk)


def test_rule_M8_changing_the_expert_s_group_is_refused_for_its_binome(admin_client, pair):
    _france, _group, expert, binome = pair
    other = GroupFactory(code="GT-EDUC")
    with pytest.raises(ValidationError, match=r"Ben Martin.*\(M8\)"):
        services.mandate_update(mandate=Mandate.objects.get(pk=expert.pk), instance=other)
    change = url("membership.mandate", "change", expert.pk)
    data = form_data(admin_client.get(change))
    data["instance"] = str(other.pk)
    response = admin_client.post(change, data)
    assert response.status_code == 200 and "Ben Martin" in response.content.decode()
    assert unchanged(expert, instance_id=_group.pk)


def test_rule_M8_deleting_a_paired_expert_s_mandate_is_refused_everywhere(admin_client, pair):
    _france, _group, expert, binome = pair
    expert.history.update(history_date=timezone.now())  # even a mistake of the day: its binôme pairs with it
    with pytest.raises(ValidationError, match="Ben Martin"):
        services.mandate_delete(mandate=expert)
    # The inline "Supprimer ?" box on the person's page.
    change = url("membership.person", "change", expert.person_id)
    data = form_data(admin_client.get(change))
    data["mandates-0-DELETE"] = "on"
    response = admin_client.post(change, data)
    assert response.status_code == 200 and "Ben Martin" in response.content.decode()
    # The delete page sends to "End the mandate" instead.
    response = admin_client.post(url("membership.mandate", "delete", expert.pk), {"post": "yes"})
    assert response.status_code == 302 and response.url == url("membership.mandate", "end", expert.pk)
    # The changelist action.
    response = admin_client.post(url("membership.mandate", "changelist"),
                                 {"action": "delete_selected", "_selected_action": [expert.pk], "post": "yes"})
    assert Mandate.objects.filter(pk=expert.pk).exists()
    assert unchanged(binome, pairs_with_id=expert.pk)


def test_rule_M8_the_database_protects_a_paired_expert_s_mandate():
    """Behind the service, a raw delete of a paired mandate fails instead of unpairing the binôme."""
    from django.db.models import ProtectedError

    france = PartnerFactory(name="France")
    group = GroupFactory(code="GT-EAU")
    expert = services.mandate_create(person=person_of(france), instance=group, role="expert", start=START)
    services.mandate_create(person=person_of(france), instance=group, role="binome", start=START, pairs_with=expert)
    with pytest.raises(ProtectedError):
        expert.delete()


# -- deletion: a mandate is ended, not deleted ---------------------------------------------------------------------


def test_a_mandate_recorded_before_today_is_ended_not_deleted(admin_client):
    france = PartnerFactory(name="France")
    mandate = services.mandate_create(person=person_of(france, Person.Function.HEAD_OF_COOPERATION),
                                      instance=gec(), role="titular", start=START)
    backdate(mandate)
    change = url("membership.person", "change", mandate.person_id)
    data = form_data(admin_client.get(change))
    data["mandates-0-DELETE"] = "on"
    response = admin_client.post(change, data)
    assert response.status_code == 200
    assert "ended, not deleted" in response.content.decode()
    response = admin_client.post(url("membership.mandate", "end", mandate.pk), {"end": "2026-12-31"})
    assert response.status_code == 302
    assert unchanged(mandate, end=datetime.date(2026, 12, 31))


def test_a_mandate_entered_by_mistake_today_may_be_deleted(admin_client):
    france = PartnerFactory(name="France")
    mandate = services.mandate_create(person=person_of(france, Person.Function.HEAD_OF_COOPERATION),
                                      instance=gec(), role="titular", start=START)
    response = admin_client.post(url("membership.mandate", "delete", mandate.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Mandate.objects.filter(pk=mandate.pk).exists()


# -- T7: leaders and co-leads --------------------------------------------------------------------------------------


@pytest.fixture
def led_group():
    netherlands = PartnerFactory(name="Pays-Bas", article="les")
    belgium = PartnerFactory(name="Belgique", article="la")
    group = GroupFactory(code="GT-EAU")
    leader = person_of(netherlands, first_name="Ada", last_name="Diallo")
    co_lead = person_of(belgium, first_name="Ben", last_name="Martin")
    instance_set_leadership(instance=group, leader_partner=netherlands, leader_person=leader,
                            co_lead_partner=belgium, co_lead_person=co_lead)
    return group, leader, co_lead, netherlands, belgium


def test_rule_T7_moving_the_leader_to_another_partner_is_refused_through_the_service(led_group):
    group, leader, _co_lead, netherlands, _belgium = led_group
    france = InstitutionFactory(partner=PartnerFactory(name="France", article="la"))
    with pytest.raises(ValidationError, match=r"GT-EAU.*(T7)"):
        services.person_update(person=leader, institution=france)
    assert Person.objects.get(pk=leader.pk).institution.partner_id == netherlands.pk


def test_rule_T7_moving_the_co_lead_to_another_partner_is_refused_through_the_admin(admin_client, led_group):
    group, _leader, co_lead, _netherlands, belgium = led_group
    france = InstitutionFactory(partner=PartnerFactory(name="France", article="la"))
    response = person_change(admin_client, co_lead, institution=france.pk)
    assert response.status_code == 200
    page = response.content.decode()
    assert "GT-EAU" in page and "(T7)" in page
    assert unchanged(co_lead, institution_id=co_lead.institution_id)
    assert Person.objects.get(pk=co_lead.pk).institution.partner_id == belgium.pk


def test_rule_T7_moving_the_leader_s_institution_to_another_partner_is_refused(admin_client, led_group):
    _group, leader, _co_lead, netherlands, _belgium = led_group
    france = PartnerFactory(name="France", article="la")
    institution = leader.institution
    with pytest.raises(ValidationError, match=r"\(T7\)"):
        services.institution_update(institution=institution, partner=france)
    change = url("membership.institution", "change", institution.pk)
    data = form_data(admin_client.get(change))
    data["partner"] = str(france.pk)
    response = admin_client.post(change, data)
    assert response.status_code == 200 and "(T7)" in response.content.decode()
    assert unchanged(institution, partner_id=netherlands.pk)


def test_rule_T7_message_uses_the_partners_articles(led_group):
    from django.utils import translation

    from instances.services import leadership_errors

    group, leader, co_lead, _netherlands, belgium = led_group
    group.co_lead_person = leader
    with translation.override("fr"):
        errors = leadership_errors(group)
    assert any("appartient aux Pays-Bas, et non à la Belgique" in m for m in errors["co_lead_person"])


# -- T2: the Troïka ------------------------------------------------------------------------------------------------


def test_rule_T2_a_troika_member_may_not_lose_its_un_coordination(admin_client):
    snu = PartnerFactory(name="PNUD", partner_type=Partner.Type.UN_SYSTEM, un_coordinating=True)
    Troika.objects.create(year=2026, lead=PartnerFactory(name="France"), incoming=snu,
                          outgoing=PartnerFactory(name="Canada"))
    with pytest.raises(ValidationError, match=r"\(T2\)"):
        services.partner_update(partner=snu, un_coordinating=False)
    change = url("membership.partner", "change", snu.pk)
    data = form_data(admin_client.get(change))
    data.pop("un_coordinating", None)
    response = admin_client.post(change, data)
    assert response.status_code == 200 and "(T2)" in response.content.decode()
    assert unchanged(snu, un_coordinating=True)


# -- M2 / M6: seats ------------------------------------------------------------------------------------------------


def test_rule_M2_moving_a_titular_to_a_seated_partner_is_refused(admin_client):
    france, belgium = PartnerFactory(name="France", article="la"), PartnerFactory(name="Belgique", article="la")
    for partner in (france, belgium):
        services.mandate_create(person=person_of(partner, Person.Function.HEAD_OF_COOPERATION), instance=gec(),
                                role="titular", start=START)
    mover = Mandate.objects.get(person__institution__partner=france).person
    with pytest.raises(ValidationError, match=r"\(M2\)"):
        services.person_update(person=mover, institution=InstitutionFactory(partner=belgium))
    response = person_change(admin_client, mover, institution=InstitutionFactory(partner=belgium).pk)
    assert response.status_code == 200 and "(M2)" in response.content.decode()
    assert Person.objects.get(pk=mover.pk).institution.partner_id == france.pk


def test_rule_M6_moving_an_ambassador_s_embassy_to_a_seated_partner_is_refused(admin_client):
    france, belgium = PartnerFactory(name="France", article="la"), PartnerFactory(name="Belgique", article="la")
    for partner in (france, belgium):
        services.mandate_create(person=person_of(partner, Person.Function.AMBASSADOR), instance=ga(),
                                role="titular", start=START)
    embassy = Institution.objects.get(partner=france)
    with pytest.raises(ValidationError, match=r"\(M6\)"):
        services.institution_update(institution=embassy, partner=belgium)
    change = url("membership.institution", "change", embassy.pk)
    data = form_data(admin_client.get(change))
    data["partner"] = str(belgium.pk)
    response = admin_client.post(change, data)
    assert response.status_code == 200 and "(M6)" in response.content.decode()
    assert unchanged(embassy, partner_id=france.pk)


def test_rule_M8_ending_the_expert_s_mandate_before_its_binome_starts_is_refused(admin_client):
    france = PartnerFactory(name="France", article="la")
    group = GroupFactory(code="GT-EAU")
    expert = services.mandate_create(person=person_of(france), instance=group, role="expert", start=START)
    services.mandate_create(person=person_of(france, first_name="Ben", last_name="Martin"), instance=group,
                            role="binome", start=datetime.date(2026, 6, 1), pairs_with=expert)
    with pytest.raises(ValidationError, match=r"Ben Martin.*\(M8\)"):
        services.mandate_end(mandate=Mandate.objects.get(pk=expert.pk), end=datetime.date(2026, 5, 31))
    response = admin_client.post(url("membership.mandate", "end", expert.pk), {"end": "2026-05-31"})
    assert response.status_code == 200 and "Ben Martin" in response.content.decode()
    assert unchanged(expert, end=None)
