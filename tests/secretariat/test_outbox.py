"""The outbox against a real SMTP server on loopback (aiosmtpd): batches, RFC 3463 outcomes, the breaker,
ambiguous acknowledgements, rows left "sending", the requeue's lock, stable Message-IDs and links.

These run on SQLite with eager Celery (the batch runs when the transaction commits); the same scenarios with
Redis, PostgreSQL and real workers are in test_outbox_faults.py.
"""

import datetime
import math
import smtplib

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from secretariat import outbox, services
from secretariat.emails import invitation_message
from secretariat.message_ids import make_message_id, parse_message_id
from secretariat.models import Invitation, OutboxState
from secretariat.selectors import invitation_progress
from tests.connection_loss import lose_this_connection
from tests.factories import gec
from tests.secretariat.factories import proposed
from tests.secretariat.outbox_directory import directory
from tests.secretariat.test_real_services import _gec
from tests.smtp_sink import SmtpSink

pytestmark = pytest.mark.django_db


@pytest.fixture
def sink(settings):
    server = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
    settings.EMAIL_CONNECT_TIMEOUT = settings.EMAIL_COMMAND_TIMEOUT = 5
    settings.INVITATION_BATCH_SIZE = 8
    settings.SMTP_BREAKER_THRESHOLD = 3
    settings.SITE_URL = "https://portal.ptf-mali.org"
    yield server
    server.stop()


def send(meeting, capture):
    with capture(execute=True):
        return services.invitations_send(meeting=meeting)


def rows(meeting):
    return list(Invitation.objects.filter(meeting=meeting).order_by("pk"))


def breaker():
    return OutboxState.objects.get(name=outbox.BREAKER)


def close_breaker_period():
    OutboxState.objects.filter(name=outbox.BREAKER).update(until=timezone.now() - datetime.timedelta(seconds=1))


def due_now(meeting):
    Invitation.objects.filter(meeting=meeting).update(next_attempt_at=timezone.now())


def test_a_batch_sends_over_one_connection_with_stable_message_ids(sink, django_capture_on_commit_callbacks):
    directory(gec(), 10)
    meeting = proposed(gec())
    assert send(meeting, django_capture_on_commit_callbacks) == 20
    assert all(row.state == "sent" and row.attempts == 1 for row in rows(meeting))
    assert sink.connections == math.ceil(20 / 8)  # one per batch
    ids = sink.message_ids()
    assert sorted(ids) == sorted(make_message_id(invitation_id=row.pk, kind="request", sequence=row.sequence)
                                 for row in rows(meeting))
    assert all(i.endswith("@portal.ptf-mali.org>") for i in ids)
    assert {parse_message_id(i).invitation_id for i in ids} == {row.pk for row in rows(meeting)}


def test_a_550_fails_its_row_at_once_with_the_reason_and_the_batch_goes_on(sink, django_capture_on_commit_callbacks):
    people = directory(gec(), 4)
    refused = people[1][1].email.lower()
    sink.refuse_rcpt[refused] = f"550 5.1.1 <{refused}>: Recipient address rejected: User unknown"
    meeting = proposed(gec())
    send(meeting, django_capture_on_commit_callbacks)
    failed = Invitation.objects.get(meeting=meeting, email__iexact=refused)
    assert failed.state == "failed" and failed.attempts == 1 and "5.1.1" in failed.last_error
    assert Invitation.objects.filter(meeting=meeting, state="sent").count() == 7
    assert sink.connections == 1
    assert not outbox.breaker_is_open()


def test_a_temporary_refusal_of_a_recipient_backs_off_only_that_row(sink, django_capture_on_commit_callbacks):
    people = directory(gec(), 3)
    greylisted = people[0][2].email.lower()
    sink.refuse_rcpt[greylisted] = f"450 4.2.0 <{greylisted}>: Recipient address rejected: Greylisted"
    meeting = proposed(gec())
    send(meeting, django_capture_on_commit_callbacks)
    row = Invitation.objects.get(meeting=meeting, email__iexact=greylisted)
    assert row.state == "pending" and row.attempts == 1 and row.next_attempt_at > timezone.now()
    assert "4.2.0" in row.last_error and row.queued_at == outbox.NOT_QUEUED
    assert Invitation.objects.filter(meeting=meeting, state="sent").count() == 5


@pytest.mark.parametrize(("code", "text", "kind"), [
    (550, b"5.1.1 User unknown", "permanent"),
    (554, b"Transaction failed", "permanent"),
    (452, b"4.2.2 Mailbox full", "temporary"),
    (550, b"4.7.1 Try again later", "temporary"),  # the enhanced code's class wins (RFC 3463)
    (451, b"Local error in processing", "temporary"),
])
def test_replies_are_read_by_their_rfc_3463_class(code, text, kind):
    outcome = outbox.classify(smtplib.SMTPDataError(code, text), end_of_data_sent=True)
    assert outcome.kind == kind


def test_a_connection_lost_after_the_end_of_data_is_ambiguous_and_before_it_is_not():
    lost = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    assert outbox.classify(lost, end_of_data_sent=True).kind == "ambiguous"
    before = outbox.classify(lost, end_of_data_sent=False)
    assert before.kind == "temporary" and not before.charged and before.server
    assert outbox.classify(TimeoutError("timed out"), end_of_data_sent=True).kind == "ambiguous"


def test_a_451_after_data_stops_the_batch_and_opens_the_breaker_then_everything_goes(
        sink, settings, django_capture_on_commit_callbacks):
    settings.SMTP_BREAKER_THRESHOLD = 2
    directory(gec(), 8)
    sink.data_reply = "451 4.3.0 Local error in processing"
    first = proposed(gec(), title="Premier")
    second = proposed(gec(), days=40, title="Second")
    send(first, django_capture_on_commit_callbacks)
    # each of the two batches tried one message, then stopped: the rest were released untouched
    assert sink.refused == 2 and breaker().until is not None
    tried = Invitation.objects.filter(meeting=first, attempts=1)
    assert tried.count() == 2 and all(r.state == "pending" and "4.3.0" in r.last_error for r in tried)
    assert Invitation.objects.filter(meeting=first, attempts=0, state="pending").count() == 14
    send(second, django_capture_on_commit_callbacks)  # breaker open: nothing is tried
    assert sink.refused == 2 and not Invitation.objects.filter(meeting=second, attempts__gt=0).exists()
    assert outbox.requeue(older_than_seconds=0) == 0  # nor published

    sink.data_reply = ""
    close_breaker_period()
    due_now(first)
    outbox.requeue(older_than_seconds=0)  # eager: the first batch probes, closes the breaker, the rest follow
    assert not Invitation.objects.exclude(state="sent").exists()
    assert breaker().until is None and breaker().failures == 0
    counts = sink.invitation_counts()
    assert len(counts) == 32 and set(counts.values()) == {1}


def test_dropped_acknowledgements_double_at_most_one_message_per_connection(
        sink, settings, django_capture_on_commit_callbacks):
    settings.SMTP_BREAKER_OPEN_SECONDS = 60
    directory(gec(), 8)
    meeting = proposed(gec())
    sink.drop_after_data = True
    send(meeting, django_capture_on_commit_callbacks)
    uncertain = list(Invitation.objects.filter(meeting=meeting, delivery_uncertain=True))
    assert len(uncertain) == 1  # the breaker opened at the first lost acknowledgement
    assert uncertain[0].state == "pending" and "Connection" in uncertain[0].last_error
    assert outbox.breaker_is_open()
    progress = invitation_progress([meeting.pk])[meeting.pk]
    assert progress["checking"] == 1 and progress["pending"] == 15

    sink.drop_after_data = False
    close_breaker_period()
    due_now(meeting)
    outbox.requeue(older_than_seconds=0)
    assert not Invitation.objects.filter(meeting=meeting).exclude(state="sent").exists()
    counts = sink.invitation_counts()
    assert len(counts) == 16
    assert {pk for pk, n in counts.items() if n > 1} == {uncertain[0].pk}
    copies = [i for i in sink.message_ids() if parse_message_id(i).invitation_id == uncertain[0].pk]
    assert len(copies) == 2 and len(set(copies)) == 1  # the same Message-ID: the receiver can collapse them
    progress = invitation_progress([meeting.pk])[meeting.pk]
    assert progress["resent"] == 1 and progress["checking"] == 0 and progress["done"]


def test_a_server_down_burns_no_attempt_and_the_breaker_holds_the_queue(
        sink, settings, django_capture_on_commit_callbacks):
    directory(gec(), 12)
    meeting = proposed(gec())
    sink.stop()  # nobody listens
    send(meeting, django_capture_on_commit_callbacks)
    assert not Invitation.objects.filter(meeting=meeting).exclude(state="pending").exists()
    assert not Invitation.objects.filter(meeting=meeting, attempts__gt=0).exists()
    assert breaker().until is not None and "Connection" in breaker().last_error
    sink.start()
    close_breaker_period()
    outbox.requeue(older_than_seconds=0)
    assert Invitation.objects.filter(meeting=meeting, state="sent").count() == 24


def test_rows_left_sending_are_uncertain_only_when_their_hand_over_had_begun(
        sink, settings, django_capture_on_commit_callbacks):
    settings.INVITATION_SENDING_TIMEOUT = 60
    directory(gec(), 2)
    meeting = proposed(gec())
    with django_capture_on_commit_callbacks(execute=False):
        services.invitations_send(meeting=meeting)
    a, b, c, d = rows(meeting)
    old = timezone.now() - datetime.timedelta(seconds=61)
    # a: its content had started to leave when the batch died; d: the batch died before its hand-over.
    Invitation.objects.filter(pk=a.pk).update(state="sending", attempts=1, claimed_at=old, claimed_by="dead",
                                              handover_at=old)
    Invitation.objects.filter(pk=b.pk).update(state="sending", attempts=settings.INVITATION_MAX_ATTEMPTS,
                                              claimed_at=old, claimed_by="dead", handover_at=old)
    Invitation.objects.filter(pk=c.pk).update(state="sending", attempts=1, claimed_at=timezone.now(),
                                              claimed_by="alive", handover_at=timezone.now())
    Invitation.objects.filter(pk=d.pk).update(state="sending", attempts=1, claimed_at=old, claimed_by="dead")
    progress = invitation_progress([meeting.pk])[meeting.pk]
    assert progress["checking"] == 3  # the three whose batch stopped answering: "à vérifier"
    outbox.requeue(older_than_seconds=0)
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db(), d.refresh_from_db()
    # a may have reached the server once: flagged, counted, sent again (two hand-overs).
    assert a.state == "sent" and a.delivery_uncertain and a.attempts == 2 and a.messages_sent == 2
    assert a.handover_at is None
    assert b.state == "failed" and b.delivery_uncertain and b.messages_sent == 1  # spent: it ends
    assert c.state == "sending"  # its batch is alive: untouched
    # d never reached the server: simply sent, without the flag.
    assert d.state == "sent" and not d.delivery_uncertain and d.messages_sent == 1
    assert sink.invitation_counts() == {a.pk: 1, d.pk: 1}


def test_the_hand_over_is_recorded_just_before_the_content_leaves(sink, django_capture_on_commit_callbacks,
                                                                   monkeypatch):
    directory(gec(), 2)
    meeting = proposed(gec())
    seen = []
    real = outbox.mark_handover

    def watching(row, token):
        seen.append((row.pk, len(sink.messages), Invitation.objects.get(pk=row.pk).state))
        real(row, token)
        assert Invitation.objects.get(pk=row.pk).handover_at is not None

    monkeypatch.setattr(outbox, "mark_handover", watching)
    send(meeting, django_capture_on_commit_callbacks)
    # One hand-over per message, each before the server took that message in, while the row is "sending".
    assert [(n, state) for _pk, n, state in seen] == [(i, "sending") for i in range(4)]
    assert set(Invitation.objects.filter(meeting=meeting).values_list("handover_at", "messages_sent")) == {(None, 1)}


def test_a_database_that_cannot_record_stops_the_batch_and_the_recovery_flags_only_that_message(
        sink, settings, django_capture_on_commit_callbacks, monkeypatch):
    settings.INVITATION_SENDING_TIMEOUT = 60
    directory(gec(), 3)
    meeting = proposed(gec())
    real = outbox.record
    refused = []

    def database_down_once(row, token, outcome):
        if not refused:
            refused.append(row.pk)
            raise outbox.CannotRecord("invitation as sent")
        return real(row, token, outcome)

    monkeypatch.setattr(outbox, "record", database_down_once)
    send(meeting, django_capture_on_commit_callbacks)
    # The first message left, its "sent" could not be written: nothing else was sent.
    assert list(sink.invitation_counts()) == refused
    assert Invitation.objects.filter(meeting=meeting, state="sending").count() == 6
    first = Invitation.objects.get(pk=refused[0])
    assert first.handover_at is not None
    # The batch died there (in-process, it cannot wait): the recovery takes its rows.
    Invitation.objects.filter(meeting=meeting).update(claimed_at=timezone.now() - datetime.timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True):
        outbox.requeue(older_than_seconds=0)
    counts = sink.invitation_counts()
    uncertain = set(Invitation.objects.filter(meeting=meeting, delivery_uncertain=True).values_list("pk", flat=True))
    assert uncertain == {pk for pk, n in counts.items() if n > 1} == {first.pk}
    assert not Invitation.objects.filter(meeting=meeting).exclude(state="sent").exists()
    # "N message(s) envoyé(s)" is what the server took in, duplicates included.
    assert sum(Invitation.objects.filter(meeting=meeting).values_list("messages_sent", flat=True)) == \
        len(sink.messages) == 7


def test_a_hand_over_that_cannot_be_recorded_sends_nothing(sink, settings, django_capture_on_commit_callbacks,
                                                          monkeypatch):
    directory(gec(), 2)
    meeting = proposed(gec())

    def database_down(row, token):
        raise outbox.CannotRecord("hand-over")

    monkeypatch.setattr(outbox, "mark_handover", database_down)
    send(meeting, django_capture_on_commit_callbacks)
    assert sink.messages == []  # the transaction was dropped inside DATA: the server discarded it
    rows_left = Invitation.objects.filter(meeting=meeting)
    assert set(rows_left.values_list("state", "handover_at")) == {("sending", None)}
    Invitation.objects.filter(meeting=meeting).update(claimed_at=timezone.now() - datetime.timedelta(hours=1))
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.requeue(older_than_seconds=0)
    assert not rows_left.filter(delivery_uncertain=True).exists()  # never reached the server: no flag
    assert set(rows_left.values_list("state", "messages_sent")) == {("sent", 1)}


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_while_a_message_is_built_stops_the_batch_until_the_database_answers(
        postgres_database, sink, settings, django_capture_on_commit_callbacks, monkeypatch):
    settings.INVITATION_BATCH_TIME_LIMIT = 20  # waits at most 10 s for the database
    directory(_gec(), 3)
    meeting = proposed(_gec())
    real_build = outbox._build_invitation
    lost = []

    def build(row, shared):
        if len(sink.messages) == 2 and not lost:
            lost.append(row.pk)
            lose_this_connection()
            shared.clear()  # so this build reads the agenda again, on the lost connection
        return real_build(row, shared)

    monkeypatch.setattr(outbox, "_build_invitation", build)
    send(meeting, django_capture_on_commit_callbacks)
    assert lost
    # Not a fault of the row: nothing charged, nothing left sending, every message out once.
    assert {(row.state, row.attempts, row.delivery_uncertain) for row in rows(meeting)} == {("sent", 1, False)}
    assert sorted(sink.invitation_counts().values()) == [1] * len(rows(meeting))


def test_a_task_copy_during_a_backoff_claims_nothing(sink, django_capture_on_commit_callbacks):
    directory(gec(), 1)
    meeting = proposed(gec())
    with django_capture_on_commit_callbacks(execute=False):
        services.invitations_send(meeting=meeting)
    later = timezone.now() + datetime.timedelta(minutes=5)
    Invitation.objects.filter(meeting=meeting).update(next_attempt_at=later)
    ids = [row.pk for row in rows(meeting)]
    assert outbox.send_batch(ids)["claimed"] == 0
    assert outbox.requeue(older_than_seconds=0) == 0
    assert sink.connections == 0


def test_two_requeues_at_once_take_the_lock_in_turn(sink, django_capture_on_commit_callbacks):
    directory(gec(), 2)
    meeting = proposed(gec())
    with django_capture_on_commit_callbacks(execute=False):
        services.invitations_send(meeting=meeting)
    token = outbox.lock_acquire(outbox.REQUEUE_LOCK, 60)  # another beat's requeue is running
    assert outbox.requeue(older_than_seconds=0) == 0 and sink.connections == 0
    outbox.lock_release(outbox.REQUEUE_LOCK, token)
    assert outbox.requeue(older_than_seconds=0) == 4
    assert outbox.requeue(older_than_seconds=0) == 0


def test_a_resend_keeps_its_message_id_rsvp_link_and_dtstamp(settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://portal.ptf-mali.org"
    directory(gec(), 1)
    meeting = proposed(gec())
    with django_capture_on_commit_callbacks(execute=False):
        services.invitations_send(meeting=meeting)
    row = Invitation.objects.select_related("meeting__instance").filter(meeting=meeting).first()
    first = invitation_message(row)
    later = timezone.now() + datetime.timedelta(hours=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        second = invitation_message(row)

    def stamp(message):
        ics = next(content for content, mimetype in message.alternatives if mimetype.startswith("text/calendar"))
        event = next(c for c in Calendar.from_ical(ics).walk("VEVENT"))
        return event.decoded("dtstamp")

    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.body == second.body  # the RSVP link inside is the same
    assert "/rsvp/" in first.body or "rsvp" in first.body.lower()
    assert stamp(first) == stamp(second) == row.message_at.replace(microsecond=0)


def test_eager_development_sending_still_works_with_the_file_backend(django_capture_on_commit_callbacks):
    directory(gec(), 2)
    meeting = proposed(gec())
    send(meeting, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 4
    assert all(m.extra_headers["Message-ID"].startswith("<ptf.invitation.") for m in mail.outbox)


def test_calendar_parts_shared_in_a_batch_give_each_attendee_their_own_invitation(django_capture_on_commit_callbacks):
    directory(gec(), 2)
    meeting = proposed(gec())
    with django_capture_on_commit_callbacks(execute=False):
        services.invitations_send(meeting=meeting)
    shared = {}
    for row in Invitation.objects.select_related("meeting__instance").filter(meeting=meeting):
        alone = Calendar.from_ical(invitation_message(row).attachments[0][1])
        batched = Calendar.from_ical(invitation_message(row, shared=shared).attachments[0][1])
        [a], [b] = alone.walk("VEVENT"), batched.walk("VEVENT")
        assert str(b["attendee"]) == str(a["attendee"]) == f"mailto:{row.email}"
        assert b["attendee"].params["CN"] == row.name
        assert {k: v for k, v in a.items() if k != "ATTENDEE"} == {k: v for k, v in b.items() if k != "ATTENDEE"}
    # One message of one meeting: built once per language (the ORGANIZER is named in the reader's language).
    languages = set(Invitation.objects.filter(meeting=meeting).values_list("language", flat=True))
    assert len([k for k in shared if k[0] == "ics"]) == len(languages) == 2


def test_progress_says_to_be_checked_and_the_roster_keeps_the_uncertain_delivery(
        client, secretariat_user, django_capture_on_commit_callbacks):
    directory(gec(), 2)
    meeting = proposed(gec())
    with django_capture_on_commit_callbacks(execute=False):
        services.invitations_send(meeting=meeting)
    row = rows(meeting)[0]
    Invitation.objects.filter(pk=row.pk).update(delivery_uncertain=True)
    client.force_login(secretariat_user)
    page = client.get(f"/meetings/{meeting.pk}/progress/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "à vérifier" in page and 'class="n-checking">1<' in page
    Invitation.objects.filter(meeting=meeting).update(state="sent")
    page = client.get(f"/meetings/{meeting.pk}/progress/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1 renvoyé après un envoi incertain" in page
    roster = client.get(f"/meetings/{meeting.pk}/answers/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert roster.count('class="small uncertain"') == 1


def test_progress_counts_every_state_and_uncertainty_as_the_roster_reads_them(settings):
    """Each (state, uncertain delivery, sending claim old or recent) once, and a second meeting apart."""
    settings.INVITATION_SENDING_TIMEOUT = 600
    meeting, other = proposed(gec()), proposed(gec(), days=40)
    old, recent = timezone.now() - datetime.timedelta(hours=1), timezone.now()
    n = 0
    for state in Invitation.State.values:
        for uncertain in (False, True):
            for claimed_at in (None, old, recent):
                n += 1
                Invitation.objects.create(meeting=meeting, email=f"p{n}@example.org", name=f"P{n}", state=state,
                                          delivery_uncertain=uncertain, claimed_at=claimed_at, messages_sent=n % 3)
    Invitation.objects.create(meeting=other, email="o@example.org", name="O", state="sent", messages_sent=1)
    progress = invitation_progress([meeting.pk, other.pk])
    # 6 rows per state; "checking": the 6 uncertain waiting rows, and the sending row of an old claim.
    assert {key: progress[meeting.pk][key] for key in
            ("sent", "failed", "pending", "checking", "resent", "bounced", "total", "messages", "done")} == {
        "sent": 6, "failed": 12, "pending": 12 - 7, "checking": 7, "resent": 3, "bounced": 6, "total": 30,
        "messages": sum(k % 3 for k in range(1, 31)), "done": False}
    assert progress[other.pk]["sent"] == progress[other.pk]["total"] == 1 and progress[other.pk]["done"]


def test_when_the_probe_closes_the_breaker_the_held_back_rows_are_published_at_once(
        sink, settings, django_capture_on_commit_callbacks, monkeypatch):
    settings.SMTP_BREAKER_THRESHOLD = 1
    directory(gec(), 4)
    first = proposed(gec(), title="Premier")
    second = proposed(gec(), days=40, title="Second")
    sink.data_reply = "451 4.3.0 Local error in processing"
    send(first, django_capture_on_commit_callbacks)
    send(second, django_capture_on_commit_callbacks)  # refused by the open breaker: held back, not queued
    held = Invitation.objects.filter(meeting=second)
    assert held.filter(state="pending", queued_at=outbox.NOT_QUEUED).count() == 8
    sink.data_reply = ""
    close_breaker_period()
    due_now(first)
    published = []
    real = outbox.publish_all
    monkeypatch.setattr(outbox, "publish_all", lambda task, lists: published.append(lists) or real(task, lists))
    probe = Invitation.objects.filter(meeting=first).order_by("pk").first()
    outbox.send_batch([probe.pk])  # one batch probes and succeeds: no requeue tick in between
    assert breaker().until is None
    assert published and not Invitation.objects.exclude(state="sent").exists()
    assert set(sink.invitation_counts().values()) == {1} and len(sink.invitation_counts()) == 16
