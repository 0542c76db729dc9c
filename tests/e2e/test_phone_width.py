"""At phone width (390 px) the actions register and the audit fit the screen: no horizontal scrolling of
the page. Real Chromium, realistic French data (long partner names in the filters, audit rows)."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from instances.models import Instance
from meetings import services as meeting_services
from membership.models import Partner
from tests.e2e.conftest import login, shot
from tests.factories import PartnerFactory
from tests.security.conftest import current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0 when it fits)."""
    width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    return width - PHONE["width"]


@pytest.fixture
def french_world(e2e_settings):
    from tests.french.world import build_french_world

    Instance.objects.get_or_create(code="GEC", defaults={"kind": "GEC", "name_fr": "Groupe Exécutif de Coopération",
                                                         "name_en": "Executive Cooperation Group"})
    Instance.objects.get_or_create(code="GA", defaults={"kind": "GA", "name_fr": "Groupe des Ambassadeurs",
                                                        "name_en": "Ambassadors' Group", "periodicity": "semiannual"})
    world = build_french_world()
    long_name = PartnerFactory(name="Agence des États-Unis pour le développement international", article="l'",
                               partner_type=Partner.Type.BILATERAL)
    held = world.meetings["a_held"]
    meeting_services.action_add(meeting=held, title="Transmettre la note de synthèse révisée aux partenaires",
                                owner_partner=long_name, due_date=held.start.date())
    return world


@pytest.mark.parametrize("url", [
    reverse("meetings:actions"),
    reverse("audit") + "?model=meeting",
    reverse("audit") + "?model=mandate",
    reverse("audit") + "?model=agendaitem",
    reverse("search:search") + "?q=note+synth%C3%A8se+r%C3%A9vis%C3%A9e+partenaires",
])
def test_page_fits_a_phone_screen(browser, live_server, french_world, url):
    # is_mobile would widen the layout viewport to the content, hiding the overflow this test looks for.
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.base = live_server.url
    try:
        login(page, "seg")
        if "/two-factor/" in page.url:  # the secretariat gives its second factor
            device = TOTPDevice.objects.get(user__username="seg")
            page.fill("input[name=otp_token]", current_code(device))
            page.click("main form button[type=submit]")
            page.wait_for_load_state()
        page.goto(live_server.url + url)
        assert "/accounts/" not in page.url, page.url
        assert page.locator("main").count() == 1
        shot(page, "phone" + url.replace("/", "-").replace("?", "-").replace("=", "-"))
        overflow = _overflow(page)
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > 391)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
        assert overflow <= 0, f"{url} is {overflow}px wider than a 390px screen: {wide}"
    finally:
        context.close()


@pytest.mark.parametrize("url", [reverse("home"), reverse("search:search") + "?q=note"])
def test_header_search_box_fits_a_360px_screen(browser, live_server, french_world, url):
    """The header's search box (labelled, wrapping under the tools on phones) at the narrowest usual phone."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    page = context.new_page()
    page.base = live_server.url
    try:
        login(page, "seg")
        if "/two-factor/" in page.url:
            device = TOTPDevice.objects.get(user__username="seg")
            page.fill("input[name=otp_token]", current_code(device))
            page.click("main form button[type=submit]")
            page.wait_for_load_state()
        page.goto(live_server.url + url)
        box = page.locator("#site-search")
        assert box.is_visible() and page.locator("label[for=site-search]").count() == 1
        width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        assert width <= 360, f"{url} is {width - 360}px wider than a 360px screen"
        page.fill("#site-search", "note")
        page.press("#site-search", "Enter")
        page.wait_for_load_state()
        assert "/search/?q=note" in page.url
    finally:
        context.close()
