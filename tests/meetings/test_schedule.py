"""Schedules of ordinary meetings (I3–I5) and the GA count advisory (I4)."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from instances.models import Instance
from meetings import services
from meetings.models import Meeting
from meetings.schedule import ga_meeting_count_warnings, generate_year
from tests.factories import GroupFactory, ga, gec

pytestmark = pytest.mark.django_db
BAMAKO = ZoneInfo("Africa/Bamako")


def test_rule_I3_gec_monthly_on_second_wednesday_at_nine_bamako():
    created = generate_year(instance=gec(), year=2027)
    assert len(created) == 12
    local = [m.start.astimezone(BAMAKO) for m in created]
    assert [d.month for d in local] == list(range(1, 13))
    assert all(d.weekday() == 2 and 8 <= d.day <= 14 and (d.hour, d.minute) == (9, 0) for d in local)
    assert local[0].date() == datetime.date(2027, 1, 13)  # January 2027: Wednesdays 6 and 13
    assert all(m.end - m.start == datetime.timedelta(minutes=120) for m in created)
    assert all(m.status == Meeting.Status.DRAFT and m.kind == Meeting.Kind.ORDINARY for m in created)


def test_rule_I3_running_the_generator_twice_creates_nothing_new():
    generate_year(instance=gec(), year=2027)
    assert generate_year(instance=gec(), year=2027) == []
    assert Meeting.objects.filter(instance=gec()).count() == 12


def test_rule_I3_dates_that_already_have_a_meeting_are_skipped():
    start = datetime.datetime(2027, 3, 10, 15, 0, tzinfo=BAMAKO)  # second Wednesday of March, another hour
    services.meeting_create(instance=gec(), title="Existing", start=start, end=start + datetime.timedelta(hours=1))
    created = generate_year(instance=gec(), year=2027)
    assert len(created) == 11
    assert 3 not in {m.start.astimezone(BAMAKO).month for m in created}


@pytest.mark.parametrize("periodicity,count", [
    ("monthly", 12), ("bimonthly", 6), ("quarterly", 4), ("semiannual", 2), ("annual", 1), ("ad_hoc", 0),
])
def test_rule_I5_group_follows_its_own_periodicity(periodicity, count):
    group = GroupFactory(periodicity=periodicity, meeting_weekday=0, meeting_week_of_month=1,
                         meeting_time=datetime.time(14, 30), meeting_duration_minutes=90)
    created = generate_year(instance=group, year=2027)
    assert len(created) == count
    for m in created:
        local = m.start.astimezone(BAMAKO)
        assert (local.weekday(), local.day <= 7, local.hour, local.minute) == (0, True, 14, 30)


def test_rule_I4_ga_semiannual_schedule_has_no_warning():
    Instance.objects.filter(pk=ga().pk).update(periodicity="semiannual")
    assert len(generate_year(instance=ga(), year=2027)) == 2
    assert ga_meeting_count_warnings(2027) == []


def test_rule_I4_warns_below_two_and_above_four_ga_meetings():
    assert "I4" in ga_meeting_count_warnings(2027)[0]
    Instance.objects.filter(pk=ga().pk).update(periodicity="monthly")
    created = generate_year(instance=ga(), year=2027)
    assert "I4" in ga_meeting_count_warnings(2027)[0]
    for m in created[4:]:
        services.meeting_cancel(meeting=m)  # cancelled meetings do not count
    assert ga_meeting_count_warnings(2027) == []
    services.meeting_cancel(meeting=created[0])
    services.meeting_cancel(meeting=created[1])
    services.meeting_cancel(meeting=created[2])
    assert "I4" in ga_meeting_count_warnings(2027)[0]


def test_generate_schedule_command():
    out = StringIO()
    call_command("generate_schedule", "GEC", "2027", stdout=out)
    assert "12" in out.getvalue()
    out = StringIO()
    call_command("generate_schedule", "GEC", "2027", stdout=out)
    # Run again: nothing new, said in French (LANGUAGE_CODE) without "0 réunion".
    assert out.getvalue().startswith("Aucune réunion créée")


def test_generate_schedule_command_unknown_instance():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("generate_schedule", "NOPE", "2027")
