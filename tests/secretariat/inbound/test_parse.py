"""Reading raw messages: each client's shape, bounces, automatic replies, hostile messages (no database)."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secretariat.inbound import parse
from secretariat.inbound.parse import Kind, parse_message
from tests.secretariat.inbound.conftest import MEETING_UID, message

UID = f"{MEETING_UID}@portail.ptf-mali.example"


@pytest.mark.parametrize("name, address, partstat, prodid", [
    # Outlook/Exchange: no ORGANIZER, Microsoft PRODID, quoted-printable, mixed-case address, CRLF.
    ("outlook_accepted.eml", "ulrike.ostergaard@eeas.example", "ACCEPTED", "Microsoft Exchange Server 2010"),
    # outlook.com: MAILTO in capitals, an alias as ATTENDEE.
    ("outlookcom_accepted_alias.eml", "astrid@eklund-hemma.example", "ACCEPTED", "Microsoft Exchange Server 2010"),
    # Gmail: CN, CUTYPE, X-NUM-GUESTS, a folded ATTENDEE line, the calendar inline and as invite.ics.
    ("gmail_accepted.eml", "inigo.alvarez@aecid.example", "ACCEPTED", "-//Google Inc//Google Calendar 70.9054//EN"),
    # Apple: the calendar as an attached file only.
    ("apple_accepted_attachment.eml", "anneliese.gross@ada.example", "ACCEPTED", "-//Apple Inc.//macOS 15.1//EN"),
    # Thunderbird: the calendar base64-encoded.
    ("thunderbird_accepted_base64.eml", "isabella.rossi@aics.example", "ACCEPTED",
     "-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN"),
    ("gmail_declined.eml", "abigail.underwood@usaid.example", "DECLINED", "-//Google Inc//Google Calendar 70.9054//EN"),
    ("outlook_tentative.eml", "olof.ekstrom@sida.example", "TENTATIVE", "Microsoft Exchange Server 2010"),
])
def test_calendar_replies_of_each_client_are_read(name, address, partstat, prodid):
    parsed = parse_message(message(name))
    assert parsed.kind == Kind.ANSWER
    assert parsed.calendar.method == "REPLY"
    assert parsed.calendar.uid == UID
    assert parsed.calendar.prodid == prodid
    assert (parsed.calendar.attendees[0].email, parsed.calendar.attendees[0].partstat) == (address, partstat)


def test_outlook_reply_has_no_organizer_and_is_still_an_answer():
    raw = message("outlook_accepted.eml")
    assert b"ORGANIZER" not in raw
    assert parse_message(raw).kind == Kind.ANSWER


def test_gmail_attendee_keeps_its_accented_common_name():
    attendee = parse_message(message("gmail_accepted.eml")).calendar.attendees[0]
    assert attendee.name == "Íñigo Álvarez"


def test_delegation_names_the_delegate():
    reply = parse_message(message("delegated_to_deputy.eml")).calendar
    assert reply.attendees[0].partstat == "DELEGATED"
    assert reply.attendees[0].delegated_to == "aodhan.kelly@irlande.example"


def test_counter_is_not_an_answer_and_carries_the_proposed_time():
    parsed = parse_message(message("outlook_counter.eml"))
    assert parsed.kind == Kind.COUNTER
    assert parsed.calendar.proposed_start.isoformat() == "2026-12-17T15:00:00+00:00"
    assert parsed.calendar.proposed_end.isoformat() == "2026-12-17T17:00:00+00:00"


def test_rfc3464_report_gives_status_recipient_and_original_message():
    parsed = parse_message(message("dsn_5_1_1_user_unknown.eml", INVITATION_ID=41))
    assert parsed.kind == Kind.BOUNCE
    bounce = parsed.bounce
    assert (bounce.status, bounce.permanent, bounce.recipient) == ("5.1.1", True, "ursula.eichel@giz.example")
    assert bounce.original.invitation_id == 41 and bounce.invitation_header == 41
    assert "User unknown" in bounce.diagnostic


def test_non_standard_bounce_is_read_from_its_text():
    bounce = parse_message(message("exim_bounce_no_report.eml")).bounce
    assert (bounce.status, bounce.permanent, bounce.recipient) == ("5.1.1", True, "a.alotaibi@sfd.example")
    assert bounce.original is None


def test_delay_report_is_temporary():
    bounce = parse_message(message("dsn_4_4_7_delayed.eml", INVITATION_ID=7)).bounce
    assert (bounce.status, bounce.permanent) == ("4.4.1", False)


@pytest.mark.parametrize("name", ["ooo_fr_exchange.eml", "ooo_en_subject_only.eml", "autoreply_precedence.eml"])
def test_automatic_replies_are_recognised(name):
    assert parse_message(message(name, INVITATION_ID=3)).kind == Kind.AUTO_REPLY


def test_automatic_reply_that_says_present_is_not_an_answer():
    # "Je serai présent à mon retour": an out-of-office is never read as an answer.
    parsed = parse_message(message("ooo_fr_exchange.eml", INVITATION_ID=3))
    assert parsed.kind == Kind.AUTO_REPLY and parsed.calendar is None


def test_free_text_keeps_what_the_person_wrote_without_the_quoted_invitation():
    parsed = parse_message(message("free_text_present.eml"))
    assert parsed.kind == Kind.FREE_TEXT
    assert "Je serai présent" in parsed.excerpt
    assert "rsvp" not in parsed.excerpt


@pytest.mark.parametrize("name, reason", [("broken_mime.eml", "broken_mime"),
                                          ("broken_calendar.eml", "broken_calendar")])
def test_broken_messages_are_refused(name, reason):
    parsed = parse_message(message(name))
    assert (parsed.kind, parsed.reason) == (Kind.ERROR, reason)


def _multipart(parts: int, size: int = 10) -> bytes:
    body = "".join(f"--b\nContent-Type: text/plain\n\n{'x' * size}\n" for _ in range(parts))
    return (f"From: a@hostile.example\nMessage-ID: <parts-{parts}@hostile.example>\nMIME-Version: 1.0\n"
            f"Content-Type: multipart/mixed; boundary=b\n\n{body}--b--\n").encode()


def test_thousands_of_parts_are_refused_quickly():
    start = time.monotonic()
    parsed = parse_message(_multipart(5000))
    assert (parsed.kind, parsed.reason) == (Kind.ERROR, "too_many_parts")
    assert time.monotonic() - start < 1


def test_huge_message_is_refused_before_parsing():
    raw = _multipart(1, size=parse.MAX_MESSAGE_BYTES + 10)
    start = time.monotonic()
    parsed = parse_message(raw)
    assert (parsed.kind, parsed.reason) == (Kind.ERROR, "too_large")
    assert parsed.message_id == "<parts-1@hostile.example>"
    assert time.monotonic() - start < 1


def test_huge_calendar_part_is_refused():
    cal = "BEGIN:VCALENDAR\nMETHOD:REPLY\nX-PAD:" + "y" * (parse.MAX_CALENDAR_BYTES + 1) + "\nEND:VCALENDAR\n"
    raw = ("From: a@hostile.example\nMIME-Version: 1.0\nContent-Type: text/calendar; method=REPLY\n\n" + cal).encode()
    assert parse_message(raw).reason == "part_too_large"


def test_deeply_nested_message_is_refused():
    inner = "Content-Type: text/plain\n\nhi\n"
    for n in range(parse.MAX_DEPTH + 3):
        inner = f"Content-Type: multipart/mixed; boundary=n{n}\n\n--n{n}\n{inner}--n{n}--\n"
    parsed = parse_message(("From: a@hostile.example\nMIME-Version: 1.0\n" + inner).encode())
    assert (parsed.kind, parsed.reason) == (Kind.ERROR, "too_deep")


def test_key_is_the_message_id_or_the_content():
    with_id = parse_message(message("gmail_accepted.eml"))
    assert with_id.key.startswith("mid:<CAF7m2k")
    without = b"From: a@b.example\nSubject: hello\n\nNo Message-ID here.\n"
    assert parse_message(without).key == parse_message(without).key
    assert parse_message(without).key.startswith("sha256:")
    assert parse_message(without + b"!").key != parse_message(without).key


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_mutated_fixtures_never_raise(data):
    """Whatever the bytes, parsing returns a classification, never an exception."""
    name = data.draw(st.sampled_from(["gmail_accepted.eml", "dsn_5_1_1_user_unknown.eml", "outlook_accepted.eml",
                                      "apple_accepted_attachment.eml", "ooo_fr_exchange.eml"]))
    raw = bytearray(message(name, INVITATION_ID=1))
    for _ in range(data.draw(st.integers(1, 20))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position:position + 1] = data.draw(st.binary(min_size=0, max_size=8))
    parsed = parse_message(bytes(raw))
    assert parsed.kind in {Kind.ANSWER, Kind.COUNTER, Kind.BOUNCE, Kind.AUTO_REPLY, Kind.FREE_TEXT, Kind.IGNORED,
                           Kind.ERROR}


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=4000))
def test_fuzz_random_bytes_never_raise(raw):
    assert parse_message(raw).kind in {Kind.FREE_TEXT, Kind.IGNORED, Kind.ERROR, Kind.AUTO_REPLY, Kind.BOUNCE}


def test_a_few_hundred_parts_are_refused_by_the_exact_count():
    parsed = parse_message(_multipart(parse.MAX_PARTS + 5))
    assert (parsed.kind, parsed.reason) == (Kind.ERROR, "too_many_parts")


def test_a_long_quoted_thread_is_not_taken_for_many_parts():
    thread = "".join(f"\n-----Original Message-----\nFrom: x{n}@y.example\n\nmerci\n" for n in range(300))
    raw = ("From: Yasmine Idrissi <yasmine.idrissi@bad.example>\nSubject: RE: Invitation\n"
           "Content-Type: text/plain; charset=utf-8\n\nJe serai présente.\n" + thread).encode()
    parsed = parse_message(raw)
    assert parsed.kind == Kind.FREE_TEXT and parsed.excerpt.startswith("Je serai présente.")
