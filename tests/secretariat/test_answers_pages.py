"""The attendance register prepared from the answers, and constant query counts of the answer pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Attendance
from secretariat import services
from secretariat.answers import answer_record
from secretariat.models import Invitation
from tests.secretariat import directory as d
from tests.secretariat.factories import group, partner, person, proposed, seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    return d.convened_world(django_capture_on_commit_callbacks)


def say(world, name, value, who="titulars"):
    return answer_record(invitation=d.row(world["meeting"], world[who][name]), answer=value, channel="link")


def test_rule_M3_attendance_starts_from_the_answers_with_stand_ins_only(world, client, secretariat_user,
                                                                       django_capture_on_commit_callbacks):
    meeting = world["meeting"]
    say(world, "Canada", "declined")
    with django_capture_on_commit_callbacks(execute=True):
        say(world, "Belgique", "delegated")
    say(world, "Japon", "attending")
    client.force_login(secretariat_user)
    url = reverse("meetings:attendance", args=[meeting.pk])
    assert client.post(url, {"initialise": "1"}).status_code == 302
    lines = {line.person_id: line for line in Attendance.objects.filter(meeting=meeting)}
    assert len(lines) == 60
    assert lines[world["titulars"]["Canada"].pk].status == "excused"
    belgium = lines[world["titulars"]["Belgique"].pk]
    assert belgium.status == "represented" and belgium.represented_by == world["deputies"]["Belgique"]
    japan = lines[world["titulars"]["Japon"].pk]
    assert japan.status == "present" and not japan.confirmed
    assert lines[world["titulars"]["Suisse"].pk].status == "absent"
    page = client.get(url).content.decode()
    # Grouped by partner; "represented by" offers only the partner's deputy (M3), not the 60 people.
    assert page.count('class="partner-row"') == 30
    select = page.split(f'name="p{world["titulars"]["Japon"].pk}-represented_by"')[1].split("</select>")[0]
    assert select.count("<option") == 2 and world["deputies"]["Japon"].full_name in select
    assert "Tous présents comme annoncé" in page
    # One click: the announced lines become fact.
    assert client.post(url, {"confirm_expected": "1"}).status_code == 302
    assert not Attendance.objects.filter(meeting=meeting, confirmed=False).exists()
    # Someone not allowed to stand in is not offered, and refused with the rule's reason if posted anyway.
    data = {f"p{pk}-status": line.status for pk, line in lines.items()}
    data.update({f"p{pk}-represented_by": "" for pk in lines})
    data[f"p{world['titulars']['Japon'].pk}-status"] = "represented"
    data[f"p{world['titulars']['Japon'].pk}-represented_by"] = str(world["deputies"]["Canada"].pk)
    refused = client.post(url, data)
    assert refused.status_code == 200 and "(M3)" in refused.content.decode()
    assert Attendance.objects.get(meeting=meeting, person=world["titulars"]["Japon"]).status == "present"


def test_attendance_page_does_not_import_the_secretariat():
    import ast
    import pathlib

    for path in [*pathlib.Path("meetings").rglob("*.py")]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("secretariat"):
                assert path.as_posix() in {"meetings/urls.py", "meetings/views/invitations.py",
                                           "meetings/views/pages.py"}, path  # pages being moved to secretariat


# --- query counts at 1x and 5x invitees -------------------------------------------------------------------


def _group_meeting(code, n, capture):
    gt = group(code)
    for i in range(n):
        p = partner(f"Échelle {code} {i:02d}")
        expert, binome = person(p), person(p)
        seat(binome, gt, "binome", pairs_with=seat(expert, gt, "expert"))
    meeting = proposed(gt)
    with capture(execute=True):
        services.invitations_send(meeting=meeting)
    rows = list(Invitation.objects.filter(meeting=meeting).select_related("person").order_by("pk"))
    experts = rows[::2]
    with capture(execute=True):
        answer_record(invitation=experts[0], answer="delegated", channel="portal")
    answer_record(invitation=experts[1], answer="declined", channel="link")
    for invitation in experts[2:]:
        answer_record(invitation=invitation, answer="attending", channel="calendar")
    return meeting


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_answer_pages_keep_a_constant_number_of_queries(client, secretariat_user, django_capture_on_commit_callbacks):
    small = _group_meeting("GT-PETIT", 3, django_capture_on_commit_callbacks)
    big = _group_meeting("GT-GRAND", 15, django_capture_on_commit_callbacks)
    assert Invitation.objects.filter(meeting=big).count() == 5 * Invitation.objects.filter(meeting=small).count()
    client.force_login(secretariat_user)
    for m in (small, big):  # the register prepared from the answers, so that the attendance page has lines
        assert client.post(reverse("meetings:attendance", args=[m.pk]), {"initialise": "1"}).status_code == 302
    for name in ("secretariat:answers", "meetings:detail", "secretariat:answers_csv", "meetings:attendance"):
        counts = [_count(client, reverse(name, args=[m.pk])) for m in (small, big)]
        print(name, counts)
        assert counts[0] == counts[1], (name, counts)


def test_rule_T4_the_prepared_register_announces_the_chair_until_facts_replace_it(world, client, secretariat_user):
    from meetings import services as meeting_services

    meeting = world["meeting"]
    say(world, "Espagne", "declined")  # the lead's representative
    client.force_login(secretariat_user)
    url = reverse("meetings:attendance", args=[meeting.pk])
    client.post(url, {"initialise": "1"})
    chair = meeting_services.current_acting_chair(meeting)
    assert chair.person == world["titulars"]["Allemagne"] and chair.rule == "T4"
    # Facts only once held: nobody confirmed present, so nobody of the Troïka is there.
    assert meeting_services.register_chair(meeting).person is None
