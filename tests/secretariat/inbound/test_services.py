"""Applying inbound messages: answers through the calendar channel, the delegation and version rules, bounces,
automatic replies, free text, idempotency, and no mail ever sent back."""

import datetime

import pytest
from django.core import mail

from meetings.models import Meeting
from membership.models import Person
from secretariat import services as secretariat_services
from secretariat.answers import answer_record
from secretariat.inbound import services as inbound_services
from secretariat.inbound.models import InboundMessage
from secretariat.inbound.services import inbound_process
from secretariat.models import Invitation
from tests.secretariat.factories import group, partner, person, proposed, seat
from tests.secretariat.inbound.conftest import MEETING_UID, MESSAGES, TRUSTED_SERVER, message

pytestmark = pytest.mark.django_db


def answers(world):
    return dict(Invitation.objects.filter(meeting=world.meeting).values_list("email", "rsvp"))


@pytest.mark.parametrize("name, email, answer", [
    ("outlook_accepted.eml", "ulrike.ostergaard@eeas.example", "attending"),
    ("gmail_accepted.eml", "inigo.alvarez@aecid.example", "attending"),
    ("apple_accepted_attachment.eml", "anneliese.gross@ada.example", "attending"),
    ("thunderbird_accepted_base64.eml", "isabella.rossi@aics.example", "attending"),
    ("gmail_declined.eml", "abigail.underwood@usaid.example", "declined"),
    ("outlook_tentative.eml", "olof.ekstrom@sida.example", "tentative"),
])
def test_calendar_reply_records_the_answer_through_the_calendar(world, name, email, answer):
    before = answers(world)
    processed = inbound_process(raw=message(name))
    invitation = world.invitation(email)
    assert processed.outcome == "answer"
    assert (invitation.rsvp, invitation.answer_channel, invitation.answered_sequence) == (answer, "calendar", 0)
    assert processed.message.invitation == invitation
    # Nobody else's answer moved.
    after = answers(world)
    assert {k: v for k, v in after.items() if k != email} == {k: v for k, v in before.items() if k != email}


def test_tentative_reply_keeps_the_comment_as_the_note(world):
    inbound_process(raw=message("outlook_tentative.eml"))
    assert world.invitation("olof.ekstrom@sida.example").answer_note == "Je confirme dès que possible."


def test_alias_attendee_is_held_since_the_sender_is_not_the_attendee(world):
    """outlook.com answers for an alias the directory does not know, from the invitee's own address: held."""
    processed = inbound_process(raw=message("outlookcom_accepted_alias.eml"))
    assert (processed.outcome, processed.message.detail_code) == ("held", "held_sender_mismatch")
    assert processed.message.invitation == world.invitation("astrid.eklund@sida.example")
    assert world.invitation("astrid.eklund@sida.example").rsvp == "none"


def test_rule_M3_calendar_delegation_to_the_deputy_convenes_the_deputy(world):
    processed = inbound_process(raw=message("delegated_to_deputy.eml"))
    titular = world.invitation("eloise.obriain@irlande.example")
    deputy = world.invitation("aodhan.kelly@irlande.example")
    assert processed.outcome == "answer" and processed.message.detail_code == "delegated"
    assert (titular.rsvp, titular.answer_channel, titular.delegated_to.email) == (
        "delegated", "calendar", "aodhan.kelly@irlande.example")
    assert deputy.delegated_from == titular and deputy.recipient == Invitation.Recipient.TO


def test_rule_M3_calendar_delegation_to_someone_without_a_seat_is_declined_with_a_note(world):
    processed = inbound_process(raw=message("delegated_refused.eml"))
    titular = world.invitation("oyvind.aasen@norvege.example")
    assert (titular.rsvp, titular.delegated_to) == ("declined", None)
    assert "ingrid.lie@norvege.example" in titular.answer_note
    assert processed.message.detail_code == "delegation_refused" and processed.message.needs_attention
    assert not Invitation.objects.filter(meeting=world.meeting, email="ingrid.lie@norvege.example").exists()


def _reschedule(world):
    meeting = world.meeting
    secretariat_services.meeting_reschedule_and_notify(
        meeting=meeting, start=meeting.start + datetime.timedelta(hours=2),
        end=meeting.end + datetime.timedelta(hours=2))
    meeting.refresh_from_db()
    assert meeting.ical_sequence == 1


def test_reply_to_an_earlier_version_is_recorded_while_the_current_one_is_unanswered(world):
    _reschedule(world)
    processed = inbound_process(raw=message("stale_sequence_declined.eml"))
    invitation = world.invitation("inigo.alvarez@aecid.example")
    assert processed.outcome == "answer" and processed.message.detail_code == "recorded_stale"
    assert (invitation.rsvp, invitation.answered_sequence) == ("declined", 0)


def test_reply_to_an_earlier_version_does_not_replace_an_answer_to_the_current_one(world):
    _reschedule(world)
    invitation = world.invitation("inigo.alvarez@aecid.example")
    answer_record(invitation=invitation, answer="attending", channel="link")
    processed = inbound_process(raw=message("stale_sequence_declined.eml"))
    invitation.refresh_from_db()
    assert processed.outcome == "ignored" and processed.message.detail_code == "stale_kept"
    assert (invitation.rsvp, invitation.answer_channel, invitation.answered_sequence) == ("attending", "link", 1)


def test_counter_is_listed_with_its_proposed_time_and_answers_nothing(world):
    before = answers(world)
    processed = inbound_process(raw=message("outlook_counter.eml"))
    row = processed.message
    assert processed.outcome == "ignored" and row.kind == "counter" and row.needs_attention
    assert row.proposed_start == datetime.datetime(2026, 12, 17, 15, tzinfo=datetime.UTC)
    assert row.invitation == world.invitation("ulrike.ostergaard@eeas.example")
    assert answers(world) == before


@pytest.mark.parametrize("name, outcome, code", [
    ("cancelled_meeting_reply.eml", "ignored", "cancelled"),
    ("unknown_uid.eml", "unmatched", "unknown_uid"),
    ("not_invited.eml", "unmatched", "not_invited"),
])
def test_replies_that_match_no_open_invitation_change_nothing_and_are_reported(world, name, outcome, code):
    everything = dict(Invitation.objects.values_list("pk", "rsvp"))
    processed = inbound_process(raw=message(name))
    assert (processed.outcome, processed.message.detail_code) == (outcome, code)
    assert processed.message.needs_attention
    assert dict(Invitation.objects.values_list("pk", "rsvp")) == everything


def test_permanent_bounce_marks_the_invitation_bounced_and_flags_the_address(world):
    invitation = world.invitation("ursula.eichel@giz.example")
    processed = inbound_process(raw=message("dsn_5_1_1_user_unknown.eml", INVITATION_ID=invitation.pk))
    invitation.refresh_from_db()
    person = Person.objects.get(email="ursula.eichel@giz.example")
    assert processed.outcome == "bounce"
    assert invitation.state == Invitation.State.BOUNCED and "5.1.1" in invitation.bounce_diagnostic
    assert person.email_failed_at is not None and "User unknown" in person.email_failure


def test_bounce_quoting_another_address_is_not_trusted_for_its_invitation_number(world):
    """The quoted Message-ID is Ulrike's, the failed recipient is Ursula: neither is proven, both stay as they were."""
    other = world.invitation("ulrike.ostergaard@eeas.example")
    processed = inbound_process(raw=message("dsn_5_1_1_user_unknown.eml", INVITATION_ID=other.pk))
    assert processed.outcome == "held"
    assert not Invitation.objects.filter(state=Invitation.State.BOUNCED).exists()
    assert not Person.objects.filter(email_failed_at__isnull=False).exists()


def test_non_standard_bounce_naming_only_the_failed_recipient_is_held(world):
    processed = inbound_process(raw=message("exim_bounce_no_report.eml"))
    assert (processed.outcome, processed.message.detail_code) == ("held", "held_bounce")
    assert processed.message.invitation.email == "a.alotaibi@sfd.example" and processed.message.needs_attention
    assert Person.objects.get(email="a.alotaibi@sfd.example").email_failed_at is None
    assert processed.message.invitation.state == Invitation.State.SENT


def test_temporary_failure_is_noted_without_changing_the_state(world):
    invitation = world.invitation("amal.almansouri@uae-aid.example")
    processed = inbound_process(raw=message("dsn_4_4_7_delayed.eml", INVITATION_ID=invitation.pk))
    invitation.refresh_from_db()
    assert processed.outcome == "bounce" and processed.message.detail_code == "bounce_temporary"
    assert invitation.state == Invitation.State.SENT
    assert Person.objects.get(email="amal.almansouri@uae-aid.example").email_failed_at is None


@pytest.mark.parametrize("name, email", [("ooo_fr_exchange.eml", "eric.andrieu@enabel.example"),
                                         ("ooo_en_subject_only.eml", "ian.oconnor@fcdo.example"),
                                         ("autoreply_precedence.eml", "akira.ueda@jica.example")])
def test_out_of_office_changes_no_answer_and_shows_the_person_away(world, name, email):
    invitation = world.invitation(email)
    before = answers(world)
    processed = inbound_process(raw=message(name, INVITATION_ID=invitation.pk))
    invitation.refresh_from_db()
    assert processed.outcome == "auto-reply"
    assert answers(world) == before
    assert invitation.out_of_office_at is not None and invitation.rsvp == "none"
    # Not for the cancelled meeting: nothing to be away from.
    assert world.invitation(email, world.cancelled).out_of_office_at is None


def test_free_text_is_listed_for_the_secretariat_not_guessed(world):
    processed = inbound_process(raw=message("free_text_present.eml"))
    invitation = world.invitation("yasmine.idrissi@bad.example")
    assert invitation.rsvp == "none"
    assert processed.message.kind == "free_text" and processed.message.needs_attention
    assert processed.message.invitation == invitation and "Je serai présent" in processed.message.excerpt


def test_same_message_twice_changes_nothing_the_second_time(world):
    first = inbound_process(raw=message("gmail_accepted.eml"))
    invitation = world.invitation("inigo.alvarez@aecid.example")
    answer_record(invitation=invitation, answer="declined", channel="portal")  # a later answer from the portal
    second = inbound_process(raw=message("gmail_accepted.eml"))
    invitation.refresh_from_db()
    assert (first.outcome, second.outcome, second.duplicate) == ("answer", "ignored", True)
    assert invitation.rsvp == "declined"
    assert InboundMessage.objects.count() == 1


def test_message_without_message_id_is_keyed_on_its_content(world):
    raw = message("gmail_accepted.eml").replace(b"Message-ID:", b"X-Old-Message-ID:")
    assert inbound_process(raw=raw).outcome == "answer"
    assert inbound_process(raw=raw).duplicate
    assert InboundMessage.objects.get().key.startswith("sha256:")


def test_bounce_twice_is_processed_once(world):
    invitation = world.invitation("ursula.eichel@giz.example")
    raw = message("dsn_5_1_1_user_unknown.eml", INVITATION_ID=invitation.pk)
    inbound_process(raw=raw)
    failed_at = Person.objects.get(email="ursula.eichel@giz.example").email_failed_at
    assert inbound_process(raw=raw).duplicate
    assert Person.objects.get(email="ursula.eichel@giz.example").email_failed_at == failed_at


@pytest.mark.parametrize("name", ["broken_mime.eml", "broken_calendar.eml"])
def test_hostile_message_is_refused_and_listed(world, name):
    before = answers(world)
    processed = inbound_process(raw=message(name))
    assert processed.outcome == "error" and processed.failed and processed.message.needs_attention
    assert answers(world) == before


def test_processing_failure_is_listed_and_retried_when_the_message_comes_back(world, monkeypatch):
    real = inbound_services._apply

    def broken(parsed):
        raise RuntimeError("database went away")

    monkeypatch.setattr(inbound_services, "_apply", broken)
    first = inbound_process(raw=message("gmail_accepted.eml"))
    assert first.failed and first.message.detail_code == "processing_failed"
    monkeypatch.setattr(inbound_services, "_apply", real)
    again = inbound_process(raw=message("gmail_accepted.eml"))
    assert again.outcome == "answer" and not again.duplicate
    assert InboundMessage.objects.count() == 1


def test_no_message_is_ever_sent_back_to_a_sender(world, django_capture_on_commit_callbacks):
    """No automatic answer, no loop: whatever comes in, nothing leaves for its sender."""
    ids = {"INVITATION_ID": world.invitation("ursula.eichel@giz.example").pk}
    senders = set()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for path in sorted(MESSAGES.glob("*.eml")):
            processed = inbound_process(raw=message(path.name, **ids))
            senders.add(processed.message.sender)
    recipients = {address.lower() for sent in mail.outbox for address in sent.to + sent.cc}
    assert senders and not (recipients & senders)
    # The only message that leaves is the portal's invitation to the deputy convened by delegation (M3).
    assert recipients <= {"aodhan.kelly@irlande.example"}


def test_rule_M8_calendar_delegation_in_a_group_goes_to_the_binome(db, settings, django_capture_on_commit_callbacks):
    """In a GT the expert's DELEGATED-TO names their binôme: a delegation; the binôme is convened."""
    settings.SITE_URL = "https://portail.ptf-mali.example"
    settings.INBOUND_TRUSTED_AUTHSERV_IDS = [TRUSTED_SERVER]
    gt = group("GT-EAU", sector="eau et assainissement")
    ireland = partner("Irlande")
    expert = person(ireland, first_name="Éloïse", last_name="Ó Briain", email="eloise.obriain@irlande.example",
                    function="expert")
    binome = person(ireland, first_name="Aodhán", last_name="Kelly", email="aodhan.kelly@irlande.example",
                    function="expert")
    expert_seat = seat(expert, gt, "expert")
    seat(binome, gt, "binome", pairs_with=expert_seat)
    meeting = proposed(gt, days=12, title="Réunion du GT Eau")
    Meeting.objects.filter(pk=meeting.pk).update(ical_uid=MEETING_UID)
    meeting.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        secretariat_services.invitations_send(meeting=meeting)
    processed = inbound_process(raw=message("delegated_to_deputy.eml"))
    invitation = Invitation.objects.get(meeting=meeting, person=expert)
    assert processed.outcome == "answer"
    assert (invitation.rsvp, invitation.delegated_to, invitation.answer_channel) == ("delegated", binome, "calendar")
    assert Invitation.objects.get(meeting=meeting, person=binome).delegated_from == invitation


def test_reply_with_a_sequence_above_the_meetings_counts_for_the_current_version(world):
    raw = message("gmail_accepted.eml").replace(b"SEQUENCE:0", b"SEQUENCE:7")
    assert inbound_process(raw=raw).outcome == "answer"
    invitation = world.invitation("inigo.alvarez@aecid.example")
    assert (invitation.rsvp, invitation.answered_sequence) == ("attending", world.meeting.ical_sequence)
