"""Proposals keep their promise (A1): members propose once the agenda is proposed and until the deadline, even
after convocation; an item accepted after convocation goes out as an agenda update (SEQUENCE + 1); the proposer
sees her proposals and their state and is told by e-mail; drafts stay hidden from members."""

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from meetings import services
from meetings.models import AgendaItem, Meeting
from secretariat import services as sec
from secretariat.models import Invitation
from tests.meetings.factories import at
from tests.portal.factories import gec_meeting_with_agenda

pytestmark = pytest.mark.django_db


def _convened(cast):
    meeting = gec_meeting_with_agenda(days=20)  # proposals until day 18
    services.meeting_propose_agenda(meeting=meeting)
    sec.invitations_send(meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONVENED
    return meeting


def _propose(client, meeting, title="Appui budgétaire au secteur de l'eau"):
    return client.post(reverse("meetings:propose_item", args=[meeting.pk]), {
        "title": title, "category": "effectiveness", "expected_outcome": "information"})


def test_rule_A1_a_member_proposes_after_convocation_until_the_deadline(cast, client):
    meeting = _convened(cast)
    client.force_login(cast.titular.user)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert reverse("meetings:propose_item", args=[meeting.pk]) in page
    assert _propose(client, meeting).status_code == 302
    assert meeting.items.get(status=AgendaItem.Status.PROPOSED).proposed_by == cast.titular


def test_rule_A1_after_the_deadline_no_page_offers_a_proposal(cast, client):
    meeting = _convened(cast)
    Meeting.objects.filter(pk=meeting.pk).update(proposal_deadline=at(-1))
    client.force_login(cast.titular.user)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert reverse("meetings:propose_item", args=[meeting.pk]) not in page
    assert "fermées depuis" in page
    invitations = client.get(reverse("secretariat:my_invitations")).content.decode()
    assert reverse("meetings:propose_item", args=[meeting.pk]) not in invitations
    # The form itself is not offered (rather than failing on submit).
    response = client.get(reverse("meetings:propose_item", args=[meeting.pk]))
    assert response.status_code == 302
    assert _propose(client, meeting).status_code == 302
    assert not meeting.items.filter(status=AgendaItem.Status.PROPOSED).exists()


def test_my_invitations_offers_a_proposal_while_proposals_are_open(cast, client):
    meeting = _convened(cast)
    client.force_login(cast.titular.user)
    body = client.get(reverse("secretariat:my_invitations")).content.decode()
    assert reverse("meetings:propose_item", args=[meeting.pk]) in body


def test_the_proposer_sees_her_proposal_and_its_state(cast, client, secretariat_user):
    meeting = _convened(cast)
    client.force_login(cast.titular.user)
    _propose(client, meeting)
    item = meeting.items.get(status=AgendaItem.Status.PROPOSED)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert f'id="my-proposal-{item.pk}"' in page and "en attente de décision" in page
    assert "en attente de décision" in client.get(reverse("secretariat:my_invitations")).content.decode()
    services.agenda_item_reject(item=item, reason="Prévu au prochain GEC")
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Prévu au prochain GEC" in page
    assert "Prévu au prochain GEC" in client.get(reverse("secretariat:my_invitations")).content.decode()


def test_the_proposer_is_told_by_email_when_rejected_with_the_reason(cast):
    meeting = _convened(cast)
    item = services.agenda_item_propose(meeting=meeting, proposer=cast.titular, title="Eau potable",
                                        category="effectiveness", expected_outcome="information")
    mail.outbox.clear()
    services.agenda_item_reject(item=item, reason="Hors délai pour ce GEC")
    [message] = [m for m in mail.outbox if m.to == [cast.titular.email]]
    assert "Eau potable" in message.subject and "Hors délai pour ce GEC" in message.body


def test_accepted_after_convocation_goes_out_as_an_agenda_update(cast):
    meeting = _convened(cast)
    invited = set(Invitation.objects.filter(meeting=meeting, kind="request").values_list("email", flat=True))
    sequence = meeting.ical_sequence
    item = services.agenda_item_propose(meeting=meeting, proposer=cast.titular, title="Eau potable",
                                        category="effectiveness", expected_outcome="information")
    mail.outbox.clear()
    services.agenda_item_accept(item=item)
    meeting.refresh_from_db()
    assert meeting.ical_sequence == sequence + 1
    updates = Invitation.objects.filter(meeting=meeting, kind="update")
    assert {u.email for u in updates} == invited and all(u.sequence == sequence + 1 for u in updates)
    update_mail = next(m for m in mail.outbox if m.extra_headers.get("X-PTF-Invitation"))
    ics = next(a for a in update_mail.attachments if a[0] == "invite.ics")[1]
    event = next(c for c in Calendar.from_ical(ics).walk("VEVENT"))
    assert int(event["SEQUENCE"]) == sequence + 1 and "Eau potable" in str(event["DESCRIPTION"])
    # and the proposer hears that it was accepted
    assert any(m.to == [cast.titular.email] and m.extra_headers.get("X-PTF-Proposal") for m in mail.outbox)


def test_members_do_not_see_drafts_on_the_list_nor_the_page(cast, client):
    draft = gec_meeting_with_agenda(days=20)
    client.force_login(cast.titular.user)
    assert client.get(reverse("meetings:detail", args=[draft.pk])).status_code == 403
    assert draft.title not in client.get(reverse("meetings:list")).content.decode()
    services.meeting_propose_agenda(meeting=draft)
    assert client.get(reverse("meetings:detail", args=[draft.pk])).status_code == 200
    assert draft.title in client.get(reverse("meetings:list")).content.decode()


@pytest.mark.parametrize("state", ["cancelled", "held"])
def test_no_send_button_on_a_cancelled_or_held_meeting(cast, seg_client, state):
    meeting = _convened(cast)
    sec.distribution_generate(meeting=meeting)
    Meeting.objects.filter(pk=meeting.pk).update(status=state)
    body = seg_client.get(reverse("secretariat:send", args=[meeting.pk])).content.decode()
    assert 'id="cannot-send"' in body
    assert "Convoquer et envoyer" not in body and 'type="submit"' not in body.split("<main")[-1]
