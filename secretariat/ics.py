"""iCalendar documents made with the `icalendar` package: invitations (REQUEST/CANCEL) and personal feeds."""

from __future__ import annotations

import datetime
from urllib.parse import urlparse

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//PTF Mali//Coordination portal//FR"


def uid_for(meeting) -> str:
    """One stable UID per meeting, for its whole life (updates and cancellation reuse it)."""
    domain = urlparse(settings.SITE_URL).hostname or "ptf-mali.example.org"
    return f"{meeting.ical_uid}@{domain}"


def _organizer() -> vCalAddress:
    organizer = vCalAddress(f"mailto:{settings.SECRETARIAT_EMAIL}")
    # The recipient's language: the messages are built under their translation.override().
    organizer.params["CN"] = vText(_("PTF Secretariat / SEG"))
    return organizer


# The answer recorded on the invitation, as the attendee's participation status (RFC 5545).
PARTSTAT = {"attending": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE", "delegated": "DELEGATED"}


def _attendee(email: str, name: str, recipient: str = "to", answer: str = "none",
              delegated_to: str = "", delegated_from: str = "") -> vCalAddress:
    attendee = vCalAddress(f"mailto:{email}")
    attendee.params["CN"] = vText(name)
    attendee.params["ROLE"] = vText("REQ-PARTICIPANT" if recipient == "to" else "OPT-PARTICIPANT")
    partstat = PARTSTAT.get(answer, "NEEDS-ACTION")
    attendee.params["PARTSTAT"] = vText(partstat)
    # Someone who answered is not asked again by their calendar.
    attendee.params["RSVP"] = vText("TRUE" if partstat == "NEEDS-ACTION" else "FALSE")
    if partstat == "DELEGATED" and delegated_to:
        attendee.params["DELEGATED-TO"] = vText(f"mailto:{delegated_to}")
    if delegated_from:
        attendee.params["DELEGATED-FROM"] = vText(f"mailto:{delegated_from}")
    return attendee


def meeting_event(meeting, *, sequence: int, cancelled: bool = False, description: str = "",
                  attendee: dict | None = None, dtstamp=None) -> Event:
    event = Event()
    event.add("uid", uid_for(meeting))
    # DTSTAMP: when this message was written (RFC 5545 §3.8.7.2 with METHOD), so a resend repeats it.
    event.add("dtstamp", (dtstamp or timezone.now()).astimezone(datetime.UTC))
    event.add("dtstart", meeting.start.astimezone(datetime.UTC))
    event.add("dtend", meeting.end.astimezone(datetime.UTC))
    event.add("sequence", sequence)
    event.add("summary", meeting.heading)
    location = meeting.place or meeting.video_link
    if location:
        event.add("location", location)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _organizer())
    if attendee is not None:
        event.add("attendee", _attendee(**attendee))
    return event


def invitation_attendee(invitation) -> dict:
    """The invitee as ATTENDEE, with the answer they gave (an update keeps it: their calendar asks nothing)."""
    delegated_to = invitation.delegated_to.email if invitation.delegated_to_id else ""
    delegated_from = invitation.delegated_from.email if invitation.delegated_from_id else ""
    return {"email": invitation.email, "name": invitation.name, "recipient": invitation.recipient,
            "answer": invitation.rsvp, "delegated_to": delegated_to, "delegated_from": delegated_from}


def invitation_calendar(invitation, *, description: str = "", shared: dict | None = None) -> bytes:
    """METHOD:REQUEST for an invitation or update, METHOD:CANCEL for a cancellation.

    With `shared` (a dict kept for a batch of messages), the parts common to every attendee of one message
    of one meeting are serialised once, and only the ATTENDEE line is written per invitation.
    """
    if shared is not None:
        dtstamp = getattr(invitation, "message_at", None)
        key = ("ics", invitation.meeting_id, invitation.kind, invitation.sequence,
               dtstamp.replace(microsecond=0) if dtstamp else None, description, translation.get_language())
        if key not in shared:
            head, _sep, tail = _calendar(invitation, description, attendee=None).rpartition(b"END:VEVENT")
            shared[key] = (head, b"END:VEVENT" + tail)
        head, tail = shared[key]
        line = Event()
        line.add("attendee", _attendee(**invitation_attendee(invitation)))
        return head + line.content_lines()[1].to_ical() + b"\r\n" + tail
    return _calendar(invitation, description, attendee=invitation_attendee(invitation))


def _calendar(invitation, description: str, *, attendee) -> bytes:
    cancelled = invitation.kind == "cancel"
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    cal.add_component(meeting_event(
        invitation.meeting, sequence=invitation.sequence, cancelled=cancelled, description=description,
        attendee=attendee, dtstamp=getattr(invitation, "message_at", None),
    ))
    return cal.to_ical()


def feed_calendar(meetings, *, name: str) -> bytes:
    """A subscription feed: each meeting once, at its current sequence (cancelled ones say so)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, sequence=meeting.ical_sequence,
                                        cancelled=meeting.status == "cancelled"))
    return cal.to_ical()
