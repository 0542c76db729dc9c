"""The RSVP link of a held, past or cancelled meeting shows the closed state — what was answered, the approved
minutes for who may read them — instead of answer buttons that could only be refused."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, Minutes
from secretariat import services
from secretariat.answers import answer_record
from secretariat.models import Invitation
from secretariat.rsvp import make_token
from tests.factories import UserFactory, gec
from tests.secretariat.factories import partner, person, proposed, seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(django_capture_on_commit_callbacks):
    mali = partner("Suisse")
    titular = person(mali, language="fr", first_name="Anna", last_name="Keller")
    seat(titular, gec(), "titular")
    m = proposed(gec(), days=20)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=m)
    mail.outbox.clear()
    invitation = Invitation.objects.get(meeting=m, person=titular)
    return m, titular, invitation


def page(client, invitation):
    return client.get(reverse("secretariat:rsvp", args=[make_token(invitation)]), HTTP_ACCEPT_LANGUAGE="fr")


def test_a_cancelled_meeting_shows_closed_answers_without_buttons(client, invited, django_capture_on_commit_callbacks):
    meeting, _titular, invitation = invited
    answer_record(invitation=invitation, answer="attending", channel="link")
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel_and_notify(meeting=meeting, reason="")
    response = page(client, invitation)
    html = response.content.decode()
    assert response.status_code == 200
    assert "la réunion a été annulée" in html and 'name="answer"' not in html
    assert "Votre réponse" in html and "présent" in html.lower()


def test_a_held_meeting_with_approved_minutes_links_them_for_a_signed_in_member_only(client, invited):
    meeting, titular, invitation = invited
    past = timezone.now() - datetime.timedelta(days=3)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.MINUTES_APPROVED, start=past,
                                                 end=past + datetime.timedelta(hours=2))
    Minutes.objects.create(meeting=meeting, text="Compte rendu", approved_on=timezone.localdate())
    anonymous = page(client, invitation).content.decode()
    assert "la réunion a eu lieu" in anonymous and 'name="answer"' not in anonymous
    assert "Vous n’aviez pas répondu." in anonymous and "connectez-vous au portail" in anonymous
    user = UserFactory(username="anna")
    titular.user = user
    titular.save(update_fields=["user"])
    client.force_login(user)
    signed_in = page(client, invitation).content.decode()
    assert "Lire le compte rendu approuvé" in signed_in
    assert f'href="{reverse("meetings:detail", args=[meeting.pk])}"' in signed_in
