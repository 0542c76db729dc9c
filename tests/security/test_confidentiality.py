"""Rule A4: GA agendas, documents and minutes only to GA members and the SEG; a group's to its members,
leaders and the SEG — by whatever URL they are asked for."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from meetings import services as meeting_services
from membership import access
from tests.security.access_matrix import MATRIX
from tests.security.world import _meeting, build_world, login_as

SECRET_MINUTES = "GA-MINUTES-CONFIDENTIAL-7731"


@pytest.fixture
def world(db, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    w = build_world()
    held = _meeting(w.instances["GA"], -5, "Session GA held zz41")
    meeting_services.agenda_item_add(meeting=held, title="Item GA held kq2", category="security",
                                     expected_outcome="orientation")
    meeting_services.meeting_propose_agenda(meeting=held)
    meeting_services.meeting_convene(meeting=held)
    meeting_services.meeting_mark_held(meeting=held)
    meeting_services.minutes_save(meeting=held, text=SECRET_MINUTES)
    w.meetings["ga_held"] = held
    return w


def client_for(world, role):
    client = Client(raise_request_exception=False)
    login_as(client, world, role)
    return client


def download(world, role, key):
    return client_for(world, role).get(reverse("meetings:document", kwargs={"pk": world.documents[key].pk}))


def test_rule_A4_representative_cannot_download_a_ga_document(world):
    assert download(world, "rep", "ga").status_code == 403


@pytest.mark.parametrize("role", ["ga_member", "secretariat", "admin"])
def test_rule_A4_ga_members_and_the_secretariat_download_ga_documents(world, role):
    response = download(world, role, "ga")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]).startswith(b"%PDF")


@pytest.mark.parametrize("role", ["rep", "gt_member", "leader_a", "leader_b", "no_mandate", "anonymous"])
def test_rule_A4_ga_document_refused_to_non_members(world, role):
    assert download(world, role, "ga").status_code in (302, 403)
    if role != "anonymous":
        assert download(world, role, "ga").status_code == 403


@pytest.mark.parametrize("role,status", [("gt_member", 200), ("leader_a", 200), ("secretariat", 200),
                                         ("leader_b", 403), ("rep", 403), ("ga_member", 403), ("no_mandate", 403)])
def test_rule_A4_group_documents_only_to_members_leaders_and_secretariat(world, role, status):
    assert download(world, role, "a").status_code == status


def test_rule_A4_media_files_are_not_served_by_any_url(world):
    document = world.documents["ga"]
    assert settings.MEDIA_URL == "/media-not-served/"
    for role in ("anonymous", "rep", "ga_member", "secretariat"):
        client = client_for(world, role)
        assert client.get(f"{settings.MEDIA_URL}{document.file.name}").status_code in (302, 404)
        if role != "anonymous":
            assert client.get(f"{settings.MEDIA_URL}{document.file.name}").status_code == 404
            assert client.get(f"/media/{document.file.name}").status_code == 404
            assert client.get(f"/static/../media/{document.file.name}").status_code == 404


def _get_cases():
    for name, variants in MATRIX.items():
        for variant, case in variants.items():
            if case.method == "GET":
                yield name, variant, case


def test_rule_A4_no_page_shows_ga_material_to_a_representative(world):
    """Every GET URL of the matrix, as a GEC representative: no GA title, file or minutes leaks out."""
    ga_meeting, ga_item, ga_document = world.meetings["ga"], world.items["ga"], world.documents["ga"]
    secrets = [ga_item.title, ga_document.title, ga_document.file.name, SECRET_MINUTES, ga_meeting.title,
               "Item GA held kq2"]
    client = client_for(world, "rep")
    leaks = []
    held = {"pk": world.meetings["ga_held"].pk}
    extra = [(n, "ga_held", type(c)(c.expect, lambda w: held)) for n in ("meetings:detail", "meetings:records")
             for c in [MATRIX[n][next(iter(MATRIX[n]))]]]
    for name, variant, case in [*_get_cases(), *extra]:
        response = client.get(reverse(name, kwargs=case.kwargs(world)))
        if response.streaming:
            continue
        body = response.content.decode("utf-8", "replace")
        leaks += [f"{name}[{variant}]: {s}" for s in secrets if s in body]
    assert leaks == []


def test_rule_A4_no_page_shows_group_a_material_to_the_leader_of_group_b(world):
    secrets = [world.items["a"].title, world.documents["a"].title, world.documents["a"].file.name]
    client = client_for(world, "leader_b")
    leaks = []
    for name, variant, case in _get_cases():
        response = client.get(reverse(name, kwargs=case.kwargs(world)))
        if not response.streaming:
            body = response.content.decode("utf-8", "replace")
            leaks += [f"{name}[{variant}]: {s}" for s in secrets if s in body]
    assert leaks == []


def test_rule_A4_the_ga_member_does_see_ga_material(world):
    """The leak checks above are not vacuous: the same titles do show to a GA member."""
    client = client_for(world, "ga_member")
    body = client.get(reverse("meetings:detail", kwargs={"pk": world.meetings["ga"].pk})).content.decode()
    assert world.items["ga"].title in body and world.documents["ga"].title in body
    body = client.get(reverse("meetings:detail", kwargs={"pk": world.meetings["ga_held"].pk})).content.decode()
    assert SECRET_MINUTES in body


def test_rule_A4_ga_minutes_only_to_ga_members_and_secretariat(world):
    from meetings.models import Minutes

    minutes = Minutes(meeting=world.meetings["ga"], text=SECRET_MINUTES)
    assert access.can_view_minutes(world.users["ga_member"], minutes)
    assert access.can_view_minutes(world.users["secretariat"], minutes)
    assert not access.can_view_minutes(world.users["rep"], minutes)
    assert not access.can_view_minutes(world.users["leader_a"], minutes)


def test_rule_A4_confidential_gec_item_hidden_from_a_non_member_invitee(world):
    from meetings.models import AgendaItem

    item = AgendaItem(meeting=world.meetings["gec"], title="x", confidential=True)
    assert access.can_view_item(world.users["rep"], item)  # a GEC member
    assert not access.can_view_item(world.users["ga_member"], item)
    assert access.can_view_item(world.users["secretariat"], item)
