"""Replacing a mandate in one step, advisories on saving (M3, T1) and readable messages (no raw constraint)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from instances.models import Troika
from instances.services import instance_set_leadership
from membership import services
from membership.compliance import EXPIRY, directory_compliance
from membership.models import Mandate, Partner, Person
from tests.factories import GroupFactory, InstitutionFactory, PartnerFactory, PersonFactory, UserFactory, ga, gec
from tests.membership.test_admin import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, settings):
    settings.REQUIRE_2FA_FOR_STAFF = False
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client

START = datetime.date(2025, 1, 1)
JAN_1 = datetime.date(2027, 1, 1)


def person_of(partner, function=Person.Function.HEAD_OF_COOPERATION, **fields):
    return PersonFactory(institution=InstitutionFactory(partner=partner), function=function, **fields)


@pytest.fixture
def france():
    return PartnerFactory(name="France", article="la")


def test_rule_M2_replacing_a_titular_ends_the_old_mandate_the_day_before(france):
    old = services.mandate_create(person=person_of(france, first_name="Ada", last_name="Diallo"), instance=gec(),
                                  role="titular", start=START)
    successor = person_of(france)
    new = services.mandate_replace(mandate=old, on=JAN_1, successor=successor)
    old.refresh_from_db()
    assert old.end == datetime.date(2026, 12, 31)
    assert (new.person, new.instance, new.role, new.start, new.end) == (successor, gec(), "titular", JAN_1, None)


def test_replacing_a_deputy_by_a_new_person_creates_the_person(france):
    services.mandate_create(person=person_of(france), instance=gec(), role="titular", start=START)
    old = services.mandate_create(person=person_of(france, Person.Function.OTHER), instance=gec(), role="deputy",
                                  start=START, end=datetime.date(2027, 6, 30))
    new = services.mandate_replace(mandate=old, on=JAN_1, new_person={
        "first_name": "Chloé", "last_name": "Ba", "email": "chloe.ba@example.org",
        "institution": old.person.institution, "function": Person.Function.OTHER, "language": "en"})
    assert new.person.email == "chloe.ba@example.org" and new.person.language == "en"
    assert new.end == datetime.date(2027, 6, 30)  # the planned end of the seat carries over


def test_rule_M8_replacing_an_expert_transfers_the_binome_and_the_group_leadership(france):
    group = GroupFactory(code="GT-SANTE")
    expert = services.mandate_create(person=person_of(france, Person.Function.EXPERT), instance=group,
                                     role="expert", start=START)
    binome = services.mandate_create(person=person_of(france, Person.Function.EXPERT), instance=group,
                                     role="binome", start=START, pairs_with=expert)
    instance_set_leadership(instance=group, leader_partner=france, leader_person=expert.person)
    successor = person_of(france, Person.Function.EXPERT)
    new = services.mandate_replace(mandate=expert, on=JAN_1, successor=successor)
    binome.refresh_from_db()
    group.refresh_from_db()
    assert binome.pairs_with_id == new.pk
    assert group.leader_person_id == successor.pk


def test_rule_M2_a_replacement_that_breaks_a_rule_changes_nothing(france):
    old = services.mandate_create(person=person_of(france), instance=gec(), role="titular", start=START)
    # The successor already holds the GA seat of France: a bilateral person sits in one of GEC and GA (M7).
    successor = person_of(france, Person.Function.AMBASSADOR)
    services.mandate_create(person=successor, instance=ga(), role="titular", start=START)
    successor.function = Person.Function.HEAD_OF_COOPERATION
    Person.objects.filter(pk=successor.pk).update(function=Person.Function.HEAD_OF_COOPERATION)
    with pytest.raises(ValidationError, match=r"\(M7\)"):
        services.mandate_replace(mandate=old, on=JAN_1, successor=successor)
    old.refresh_from_db()
    assert old.end is None and Mandate.objects.filter(instance=gec()).count() == 1


def test_a_replacement_before_the_mandate_starts_is_refused_with_nothing_created(france):
    old = services.mandate_create(person=person_of(france), instance=gec(), role="titular", start=START)
    with pytest.raises(ValidationError):
        services.mandate_replace(mandate=old, on=START, new_person={
            "first_name": "X", "last_name": "Y", "email": "xy@example.org", "institution": old.person.institution,
            "function": Person.Function.HEAD_OF_COOPERATION, "language": "fr"})
    assert not Person.objects.filter(email="xy@example.org").exists()


def test_replace_page_records_the_successor_in_one_form(admin_client, france):
    old = services.mandate_create(person=person_of(france), instance=gec(), role="titular", start=START)
    successor = person_of(france)
    page = admin_client.get(url("membership.mandate", "replace", old.pk))
    assert page.status_code == 200 and "inclusive" in page.content.decode()
    response = admin_client.post(url("membership.mandate", "replace", old.pk), {
        "on": "2027-01-01", "successor": successor.pk, "language": "fr", "transfer_binomes": "on"})
    assert response.status_code == 302
    assert Mandate.objects.get(person=successor).start == JAN_1


def test_replace_page_shows_the_rule_refusal_as_a_form_error(admin_client, france):
    old = services.mandate_create(person=person_of(france), instance=gec(), role="titular", start=START)
    response = admin_client.post(url("membership.mandate", "replace", old.pk), {"on": "2027-01-01"})
    assert response.status_code == 200
    assert not Mandate.objects.filter(start=JAN_1).exists()


def test_the_ending_warning_disappears_once_a_successor_is_recorded(france):
    today = datetime.date(2026, 12, 1)
    old = services.mandate_create(person=person_of(france), instance=gec(), role="titular", start=START,
                                  end=datetime.date(2026, 12, 31))
    assert [w.object_id for w in directory_compliance(today) if w.rule == EXPIRY] == [old.pk]
    services.mandate_create(person=person_of(france), instance=gec(), role="titular", start=JAN_1)
    assert [w for w in directory_compliance(today) if w.rule == EXPIRY] == []


# -- M3: a deputy without a titular -------------------------------------------------------------------------------


def test_rule_M3_a_deputy_without_a_titular_is_an_advisory_on_the_dashboard_and_on_saving(admin_client, france):
    deputy = person_of(france, Person.Function.OTHER, first_name="Ada", last_name="Diallo")
    response = admin_client.post(url("membership.mandate", "add"), {
        "person": deputy.pk, "instance": gec().pk, "role": "deputy", "pairs_with": "", "start": "2026-01-01",
        "end": "", "authority": "full", "limits": ""}, follow=True)
    assert "(M3)" in response.content.decode()
    assert [w.rule for w in directory_compliance(datetime.date(2026, 3, 1)) if w.rule == "M3"] == ["M3"]
    services.mandate_create(person=person_of(france), instance=gec(), role="titular", start=START)
    assert [w for w in directory_compliance(datetime.date(2026, 3, 1)) if w.rule == "M3"] == []


# -- T1: next year's Troïka ---------------------------------------------------------------------------------------


@pytest.fixture
def troika_2026():
    bilateral = [PartnerFactory(name=name) for name in ("France", "Canada", "Suède")]
    multi = PartnerFactory(name="Banque mondiale", partner_type=Partner.Type.MULTILATERAL)
    return Troika.objects.create(year=2026, lead=bilateral[0], incoming=multi, outgoing=bilateral[1]), bilateral


def test_rule_T1_the_add_form_proposes_the_slide(admin_client, troika_2026):
    troika, _ = troika_2026
    form = admin_client.get(url("instances.troika", "add")).context["adminform"].form
    assert form.initial["year"] == 2027
    assert form.initial["lead"] == troika.incoming_id and form.initial["outgoing"] == troika.lead_id


def test_rule_T1_saving_a_troika_that_does_not_slide_warns_for_any_year(admin_client, troika_2026):
    _troika, (france, canada, sweden) = troika_2026
    netherlands = PartnerFactory(name="Pays-Bas")
    response = admin_client.post(url("instances.troika", "add"), {
        "year": 2027, "lead": sweden.pk, "incoming": france.pk, "outgoing": netherlands.pk}, follow=True)
    page = response.content.decode()
    assert Troika.objects.filter(year=2027).exists()
    assert "does not slide" in page and "3 bilateral partners" in page


def test_rule_T1_the_dashboard_warns_from_september_about_next_year_s_troika(troika_2026):
    def t1(day):
        with translation.override("en"):
            return [w.message for w in directory_compliance(day) if w.rule == "T1"]
    assert not any("2027" in m for m in t1(datetime.date(2026, 8, 31)))
    assert any("No Troïka is recorded yet for 2027" in m for m in t1(datetime.date(2026, 9, 1)))


# -- messages a person understands --------------------------------------------------------------------------------


def test_an_end_before_the_start_is_said_on_the_end_field_with_the_dates(admin_client, france):
    person = person_of(france)
    with translation.override("fr"):
        response = admin_client.post(url("membership.mandate", "add"), {
            "person": person.pk, "instance": gec().pk, "role": "titular", "pairs_with": "", "start": "2027-03-01",
            "end": "2027-02-01", "authority": "full", "limits": ""}, HTTP_ACCEPT_LANGUAGE="fr")
    form = response.context["adminform"].form
    assert form.errors["end"] == ["La fin (01/02/2027) précède le début (01/03/2027)."]
    assert "mandate_end_after_start" not in response.content.decode()


def test_rule_M9_a_limited_mandate_without_limits_gets_one_message_on_its_field(admin_client, france):
    person = person_of(france)
    response = admin_client.post(url("membership.mandate", "add"), {
        "person": person.pk, "instance": gec().pk, "role": "titular", "pairs_with": "", "start": "2027-03-01",
        "end": "", "authority": "limited", "limits": ""})
    form = response.context["adminform"].form
    assert form.errors["limits"] == ["A limited mandate must state its limits (M9)."]
    assert not form.non_field_errors()
    assert "mandate_limited_has_limits" not in response.content.decode()


def test_rule_T1_troika_of_one_partner_twice_shows_the_rule_not_the_constraint(admin_client, france):
    response = admin_client.post(url("instances.troika", "add"), {
        "year": 2030, "lead": france.pk, "incoming": france.pk, "outgoing": PartnerFactory(name="Mali").pk})
    page = response.content.decode()
    assert "(T1)" in page and "troika_three_distinct_partners" not in page
    assert page.count("three different partners") == 1
