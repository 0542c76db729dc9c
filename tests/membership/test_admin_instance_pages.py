"""The GEC's and GA's admin pages on the directory of the admin's walk (30 partners, 15 groups, ~275 mandates):
the saved rows are text, the queries do not grow with the mandates, and the time is printed."""

import datetime
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instances.models import Instance
from membership.models import Mandate, Person
from tests.accounts.directory import import_realistic_directory_with_groups
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(tmp_path, client, settings):
    settings.REQUIRE_2FA_FOR_STAFF = False
    Instance.objects.get_or_create(code="GA", defaults={"kind": "GA", "name_fr": "Groupe des Ambassadeurs",
                                                        "name_en": "Ambassadors' Group"})
    import_realistic_directory_with_groups(tmp_path)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return client


def measure(client, url) -> tuple[int, float, str]:
    client.get(url)  # warm-up: templates, session
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return len(queries.captured_queries), elapsed, response.content.decode()


def double_the_mandates():
    """A predecessor whose mandate ended for every seat, and a new expert in each group: twice the mandates."""
    seated = list(Mandate.objects.select_related("person"))
    for n, m in enumerate(seated):
        person = Person.objects.create(first_name="Ancienne", last_name=f"Titulaire {n}", function=m.person.function,
                                       email=f"ancienne.{n}@example.org", institution_id=m.person.institution_id)
        Mandate.objects.create(person=person, instance_id=m.instance_id, role=m.role,
                               start=datetime.date(2015, 1, 1), end=datetime.date(2019, 12, 31))
    for group in Instance.objects.filter(kind__in=["GT", "GD"]):
        person = Person.objects.create(first_name="Nouvel", last_name=f"Expert {group.code}", function="expert",
                                       email=f"nouvel.{group.code.lower()}@example.org",
                                       institution=Mandate.objects.filter(instance=group).first().person.institution)
        Mandate.objects.create(person=person, instance=group, role="expert", start=datetime.date(2025, 1, 1))


def test_gec_and_ga_pages_cost_the_same_queries_however_many_mandates_and_show_saved_rows_as_text(directory):
    client = directory
    pages = {code: reverse("admin:instances_instance_change", args=[Instance.objects.get(code=code).pk])
             for code in ("GEC", "GA", "GT-01")}
    before = {code: measure(client, url) for code, url in pages.items()}
    mandates_before = Mandate.objects.count()
    assert mandates_before > 250
    double_the_mandates()
    after = {code: measure(client, url) for code, url in pages.items()}
    for code in pages:
        print(f"{code}: {before[code][0]} queries, {before[code][1] * 1000:.0f} ms with {mandates_before} mandates; "
              f"{after[code][0]} queries, {after[code][1] * 1000:.0f} ms with {Mandate.objects.count()}")
        # session, user, permissions, the instance, interlocutors, the mandates with person, partner and binôme
        assert after[code][0] == before[code][0], code
    gec_page = after["GEC"][2]
    rows = gec_page.split('id="mandates-group"')[1]
    # Saved rows are text with their links; no picker, select or date input is built for them.
    assert 'name="mandates-0-person"' not in rows and 'name="mandates-0-start"' not in rows
    assert 'name="mandates-0-id"' in rows and 'name="mandates-0-DELETE"' in rows
    assert "Ancienne" not in rows  # ended mandates are in the mandates list, not on the instance's page
    titular = Mandate.objects.filter(instance__code="GEC", role="titular", end__isnull=True).select_related(
        "person__institution__partner").first()
    assert f"{titular.person.full_name} — {titular.person.institution}" in rows
    assert reverse("admin:membership_mandate_replace", args=[titular.pk]) in rows
    assert reverse("admin:membership_mandate_change", args=[titular.pk]) in rows
    # The form for a new row is still there, with its pickers (the "add another" template).
    assert 'name="mandates-__prefix__-person"' in rows


def test_a_saved_row_on_the_instance_page_is_not_changed_by_what_is_posted_for_it(directory):
    """A saved row is text: whatever comes back for its fields, only its deletion box counts (dates change on the
    mandate's page, "End" or "Replace")."""
    from tests.membership.test_admin import form_data

    client = directory
    gec = Instance.objects.get(code="GEC")
    change = reverse("admin:instances_instance_change", args=[gec.pk])
    data = form_data(client.get(change))
    mandate = Mandate.objects.get(pk=data["mandates-0-id"])
    data["mandates-0-end"] = "2020-01-01"
    data["mandates-0-role"] = "deputy" if mandate.role == "titular" else "titular"
    response = client.post(change, data)
    assert response.status_code == 302
    assert Mandate.objects.get(pk=mandate.pk).end == mandate.end
    assert Mandate.objects.get(pk=mandate.pk).role == mandate.role
