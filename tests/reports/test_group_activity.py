"""Group activity against each group's rhythm (I5), flagged on the SEG dashboard."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from instances.models import Instance
from meetings import services as meeting_services
from secretariat.reports.activity import group_activity, months_between
from tests.secretariat.factories import group, partner, person

pytestmark = pytest.mark.django_db
BAMAKO = ZoneInfo("Africa/Bamako")
TODAY = datetime.date(2026, 11, 29)


def _held(instance, day):
    start = datetime.datetime.combine(day, datetime.time(9, 0), BAMAKO)
    m = meeting_services.meeting_create(instance=instance, title=f"{instance.code} {day}", start=start,
                                        end=start + datetime.timedelta(hours=2))
    meeting_services.agenda_item_add(meeting=m, title="Point", category="sector_dialogue" if instance.kind == "GT"
                                     else "cross_cutting", expected_outcome="information")
    meeting_services.meeting_propose_agenda(meeting=m)
    meeting_services.meeting_convene(meeting=m)
    meeting_services.meeting_mark_held(meeting=m)
    return m


@pytest.fixture
def groups(db):
    lead = person(partner("Agence française de développement"), first_name="Inès", last_name="Ouédraogo")
    energy = group("GT-ENERGIE", leader_partner=lead.partner, leader_person=lead)
    health = group("GT-SANTE")
    water = group("GD-EAU", kind=Instance.Kind.GD, periodicity=Instance.Periodicity.QUARTERLY)
    idle = group("GT-EMPLOI", periodicity=Instance.Periodicity.AD_HOC)
    for day in (datetime.date(2026, 2, 11), datetime.date(2026, 3, 11), datetime.date(2026, 4, 15)):
        _held(energy, day)
    _held(health, datetime.date(2026, 11, 10))
    _held(water, datetime.date(2026, 8, 1))
    return {"energy": energy, "health": health, "water": water, "idle": idle}


def test_months_between():
    assert months_between(datetime.date(2026, 4, 15), TODAY) == 7
    assert months_between(datetime.date(2026, 4, 30), datetime.date(2026, 5, 29)) == 0


def test_rule_I5_a_group_past_its_rhythm_is_flagged(groups):
    rows = {g.instance.code: g for g in group_activity(TODAY)}
    energy = rows["GT-ENERGIE"]
    assert (energy.held_last_year, energy.expected_per_year, energy.last_meeting) == (3, 12, datetime.date(2026, 4, 15))
    assert energy.overdue and energy.message == "GT-ENERGIE ne s'est pas réuni depuis 7 mois."
    assert energy.lead == "Inès Ouédraogo (Agence française de développement)"
    assert not rows["GT-SANTE"].overdue
    assert not rows["GD-EAU"].overdue  # quarterly: three months is within its rhythm
    assert rows["GT-EMPLOI"].overdue and rows["GT-EMPLOI"].last_meeting is None


def test_group_activity_reads_in_constant_queries(groups):
    with CaptureQueriesContext(connection) as queries:
        group_activity(TODAY)
    assert len(queries) == 2


def test_group_activity_page_and_dashboard(groups, client, secretariat_user):
    client.force_login(secretariat_user)
    html = client.get(reverse("secretariat:group_activity")).content.decode()
    assert "GT-ENERGIE" in html and "Inès Ouédraogo" in html and "15 avril 2026" in html
    dashboard = client.get(reverse("secretariat:dashboard")).content.decode()
    assert "GT-ENERGIE ne s&#x27;est pas réuni depuis" in dashboard or "GT-ENERGIE ne s'est pas réuni depuis" in dashboard
