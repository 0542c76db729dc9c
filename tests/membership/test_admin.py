"""The Django admin of instances and the directory: pages answer, history shows, rules refuse as form errors."""

import datetime

import pytest
from django import forms
from django.urls import reverse

from instances.models import Instance, InstanceUserObjectPermission, Troika
from membership import services
from membership.models import Mandate, Partner, Person
from tests.factories import GroupFactory, InstitutionFactory, PartnerFactory, PersonFactory, UserFactory, ga, gec

pytestmark = pytest.mark.django_db
START = datetime.date(2025, 1, 1)
MODELS = ["instances.instance", "instances.troika", "membership.partner", "membership.institution",
          "membership.person", "membership.mandate"]


@pytest.fixture
def admin_client(client, settings):
    settings.REQUIRE_2FA_FOR_STAFF = False
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def france():
    return PartnerFactory(name="France")


def seat(partner, instance, role=Mandate.Role.TITULAR, function=Person.Function.HEAD_OF_COOPERATION, **person):
    person = PersonFactory(institution__partner=partner, function=function, **person)
    return services.mandate_create(person=person, instance=instance, role=role, start=START)


def url(model, view, *args):
    app, name = model.split(".")
    return reverse(f"admin:{app}_{name}_{view}", args=args)


def form_data(response) -> dict:
    """What the browser would post back from an admin add/change page, unchanged."""
    data = {}

    def add(form, name, field):
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif value is None:
            data[key] = ""
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        else:
            data[key] = str(value.pk if hasattr(value, "pk") else value)

    form = response.context["adminform"].form
    for name, field in form.fields.items():
        add(form, name, field)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = str(formset.management_form[name].value())
        for sub in formset.initial_forms:
            for name, field in sub.fields.items():
                add(sub, name, field)
    return data


def add_inline_row(data: dict, prefix: str, values: dict) -> None:
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in values.items():
        data[f"{prefix}-{index}-{name}"] = str(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)


# -- pages answer -------------------------------------------------------------------------------------------------


def test_changelists_of_every_model_answer_200(admin_client, france):
    seat(france, gec())
    services.troika_save(year=2026, lead=france, incoming=PartnerFactory(), outgoing=PartnerFactory())
    for model in MODELS:
        assert admin_client.get(url(model, "changelist")).status_code == 200, model
        assert admin_client.get(url(model, "changelist"), {"q": "France"}).status_code == 200, model


@pytest.mark.parametrize("status", ["active", "ended", "future"])
def test_mandate_status_filter_separates_active_from_ended(admin_client, france, status):
    active = seat(france, gec(), last_name="Current")
    ended = seat(france, ga(), function=Person.Function.AMBASSADOR, last_name="Former")
    services.mandate_update(mandate=ended, end=datetime.date(2025, 6, 30))
    response = admin_client.get(url("membership.mandate", "changelist"), {"status": status})
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    assert shown == {"active": {active}, "ended": {ended}, "future": set()}[status]


def test_changelist_filters_by_partner_type_instance_and_role(admin_client, france):
    seat(france, gec())
    for params in ({"person__institution__partner__partner_type__exact": "bilateral"},
                   {"instance__id__exact": gec().pk}, {"role__exact": "titular"},
                   {"person__institution__partner__id__exact": france.pk}):
        response = admin_client.get(url("membership.mandate", "changelist"), params)
        assert response.status_code == 200 and len(response.context["cl"].result_list) == 1, params


def test_mandate_changelist_query_count_does_not_grow_with_rows(admin_client, django_assert_max_num_queries):
    for n in range(3):
        seat(PartnerFactory(name=f"P{n}"), gec())
    admin_client.get(url("membership.mandate", "changelist"))  # warm the session and content types
    with django_assert_max_num_queries(20) as small:
        admin_client.get(url("membership.mandate", "changelist"))
    for n in range(3, 15):
        seat(PartnerFactory(name=f"P{n}"), gec())
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin_client.get(url("membership.mandate", "changelist"))


def test_add_and_change_pages_answer_200(admin_client, france):
    mandate = seat(france, gec())
    troika = services.troika_save(year=2026, lead=france, incoming=PartnerFactory(), outgoing=PartnerFactory())
    objects = {"instances.instance": gec(), "instances.troika": troika, "membership.partner": france,
               "membership.institution": mandate.person.institution, "membership.person": mandate.person,
               "membership.mandate": mandate}
    for model, obj in objects.items():
        assert admin_client.get(url(model, "add")).status_code == 200, model
        assert admin_client.get(url(model, "change", obj.pk)).status_code == 200, model


def test_instance_has_the_object_permissions_page(admin_client):
    response = admin_client.get(url("instances.instance", "change", gec().pk))
    permissions = url("instances.instance", "permissions", gec().pk)
    assert permissions in response.content.decode()
    assert admin_client.get(permissions).status_code == 200


def test_site_header_is_the_portal_s(admin_client):
    assert "PTF coordination portal" in admin_client.get(reverse("admin:index")).content.decode()


# -- history --------------------------------------------------------------------------------------------------------


def test_history_page_shows_who_changed_what(admin_client, france):
    person = seat(france, gec(), last_name="Diallo").person
    change = url("membership.person", "change", person.pk)
    data = form_data(admin_client.get(change))
    data["last_name"] = "Keita"
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    history = admin_client.get(url("membership.person", "history", person.pk))
    assert history.status_code == 200
    page = history.content.decode()
    assert "Keita" in page and "Diallo" in page  # the change, old and new values
    assert "root" in page  # who
    assert person.history.first().history_user.username == "root"


def test_every_model_s_history_page_answers_200(admin_client, france):
    mandate = seat(france, gec())
    troika = services.troika_save(year=2026, lead=france, incoming=PartnerFactory(), outgoing=PartnerFactory())
    for model, obj in {"instances.instance": gec(), "instances.troika": troika, "membership.partner": france,
                       "membership.institution": mandate.person.institution, "membership.person": mandate.person,
                       "membership.mandate": mandate}.items():
        assert admin_client.get(url(model, "history", obj.pk)).status_code == 200, model


# -- rules on the mandate form --------------------------------------------------------------------------------------


def mandate_post(person, instance=None, role="titular", start="2026-01-01"):
    return {"person": person.pk, "instance": (instance or gec()).pk, "role": role, "pairs_with": "",
            "start": start, "end": "", "authority": "full", "limits": ""}


def test_rule_M2_admin_refuses_a_second_gec_titular_with_the_rule_message(admin_client, france):
    seat(france, gec(), first_name="Ada", last_name="Diallo")
    intruder = PersonFactory(institution__partner=france, first_name="Ben", last_name="Martin")
    response = admin_client.post(url("membership.mandate", "add"), mandate_post(intruder))
    assert response.status_code == 200
    page = response.content.decode()
    assert "(M2)" in page and "Ada Diallo" in page and "Ben Martin" in page
    assert not Mandate.objects.filter(person=intruder).exists()


def test_valid_mandate_post_saves(admin_client, france):
    seat(france, gec())
    deputy = PersonFactory(institution__partner=france, function=Person.Function.OTHER)
    response = admin_client.post(url("membership.mandate", "add"), mandate_post(deputy, role="deputy"))
    assert response.status_code == 302
    assert Mandate.objects.filter(person=deputy, role="deputy").exists()


def test_rule_M1_admin_refuses_a_gec_titular_who_is_an_expert(admin_client, france):
    expert = PersonFactory(institution__partner=france, function=Person.Function.EXPERT)
    response = admin_client.post(url("membership.mandate", "add"), mandate_post(expert))
    assert response.status_code == 200 and "(M1)" in response.content.decode()
    assert not Mandate.objects.exists()


# -- rules on inlines --------------------------------------------------------------------------------------------


def test_rule_M2_instance_inline_refuses_two_new_titulars_of_one_partner_added_together(admin_client, france):
    a = PersonFactory(institution__partner=france, first_name="Ada", last_name="Diallo")
    b = PersonFactory(institution__partner=france, first_name="Ben", last_name="Martin")
    change = url("instances.instance", "change", gec().pk)
    data = form_data(admin_client.get(change))
    for person in (a, b):
        add_inline_row(data, "mandates", {"person": person.pk, "role": "titular", "start": "2026-01-01",
                                          "authority": "full"})
    response = admin_client.post(change, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "(M2)" in page and "Ada Diallo" in page and "Ben Martin" in page
    assert not Mandate.objects.exists()


def test_instance_inline_saves_a_titular_and_a_deputy(admin_client, france):
    a = PersonFactory(institution__partner=france)
    b = PersonFactory(institution__partner=france, function=Person.Function.OTHER)
    change = url("instances.instance", "change", gec().pk)
    data = form_data(admin_client.get(change))
    add_inline_row(data, "mandates", {"person": a.pk, "role": "titular", "start": "2026-01-01", "authority": "full"})
    add_inline_row(data, "mandates", {"person": b.pk, "role": "deputy", "start": "2026-01-01", "authority": "full"})
    response = admin_client.post(change, data)
    assert response.status_code == 302
    assert Mandate.objects.filter(instance=gec()).count() == 2


def test_rule_M2_instance_inline_accepts_replacing_a_titular_in_one_save(admin_client, france):
    old = seat(france, gec())
    successor = PersonFactory(institution__partner=france)
    change = url("instances.instance", "change", gec().pk)
    data = form_data(admin_client.get(change))
    data["mandates-0-DELETE"] = "on"
    add_inline_row(data, "mandates", {"person": successor.pk, "role": "titular", "start": "2026-01-01",
                                      "authority": "full"})
    response = admin_client.post(change, data)
    assert response.status_code == 302
    assert list(Mandate.objects.values_list("person", flat=True)) == [successor.pk]
    assert not Mandate.objects.filter(pk=old.pk).exists()


def test_rule_M2_person_inline_refuses_a_titular_for_a_new_person_of_a_seated_partner(admin_client, france):
    seat(france, gec(), first_name="Ada", last_name="Diallo")
    add = url("membership.person", "add")
    data = form_data(admin_client.get(add))
    data.update({"last_name": "Martin", "first_name": "Ben", "email": "ben@example.org",
                 "function": "head_of_cooperation", "institution": InstitutionFactory(partner=france).pk,
                 "language": "fr"})
    add_inline_row(data, "mandates", {"instance": gec().pk, "role": "titular", "start": "2026-01-01",
                                      "authority": "full"})
    response = admin_client.post(add, data)
    assert response.status_code == 200
    assert "(M2)" in response.content.decode() and "Ada Diallo" in response.content.decode()
    assert not Person.objects.filter(email="ben@example.org").exists()


# -- rules on the person, partner and Troïka forms -----------------------------------------------------------------


def test_rule_M1_person_form_refuses_a_function_change_that_breaks_a_gec_seat(admin_client, france):
    person = seat(france, gec()).person
    change = url("membership.person", "change", person.pk)
    data = form_data(admin_client.get(change))
    data["function"] = "expert"
    response = admin_client.post(change, data)
    assert response.status_code == 200 and "(M1)" in response.content.decode()
    person.refresh_from_db()
    assert person.function == Person.Function.HEAD_OF_COOPERATION


def test_rule_M7_partner_form_refuses_becoming_bilateral_while_its_head_sits_in_gec_and_ga(admin_client):
    eu = PartnerFactory(name="UE", partner_type=Partner.Type.MULTILATERAL)
    head = seat(eu, gec(), function=Person.Function.RESIDENT_REPRESENTATIVE).person
    services.mandate_create(person=head, instance=ga(), role="titular", start=START)
    change = url("membership.partner", "change", eu.pk)
    data = form_data(admin_client.get(change))
    data["partner_type"] = "bilateral"
    response = admin_client.post(change, data)
    assert response.status_code == 200 and "(M7)" in response.content.decode()
    eu.refresh_from_db()
    assert eu.partner_type == Partner.Type.MULTILATERAL


def test_rule_T2_troika_form_refuses_a_non_coordinating_un_agency(admin_client):
    unicef = PartnerFactory(name="UNICEF", partner_type=Partner.Type.UN_SYSTEM)
    response = admin_client.post(url("instances.troika", "add"), {
        "year": "2026", "lead": PartnerFactory().pk, "incoming": unicef.pk, "outgoing": PartnerFactory().pk})
    assert response.status_code == 200 and "(T2)" in response.content.decode()
    assert not Troika.objects.exists()


def test_rule_T1_troika_form_refuses_the_same_partner_twice(admin_client, france):
    response = admin_client.post(url("instances.troika", "add"), {
        "year": "2026", "lead": france.pk, "incoming": PartnerFactory().pk, "outgoing": france.pk})
    assert response.status_code == 200 and "(T1)" in response.content.decode()
    assert not Troika.objects.exists()


# -- instance leadership -------------------------------------------------------------------------------------------


def test_rule_T7_admin_leadership_change_moves_the_manage_meetings_permission(admin_client):
    group = GroupFactory(code="GT-SANTE")
    canada = PartnerFactory(name="Canada")
    leader = PersonFactory(institution__partner=canada, function="expert", user=UserFactory(username="lea"))
    services.mandate_create(person=leader, instance=group, role="expert", start=START)
    change = url("instances.instance", "change", group.pk)
    data = form_data(admin_client.get(change))
    data.update({"leader_partner": canada.pk, "leader_person": leader.pk})
    response = admin_client.post(change, data)
    assert response.status_code == 302
    rows = InstanceUserObjectPermission.objects.filter(content_object=group)
    assert [r.user.username for r in rows] == ["lea"]


def test_linking_and_unlinking_a_leaders_account_in_admin_moves_the_permission(admin_client):
    group = GroupFactory(code="GT-SANTE")
    canada = PartnerFactory(name="Canada")
    leader = PersonFactory(institution__partner=canada, function="expert")
    services.mandate_create(person=leader, instance=group, role="expert", start=START)
    Instance.objects.filter(pk=group.pk).update(leader_partner=canada, leader_person=leader)
    account = UserFactory(username="lea")
    change = url("membership.person", "change", leader.pk)

    data = form_data(admin_client.get(change))
    data["user"] = account.pk
    assert admin_client.post(change, data).status_code == 302
    assert account.has_perm("instances.manage_meetings", group)

    data = form_data(admin_client.get(change))
    data["user"] = ""
    assert admin_client.post(change, data).status_code == 302
    account = type(account).objects.get(pk=account.pk)  # a fresh object: permissions are cached per instance
    assert not account.has_perm("instances.manage_meetings", group)


def test_rule_T7_admin_refuses_a_leader_on_the_gec(admin_client):
    change = url("instances.instance", "change", gec().pk)
    data = form_data(admin_client.get(change))
    data["leader_partner"] = PartnerFactory(name="Canada").pk
    response = admin_client.post(change, data)
    assert response.status_code == 200 and "(T3, T5, T7)" in response.content.decode()
    assert Instance.objects.get(pk=gec().pk).leader_partner is None


# -- bad input never answers 500 -----------------------------------------------------------------------------------


def test_person_with_mandate_rows_but_no_institution_gets_form_errors_not_a_500(admin_client):
    add = url("membership.person", "add")
    data = form_data(admin_client.get(add))
    data.update({"last_name": "Martin", "first_name": "Ben", "email": "not-an-email", "function": "ambassador"})
    add_inline_row(data, "mandates", {"instance": gec().pk, "role": "titular", "start": "someday",
                                      "authority": "full"})
    response = admin_client.post(add, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Person.objects.exists()


def test_mandate_form_with_missing_fields_gets_form_errors(admin_client):
    response = admin_client.post(url("membership.mandate", "add"), {"role": "titular"})
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) >= {"person", "instance", "start"}


def test_pairs_with_autocomplete_answers(admin_client, france):
    group = GroupFactory(code="GT-SANTE")
    services.mandate_create(person=PersonFactory(institution__partner=france, last_name="Diallo", function="expert"),
                            instance=group, role="expert", start=START)
    response = admin_client.get(reverse("admin:autocomplete"), {
        "app_label": "membership", "model_name": "mandate", "field_name": "pairs_with", "term": "Diallo"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
