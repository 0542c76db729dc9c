"""Finding and picking in the admin, and a person's history in words (mandates edited on their page)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from membership import services
from membership.models import Person
from tests.factories import GroupFactory, InstitutionFactory, PartnerFactory, PersonFactory, UserFactory, gec
from tests.membership.test_admin import form_data, url

pytestmark = pytest.mark.django_db
START = datetime.date(2025, 1, 1)


@pytest.fixture
def admin_fr(client, settings):
    settings.REQUIRE_2FA_FOR_STAFF = False
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return client


def person_of(partner, **fields):
    return PersonFactory(institution=InstitutionFactory(partner=partner), **fields)


def test_mandate_edits_on_the_person_page_appear_in_words_in_the_person_s_history(admin_fr):
    person = person_of(PartnerFactory(name="France"))
    services.mandate_create(person=person, instance=gec(), role="titular", start=START)
    rows_before = person.history.count()
    change = url("membership.person", "change", person.pk)
    data = form_data(admin_fr.get(change))
    data["mandates-0-end"] = "2026-12-31"
    assert admin_fr.post(change, data).status_code == 302
    assert person.history.count() == rows_before  # no blank "Modifié" row for the person
    page = admin_fr.get(url("membership.person", "history", person.pk)).content.decode()
    assert "Mandat GEC — fin\u202f: 31 décembre 2026" in page
    assert "None" not in page and "2026-12-31" not in page


def test_active_mandate_filter_counts_only_mandates_in_force(admin_fr):
    france = PartnerFactory(name="France")
    today = timezone.localdate()
    former = person_of(france, last_name="Ancienne")
    services.mandate_create(person=former, instance=gec(), role="titular", start=START,
                            end=today - datetime.timedelta(days=1))
    current = person_of(france, last_name="Actuelle")
    services.mandate_create(person=current, instance=gec(), role="titular", start=today)
    shown = admin_fr.get(url("membership.person", "changelist"), {"active_in": gec().pk}).context["cl"].result_list
    assert list(shown) == [current]
    none = admin_fr.get(url("membership.person", "changelist"), {"active_in": "none"}).context["cl"].result_list
    assert former in none and current not in none


def test_people_list_exports_the_selection_as_csv(admin_fr):
    person = person_of(PartnerFactory(name="France"), last_name="=Diallo")
    services.mandate_create(person=person, instance=gec(), role="titular", start=START)
    response = admin_fr.post(url("membership.person", "changelist"),
                             {"action": "export_people_csv", "_selected_action": [person.pk]})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "'=Diallo" in text and "GEC (titulaire)" in text and "France" in text


def test_login_account_is_chosen_by_search_not_by_raw_id(admin_fr):
    person = person_of(PartnerFactory(name="France"))
    page = admin_fr.get(url("membership.person", "change", person.pk)).content.decode()
    assert 'name="user"' in page and "admin-autocomplete" in page.split('name="user"')[0][-400:] + page.split(
        'name="user"')[1][:400]


def test_rule_M8_binome_picker_offers_only_experts_mandates(admin_fr):
    france = PartnerFactory(name="France")
    group = GroupFactory(code="GT-SANTE")
    expert = services.mandate_create(person=person_of(france, last_name="Diallo", function=Person.Function.EXPERT),
                                     instance=group, role="expert", start=START)
    services.mandate_create(person=person_of(france, last_name="Diallo-Binome"), instance=group, role="binome",
                            start=START, pairs_with=expert)
    response = admin_fr.get(reverse("admin:autocomplete"), {
        "app_label": "membership", "model_name": "mandate", "field_name": "pairs_with", "term": "Diallo"})
    assert [r["id"] for r in response.json()["results"]] == [str(expert.pk)]


def _seat_partners(n, start):
    for k in range(n):
        partner = PartnerFactory(name=f"Pays {start + k}")
        services.mandate_create(person=person_of(partner), instance=gec(), role="titular", start=START)
        services.mandate_create(person=person_of(partner, function=Person.Function.OTHER), instance=gec(),
                                role="deputy", start=START)


def test_gec_instance_page_reads_a_fixed_number_of_queries_and_only_mandates_in_force(
        admin_fr, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = url("instances.instance", "change", gec().pk)
    _seat_partners(2, 0)
    admin_fr.get(page)
    with CaptureQueriesContext(connection) as small:
        admin_fr.get(page)
    _seat_partners(10, 2)
    former = person_of(PartnerFactory(name="Ancien"), last_name="Ancien")
    services.mandate_create(person=former, instance=gec(), role="titular", start=START,
                            end=datetime.date(2025, 12, 31))
    with CaptureQueriesContext(connection) as large:
        response = admin_fr.get(page)
    # session, user, permissions, instance, interlocutors, mandates (with person, partner, pairs_with) …: each
    # row's person picker shows the already loaded person instead of querying it (was one query per row).
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.context["inline_admin_formsets"][1].formset.total_form_count() == 24
    assert "Ancien" not in response.content.decode().split('id="mandates-group"')[1]


def test_person_picker_shows_the_institution_and_the_partner(admin_fr):
    for name in ("France", "Belgique"):
        PersonFactory(institution=InstitutionFactory(partner=PartnerFactory(name=name), acronym=f"AG-{name}"),
                      first_name="Ada", last_name="Diallo")
    response = admin_fr.get(reverse("admin:autocomplete"), {
        "app_label": "membership", "model_name": "mandate", "field_name": "person", "term": "Diallo"})
    texts = sorted(r["text"] for r in response.json()["results"])
    assert texts == ["Ada Diallo — AG-Belgique (Belgique)", "Ada Diallo — AG-France (France)"]


def test_directory_page_offers_replace_to_who_may_change_mandates_and_dates_in_english(client, settings):
    settings.REQUIRE_2FA_FOR_STAFF = False
    mandate = services.mandate_create(person=person_of(PartnerFactory(name="France")), instance=gec(),
                                      role="titular", start=datetime.date(2026, 12, 7))
    replace = reverse("admin:membership_mandate_replace", args=[mandate.pk])
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(reverse("directory:detail", args=["GEC"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert replace in page and "7 Dec. 2026" in page and "12/07/2026" not in page
    client.force_login(UserFactory(username="member"))
    page = client.get(reverse("directory:detail", args=["GEC"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert replace not in page


def test_rule_T7_leader_picker_is_narrowed_by_the_partner_the_form_chose(admin_fr):
    group = GroupFactory(code="GT-SANTE")
    canada, france = PartnerFactory(name="Canada"), PartnerFactory(name="France")
    ada = person_of(canada, first_name="Ada", last_name="Diallo")
    person_of(france, first_name="Ana", last_name="Diallo")
    query = {"app_label": "instances", "model_name": "instance", "field_name": "leader_person", "term": "Diallo"}
    everyone = admin_fr.get(reverse("admin:autocomplete"), query).json()["results"]
    assert len(everyone) == 2
    narrowed = admin_fr.get(reverse("admin:autocomplete"), {**query, "forward_partner": canada.pk}).json()["results"]
    assert [r["id"] for r in narrowed] == [str(ada.pk)]
    assert narrowed[0]["text"] == f"Ada Diallo — {ada.institution}"
    co_lead = admin_fr.get(reverse("admin:autocomplete"), {**query, "field_name": "co_lead_person",
                                                           "forward_partner": france.pk}).json()["results"]
    assert [r["text"].split(" — ")[0] for r in co_lead] == ["Ana Diallo"]
    # The group's page loads the script that sends the chosen partner with the search, and its chosen leader is
    # named as the search names them.
    from instances.services import instance_set_leadership

    instance_set_leadership(instance=group, leader_partner=canada, leader_person=ada)
    page = admin_fr.get(url("instances.instance", "change", group.pk)).content.decode()
    assert "membership/js/pickers.js" in page
    assert f"<option value=\"{ada.pk}\" selected>Ada Diallo — {ada.institution}</option>" in page


def test_rule_M8_binome_picker_is_narrowed_by_the_row_s_person_and_group(admin_fr):
    health, water = GroupFactory(code="GT-SANTE"), GroupFactory(code="GT-EAU")
    france, canada = PartnerFactory(name="France"), PartnerFactory(name="Canada")
    mine = services.mandate_create(person=person_of(france, last_name="Diallo", function=Person.Function.EXPERT),
                                   instance=health, role="expert", start=START)
    services.mandate_create(person=person_of(france, last_name="Diallo-Eau", function=Person.Function.EXPERT),
                            instance=water, role="expert", start=START)
    services.mandate_create(person=person_of(canada, last_name="Diallo-Canada", function=Person.Function.EXPERT),
                            instance=health, role="expert", start=START)
    binome = person_of(france, last_name="Traoré", function=Person.Function.EXPERT)
    query = {"app_label": "membership", "model_name": "mandate", "field_name": "pairs_with", "term": "Diallo"}
    assert len(admin_fr.get(reverse("admin:autocomplete"), query).json()["results"]) == 3
    for forwarded in ({"forward_person": binome.pk}, {"forward_institution": binome.institution_id}):
        found = admin_fr.get(reverse("admin:autocomplete"),
                             {**query, **forwarded, "forward_instance": health.pk}).json()["results"]
        assert [r["id"] for r in found] == [str(mine.pk)]
        assert found[0]["text"].endswith("— France")
    # A forwarded value that is no id is ignored, never a 500.
    assert admin_fr.get(reverse("admin:autocomplete"), {**query, "forward_person": "²"}).status_code == 200


def test_end_and_replace_pages_take_only_an_id_in_range(admin_fr):
    """Beyond a bigint the page is not resolved (the admin sends the address on to "no such mandate"): never a 500
    from the database."""
    for action in ("end", "replace"):
        assert admin_fr.get(f"/admin/membership/mandate/{2**62}/{action}/").status_code == 404  # resolved, absent
        for bad in ("0", str(2**63), "99999999999999999999999"):
            response = admin_fr.get(f"/admin/membership/mandate/{bad}/{action}/")
            assert response.status_code in (302, 404), (bad, response.status_code)
