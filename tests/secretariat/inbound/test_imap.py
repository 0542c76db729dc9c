"""The same through a real Dovecot: messages delivered with IMAP APPEND, read, moved to "Traités", or flagged."""

import imaplib
import io

import pytest
from django.core.management import call_command

from membership.models import Person
from ptf_portal import celery_config
from secretariat.inbound import imap, parse
from secretariat.inbound import services as inbound_services
from secretariat.inbound.models import InboundMessage
from secretariat.inbound.tasks import poll_mailbox
from secretariat.models import Invitation
from tests.secretariat.inbound.conftest import message
from tests.secretariat.inbound.dkim_keys import Domains

pytestmark = [pytest.mark.django_db]
DONE = imap.mailbox_name("Traités")


def connect(server) -> imaplib.IMAP4:
    conn = imaplib.IMAP4(server.host, server.port, timeout=10)
    conn.login(server.user, server.password)
    return conn


def deliver(server, *raws: bytes) -> None:
    conn = connect(server)
    for raw in raws:
        typ, _data = conn.append("INBOX", None, None, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        assert typ == "OK"
    conn.logout()


def folder(server, name: str) -> list[tuple[bytes, bytes]]:
    """(flags, Message-ID) of each message in the folder."""
    conn = connect(server)
    typ, count = conn.select(name, readonly=True)
    out = []
    if typ == "OK" and int(count[0]) > 0:
        typ, data = conn.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        for item in data:
            if isinstance(item, tuple):
                out.append((item[0], item[1].strip()))
    conn.logout()
    return out


def test_mailbox_name_is_modified_utf7():
    assert imap.mailbox_name("Traités") == '"Trait&AOk-s"'
    assert imap.mailbox_name("R&D") == '"R&-D"'


def test_replies_bounces_and_auto_replies_through_dovecot(world, mailbox):
    bounced = world.invitation("ursula.eichel@giz.example")
    away = world.invitation("eric.andrieu@enabel.example")
    deliver(mailbox, message("gmail_accepted.eml"), message("dsn_5_1_1_user_unknown.eml", INVITATION_ID=bounced.pk),
            message("ooo_fr_exchange.eml", INVITATION_ID=away.pk), message("broken_calendar.eml"))
    out = io.StringIO()
    call_command("process_mailbox", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(": ", 1)[1].split(" ", 1)[0] for line in lines] == ["answer", "bounce", "auto-reply", "error"]
    assert all(line.startswith("INBOX/") for line in lines)

    attending = world.invitation("inigo.alvarez@aecid.example")
    assert (attending.rsvp, attending.answer_channel) == ("attending", "calendar")
    bounced.refresh_from_db()
    assert bounced.state == Invitation.State.BOUNCED
    assert Person.objects.get(email="ursula.eichel@giz.example").email_failed_at is not None
    away.refresh_from_db()
    assert away.rsvp == "none" and away.out_of_office_at is not None

    # Processed messages moved to "Traités"; the refused one stays, flagged (and read, so it is not re-read).
    assert len(folder(mailbox, DONE)) == 3
    [(flags, message_id)] = folder(mailbox, "INBOX")
    assert b"\\Flagged" in flags and b"\\Seen" in flags and b"broken-calendar-0001" in message_id
    listed = InboundMessage.objects.get(message_id="<broken-calendar-0001@eeas.example>")
    assert listed.needs_attention and listed.outcome == "error"


def test_signed_reply_is_recorded_and_forged_one_held_through_dovecot(world, mailbox, monkeypatch):
    """Two replies read over IMAP as stored by a server that adds no Authentication-Results header: the one
    DKIM-signed by the invitee's domain counts; the one whose From is not its ATTENDEE changes nothing."""
    domains = Domains()
    monkeypatch.setattr(inbound_services, "DNS_LOOKUP", domains.dns)
    genuine = domains.sign(message("gmail_accepted.eml", authenticated=False), "aecid.example")
    # Abigail's own domain signs, but her calendar answers for Íñigo.
    forged = domains.sign(message("gmail_declined.eml", authenticated=False).replace(
        b"TS=0:mailto:abigail.underwood@usaid.example", b"TS=0:mailto:inigo.alvarez@aecid.example"), "usaid.example")
    deliver(mailbox, genuine)
    out = io.StringIO()
    call_command("process_mailbox", stdout=out)
    assert out.getvalue().split(": ", 1)[1].startswith("answer ")
    assert world.invitation("inigo.alvarez@aecid.example").rsvp == "attending"
    deliver(mailbox, forged)
    out = io.StringIO()
    call_command("process_mailbox", stdout=out)
    assert out.getvalue().split(": ", 1)[1].startswith("held ")
    assert world.invitation("inigo.alvarez@aecid.example").rsvp == "attending"
    assert world.invitation("abigail.underwood@usaid.example").rsvp == "none"
    held = InboundMessage.objects.get(outcome="held")
    assert held.detail_code == "held_sender_mismatch" and held.needs_attention
    assert held.authentication == "dkim:usaid.example"  # authentic, but not the attendee's
    # Both were processed: moved to "Traités", nothing left in the inbox.
    assert folder(mailbox, "INBOX") == [] and len(folder(mailbox, DONE)) == 2


def test_same_message_delivered_twice_changes_nothing_the_second_time(world, mailbox):
    deliver(mailbox, message("gmail_declined.eml"))
    assert poll_mailbox() == 1
    invitation = world.invitation("abigail.underwood@usaid.example")
    assert invitation.rsvp == "declined"
    Invitation.objects.filter(pk=invitation.pk).update(rsvp="attending")  # answered since on the portal
    deliver(mailbox, message("gmail_declined.eml"))
    assert poll_mailbox() == 1
    invitation.refresh_from_db()
    assert invitation.rsvp == "attending"
    assert InboundMessage.objects.count() == 1
    assert folder(mailbox, "INBOX") == [] and len(folder(mailbox, DONE)) == 2


def test_message_past_the_size_limit_is_refused_without_being_downloaded(world, mailbox, monkeypatch):
    monkeypatch.setattr(imap, "MAX_MESSAGE_BYTES", 2000)
    monkeypatch.setattr(parse, "MAX_MESSAGE_BYTES", 2000)
    deliver(mailbox, message("gmail_accepted.eml"))
    [polled] = imap.poll()
    assert polled.processed.outcome == "error" and polled.processed.message.detail_code == "too_large"
    assert world.invitation("inigo.alvarez@aecid.example").rsvp == "none"
    [(flags, _id)] = folder(mailbox, "INBOX")
    assert b"\\Flagged" in flags


def test_wrong_password_is_reported_not_raised_by_the_task(world, mailbox, settings):
    settings.INBOUND_IMAP_PASSWORD = "not-the-password"
    deliver(mailbox, message("gmail_accepted.eml"))
    assert poll_mailbox() == 0
    assert len(folder(mailbox, "INBOX")) == 1


def test_beat_runs_the_poll_only_when_a_host_is_set():
    tasks = {entry["task"] for entry in celery_config.beat_schedule.values()}
    assert ("secretariat.inbound.tasks.poll_mailbox" in tasks) == bool(celery_config.settings.INBOUND_IMAP_HOST)
