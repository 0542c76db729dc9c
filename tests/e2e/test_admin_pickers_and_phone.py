"""The directory's admin in Chromium: a person's mandate rows at 390 px with long names (no sideways scroll, every
input on the screen), and the leader's and binôme pickers narrowed by the partner chosen on the form."""

import datetime

import pytest
from django.contrib.auth.models import User

from instances.models import Instance
from membership import services
from membership.models import Person
from tests.e2e.conftest import shot
from tests.factories import GroupFactory, InstitutionFactory, PartnerFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Admin-Bamako-2026!"
PHONE = {"width": 390, "height": 844}
START = datetime.date(2025, 1, 1)
LONG_PARTNER = "Agence des États-Unis pour le développement international"


def results(page, term: str) -> list[str]:
    """Type in the open picker and read what it offers once the search has answered."""
    page.fill(".select2-search__field", term)
    page.wait_for_timeout(400)  # the widget waits 250 ms before searching
    page.wait_for_selector(".select2-results__option.loading-results", state="detached")
    return page.locator(".select2-results__option").all_inner_texts()


def sign_in(page):
    User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def test_a_person_s_mandate_rows_fit_a_390px_screen_with_long_names(browser, live_server, e2e_settings):
    gec, _ = Instance.objects.get_or_create(code="GEC", defaults={"kind": "GEC", "name_fr": "GEC", "name_en": "GEC"})
    group = GroupFactory(code="GT-DECENTRALISATION-GOUVERNANCE")
    partner = PartnerFactory(name=LONG_PARTNER, article="l'")
    institution = InstitutionFactory(partner=partner, name="Mission de coopération technique et financière au Mali",
                                     acronym="")
    person = PersonFactory(institution=institution, first_name="Marie-Éloïse-Aïssata",
                           last_name="Andersen-Vandermeersch de la Tour-Ouédraogo",
                           email="marie-eloise.andersen-vandermeersch@cooperation-internationale.example.org")
    services.mandate_create(person=person, instance=gec, role="titular", start=START,
                            end=datetime.date(2026, 12, 31))
    expert = services.mandate_create(
        person=PersonFactory(institution=institution, function=Person.Function.EXPERT, first_name="Ibrahim",
                             last_name="Maïga-Haïdara de Ségou-Tombouctou"),
        instance=group, role="expert", start=START)
    binome = PersonFactory(institution=institution, function=Person.Function.EXPERT, first_name="Oumou",
                           last_name="Sangaré-Coulibaly")
    services.mandate_create(person=binome, instance=group, role="binome", start=START, pairs_with=expert)

    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    try:
        sign_in(page)
        for who in (person, binome):
            page.goto(f"{live_server.url}/admin/membership/person/{who.pk}/change/")
            assert page.locator("#mandates-group").count() == 1
            shot(page, f"admin-person-mandates-phone-{who.pk}")
            width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
            outside = page.evaluate("""() => [...document.querySelectorAll(
                    '#mandates-group input:not([type=hidden]), #mandates-group select, #mandates-group textarea,'
                    + ' #mandates-group .select2-container, #mandates-group a')]
                .filter(e => e.offsetParent !== null && !e.closest('.empty-form'))
                .filter(e => e.getBoundingClientRect().right > 391 || e.getBoundingClientRect().left < 0)
                .map(e => (e.name || e.className || e.tagName) + ' ' + Math.round(e.getBoundingClientRect().right))""")
            assert width <= PHONE["width"], f"the person's page is {width}px wide: {outside}"
            assert outside == [], f"mandate inputs off the screen: {outside}"
            # Every input of a mandate says what it is (a block with labels, not a column under a header).
            assert page.locator("#mandates-0 label[for=id_mandates-0-end]").count() == 1
    finally:
        context.close()


def test_leader_and_binome_pickers_are_narrowed_by_the_partner_chosen(page, e2e_settings):
    group = GroupFactory(code="GT-SANTE")
    canada, france = PartnerFactory(name="Canada", article="le"), PartnerFactory(name="France", article="la")
    for partner, first in ((canada, "Ada"), (france, "Ana")):
        person = PersonFactory(institution=InstitutionFactory(partner=partner, name=f"Coopération {partner.name}",
                                                              acronym=f"COOP-{partner.name[:2].upper()}"),
                               first_name=first, last_name="Diallo", function=Person.Function.EXPERT)
        services.mandate_create(person=person, instance=group, role="expert", start=START)
    sign_in(page)

    # The group's leader: the partner first, then the person picker offers only that partner's people.
    page.goto(f"{page.base}/admin/instances/instance/{group.pk}/change/")
    page.click("#id_leader_partner + .select2")
    page.fill(".select2-search__field", "Canada")
    page.click(".select2-results__option:has-text('Canada')")
    page.click("#id_leader_person + .select2")
    offered = results(page, "Diallo")
    shot(page, "admin-leader-picker-narrowed")
    assert offered == ["Ada Diallo — COOP-CA (Canada)"], offered
    page.keyboard.press("Escape")

    # A binôme on France's expert's page: the picker offers France's experts' mandates only.
    ana = Person.objects.get(first_name="Ana")
    binome = PersonFactory(institution=ana.institution, first_name="Awa", last_name="Traoré",
                           function=Person.Function.EXPERT)
    page.goto(f"{page.base}/admin/membership/person/{binome.pk}/change/")
    page.click("#mandates-group .add-row a")
    page.select_option("select[name=mandates-0-instance]", value=str(group.pk))
    page.click("#id_mandates-0-pairs_with + .select2")
    offered = results(page, "Diallo")
    assert len(offered) == 1 and offered[0].startswith("Ana Diallo — GT-SANTE") and offered[0].endswith("France")
