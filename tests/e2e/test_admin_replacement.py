"""The one-step replacement in the admin, in Chromium: a titular and a deputy replaced on the same day."""

import datetime

import pytest
from django.contrib.auth.models import User

from instances.models import Instance
from membership import services
from membership.models import Mandate, Person
from tests.e2e.conftest import shot
from tests.factories import InstitutionFactory, PartnerFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Admin-Bamako-2026!"
START, ON = datetime.date(2024, 1, 1), datetime.date(2027, 1, 1)


def test_replacing_a_titular_and_a_deputy_on_the_same_day_in_the_admin(page, e2e_settings):
    gec, _ = Instance.objects.get_or_create(code="GEC", defaults={"kind": "GEC", "name_fr": "GEC", "name_en": "GEC"})
    User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    embassy = InstitutionFactory(partner=PartnerFactory(name="Belgique", article="la"), name="Enabel", acronym="ENB")
    titular = services.mandate_create(
        person=PersonFactory(institution=embassy, first_name="Aïssata", last_name="Keïta"),
        instance=gec, role="titular", start=START)
    deputy = services.mandate_create(
        person=PersonFactory(institution=embassy, first_name="Bram", last_name="Peeters",
                             function=Person.Function.OTHER),
        instance=gec, role="deputy", start=START)
    successor = PersonFactory(institution=embassy, first_name="Chloé", last_name="Dubois")

    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()

    # The titular: from the mandate's page, "Remplacer", an existing person, the date of change.
    page.goto(f"{page.base}/admin/membership/mandate/{titular.pk}/change/")
    page.click("text=Remplacer")
    assert "incluse" in page.inner_text("#content-main")
    page.fill("input[name=on]", ON.isoformat())
    page.select_option("select[name=successor]", value=str(successor.pk))
    page.click("#content-main input[type=submit]")
    page.wait_for_load_state()
    assert "Chloé Dubois remplace Aïssata Keïta au GEC à partir du 01/01/2027" in page.inner_text("ul.messagelist")

    # The deputy, the same day: a new person typed in the same form.
    page.goto(f"{page.base}/admin/membership/mandate/{deputy.pk}/replace/")
    page.fill("input[name=on]", ON.isoformat())
    page.fill("input[name=first_name]", "Daan")
    page.fill("input[name=last_name]", "Janssens")
    page.fill("input[name=email]", "daan.janssens@enabel.example")
    page.select_option("select[name=institution]", value=str(embassy.pk))
    page.select_option("select[name=function]", value="other")
    page.click("#content-main input[type=submit]")
    page.wait_for_load_state()
    shot(page, "admin-replace-deputy")
    assert "Daan Janssens remplace Bram Peeters" in page.inner_text("ul.messagelist")

    seats = {(m.person.full_name, m.role, m.start, m.end) for m in Mandate.objects.select_related("person")}
    last_day = ON - datetime.timedelta(days=1)
    assert seats == {
        ("Aïssata Keïta", "titular", START, last_day), ("Chloé Dubois", "titular", ON, None),
        ("Bram Peeters", "deputy", START, last_day), ("Daan Janssens", "deputy", ON, None),
    }


def sign_in_admin(page):
    User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def pick(page, select_id: str, text: str):
    """Choose in an admin autocomplete as a person does: open, type, click the result."""
    page.click(f"#{select_id} + .select2")
    page.fill(".select2-search__field", text)
    page.click(f".select2-results__option:has-text('{text}')")


def test_rule_T1_next_year_s_troika_is_proposed_and_a_troika_that_does_not_slide_is_warned(page, e2e_settings):
    from instances.models import Troika
    from membership.models import Partner

    france, canada, sweden = (PartnerFactory(name=name, article=article)
                              for name, article in (("France", "la"), ("Canada", "le"), ("Suède", "la")))
    world_bank = PartnerFactory(name="Banque mondiale", article="la", partner_type=Partner.Type.MULTILATERAL)
    Troika.objects.create(year=2026, lead=france, incoming=world_bank, outgoing=canada)
    sign_in_admin(page)

    page.goto(page.base + "/admin/instances/troika/add/")
    # The slide, proposed: 2027, last year's deputy lead leads, last year's lead goes out.
    assert page.input_value("input[name=year]") == "2027"
    assert page.input_value("select[name=lead]") == str(world_bank.pk)
    assert page.input_value("select[name=outgoing]") == str(france.pk)
    assert "Banque mondiale" in page.inner_text(".field-lead") and "France" in page.inner_text(".field-outgoing")
    # The administrator puts Sweden in the lead instead: saved, with the advisory (T1).
    pick(page, "id_lead", "Suède")
    pick(page, "id_incoming", "Canada")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    shot(page, "admin-troika-not-sliding")
    warnings = page.inner_text("ul.messagelist")
    assert "La Troïka ne glisse pas" in warnings and "Suède" in warnings and "(T1)" in warnings
    assert Troika.objects.get(year=2027).lead == sweden


def test_an_address_that_differs_only_in_case_is_refused_with_its_holder_named(page, e2e_settings):
    from membership.models import Person

    embassy = InstitutionFactory(partner=PartnerFactory(name="Belgique", article="la"), name="Enabel", acronym="ENB")
    PersonFactory(institution=embassy, first_name="Aïssata", last_name="Keïta", email="aissata.keita@enabel.example")
    sign_in_admin(page)

    page.goto(page.base + "/admin/membership/person/add/")
    page.fill("input[name=last_name]", "Keita")
    page.fill("input[name=first_name]", "Awa")
    page.fill("input[name=email]", "Aissata.Keita@Enabel.example")
    page.select_option("select[name=function]", value="other")
    pick(page, "id_institution", "ENB")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    shot(page, "admin-address-taken")
    assert "Cette adresse est déjà celle d'Aïssata Keïta (Belgique)" in page.inner_text(".field-email")
    assert page.input_value("input[name=first_name]") == "Awa"  # what was typed is kept
    assert Person.objects.count() == 1
