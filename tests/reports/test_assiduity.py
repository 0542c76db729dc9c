"""Assiduity per partner, computed by hand for a small GEC, and its page, CSV, command and dashboard alert."""

import csv
import datetime
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instances.models import Instance
from meetings import services as meeting_services
from membership.models import Mandate
from secretariat.models import Invitation
from secretariat.reports.assiduity import absent_streaks, assiduity, year_range
from secretariat.reports.dashboard import dashboard_reports
from tests.secretariat.factories import partner, person, seat

pytestmark = pytest.mark.django_db
BAMAKO = ZoneInfo("Africa/Bamako")
PRESENT, EXCUSED, REPRESENTED = "present", "excused", "represented"


def _held(gec, day, lines, seg_user=None, invite=False):
    start = datetime.datetime.combine(day, datetime.time(9, 0), BAMAKO)
    m = meeting_services.meeting_create(instance=gec, title=f"GEC {day:%B}", start=start,
                                        end=start + datetime.timedelta(hours=2))
    meeting_services.agenda_item_add(meeting=m, title="Point", category="policy_dialogue",
                                     expected_outcome="information")
    meeting_services.meeting_propose_agenda(meeting=m)
    meeting_services.meeting_convene(meeting=m)
    for who, status, *rep in lines:
        meeting_services.attendance_record(meeting=m, person=who, status=status,
                                           represented_by=rep[0] if rep else None)
    meeting_services.meeting_mark_held(meeting=m)
    return m


@pytest.fixture
def gec_year(db):
    """Allemagne, Belgique, Canada, Espagne (titular + deputy each), Danemark from June; four held meetings in 2026
    (one without a register) and one in 2025."""
    gec = Instance.objects.get(code="GEC")
    people = {}
    for name in ("Allemagne", "Belgique", "Canada", "Espagne"):
        p = partner(name)
        people[name] = (person(p, last_name=f"Titulaire {name}"), person(p, last_name=f"Suppléant {name}"))
        seat(people[name][0], gec, Mandate.Role.TITULAR)
        seat(people[name][1], gec, Mandate.Role.DEPUTY)
    denmark = person(partner("Danemark"), last_name="Titulaire Danemark")
    seat(denmark, gec, Mandate.Role.TITULAR, start=datetime.date(2026, 6, 1))
    a, b, c, e = (people[n] for n in ("Allemagne", "Belgique", "Canada", "Espagne"))
    _held(gec, datetime.date(2025, 12, 10), [(e[0], PRESENT)])
    _held(gec, datetime.date(2026, 2, 11), [(a[0], PRESENT), (b[0], REPRESENTED, b[1]), (c[1], PRESENT),
                                            (e[0], EXCUSED)])
    may = _held(gec, datetime.date(2026, 5, 13), [(a[0], PRESENT), (b[1], PRESENT)])
    # Belgium's titular had delegated to the deputy in the answers before the meeting (M3).
    Invitation.objects.create(meeting=may, person=b[0], email=b[0].email, name=b[0].full_name, partner="Belgique",
                              role="titular", rsvp=Invitation.Rsvp.DELEGATED, delegated_to=b[1])
    _held(gec, datetime.date(2026, 9, 9), [(a[1], PRESENT), (b[0], PRESENT), (c[0], EXCUSED), (denmark, PRESENT)])
    _held(gec, datetime.date(2026, 10, 14), [])  # held, but nobody kept the register
    return gec


EXPECTED = {  # partner: invited, titular, deputy, delegated, excused, absent, rate
    "Allemagne": (3, 2, 1, 0, 0, 0, 100.0),
    "Belgique": (3, 1, 0, 2, 0, 0, 100.0),
    "Canada": (3, 0, 1, 0, 1, 1, 33.3),
    "Danemark": (1, 1, 0, 0, 0, 0, 100.0),
    "Espagne": (3, 0, 0, 0, 1, 2, 0.0),
}


def test_assiduity_matches_the_count_by_hand(gec_year):
    report = assiduity(gec_year, *year_range(2026))
    got = {r.partner: (r.invited, r.titular, r.deputy, r.delegated, r.excused, r.absent, r.rate) for r in report.rows}
    assert got == EXPECTED
    assert report.meetings == 3 and report.without_register == 1


def test_assiduity_sorts_and_takes_any_date_range(gec_year):
    by_rate = assiduity(gec_year, *year_range(2026), sort="rate")
    assert [r.partner for r in by_rate.rows][:2] == ["Espagne", "Canada"]
    desc = assiduity(gec_year, *year_range(2026), sort="absent", descending=True)
    assert desc.rows[0].partner == "Espagne"
    spring = assiduity(gec_year, datetime.date(2026, 1, 1), datetime.date(2026, 5, 31))
    assert {r.partner: r.invited for r in spring.rows} == {"Allemagne": 2, "Belgique": 2, "Canada": 2, "Espagne": 2}
    winter = assiduity(gec_year, *year_range(2025))
    assert [(r.partner, r.titular) for r in winter.rows if r.partner == "Espagne"] == [("Espagne", 1)]


def test_assiduity_reads_in_constant_queries(gec_year):
    with CaptureQueriesContext(connection) as small:
        assiduity(gec_year, *year_range(2026))
    with CaptureQueriesContext(connection) as whole:
        assiduity(gec_year, datetime.date(2020, 1, 1), datetime.date(2026, 12, 31))
    assert len(small) == len(whole) == 4  # meetings, mandates, registers, answers


def test_assiduity_command_prints_json_and_csv(gec_year):
    out = io.StringIO()
    call_command("assiduity", "GEC", "2026", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert list(rows[0]) == ["partner", "invited", "titular", "deputy", "delegated", "excused", "absent", "rate"]
    assert {r["partner"]: tuple(list(r.values())[1:]) for r in rows} == EXPECTED
    out = io.StringIO()
    call_command("assiduity", "gec", "2026", "--format", "csv", stdout=out)
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert table[2] == {"partner": "Canada", "invited": "3", "titular": "0", "deputy": "1", "delegated": "0",
                        "excused": "1", "absent": "1", "rate": "33.3"}


@pytest.mark.parametrize("args, message", [
    (["NOPE", "2026"], "No instance"), (["GEC", "twenty"], "YEAR must be"), (["GEC", "2026", "--format", "xml"],
                                                                             "--format"),
])
def test_assiduity_command_refuses_bad_input(db, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("assiduity", *args)


def test_assiduity_page_csv_and_chart(gec_year, client, secretariat_user):
    client.force_login(secretariat_user)
    page = client.get(reverse("secretariat:assiduity"), {"instance": "GEC", "year": "2026", "sort": "-rate"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Espagne" in html and "33.3 %" in html
    assert html.index("Allemagne") < html.index("Espagne")  # sorted by rate, highest first
    response = client.get(reverse("secretariat:assiduity_csv"), {"instance": "GEC", "year": "2026"})
    assert response["Content-Disposition"].startswith('attachment; filename="2026-01-01 2026-12-31 GEC - assiduite.csv"')
    assert '"Canada","3","0","1","0","1","1","33.3"' in response.content.decode()  # every field quoted


@pytest.mark.parametrize("params", [
    {"instance": "GEC", "start": "2026-05-01"}, {"instance": "GEC", "start": "2026-05-01", "end": "2026-01-01"},
    {"instance": "NOPE"}, {"instance": "GEC", "year": "abc"}, {"instance": "GEC", "sort": "drop table"},
])
def test_assiduity_page_refuses_bad_filters_with_a_message(gec_year, client, secretariat_user, params):
    client.force_login(secretariat_user)
    assert client.get(reverse("secretariat:assiduity"), params).status_code == 400
    assert client.get(reverse("secretariat:assiduity_csv"), params).status_code == 400


def test_absent_streak_names_the_partner_absent_from_the_last_meetings(gec_year, settings):
    assert absent_streaks([gec_year], 3, datetime.date(2026, 11, 29)) == [(gec_year, "Espagne")]
    assert absent_streaks([gec_year], 2, datetime.date(2026, 11, 29)) == [(gec_year, "Canada"), (gec_year, "Espagne")]
    settings.ASSIDUITY_ABSENT_ALERT = 3
    messages = [a["message"] for a in dashboard_reports(datetime.date(2026, 11, 29))["alerts"]]
    assert "Espagne\u202f: aucune participation aux 3 dernières réunions du GEC." in messages


def test_dashboard_shows_the_gec_assiduity_and_alerts(gec_year, client, secretariat_user, settings):
    settings.ASSIDUITY_ABSENT_ALERT = 3
    client.force_login(secretariat_user)
    html = client.get(reverse("secretariat:dashboard")).content.decode()
    assert 'id="reports"' in html and "Assiduité au GEC en" in html
    assert reverse("secretariat:assiduity") in html and reverse("secretariat:group_activity") in html
