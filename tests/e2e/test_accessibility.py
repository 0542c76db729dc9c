"""WCAG 2.1 AA in real Chromium: every page of the access matrix that a role may open, as that role, at phone
(360 px) and desktop (1280 px) width, checked by axe-core (installed from the npm registry at a pinned version by
`make axe`, into var/axe/) and for sideways scrolling at phone width — on a directory with long data: an account
whose user name is a long e-mail address, long partner names, long agenda titles.

Fails on any *serious* or *critical* axe violation not listed in EXCEPTIONS (each with its reason), and on any page
wider than a 360 px screen. The full crawl runs on PostgreSQL only (the second CI run): every role × every page at
360 px and at 1280 px, and at 1280 px every variant of a page by a partner role and the SEG (or whoever alone may
open it). On SQLite a sample of pages and roles keeps the first run short.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from instances.models import Instance
from meetings.models import AgendaItem, Meeting
from membership.models import Partner
from tests.e2e.conftest import shot
from tests.security.access_matrix import MATRIX
from tests.security.world import ROLES, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(django_settings.BASE_DIR) / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1280, "height": 900}}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
# Rule id -> why it is not held against the portal. Keep this short: each entry is a known gap.
EXCEPTIONS: dict[str, str] = {}
# URL names outside the portal's own templates: Django's admin has its own stylesheet and accessibility.
NOT_OURS = ("admin:",)
# On SQLite (the first CI run) a sample: the pages with the most varied layout, as a partner and as the SEG.
SAMPLE_ROLES = ("anonymous", "rep", "secretariat")
SAMPLE_PAGES = ("home", "meetings:detail", "secretariat:answers", "secretariat:distribution", "directory:organigram",
                "audit", "secretariat:my_invitations", "secretariat:rsvp", "login", "search:search",
                "procedures:detail")

LONG_ADDRESS = "elena.andersen-vandermeersch@banquemondiale-example.org"
LONG_PARTNER = "Organisation des Nations unies pour l'alimentation et l'agriculture"  # the directory has the PNUD
LONG_TITLE = ("Présentation du rapport d'évaluation à mi-parcours du programme conjoint de renforcement "
              "de la résilience des communautés pastorales et agropastorales")


def _require_axe():
    if not AXE.exists():
        message = f"{AXE} is missing: run `make axe` (npm install axe-core at the pinned version)"
        if os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)


def _long_world():
    from tests.french.world import build_french_world

    Instance.objects.get_or_create(code="GEC", defaults={"kind": "GEC", "name_fr": "Groupe Exécutif de Coopération",
                                                         "name_en": "Executive Cooperation Group"})
    Instance.objects.get_or_create(code="GA", defaults={"kind": "GA", "name_fr": "Groupe des Ambassadeurs",
                                                        "name_en": "Ambassadors' Group", "periodicity": "semiannual"})
    world = build_french_world()
    # The partner shown on the header: its user name is its long address, and it has no first/last name.
    rep = world.users["rep"]
    User.objects.filter(pk=rep.pk).update(username=LONG_ADDRESS, email=LONG_ADDRESS, first_name="", last_name="")
    world.people["rep"].__class__.objects.filter(pk=world.people["rep"].pk).update(email=LONG_ADDRESS)
    Partner.objects.filter(pk=world.people["gt_member"].partner.pk).update(name=LONG_PARTNER, article="")
    for item in AgendaItem.objects.all():
        AgendaItem.objects.filter(pk=item.pk).update(title=f"{LONG_TITLE} {item.pk}")
    Meeting.objects.filter(pk=world.meetings["gec"].pk).update(
        title="Réunion extraordinaire du Groupe Exécutif de Coopération consacrée à la programmation conjointe")
    world.users["rep"] = User.objects.get(pk=rep.pk)
    return world


def _pages(world, roles, names=None, *, every_role_at_desktop=False) -> list[tuple[str, str, str, str]]:
    """(width, role, label, url) to visit. At phone width each role opens one page of every URL name it may open
    (the variants of a name share their template); at desktop width every page (every variant) is opened once by
    a partner role and once by the SEG where they may. With `every_role_at_desktop` (the full crawl), every role
    also opens its page of every URL name at desktop width, as at phone width, and a page no partner and no SEG may
    open (the admins') is opened at desktop width by a role that may.
    HTML pages only (CSV, vCard, PDF and .ics are not checked)."""
    visits = []
    for name in sorted(MATRIX):
        if name.startswith(NOT_OURS) or (names is not None and name not in names):
            continue
        phone_roles = set()
        for variant, case in MATRIX[name].items():
            allowed = [role for role in roles if case.expect[role] == 200]
            if case.method != "GET" or not allowed:
                continue
            url = reverse(name, kwargs=case.kwargs(world))
            client = Client(HTTP_ACCEPT_LANGUAGE="fr")
            login_as(client, world, allowed[0])
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            label = f"{name}[{variant}]"
            for role in allowed:
                if role not in phone_roles:
                    phone_roles.add(role)
                    visits.append(("phone", role, label, url))
                    if every_role_at_desktop:
                        visits.append(("desktop", role, label, url))
            partner = next((role for role in allowed if role not in ("secretariat", "admin")), None)
            desktop = {partner, "secretariat" if "secretariat" in allowed else None} - {None}
            if every_role_at_desktop and not desktop:
                desktop = {allowed[0]}
            for role in desktop:
                visits.append(("desktop", role, label, url))
    return list(dict.fromkeys(visits))


def _session_cookie(world, role, base) -> list[dict]:
    if role == "anonymous":
        return []
    client = Client()
    login_as(client, world, role)
    return [{"name": django_settings.SESSION_COOKIE_NAME, "value": client.cookies[django_settings.SESSION_COOKIE_NAME]
             .value, "url": base}]


CHECK = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.any.concat(n.all)[0] || {message: ''}).message
      .slice(0, 160))}));
}"""
WIDE = """(limit) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > limit + 1)
  .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '')
                    + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_every_page_meets_wcag_aa_and_fits_a_phone(browser, live_server, e2e_settings):
    _require_axe()
    full = connection.vendor == "postgresql"
    world = _long_world()
    roles = ROLES if full else SAMPLE_ROLES
    visits = _pages(world, roles, None if full else SAMPLE_PAGES, every_role_at_desktop=full)
    assert len(visits) > (250 if full else 20), len(visits)
    axe_source = AXE.read_text()
    found = []
    for width_name, viewport in WIDTHS.items():
        for role in roles:
            mine = [(label, url) for width, r, label, url in visits if r == role and width == width_name]
            if not mine:
                continue
            context = browser.new_context(viewport=viewport, locale="fr-FR")
            context.add_init_script(script=axe_source)
            context.add_cookies(_session_cookie(world, role, live_server.url))
            page = context.new_page()
            page.set_default_timeout(15000)
            try:
                for label, url in mine:
                    page.goto(live_server.url + url)
                    where = f"{label} as {role} at {viewport['width']}px ({url})"
                    if "/accounts/login" in page.url and role != "anonymous":
                        found.append(f"{where}: sent to the login page")
                        continue
                    for violation in page.evaluate(CHECK, TAGS):
                        if violation["impact"] in FAILING_IMPACTS and violation["id"] not in EXCEPTIONS:
                            found.append(f"{where}: {violation['impact']} {violation['id']} ({violation['help']}) "
                                         f"at {json.dumps(violation['nodes'], ensure_ascii=False)}")
                    if width_name == "phone":
                        scroll = page.evaluate("document.documentElement.scrollWidth")
                        inner = page.evaluate("window.innerWidth")
                        if scroll > inner:
                            shot(page, f"a11y-{role}-{label}".replace(":", "-").replace("[", "-").replace("]", ""))
                            found.append(f"{where}: {scroll - inner}px wider than the screen: "
                                         f"{page.evaluate(WIDE, inner)}")
            finally:
                context.close()
    unique = list(dict.fromkeys(found))
    assert unique == [], f"{len(unique)} problems in {len(visits)} visits:\n" + "\n".join(unique)
