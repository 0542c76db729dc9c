"""Schedules respect today: past dates are skipped and counted, a past year is refused, generated meetings get
their instance's proposal deadline, and I4 counts only meetings held or still to come (fixed clock)."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.compliance import compliance
from meetings.models import Meeting
from meetings.schedule import ga_meeting_count, ga_meeting_count_warnings, generate_year
from tests.factories import ga, gec

pytestmark = pytest.mark.django_db
BAMAKO = ZoneInfo("Africa/Bamako")
DEC_16 = datetime.datetime(2026, 12, 16, 15, 0, tzinfo=BAMAKO)  # the day the issue was seen


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: DEC_16)
    return DEC_16


def test_generating_the_current_year_skips_past_dates_and_says_how_many():
    created = generate_year(instance=gec(), year=2026, now=DEC_16)
    # GEC: second Wednesday of each month; 9 December 2026 is past on 16 December.
    assert created == [] and created.skipped_past == 12
    assert not Meeting.objects.exists()


def test_generating_a_year_keeps_only_future_dates():
    created = generate_year(instance=gec(), year=2026, now=datetime.datetime(2026, 6, 1, tzinfo=BAMAKO))
    assert [m.start.astimezone(BAMAKO).month for m in created] == [6, 7, 8, 9, 10, 11, 12]
    assert created.skipped_past == 5


def test_a_year_entirely_past_is_refused():
    with pytest.raises(ValidationError):
        generate_year(instance=gec(), year=2025, now=DEC_16)
    assert not Meeting.objects.exists()


def test_generated_meetings_get_the_instance_default_proposal_deadline():
    instance = gec()
    instance.proposal_days_before = 10
    instance.save()
    created = generate_year(instance=instance, year=2027, now=DEC_16)
    assert all(m.proposal_deadline == m.start - datetime.timedelta(days=10) for m in created)


def test_rule_I4_past_drafts_do_not_count(fixed_clock):
    """Generated-and-forgotten drafts of January–November do not silence the GA warning."""
    for month in (3, 9):
        start = datetime.datetime(2026, month, 10, 10, tzinfo=BAMAKO)
        services.meeting_create(instance=ga(), title="GA", start=start, end=start + datetime.timedelta(hours=2))
    assert ga_meeting_count(2026, DEC_16) == 0
    assert "I4" in ga_meeting_count_warnings(2026, DEC_16)[0]
    assert [w.rule for w in compliance(DEC_16.date()) if w.rule == "I4"] == ["I4"]


def test_rule_I4_held_and_future_meetings_count(fixed_clock):
    start = datetime.datetime(2026, 3, 10, 10, tzinfo=BAMAKO)
    past = services.meeting_create(instance=ga(), title="GA", start=start, end=start + datetime.timedelta(hours=2))
    Meeting.objects.filter(pk=past.pk).update(status=Meeting.Status.HELD)
    later = DEC_16 + datetime.timedelta(days=5)
    services.meeting_create(instance=ga(), title="GA", start=later, end=later + datetime.timedelta(hours=2))
    assert ga_meeting_count(2026, DEC_16) == 2
    assert ga_meeting_count_warnings(2026, DEC_16) == []


def test_schedule_page_says_how_many_past_dates_were_skipped(client, secretariat_user, fixed_clock):
    client.force_login(secretariat_user)
    response = client.post(reverse("meetings:schedule"), {"instance": gec().pk, "year": 2026}, follow=True)
    body = response.content.decode()
    assert "12 dates déjà passées ont été ignorées" in body
    assert not Meeting.objects.exists()


def test_schedule_page_refuses_a_past_year(client, secretariat_user, fixed_clock):
    client.force_login(secretariat_user)
    response = client.post(reverse("meetings:schedule"), {"instance": gec().pk, "year": 2025})
    assert response.status_code == 200 and "2025" in response.content.decode()
    assert not Meeting.objects.exists()


def test_generate_schedule_command_reports_skipped_dates_and_refuses_a_past_year(fixed_clock):
    out = StringIO()
    call_command("generate_schedule", "GEC", "2026", stdout=out)
    # Commands speak LANGUAGE_CODE (French by default), with proper plurals.
    assert "12 dates déjà passées ont été ignorées" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("generate_schedule", "GEC", "2025", stdout=StringIO())
