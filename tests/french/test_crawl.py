"""A French reader's week: every page of the access matrix, as every role that may open it, in French.

Fails on an English catalogue string left in the page, a model choice code shown as text, or "de"/"que"/"le"
before a vowel (or "de les") where the French helpers should have built the phrase. Names the page and the text.
"""

from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.french.checks import problems, rule_ids, visible_text
from tests.french.world import build_french_world
from tests.security.access_matrix import MATRIX
from tests.security.world import ROLES, login_as

# Roles that manage nothing: they read rules in words, never by their ID.
PARTNER_ROLES = ("anonymous", "no_mandate", "rep", "ga_member", "gt_member")
# Where partners may still meet a rule ID (page name -> IDs): none; any page that shows one fails.
KNOWN_RULE_IDS: dict[str, set[str]] = {}


def test_every_page_reads_as_french(db, settings):
    settings.LANGUAGE_CODE = "fr"
    world = build_french_world()
    found, pages = [], 0
    for name in sorted(MATRIX):
        for variant, case in MATRIX[name].items():
            if case.method != "GET":
                continue
            url = reverse(name, kwargs=case.kwargs(world))
            for role in ROLES:
                if case.expect[role] not in (200, 400, 403, 404):
                    continue
                client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="fr")
                login_as(client, world, role)
                response = client.get(url)
                if "text/html" not in response.get("Content-Type", ""):
                    continue
                pages += 1
                text = visible_text(response.content.decode())
                ids = [p for p in rule_ids(text) if p.split()[2].rstrip(":") not in KNOWN_RULE_IDS.get(name, ())]
                for problem in problems(text) + (ids if role in PARTNER_ROLES else []):
                    found.append(f"{name}[{variant}] as {role} ({url}): {problem}")
    translation.activate("fr")
    assert pages > 40
    unique = list(dict.fromkeys(found))
    assert unique == [], f"{len(unique)} problems:\n" + "\n".join(unique)
