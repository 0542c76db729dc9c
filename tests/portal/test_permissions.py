"""Who may open what: 403/404 for other users, never a 500 on bad input."""

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Meeting
from tests.meetings.factories import at, item, pdf
from tests.portal.conftest import client_for
from tests.portal.factories import gec_meeting_with_agenda

pytestmark = pytest.mark.django_db

MANAGER_GETS = ["meetings:edit", "secretariat:distribution", "secretariat:send", "secretariat:reschedule", "secretariat:cancel", "meetings:document_add", "meetings:item_add", "meetings:attendance", "meetings:records", "secretariat:progress", "secretariat:failed", "meetings:approve_minutes"]
MANAGER_POSTS = ["meetings:propose_agenda", "meetings:mark_held", "secretariat:send", "secretariat:cancel", "secretariat:distribution"]


def test_every_page_requires_login(cast, client):
    m = gec_meeting_with_agenda()
    for url in [reverse("secretariat:dashboard"), reverse("meetings:detail", args=[m.pk]),
                reverse("secretariat:my_invitations"), reverse("directory:organigram"),
                reverse("membership:my_mandates")]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("who", ["titular", "leader", "outsider"])
def test_non_managers_cannot_manage_a_gec_meeting(cast, client, who):
    m = gec_meeting_with_agenda()
    user = cast.outsider if who == "outsider" else getattr(cast, who).user
    client_for(client, user)
    for name in MANAGER_GETS:
        assert client.get(reverse(name, args=[m.pk])).status_code == 403, name
    for name in MANAGER_POSTS:
        assert client.post(reverse(name, args=[m.pk]), {"reason": "x"}).status_code == 403, name
    item = m.items.get()
    for name in ["item_move", "item_remove", "item_decide"]:
        response = client.post(reverse(f"meetings:{name}", args=[m.pk, item.pk]), {"direction": "up"})
        assert response.status_code == 403, name
    m.refresh_from_db()
    assert m.status == Meeting.Status.DRAFT and m.items.count() == 1


def test_dashboard_is_for_the_secretariat_and_leaders_only(cast, client, secretariat_user):
    client_for(client, cast.titular.user)
    assert client.get(reverse("secretariat:dashboard")).status_code == 403
    assert client.get(reverse("secretariat:dashboard_progress")).status_code == 403
    client_for(client, cast.leader.user)
    response = client.get(reverse("secretariat:dashboard"))
    assert response.status_code == 200 and "GT-SANTE" in response.content.decode()


def test_leader_manages_own_group_only(cast, client):
    from tests.meetings.factories import meeting

    own = meeting(cast.group)
    other_group = type(cast.group).objects.create(kind="GT", code="GT-EDU", name_fr="Éducation", name_en="Education")
    other = meeting(other_group)
    client_for(client, cast.leader.user)
    assert client.get(reverse("meetings:edit", args=[own.pk])).status_code == 200
    assert client.get(reverse("meetings:edit", args=[other.pk])).status_code == 403
    assert client.get(reverse("meetings:detail", args=[other.pk])).status_code == 403


def test_rule_A4_ga_meeting_and_documents_hidden_from_non_members(cast, client, secretariat_user):
    from tests.meetings.factories import meeting

    ga_meeting = meeting(cast.ga)
    item(ga_meeting)
    services.meeting_propose_agenda(meeting=ga_meeting)  # members see a meeting once its agenda is proposed
    document = services.document_attach(meeting=ga_meeting, uploaded_file=pdf(), title="Note sécuritaire")
    client_for(client, cast.titular.user)  # GEC member, not GA
    assert client.get(reverse("meetings:detail", args=[ga_meeting.pk])).status_code == 403
    assert client.get(reverse("meetings:document", args=[document.pk])).status_code == 403
    client_for(client, cast.ga_member.user)
    response = client.get(reverse("meetings:document", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_gec_documents_need_a_view_of_the_meeting_and_members_see_confidential_ones(cast, client):
    m = gec_meeting_with_agenda()
    services.meeting_propose_agenda(meeting=m)  # members see a meeting once its agenda is proposed
    public = services.document_attach(meeting=m, uploaded_file=pdf(), title="Public note")
    secret = services.document_attach(meeting=m, uploaded_file=pdf(), title="Secret note", confidential=True)
    client_for(client, cast.outsider)
    assert client.get(reverse("meetings:document", args=[public.pk])).status_code == 403
    client_for(client, cast.titular.user)
    page = client.get(reverse("meetings:detail", args=[m.pk])).content.decode()
    assert "Public note" in page
    assert client.get(reverse("meetings:document", args=[public.pk])).status_code == 200
    assert client.get(reverse("meetings:document", args=[secret.pk])).status_code == 200  # members are cleared


@pytest.mark.parametrize("url", [
    "/meetings/999999/", "/meetings/999999/edit/", "/meetings/documents/999999/", "/directory/NOPE/",
    "/people/partners/999999/", "/meetings/referrals/999999/",
])
def test_unknown_ids_are_404(seg_client, cast, url):
    assert seg_client.get(url).status_code == 404


def test_bad_query_strings_do_not_break_pages(seg_client, cast):
    assert seg_client.get(reverse("secretariat:dashboard") + "?month=2026-13").status_code == 200
    assert seg_client.get(reverse("secretariat:dashboard") + "?month=abc").status_code == 200
    assert seg_client.get(reverse("meetings:actions") + "?state=weird&instance=abc&owner=-1").status_code == 200
    assert seg_client.get(reverse("meetings:list") + "?instance=zz&status=zz").status_code == 200
    assert seg_client.get(reverse("meetings:referrals") + "?state=zz").status_code == 200


def test_bad_posts_change_nothing(seg_client, cast):
    m = gec_meeting_with_agenda()
    item = m.items.get()
    assert seg_client.post(reverse("meetings:item_move", args=[m.pk, item.pk]), {"direction": "sideways"}).status_code == 302
    assert seg_client.post(reverse("meetings:item_decide", args=[m.pk, item.pk]), {"decision": "maybe"}).status_code == 302
    assert seg_client.post(reverse("secretariat:reschedule", args=[m.pk]), {"start": "x", "end": "y"}).status_code == 200
    assert seg_client.post(reverse("meetings:records", args=[m.pk]), {"form": "action", "due_date": "31/31/2026"}).status_code == 200
    assert seg_client.post(reverse("meetings:schedule"), {"instance": cast.gec.pk, "year": "twenty"}).status_code == 200
    assert seg_client.post(reverse("meetings:document_add", args=[m.pk]), {"title": "x"}).status_code == 200
    bad_file = seg_client.post(reverse("meetings:document_add", args=[m.pk]), {
        "title": "virus", "file": pdf("evil.exe")})
    assert bad_file.status_code == 200 and not m.documents.exists()
    assert seg_client.post(reverse("secretariat:my_rsvp", args=[999999]), {"answer": "attending"}).status_code == 404
    m.refresh_from_db()
    assert m.status == Meeting.Status.DRAFT


def test_propose_after_deadline_is_refused_with_a_message(cast, client):
    from tests.meetings.factories import meeting

    m = meeting(cast.gec, days=10, proposal_deadline=at(-1))
    item(m)
    services.meeting_propose_agenda(meeting=m)
    client_for(client, cast.titular.user)
    response = client.post(reverse("meetings:propose_item", args=[m.pk]), {
        "title": "Late", "category": "effectiveness", "expected_outcome": "information"}, follow=True)
    assert response.status_code == 200
    assert "Les propositions pour cette réunion sont closes" in response.content.decode()
    assert not m.items.filter(title="Late").exists()


def test_outsider_cannot_propose(cast, client):
    m = gec_meeting_with_agenda()
    client_for(client, cast.outsider)
    assert client.get(reverse("meetings:propose_item", args=[m.pk])).status_code == 403
