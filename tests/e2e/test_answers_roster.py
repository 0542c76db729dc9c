"""The answers roster and the attendance register prepared from the answers, in real Chromium."""

import contextlib

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from instances.models import Instance
from meetings.models import Attendance
from membership.roles import SECRETARIAT_GROUP
from secretariat.answers import answer_record
from secretariat.models import Invitation
from tests.e2e.conftest import SCREENSHOTS, login, shot
from tests.secretariat import directory as d

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def roster_world(e2e_settings, transactional_db):
    Instance.objects.get_or_create(code="GEC", defaults={"kind": "GEC", "name_fr": "Groupe Exécutif de Coopération",
                                                         "name_en": "Executive Cooperation Group"})
    people = d.build(30)
    meeting = d.convene(lambda execute=True: contextlib.nullcontext())
    d.troika(people, timezone.localtime(meeting.start).year)
    for name, value in (("Espagne", "declined"), ("Belgique", "delegated"), ("Japon", "attending"),
                        ("Canada", "tentative")):
        answer_record(invitation=d.row(meeting, people["titulars"][name]), answer=value, channel="link")
    seg = User.objects.create_user("seg", "seg@example.org", "portal-password-123", first_name="Awa",
                                   last_name="Traoré")
    seg.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    return {**people, "meeting": meeting}


def test_roster_then_attendance_prepared_from_the_answers(page, roster_world):
    meeting, titulars = roster_world["meeting"], roster_world["titulars"]
    login(page, "seg")
    page.goto(page.base + f"/meetings/{meeting.pk}/")
    assert "La présidence reviendrait à" in page.inner_text("#answers")
    page.locator("#answers").screenshot(path=str(SCREENSHOTS / "meeting-answers-panel.png"))
    page.click("#answers a[href$='/answers/']")
    page.wait_for_load_state()
    assert "La présidence reviendrait à" in page.inner_text("#foreseen-chair")
    assert "Allemagne" in page.inner_text("#foreseen-chair")
    assert page.locator("tr.answer-row").count() == 60
    shot(page, "answers-roster")
    page.click("#filters a[href='?show=declined']")
    page.wait_for_load_state()
    assert page.locator("tr.answer-row").count() == 1
    assert titulars["Espagne"].full_name in page.inner_text("#roster")
    # An answer given by phone, recorded by the secretariat.
    suisse = d.row(meeting, titulars["Suisse"])
    page.select_option("#on-behalf select[name=invitation]", value=str(suisse.pk))
    page.select_option("#on-behalf select[name=answer]", value="attending")
    page.fill("#on-behalf input[name=note]", "par téléphone, ce matin")
    page.click("#on-behalf button[type=submit]")
    page.wait_for_load_state()
    row = page.inner_text(f"#invitee-{suisse.pk}")
    assert "enregistrée par le secrétariat" in row and "par téléphone" in row
    assert Invitation.objects.get(pk=suisse.pk).answer_channel == "secretariat"
    # The attendance register starts from the answers.
    page.goto(page.base + f"/meetings/{meeting.pk}/attendance/")
    page.click("button[name=initialise]")
    page.wait_for_load_state()
    assert page.locator("tr.partner-row").count() == 30
    assert page.input_value(f"select[name=p{titulars['Espagne'].pk}-status]") == "excused"
    assert page.input_value(f"select[name=p{titulars['Belgique'].pk}-status]") == "represented"
    assert page.input_value(f"select[name=p{titulars['Belgique'].pk}-represented_by]") == str(
        roster_world["deputies"]["Belgique"].pk)
    assert page.input_value(f"select[name=p{titulars['Japon'].pk}-status]") == "present"
    assert page.locator(f"select[name=p{titulars['Japon'].pk}-represented_by] option").count() == 2
    shot(page, "attendance-prepared")
    page.click("#confirm-expected button")
    page.wait_for_load_state()
    assert not Attendance.objects.filter(meeting=meeting, confirmed=False).exists()
    assert page.locator("#confirm-expected").count() == 0
