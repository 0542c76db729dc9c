"""RSVP without login from signed links; delegation; calendar feed; downloads; reminders and digest."""

import csv
import datetime
import io
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings import services as meeting_services
from secretariat import answers, services
from secretariat.models import Invitation
from secretariat.rsvp import SALT, make_token
from secretariat.tasks import send_daily_digest, send_reminders
from tests.factories import UserFactory, gec
from tests.secretariat.factories import group, partner, person, proposed, seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(django_capture_on_commit_callbacks):
    france = partner("France")
    titular, deputy = person(france, language="en"), person(france)
    seat(titular, gec(), "titular")
    seat(deputy, gec(), "deputy")
    m = proposed(gec(), days=20)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=m)
    mail.outbox.clear()
    return {"meeting": m, "titular": titular, "deputy": deputy,
            "invitation": Invitation.objects.get(meeting=m, person=titular)}


def url(token):
    return reverse("secretariat:rsvp", args=[token])


def test_get_shows_the_question_without_login_and_changes_nothing(client, invited):
    invitation = invited["invitation"]
    response = client.get(url(make_token(invitation)))
    assert response.status_code == 200
    assert b'name="answer"' in response.content
    invitation.refresh_from_db()
    assert invitation.rsvp == "none" and invitation.rsvp_at is None


def test_post_records_the_answer(client, invited):
    invitation = invited["invitation"]
    response = client.post(url(make_token(invitation)), {"answer": "attending"})
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.rsvp == "attending" and invitation.rsvp_at
    client.post(url(make_token(invitation)), {"answer": "declined"})
    invitation.refresh_from_db()
    assert invitation.rsvp == "declined"


def test_an_unknown_answer_is_a_clear_400(client, invited):
    invitation = invited["invitation"]
    response = client.post(url(make_token(invitation)), {"answer": "maybe"})
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.rsvp == "none"


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: "x" + t,
    lambda t: "nonsense",
    lambda t: t.split(":")[0],
])
def test_an_altered_token_is_refused_without_500(client, invited, mangle):
    invitation = invited["invitation"]
    response = client.post(url(mangle(make_token(invitation))), {"answer": "attending"})
    assert response.status_code == 400
    assert "pas valide" in response.content.decode()  # the French page by default
    invitation.refresh_from_db()
    assert invitation.rsvp == "none"


def test_an_expired_token_shows_a_clear_page(client, invited):
    invitation = invited["invitation"]
    token = make_token(invitation)
    later = time.time() + (settings.RSVP_LINK_MAX_AGE_DAYS + 1) * 86400
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.post(url(token), {"answer": "attending"})
    assert response.status_code == 410
    assert "a expiré" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.rsvp == "none"


def test_a_token_cannot_be_used_for_another_person_or_meeting(client, invited):
    invitation = invited["invitation"]
    other = Invitation.objects.get(meeting=invited["meeting"], person=invited["deputy"])
    for payload in ({"i": invitation.pk, "p": other.person_id, "m": invitation.meeting_id},
                    {"i": invitation.pk, "p": invitation.person_id, "m": invitation.meeting_id + 1000},
                    {"i": other.pk, "p": invitation.person_id, "m": invitation.meeting_id}):
        forged = signing.dumps(payload, salt=SALT, compress=True)  # validly signed, wrong binding
        assert client.post(url(forged), {"answer": "attending"}).status_code == 400
    # A token signed for another purpose (another salt) is not an RSVP token.
    other_salt = signing.dumps({"i": invitation.pk, "p": invitation.person_id, "m": invitation.meeting_id})
    assert client.post(url(other_salt), {"answer": "attending"}).status_code == 400
    assert not Invitation.objects.exclude(rsvp="none").exists()


def test_delegation_convenes_the_deputy_as_the_partners_representative(client, invited,
                                                                      django_capture_on_commit_callbacks):
    invitation = invited["invitation"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(make_token(invitation)), {"answer": "delegated"})
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.rsvp == "delegated" and invitation.delegated_to == invited["deputy"]
    delegated = Invitation.objects.get(delegated_from=invitation)
    assert delegated.person == invited["deputy"] and delegated.recipient == "to" and delegated.state == "sent"
    [message] = mail.outbox
    assert message.to == [invited["deputy"].email]
    assert "France" in message.body and invitation.name in message.body
    # Delegating twice is refused with a message, not a second invitation.
    assert client.post(url(make_token(invitation)), {"answer": "delegated"}).status_code == 400
    assert Invitation.objects.filter(delegated_from__isnull=False).count() == 1


def test_delegation_in_a_group_goes_to_the_binome(django_capture_on_commit_callbacks):
    gt = group()
    canada = partner("Canada")
    expert, binome = person(canada), person(canada)
    expert_seat = seat(expert, gt, "expert")
    seat(binome, gt, "binome", pairs_with=expert_seat)
    m = proposed(gt)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=m)
    invitation = Invitation.objects.get(meeting=m, person=expert)
    with django_capture_on_commit_callbacks(execute=True):
        row = answers.invitation_delegate(invitation=invitation)
    assert row.person == binome and row.delegated_from == invitation


def test_delegation_without_a_deputy_is_refused_with_a_message(client, django_capture_on_commit_callbacks):
    alone = person(partner("Japon"))
    seat(alone, gec(), "titular")
    m = proposed(gec())
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(meeting=m)
    invitation = Invitation.objects.get(meeting=m, person=alone)
    response = client.post(url(make_token(invitation)), {"answer": "delegated"})
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.rsvp == "none"


def test_answers_are_closed_for_a_cancelled_meeting(client, invited, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel_and_notify(meeting=invited["meeting"], reason="")
    response = client.post(url(make_token(invited["invitation"])), {"answer": "attending"})
    assert response.status_code == 400


def test_calendar_feed_lists_invited_meetings_with_the_secret_only(client, invited):
    feed = services.calendar_feed_token_for(invited["titular"])
    response = client.get(reverse("secretariat:calendar_feed", args=[feed.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(invited["meeting"].ical_uid) in str(event["UID"])
    assert client.get(reverse("secretariat:calendar_feed", args=["wrong-secret"])).status_code == 404


def test_csv_download_neutralises_formulas_and_needs_manage_rights(client, secretariat_user, invited):
    seat(person(partner("=HYPERLINK(\"http://evil\")"), last_name="+33"), gec(), "titular")
    m = invited["meeting"]
    link = reverse("secretariat:distribution_csv", args=[m.pk])
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(link).status_code == 403
    client.force_login(secretariat_user)
    # The stored snapshot is what was sent; a fresh one shows the newcomer.
    services.distribution_generate(meeting=m)
    response = client.get(link)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    cells = [cell for row in rows[1:] for cell in row]
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'=HYPERLINK(\"http://evil\")" in cells


def test_vcard_download_parses(client, secretariat_user, invited):
    client.force_login(secretariat_user)
    response = client.get(reverse("secretariat:distribution_vcard", args=[invited["meeting"].pk]))
    assert response.status_code == 200
    text = response.content.decode()
    lines = text.split("\r\n")
    cards = [line for line in lines if line == "BEGIN:VCARD"]
    assert len(cards) == 2 == lines.count("END:VCARD")
    emails = {line.split(":", 1)[1] for line in lines if line.startswith("EMAIL")}
    assert emails == {invited["titular"].email, invited["deputy"].email}
    assert all(":" in line for line in lines if line)


def test_reminder_three_days_before_to_those_who_have_not_answered_once(invited, django_capture_on_commit_callbacks):
    m = invited["meeting"]
    answered = Invitation.objects.get(meeting=m, person=invited["deputy"])
    answers.invitation_rsvp(invitation=answered, answer="attending")
    assert send_reminders() == 0  # 20 days ahead: too early
    start = timezone.now() + datetime.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_services.meeting_reschedule(meeting=m, start=start, end=start + datetime.timedelta(hours=2))
    assert send_reminders() == 1
    [reminder] = mail.outbox
    assert reminder.to == [invited["titular"].email] and "Reminder" in reminder.subject
    assert send_reminders() == 0
    assert len(mail.outbox) == 1
    assert Invitation.objects.get(pk=invited["invitation"].pk).reminded_at is not None


def test_daily_digest_lists_failed_and_unanswered(invited):
    Invitation.objects.filter(pk=invited["invitation"].pk).update(state="failed", last_error="550 mailbox unknown")
    assert send_daily_digest() is True
    [digest] = mail.outbox
    assert digest.to == [settings.SECRETARIAT_EMAIL]
    assert "550 mailbox unknown" in digest.body and invited["deputy"].email in digest.body
