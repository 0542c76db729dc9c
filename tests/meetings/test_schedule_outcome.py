"""Generating a year's schedule says what really happened: dates already past, dates that already had their
meeting, and when nothing was created, why and what the secretariat can do instead."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from tests.factories import ga

pytestmark = pytest.mark.django_db
DEC_16 = datetime.datetime(2026, 12, 16, 15, 0, tzinfo=ZoneInfo("Africa/Bamako"))


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: DEC_16)


def generate(client, instance, year):
    response = client.post(reverse("meetings:schedule"), {"instance": instance.pk, "year": year}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    return re.findall(r'<(?:li|p|div)[^>]*class="[^"]*(?:message|alert)[^"]*"[^>]*>(.*?)</', response.content.decode(),
                      re.S) or [response.content.decode()]


def test_the_ga_year_whose_dates_are_past_says_so_and_what_to_do(client, secretariat_user, fixed_clock):
    client.force_login(secretariat_user)
    said = generate(client, ga(), 2026)
    assert not Meeting.objects.filter(instance=ga()).exists()
    assert any("sont toutes passées" in s and "réunion extraordinaire" in s for s in said), said
    assert not any("a déjà ses réunions" in s or "a déjà sa réunion" in s for s in said), said
    assert any("déjà passées ont été ignorées" in s for s in said), said


def test_a_year_generated_twice_says_every_date_already_has_its_meeting(client, secretariat_user, fixed_clock):
    client.force_login(secretariat_user)
    first = generate(client, ga(), 2027)
    created = Meeting.objects.filter(instance=ga()).count()
    assert created >= 2 and any("réunions ont été créées" in s for s in first), first
    client.force_login(secretariat_user)  # the frozen clock ages the session between two requests
    again = generate(client, ga(), 2027)
    assert Meeting.objects.filter(instance=ga()).count() == created
    assert any("Aucune réunion n’a été créée\u202f: chaque date prévue pour 2027 a déjà sa réunion." in s
               for s in again), again
    assert not any("ignorée" in s for s in again)
