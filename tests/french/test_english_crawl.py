"""An English reader's week: every page of the access matrix, as the secretariat and as a partner's
representative, in English. Fails on French typography left in English (a space before a colon: "attending :
0"), a date in numbers ("12/07/2026" reads as 12 July in Europe and 7 December in the United States), the
French-flavoured "assiduity" for the attendance record, and a meeting's code written twice ("GEC — GEC — …")."""

import re

from django.test import Client
from django.urls import reverse
from django.utils import translation

from meetings.models import Meeting
from tests.french.checks import visible_text
from tests.french.world import build_french_world
from tests.security.access_matrix import MATRIX
from tests.security.world import login_as

ROLES = ("secretariat", "rep")
SPACE_BEFORE_COLON = re.compile(r"[^\s\d]+[ \u00a0\u202f]+:(?=\s|$|\d)")
NUMERIC_DATE = re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")
ASSIDUITY = re.compile(r"assiduit", re.IGNORECASE)
DOUBLED_CODE = re.compile(r"\b([A-Z]{2,3}(?:-[A-Z0-9-]+)?)\s+[—–-]\s+\1\s+[—–-]")


def english_slips(text: str) -> list[str]:
    found = []
    for name, pattern in (("space before a colon", SPACE_BEFORE_COLON), ("date in numbers", NUMERIC_DATE),
                          ("'assiduity'", ASSIDUITY), ("code written twice", DOUBLED_CODE)):
        for match in pattern.finditer(text):
            start = max(0, match.start() - 30)
            found.append(f"{name}: …{text[start:match.end() + 20]!r}…")
    return found


def test_english_slips_are_caught():
    assert english_slips("attending : 0") and english_slips("attending\u202f: 0")
    assert english_slips("from 12/07/2026") and english_slips("GEC — GEC — January 2027")
    assert english_slips("Assiduity per partner")
    assert english_slips("attending: 0, at 9:00 on 7 Dec 2026, GEC — January 2027, attendance record") == []


def test_every_page_reads_as_english_for_the_secretariat_and_a_partner(db, settings):
    world = build_french_world()
    # Titles that already start with their body's code, as secretaries often type them.
    for meeting in Meeting.objects.select_related("instance"):
        Meeting.objects.filter(pk=meeting.pk).update(title=f"{meeting.instance.code} — January 2027")
    found, pages = [], 0
    for name in sorted(MATRIX):
        for variant, case in MATRIX[name].items():
            if case.method != "GET":
                continue
            url = reverse(name, kwargs=case.kwargs(world))
            for role in ROLES:
                if case.expect[role] != 200:
                    continue
                client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
                login_as(client, world, role)
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
                response = client.get(url)
                if "text/html" not in response.get("Content-Type", ""):
                    continue
                pages += 1
                html = response.content.decode()
                assert 'lang="en"' in html[:300], f"{url} as {role} is not in English"
                for problem in english_slips(visible_text(html)):
                    found.append(f"{name}[{variant}] as {role} ({url}): {problem}")
    translation.activate("fr")
    assert pages > 40
    unique = list(dict.fromkeys(found))
    assert unique == [], f"{len(unique)} problems:\n" + "\n".join(unique)
