"""A French reader's week: every page of the access matrix, as every role that may open it, in French.

Fails on an English catalogue string left in the page, a model choice code shown as text, or "de"/"que"/"le"
before a vowel (or "de les") where the French helpers should have built the phrase. Names the page and the text.
"""

from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.french.checks import problems, visible_text
from tests.french.world import build_french_world
from tests.security.access_matrix import MATRIX
from tests.security.world import ROLES, login_as


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
                for problem in problems(visible_text(response.content.decode())):
                    found.append(f"{name}[{variant}] as {role} ({url}): {problem}")
    translation.activate("fr")
    assert pages > 40
    unique = list(dict.fromkeys(found))
    assert unique == [], f"{len(unique)} problems:\n" + "\n".join(unique)
