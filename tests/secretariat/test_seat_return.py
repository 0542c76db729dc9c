"""M3 (GEC), M6 (GA): a delegated seat whose deputy declines, by any channel, or whose invitation bounces, goes
back to the titular's decision: she is told in her language with her answer link, her pages show it, and the
roster and the dashboard flag the partner's seat as not covered until someone answers."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from meetings.models import Meeting
from secretariat import selectors
from secretariat.answers import SeatReturn, answer_record, seat_return_to_titular
from secretariat.models import Invitation
from secretariat.selectors import rsvp_summary
from tests.factories import UserFactory, ga
from tests.secretariat import directory as d
from tests.secretariat.factories import partner, person, proposed, seat

pytestmark = pytest.mark.django_db
RSVP = re.compile(r"https?://\S+/rsvp/[^\s/]+/")


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    return d.convened_world(django_capture_on_commit_callbacks, size=6)


def delegate(meeting, titular, capture):
    with capture(execute=True):
        answer_record(invitation=d.row(meeting, titular), answer="delegated", channel="link")
    mail.outbox.clear()
    return d.row(meeting, titular).delegation


def partner_status(meeting, name):
    return {g.partner: g.status for g in selectors.by_partner(selectors.meeting_answers(meeting))}[name]


@pytest.mark.parametrize("channel", ["link", "portal", "calendar", "secretariat"])
def test_rule_M3_deputy_declining_by_any_channel_returns_the_seat_to_the_titular(
        world, channel, django_capture_on_commit_callbacks, secretariat_user):
    meeting, name = world["meeting"], world["partners"][0].name
    titular, deputy = world["titulars"][name], world["deputies"][name]
    deputy_row = delegate(meeting, titular, django_capture_on_commit_callbacks)
    assert partner_status(meeting, name) == "undecided"
    with django_capture_on_commit_callbacks(execute=True):
        answer_record(invitation=deputy_row, answer="declined", channel=channel,
                      by_user=secretariat_user if channel == "secretariat" else None)
    seat_row = d.row(meeting, titular)
    assert (seat_row.rsvp, seat_row.delegated_to) == ("none", None)
    [message] = mail.outbox
    assert message.to == [titular.email]
    assert deputy.full_name in message.body and "le siège" in message.body  # in her language (French)
    assert RSVP.search(message.body)
    assert partner_status(meeting, name) == "uncovered"
    assert rsvp_summary([meeting.pk])[meeting.pk]["uncovered"] == 1


def test_rule_M3_the_titular_is_told_in_english_and_answers_herself_through_her_link(
        world, client, django_capture_on_commit_callbacks):
    meeting, name = world["meeting"], world["partners"][1].name
    titular, deputy = world["titulars"][name], world["deputies"][name]
    type(titular).objects.filter(pk=titular.pk).update(language="en")
    Invitation.objects.filter(meeting=meeting, person=titular).update(language="en")
    deputy_row = delegate(meeting, titular, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        answer_record(invitation=deputy_row, answer="declined", channel="link")
    [message] = mail.outbox
    assert "the seat is yours again" in message.body and deputy.full_name in message.body
    link = RSVP.search(message.body).group(0)
    path = urlsplit(link).path
    html = client.get(path).content.decode()
    assert "the seat is yours again" in html and 'value="attending"' in html
    client.post(path, {"answer": "attending"})
    assert d.row(meeting, titular).rsvp == "attending"
    assert partner_status(meeting, name) == "represented"
    assert rsvp_summary([meeting.pk])[meeting.pk]["uncovered"] == 0


def test_rule_M3_roster_dashboard_and_titulars_page_show_the_uncovered_seat(
        world, client, secretariat_user, django_capture_on_commit_callbacks):
    meeting, name = world["meeting"], world["partners"][2].name
    titular = world["titulars"][name]
    deputy_row = delegate(meeting, titular, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        answer_record(invitation=deputy_row, answer="declined", channel="portal")
    client.force_login(secretariat_user)
    with translation.override("fr"):
        roster = client.get(reverse("secretariat:answers", args=[meeting.pk]), HTTP_ACCEPT_LANGUAGE="fr")
        html = roster.content.decode()
        assert "siège non couvert" in html and 'class="n-uncovered">1<' in html
        only = client.get(reverse("secretariat:answers", args=[meeting.pk]), {"show": "uncovered"})
        assert [r.name for g in only.context["groups"] for r in g.rows] == [titular.full_name]
        dashboard = client.get(reverse("secretariat:dashboard")).content.decode()
        assert "1 siège non couvert" in dashboard
    user = UserFactory(username="titular")
    titular.user = user
    titular.save(update_fields=["user"])
    client.force_login(user)
    mine = client.get(reverse("secretariat:my_invitations")).content.decode()
    assert "le siège vous revient" in mine


def test_rule_M3_a_titular_who_took_the_seat_back_is_not_asked_again(world, django_capture_on_commit_callbacks):
    meeting, name = world["meeting"], world["partners"][3].name
    titular = world["titulars"][name]
    deputy_row = delegate(meeting, titular, django_capture_on_commit_callbacks)
    answer_record(invitation=d.row(meeting, titular), answer="attending", channel="link")  # takes it back
    deputy_row.refresh_from_db()
    assert seat_return_to_titular(deputy_row=deputy_row, why=SeatReturn.DECLINED) is None
    assert d.row(meeting, titular).rsvp == "attending"


def test_rule_M6_ga_deputy_declining_returns_the_seat_to_the_ambassador(django_capture_on_commit_callbacks):
    embassy = partner("Pays-Bas")
    ambassador = person(embassy, function="ambassador", first_name="Joost", last_name="de Vries")
    deputy = person(embassy, function="ambassador", first_name="Anke", last_name="Bos")
    seat(ambassador, ga(), "titular")
    seat(deputy, ga(), "deputy")
    meeting = proposed(ga(), days=20)
    from secretariat import services

    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=meeting)
    mail.outbox.clear()
    deputy_row = delegate(meeting, ambassador, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        answer_record(invitation=deputy_row, answer="declined", channel="calendar")
    assert d.row(meeting, ambassador).rsvp == "none"
    assert [m.to for m in mail.outbox] == [[ambassador.email]]
    assert partner_status(meeting, "Pays-Bas") == "uncovered"


def test_rule_M3_closed_meeting_does_not_return_the_seat(world, django_capture_on_commit_callbacks):
    meeting, name = world["meeting"], world["partners"][4].name
    titular = world["titulars"][name]
    deputy_row = delegate(meeting, titular, django_capture_on_commit_callbacks)
    Meeting.objects.filter(pk=meeting.pk).update(status="cancelled")
    deputy_row.refresh_from_db()
    assert seat_return_to_titular(deputy_row=deputy_row, why=SeatReturn.BOUNCED) is None
    assert d.row(meeting, titular).rsvp == "delegated"
