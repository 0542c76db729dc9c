"""The admin's change history in words: every history page of the admin, in French, on the French world.

django-simple-history hands its page each change already turned into text: an empty value read "None", an empty
link "Deleted partenaire (pk=None)", a yes/no "True", a date its ISO form. The portal's template compares the
records itself (core/templatetags/history_words.py) and writes each value as a person reads it.
"""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from secretariat.models import DistributionList
from tests.french.checks import visible_text
from tests.french.world import build_french_world
from tests.security.world import login_as

pytestmark = pytest.mark.django_db
NOT_WORDS = re.compile(r"\b(?:None|True|False)\b|pk=|\d{4}-\d\d-\d\d")


def test_every_history_page_of_the_admin_shows_words(settings):
    settings.LANGUAGE_CODE = "fr"
    settings.REQUIRE_2FA_FOR_STAFF = False
    world = build_french_world()
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    login_as(client, world, "admin")
    found, pages, changes = [], 0, 0
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, SimpleHistoryAdmin):
            continue
        opts = model._meta
        for obj in model._default_manager.all()[:3]:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
            response = client.get(url)
            assert response.status_code == 200, url
            pages += 1
            html = response.content.decode()
            changes += html.count("&rarr;") + html.count("→")
            table = html[html.find('<table id="change-history"'):html.find("</table>", html.find("change-history"))]
            text = visible_text(table)
            found += [f"{url}: …{' '.join(text[max(0, m.start() - 60):m.end() + 30].split())}…"
                      for m in NOT_WORDS.finditer(text)]
    assert pages > 20 and changes > 5
    assert DistributionList.history.filter(frozen_at__isnull=False).exists()  # a "frozen" from empty was shown
    assert found == [], "\n".join(found)
