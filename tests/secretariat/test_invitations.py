"""Invitations: e-mail in the person's language, the iCalendar parsed back, exactly-once sending, retries."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from secretariat import outbox, services
from secretariat.models import Invitation
from secretariat.tasks import requeue_pending_invitations, send_invitation
from tests.factories import gec
from tests.secretariat.factories import partner, person, proposed, seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    france, uk = partner("France"), partner("Royaume-Uni")
    fr_titular = person(france, language="fr", last_name="Dupont")
    fr_deputy = person(france, language="fr")
    en_titular = person(uk, language="en", last_name="Smith")
    seat(fr_titular, gec(), "titular")
    seat(fr_deputy, gec(), "deputy")
    seat(en_titular, gec(), "titular")
    return {"fr": fr_titular, "deputy": fr_deputy, "en": en_titular}


def send(meeting, capture):
    with capture(execute=True):
        return services.invitations_send(meeting=meeting)


def mail_to(address, outbox=None):
    found = [m for m in (outbox if outbox is not None else mail.outbox) if m.to == [address]]
    assert len(found) == 1, [m.to for m in mail.outbox]
    return found[0]


def calendar_of(message):
    [alternative] = [a for a in message.alternatives if a.mimetype.startswith("text/calendar")]
    [attachment] = [a for a in message.attachments if a[0] == "invite.ics"]
    assert alternative.content.encode() == attachment[1]
    return Calendar.from_ical(attachment[1]), alternative.mimetype


def test_send_convenes_writes_rows_and_mails_everyone_once(cast, django_capture_on_commit_callbacks):
    m = proposed(gec())
    assert send(m, django_capture_on_commit_callbacks) == 3
    m.refresh_from_db()
    assert m.status == "convened"
    assert Invitation.objects.filter(meeting=m, state="sent").count() == 3
    assert sorted(x.to[0] for x in mail.outbox) == sorted(p.email for p in cast.values())
    deputy_row = Invitation.objects.get(meeting=m, person=cast["deputy"])
    assert deputy_row.recipient == "cc" and "M2" in deputy_row.reason


def test_email_is_in_the_persons_language_with_agenda_and_rsvp_link(cast, django_capture_on_commit_callbacks):
    m = proposed(gec(), items=2, place="Salle de conférence", start=timezone.make_aware(
        datetime.datetime(2027, 3, 10, 9, 0)))
    send(m, django_capture_on_commit_callbacks)
    french, english = mail_to(cast["fr"].email), mail_to(cast["en"].email)
    assert "mars" in french.body and "mercredi" in french.body
    assert "March" in english.body and "Wednesday" in english.body
    assert "Invitation" in english.subject and "GEC" in english.subject
    for message in (french, english):
        assert "Item 1" in message.body and "Item 2" in message.body
        assert "Salle de conférence" in message.body
        assert f"{settings.SITE_URL}/secretariat/rsvp/" in message.body
        [html] = [a for a in message.alternatives if a.mimetype == "text/html"]
        assert "Item 2" in html.content
    assert 'lang="fr"' in [a for a in french.alternatives if a.mimetype == "text/html"][0].content
    assert 'lang="en"' in [a for a in english.alternatives if a.mimetype == "text/html"][0].content


def test_ics_request_parses_back_with_uid_sequence_organizer_attendee(cast, django_capture_on_commit_callbacks):
    m = proposed(gec())
    send(m, django_capture_on_commit_callbacks)
    cal, mimetype = calendar_of(mail_to(cast["fr"].email))
    assert mimetype == "text/calendar; method=REQUEST"
    assert str(cal["METHOD"]) == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]).startswith(str(m.ical_uid)) and "@" in str(event["UID"])
    assert int(event["SEQUENCE"]) == 0
    assert str(event["ORGANIZER"]) == f"mailto:{settings.SECRETARIAT_EMAIL}"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{cast['fr'].email}"
    assert attendee.params["RSVP"] == "TRUE"
    assert event.decoded("DTSTART") == m.start and event.decoded("DTSTART").tzinfo is not None
    assert event.decoded("DTEND") == m.end


def test_update_has_same_uid_and_next_sequence_then_cancel(cast, django_capture_on_commit_callbacks):
    m = proposed(gec())
    send(m, django_capture_on_commit_callbacks)
    [first_event] = calendar_of(mail_to(cast["en"].email))[0].walk("VEVENT")
    mail.outbox.clear()
    new_start = m.start + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        m, count = services.meeting_reschedule_and_notify(
            meeting=m, start=new_start, end=new_start + datetime.timedelta(hours=2), place="Hôtel de l'Amitié")
    assert count == 3
    cal, _ = calendar_of(mail_to(cast["en"].email))
    [update] = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(update["UID"]) == str(first_event["UID"])
    assert int(update["SEQUENCE"]) == int(first_event["SEQUENCE"]) + 1
    assert update.decoded("DTSTART") == new_start
    assert "Updated" in mail_to(cast["en"].email).subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel_and_notify(meeting=m, reason="Force majeure")
    cal, mimetype = calendar_of(mail_to(cast["en"].email))
    [cancel] = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "CANCEL" and mimetype == "text/calendar; method=CANCEL"
    assert str(cancel["UID"]) == str(first_event["UID"])
    assert int(cancel["SEQUENCE"]) > int(update["SEQUENCE"])
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert "Force majeure" in mail_to(cast["en"].email).body


def test_sending_twice_is_refused_and_invites_nobody_twice(cast, django_capture_on_commit_callbacks):
    m = proposed(gec())
    send(m, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        send(m, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3


def test_task_run_twice_sends_once(cast):
    m = proposed(gec())
    services.invitations_send(meeting=m)  # on_commit callbacks not run: rows only
    invitation = Invitation.objects.filter(meeting=m).first()
    assert invitation.state == "pending"
    assert send_invitation(invitation.pk)["sent"] == 1
    assert send_invitation(invitation.pk)["claimed"] == 0
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.state == "sent" and invitation.attempts == 1 and invitation.sent_at


def test_failures_back_off_then_fail_with_the_error_and_retry_works(cast, settings,
                                                                    django_capture_on_commit_callbacks):
    settings.INVITATION_BACKOFF_SECONDS = 30
    m = proposed(gec())
    services.invitations_send(meeting=m)
    invitation = Invitation.objects.filter(meeting=m).first()
    refusal = smtplib.SMTPRecipientsRefused({invitation.email: (450, b"4.2.1 Mailbox busy")})
    waits = []
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refusal):
        for _ in range(settings.INVITATION_MAX_ATTEMPTS):
            send_invitation(invitation.pk)
            invitation.refresh_from_db()
            waits.append((invitation.next_attempt_at - timezone.now()).total_seconds())
            Invitation.objects.filter(pk=invitation.pk).update(next_attempt_at=timezone.now())
    assert waits[0] < waits[1] < waits[2]  # exponential backoff
    invitation.refresh_from_db()
    assert invitation.state == "failed" and invitation.attempts == settings.INVITATION_MAX_ATTEMPTS
    assert "4.2.1" in invitation.last_error
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_retry(invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.state == "sent"
    assert len(mail.outbox) == 1
    with pytest.raises(ValidationError):
        services.invitation_retry(invitation=invitation)


def test_backoff_is_capped(settings):
    assert outbox.backoff_seconds(1) < outbox.backoff_seconds(2) < outbox.backoff_seconds(3)
    assert outbox.backoff_seconds(40) == settings.INVITATION_BACKOFF_MAX_SECONDS


def test_requeue_sends_lost_rows_exactly_once_and_rescues_stuck_ones(cast, settings):
    m = proposed(gec())
    services.invitations_send(meeting=m)  # as if Redis had lost the messages: rows, no message
    assert requeue_pending_invitations() == 0  # queued recently: their message may still come
    Invitation.objects.update(queued_at=timezone.now() - datetime.timedelta(seconds=settings.INVITATION_REQUEUE_AFTER + 1),
                              next_attempt_at=timezone.now() - datetime.timedelta(minutes=2))
    assert requeue_pending_invitations() == 3
    assert requeue_pending_invitations() == 0
    assert len(mail.outbox) == 3
    stuck = Invitation.objects.first()
    Invitation.objects.filter(pk=stuck.pk).update(state="sending", claimed_at=timezone.now() - datetime.timedelta(hours=1))
    assert requeue_pending_invitations() == 1
    assert len(mail.outbox) == 4


def test_a_row_waiting_for_its_backoff_is_not_requeued_early(cast):
    m = proposed(gec())
    services.invitations_send(meeting=m)
    Invitation.objects.update(queued_at=timezone.now() - datetime.timedelta(minutes=5),
                              next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))
    assert requeue_pending_invitations() == 0
