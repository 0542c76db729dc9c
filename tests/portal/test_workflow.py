"""The meeting workflow through the pages, as the secretariat, a representative and a group leader."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from meetings.models import AgendaItem, Meeting
from secretariat.models import Invitation
from tests.portal.conftest import client_for

pytestmark = pytest.mark.django_db


def _local(days, hour=9):
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _fmt(moment):
    return moment.strftime("%Y-%m-%dT%H:%M")


def create_gec_meeting(client, days=20):
    start = _local(days)
    response = client.post(reverse("meetings:create"), {
        "instance": Meeting._meta.get_field("instance").related_model.objects.get(code="GEC").pk,
        "title": "GEC de décembre", "kind": "ordinary", "start": _fmt(start),
        "end": _fmt(start + datetime.timedelta(hours=2)), "proposal_deadline": _fmt(start - datetime.timedelta(days=3)),
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    return Meeting.objects.get(title="GEC de décembre")


def add_item(client, meeting, title, category="policy_dialogue"):
    return client.post(reverse("meetings:item_add", args=[meeting.pk]), {
        "title": title, "category": category, "expected_outcome": "information", "duration_minutes": "20"})


def test_secretariat_creates_builds_and_sends(cast, seg_client):
    meeting = create_gec_meeting(seg_client)
    assert add_item(seg_client, meeting, "Budget support").status_code == 302
    assert add_item(seg_client, meeting, "Gender").status_code == 302
    second = meeting.items.get(title="Gender")
    seg_client.post(reverse("meetings:item_move", args=[meeting.pk, second.pk]), {"direction": "up"})
    assert [i.title for i in meeting.items.order_by("order")] == ["Gender", "Budget support"]
    seg_client.post(reverse("meetings:propose_agenda", args=[meeting.pk]))
    seg_client.post(reverse("secretariat:distribution", args=[meeting.pk]))
    confirm = seg_client.get(reverse("secretariat:send", args=[meeting.pk])).content.decode()
    assert 'id="recipient-count"' in confirm
    response = seg_client.post(reverse("secretariat:send", args=[meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONVENED
    recipients = {m.to[0] for m in mail.outbox}
    assert {cast.titular.email, cast.deputy.email} <= recipients
    page = seg_client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'class="n-sent">' in page


def test_rule_A1_out_of_scope_item_is_refused_with_the_rule_shown_to_the_secretariat(cast, seg_client):
    meeting = create_gec_meeting(seg_client)
    response = add_item(seg_client, meeting, "Security", category="security")
    assert response.status_code == 200
    assert not meeting.items.exists()


def test_bad_dates_give_form_errors_not_500(cast, seg_client):
    gec_pk = cast.gec.pk
    response = seg_client.post(reverse("meetings:create"), {
        "instance": gec_pk, "title": "x", "kind": "ordinary", "start": "not a date", "end": "2026-13-45T99:00"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    start = _local(5)
    response = seg_client.post(reverse("meetings:create"), {
        "instance": gec_pk, "title": "x", "kind": "ordinary", "start": _fmt(start), "end": _fmt(start)})
    assert response.status_code == 200
    assert not Meeting.objects.filter(title="x").exists()


def test_rule_I3_extraordinary_gec_without_reason_is_a_form_error(cast, seg_client):
    start = _local(5)
    response = seg_client.post(reverse("meetings:create"), {
        "instance": cast.gec.pk, "title": "Crisis", "kind": "extraordinary", "start": _fmt(start),
        "end": _fmt(start + datetime.timedelta(hours=1))})
    assert response.status_code == 200
    assert "(I3)" in response.content.decode()
    assert not Meeting.objects.filter(title="Crisis").exists()


def _sent_meeting(client):
    meeting = create_gec_meeting(client)
    add_item(client, meeting, "Budget support")
    client.post(reverse("meetings:propose_agenda", args=[meeting.pk]))
    client.post(reverse("secretariat:distribution", args=[meeting.pk]))
    client.post(reverse("secretariat:send", args=[meeting.pk]))
    return meeting


def test_representative_sees_invitation_and_accepts(cast, client, secretariat_user):
    client.force_login(secretariat_user)
    meeting = _sent_meeting(client)
    client_for(client, cast.titular.user)
    page = client.get(reverse("secretariat:my_invitations")).content.decode()
    assert meeting.title in page
    invitation = Invitation.objects.get(meeting=meeting, person=cast.titular)
    response = client.post(reverse("secretariat:my_rsvp", args=[invitation.pk]), {"answer": "attending"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.rsvp == Invitation.Rsvp.ATTENDING
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


def test_rule_M3_titular_delegates_to_deputy_from_my_invitations(cast, client, secretariat_user):
    client.force_login(secretariat_user)
    meeting = _sent_meeting(client)
    client_for(client, cast.titular.user)
    invitation = Invitation.objects.get(meeting=meeting, person=cast.titular, delegated_from__isnull=True)
    client.post(reverse("secretariat:my_rsvp", args=[invitation.pk]), {"answer": "delegated"})
    invitation.refresh_from_db()
    assert invitation.delegated_to == cast.deputy


def test_cannot_answer_someone_elses_invitation(cast, client, secretariat_user):
    client.force_login(secretariat_user)
    meeting = _sent_meeting(client)
    invitation = Invitation.objects.get(meeting=meeting, person=cast.titular)
    client_for(client, cast.deputy.user)
    assert client.post(reverse("secretariat:my_rsvp", args=[invitation.pk]), {"answer": "declined"}).status_code == 403
    invitation.refresh_from_db()
    assert invitation.rsvp == Invitation.Rsvp.NONE


def test_member_proposes_item_and_secretariat_rejects_with_reason(cast, client, secretariat_user):
    client.force_login(secretariat_user)
    meeting = create_gec_meeting(client)
    add_item(client, meeting, "Budget support")
    client.post(reverse("meetings:propose_agenda", args=[meeting.pk]))  # members see it from now on
    client_for(client, cast.titular.user)
    response = client.post(reverse("meetings:propose_item", args=[meeting.pk]), {
        "title": "Aid effectiveness", "category": "effectiveness", "expected_outcome": "information"})
    assert response.status_code == 302
    proposed = meeting.items.get(title="Aid effectiveness")
    assert proposed.status == AgendaItem.Status.PROPOSED
    client.force_login(secretariat_user)
    client.post(reverse("meetings:item_decide", args=[meeting.pk, proposed.pk]), {"decision": "reject", "reason": ""})
    proposed.refresh_from_db()
    assert proposed.status == AgendaItem.Status.PROPOSED  # a rejection needs its reason
    client.post(reverse("meetings:item_decide", args=[meeting.pk, proposed.pk]),
                {"decision": "reject", "reason": "Next month"})
    proposed.refresh_from_db()
    assert (proposed.status, proposed.decision_reason) == (AgendaItem.Status.REJECTED, "Next month")


def test_leader_convenes_their_group(cast, client):
    client_for(client, cast.leader.user)
    start = _local(15)
    response = client.post(reverse("meetings:create"), {
        "instance": cast.group.pk, "title": "GT santé", "kind": "ordinary", "start": _fmt(start),
        "end": _fmt(start + datetime.timedelta(hours=2))})
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="GT santé")
    add_item(client, meeting, "Sector review", category="sector_dialogue")
    client.post(reverse("meetings:propose_agenda", args=[meeting.pk]))
    client.post(reverse("secretariat:distribution", args=[meeting.pk]))
    client.post(reverse("secretariat:send", args=[meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONVENED
    # but not the GEC
    response = client.post(reverse("meetings:create"), {
        "instance": cast.gec.pk, "title": "Not mine", "kind": "ordinary", "start": _fmt(start),
        "end": _fmt(start + datetime.timedelta(hours=2))})
    assert not Meeting.objects.filter(title="Not mine").exists()


def test_reschedule_and_cancel_notify(cast, client, secretariat_user):
    client.force_login(secretariat_user)
    meeting = _sent_meeting(client)
    before = len(mail.outbox)
    start = _local(25)
    response = client.post(reverse("secretariat:reschedule", args=[meeting.pk]), {
        "start": _fmt(start), "end": _fmt(start + datetime.timedelta(hours=2)), "place": "SEG"})
    assert response.status_code == 302
    assert len(mail.outbox) > before
    response = client.post(reverse("secretariat:cancel", args=[meeting.pk]), {"reason": ""})
    assert response.status_code == 200  # the reason is required
    client.post(reverse("secretariat:cancel", args=[meeting.pk]), {"reason": "Holiday"})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
