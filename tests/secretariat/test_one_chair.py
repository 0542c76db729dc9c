"""T3/T4/T5: one function (`meetings.services.meeting_chair`) decides who chairs — the recorded chair once held,
the attendance register once taken, else the answers, else the Troïka — and the meeting page's top field, the
answers panel, the digest e-mail and the printed convocation and minutes name that chair the same way: the name
once, the partner and the capacity in words, no rule code."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from meetings import services as meeting_services
from meetings.models import Attendance
from secretariat import selectors
from secretariat.answers import answer_record
from secretariat.tasks import send_daily_digest
from tests.reports.pdftext import pdf_text
from tests.secretariat import directory as d

pytestmark = pytest.mark.django_db
RULE_CODE = re.compile(r"\((?:T|M|A)\d\)")


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    return d.convened_world(django_capture_on_commit_callbacks, size=12)


def everywhere(client, meeting) -> dict[str, str]:
    page = client.get(reverse("meetings:detail", args=[meeting.pk]))
    html = page.content.decode()
    top = re.search(r'<dd id="chair">(.*?)</dd>', html, re.S).group(1).strip()
    panel = re.search(r'<p id="foreseen-chair">(.*?)</p>', html, re.S)
    convocation = pdf_text(client.get(reverse("secretariat:report_convocation", args=[meeting.pk])).content)
    dashboard = client.get(reverse("secretariat:dashboard")).content.decode()
    on_dashboard = re.search(r'<span class="small chair">(.*?)</span>', dashboard, re.S)
    return {"top": top, "panel": re.sub(r"<[^>]+>", "", panel.group(1)) if panel else "",
            "convocation": convocation, "dashboard": on_dashboard.group(1) if on_dashboard else ""}


def test_rule_T4_page_panel_digest_and_convocation_name_the_same_chair_from_the_answers(
        world, client, secretariat_user):
    meeting = world["meeting"]
    lead, incoming = world["titulars"]["Espagne"], world["titulars"]["Allemagne"]
    client.force_login(secretariat_user)
    before = everywhere(client, meeting)
    assert before["top"].startswith(f"{lead.full_name} (Espagne, chef de file de l")
    answer_record(invitation=d.row(meeting, lead), answer="declined", channel="link")
    chair = f"{incoming.full_name} (Allemagne, suppléance du chef de file de l'année, en l'absence du chef de file)"
    seen = everywhere(client, meeting)
    # The dashboard's bulk reading and the one function agree.
    assert selectors.chairs_by_meeting([meeting])[meeting.pk] == meeting_services.meeting_chair(meeting)
    assert seen["top"].replace("&#x27;", "'") == chair
    assert chair in seen["panel"].replace("&#x27;", "'")
    assert f"La réunion sera présidée par {chair}." in seen["convocation"]
    assert chair in seen["dashboard"].replace("&#x27;", "'")
    assert send_daily_digest() is True
    assert f"La présidence reviendrait à {chair}." in mail.outbox[-1].body
    digest_line = next(line for line in mail.outbox[-1].body.splitlines() if "présidence reviendrait" in line)
    for text in (*seen.values(), digest_line):
        assert not RULE_CODE.search(text), text
        assert text.count(incoming.full_name) == 1  # the name once, never repeated by the reason


def test_rule_T4_the_register_once_taken_decides_over_the_answers(world, client, secretariat_user):
    meeting = world["meeting"]
    lead = world["titulars"]["Espagne"]
    answer_record(invitation=d.row(meeting, lead), answer="declined", channel="link")
    # On the day the lead came after all: the register says so, and every place follows the register.
    people = {p.pk: p for p in world["titulars"].values()}
    meeting_services.attendance_initialise(meeting=meeting, people=list(people.values()), expected={},
                                           stand_ins={})
    meeting_services.attendance_record(meeting=meeting, person=lead, status=Attendance.Status.PRESENT)
    assert meeting_services.meeting_chair(meeting).person == lead
    assert selectors.foreseen_chair(meeting).chair.person == lead
    assert selectors.chairs_by_meeting([meeting])[meeting.pk] == meeting_services.meeting_chair(meeting)
    client.force_login(secretariat_user)
    seen = everywhere(client, meeting)
    assert seen["top"].startswith(lead.full_name) and lead.full_name in seen["convocation"]
    assert seen["dashboard"].startswith(f"Présidence prévue\u202f: {lead.full_name}")


def test_rule_T4_nobody_of_the_troika_is_said_in_words(world, client, secretariat_user):
    meeting = world["meeting"]
    for name in ("Espagne", "Allemagne", "Irlande"):
        answer_record(invitation=d.row(meeting, world["titulars"][name]), answer="declined", channel="link")
    client.force_login(secretariat_user)
    seen = everywhere(client, meeting)
    assert "aucun membre de la Troïka" in seen["top"].lower() or "troïka" in seen["top"].lower()
    assert not RULE_CODE.search(seen["top"]) and not RULE_CODE.search(seen["convocation"])


def test_rule_T3_with_no_answer_and_no_register_the_chef_de_file_chairs(world):
    meeting = world["meeting"]
    chair = meeting_services.meeting_chair(meeting)
    assert chair.person == world["titulars"]["Espagne"] and chair.summary.startswith(
        f"{world['titulars']['Espagne'].full_name} (Espagne, ")


def test_rule_T5_in_the_ga_the_troikas_ambassadors_chair_from_the_answers(world, django_capture_on_commit_callbacks):
    from secretariat import services
    from tests.factories import ga
    from tests.secretariat.factories import person, proposed, seat

    ambassadors = {}
    for p in world["partners"]:
        if p.name in ("Espagne", "Allemagne", "Irlande"):
            ambassadors[p.name] = person(p, function="ambassador")
            seat(ambassadors[p.name], ga(), "titular")
    meeting = proposed(ga(), days=14)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=meeting)
    assert meeting_services.meeting_chair(meeting).person == ambassadors["Espagne"]
    answer_record(invitation=d.row(meeting, ambassadors["Espagne"]), answer="declined", channel="calendar")
    # Parallelism of forms: the deputy lead's ambassador, not its head of cooperation in the GEC.
    chair = meeting_services.meeting_chair(meeting)
    assert chair.person == ambassadors["Allemagne"] and chair.person != world["titulars"]["Allemagne"]
    assert selectors.foreseen_chair(meeting).chair == chair
