"""What the portal says about each processed message, rendered in the reader's language.

A processed message keeps a code and its values (names, addresses, dates as ISO strings), so the
secretariat reads the same line in French or English.
"""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.french import from_name

DETAILS = {
    "recorded": gettext_lazy("%(name)s: “%(answer)s” recorded through the calendar (%(meeting)s)."),
    "recorded_stale": gettext_lazy(
        "%(name)s: “%(answer)s” recorded through the calendar (%(meeting)s); the reply was to an earlier "
        "version of the invitation."),
    "stale_kept": gettext_lazy(
        "%(name)s replied to an earlier version of the invitation (%(meeting)s) and has already answered the "
        "current one: nothing changed."),
    "unchanged": gettext_lazy("%(name)s had already given this answer (%(meeting)s): nothing changed."),
    "delegated": gettext_lazy("%(name)s delegated the meeting to %(delegate)s (%(meeting)s)."),
    "delegation_refused": gettext_lazy(
        "%(name)s delegated the meeting to %(address)s, which the representation rules do not allow (M3, M8): "
        "recorded as declined (%(meeting)s); check with the partner."),
    "answer_refused": gettext_lazy("%(name)s: the answer could not be recorded (%(meeting)s): %(error)s"),
    "counter": gettext_lazy("%(name)s proposes another time for %(meeting)s: %(start)s – %(end)s."),
    "cancelled": gettext_lazy("Reply about a cancelled meeting (%(meeting)s): nothing changed."),
    "unknown_uid": gettext_lazy("No meeting of the portal has this calendar identifier: nothing changed."),
    "not_invited": gettext_lazy("%(address)s is not invited to %(meeting)s: nothing changed."),
    "no_attendee": gettext_lazy("The calendar reply names no attendee: nothing changed."),
    "bounce_permanent": gettext_lazy(
        "Permanent delivery failure for %(address)s (%(status)s): invitation marked bounced and the address "
        "flagged. %(diagnostic)s"),
    "bounce_permanent_person": gettext_lazy(
        "Permanent delivery failure for %(address)s (%(status)s): the address is flagged. %(diagnostic)s"),
    "bounce_temporary": gettext_lazy(
        "Temporary delivery failure for %(address)s (%(status)s): noted, the mail servers keep trying. "
        "%(diagnostic)s"),
    "bounce_unmatched": gettext_lazy(
        "Delivery failure for %(address)s, who matches no invitation: nothing changed. %(diagnostic)s"),
    "auto_reply": gettext_lazy("Automatic reply %(from_name)s: shown as away from the office until the meeting."),
    "auto_reply_unmatched": gettext_lazy("Automatic reply %(from_address)s, who is not invited: nothing changed."),
    "free_text": gettext_lazy("Written reply %(from_name)s: read it and record the answer by hand."),
    "free_text_unmatched": gettext_lazy("Written reply %(from_address)s, who is not invited."),
    "duplicate": gettext_lazy("Already processed: nothing changed."),
    "held_sender_mismatch": gettext_lazy(
        "Held: the reply “%(answer)s” for %(name)s (%(meeting)s) was sent by %(sender)s, not by the attendee who "
        "answers (%(attendee)s): nothing changed. Confirm it only if you know it is theirs."),
    "held_unauthenticated": gettext_lazy(
        "Held: the reply “%(answer)s” %(from_name)s (%(meeting)s) is not authenticated as coming %(from_domain)s "
        "(%(reason)s): nothing changed. Confirm it only if you know it is theirs."),
    "held_bounce": gettext_lazy(
        "Held: delivery failure for %(address)s (%(status)s) that names no message the portal sent: nothing "
        "changed. Confirm it only if the address really fails. %(diagnostic)s"),
    "other_method": gettext_lazy("Calendar message that is not a reply: nothing changed."),
    "automatic": gettext_lazy("Automatic message that is not a reply: nothing changed."),
    "empty": gettext_lazy("Empty message: nothing changed."),
    "too_large": gettext_lazy("Refused: the message is larger than the limit."),
    "headers_too_large": gettext_lazy("Refused: the message headers are too large."),
    "too_many_parts": gettext_lazy("Refused: the message has too many parts."),
    "too_deep": gettext_lazy("Refused: the message nests too many parts."),
    "too_slow": gettext_lazy("Refused: reading the message took too long."),
    "part_too_large": gettext_lazy("Refused: a part of the message is larger than the limit."),
    "broken_calendar": gettext_lazy("Refused: the calendar part cannot be read."),
    "broken_mime": gettext_lazy("Refused: the message structure is broken."),
    "broken_message": gettext_lazy("Refused: the message cannot be read."),
    "broken_report": gettext_lazy("Refused: the delivery report cannot be read."),
    "processing_failed": gettext_lazy(
        "Not processed because of an error of the portal (in the server log): the message stays flagged in the "
        "mailbox; mark it unread to process it again."),
}

# Why a reply is not authenticated (`authentication.Authentication.reason`).
REASONS = {
    "no_proof": gettext_lazy("no DKIM signature of its domain, no Authentication-Results of a trusted server"),
    "bad_signature": gettext_lazy("its DKIM signature does not verify"),
    "signature_not_aligned": gettext_lazy("its DKIM signature is another domain's"),
    "signature_partial": gettext_lazy("its DKIM signature covers only part of the message"),
    "dns_error": gettext_lazy("the DKIM key could not be read from DNS"),
    "results_fail": gettext_lazy("the secretariat's mail server did not authenticate it"),
    "results_unreadable": gettext_lazy("the Authentication-Results header of the secretariat's server is unreadable"),
    "several_from": gettext_lazy("the message has several From headers"),
    "no_from": gettext_lazy("the message has no sender address"),
    "check_failed": gettext_lazy("the check failed"),
}

ANSWERS = {
    "attending": gettext_lazy("attending"),
    "declined": gettext_lazy("declined"),
    "tentative": gettext_lazy("tentative"),
    "delegated": gettext_lazy("delegated"),
}


def format_moment(value) -> str:
    """“17 décembre 2026 à 15 h 00” / “17 December 2026 at 15:00”, in the portal's time zone."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return "—"
    # Translators: a Django date format; French: "j F Y \à G \h i" (17 décembre 2026 à 9 h 00).
    return formats.date_format(timezone.localtime(moment), _("j F Y \\a\\t H:i"))


def render_detail(code: str, params: dict) -> str:
    template = DETAILS.get(code)
    if template is None:
        return ""
    values = {key: value for key, value in (params or {}).items()}
    if "answer" in values:
        values["answer"] = str(ANSWERS.get(values["answer"], values["answer"]))
    if "reason" in values:
        values["reason"] = str(REASONS.get(values["reason"], values["reason"]))
    for key in ("start", "end"):
        if key in values:
            values[key] = format_moment(values[key])
    # French elides "de" before a vowel: "Réponse écrite d'Ingrid", "de Moussa" (English "from …").
    for key in ("name", "address", "domain"):
        if values.get(key):
            values[f"from_{key}"] = from_name(str(values[key]))
    values.setdefault("status", "—")
    values.setdefault("diagnostic", "")
    try:
        return (str(template) % values).strip()
    except (KeyError, TypeError, ValueError):
        return str(template)
