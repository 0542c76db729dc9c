"""Applying what a message of the secretariat's mailbox says: the one way in for inbound mail.

`inbound_process` classifies a raw message (`parse.parse_message`), applies it and records it as an
`InboundMessage`, once: the same message again (same Message-ID, or same content without one) changes
nothing. A calendar reply changes an answer only when it is authenticated as coming from its invitee: its From is
the ATTENDEE who answers (`core.addresses.same_address`) and the message is authenticated (`authentication.py`:
a DKIM signature verified here, or the Authentication-Results of a trusted server); otherwise it is *held*: listed
for the secretariat, who may confirm it (`inbound_confirm`). A bounce changes a state only when it names a
Message-ID the portal sent (with its MAC, `secretariat.message_ids`); one matched any other way is held too.
Answers go through `answer_record` with the channel "calendar", which checks the delegation rules (M3, M8) and the
older-SEQUENCE rule. Nothing here ever sends a message back (no mail loops).
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.addresses import address_key_or_empty, same_address
from meetings.models import Meeting
from membership.models import Person
from membership.services import person_mark_email_failed
from secretariat.answers import answer_record, seat_return_after_bounce
from secretariat.inbound.authentication import Authentication, authenticate, from_domain
from secretariat.inbound.models import InboundMessage
from secretariat.inbound.parse import Kind, Parsed, parse_message
from secretariat.models import Invitation

logger = logging.getLogger(__name__)

Outcome = InboundMessage.Outcome
PROCESSING_FAILED = "processing_failed"
# The DNS lookup DKIM verification uses (dkimpy's own when None); tests serve their own keys through it.
DNS_LOOKUP = None

# iTIP PARTSTAT (RFC 5545 §3.2.12) → the portal's answer.
PARTSTAT_ANSWERS = {
    "ACCEPTED": "attending",
    "DECLINED": "declined",
    "TENTATIVE": "tentative",
    "DELEGATED": "delegated",
}


class _Result:
    """What applying a message did: its outcome, detail, links and whether the SEG must look at it."""

    def __init__(self, outcome, code, params=None, *, attention=False, invitation=None, meeting=None):
        self.outcome, self.code, self.params = outcome, code, params or {}
        self.attention, self.invitation, self.meeting = attention, invitation, meeting
        self.proposed_start = self.proposed_end = None
        self.held_action: dict = {}


def _held(code, params, invitation, action, meeting=None) -> _Result:
    """Nothing changes: the message is listed for the secretariat with what it would change once confirmed."""
    result = _Result(Outcome.HELD, code, params, attention=True, invitation=invitation,
                     meeting=meeting or (invitation.meeting if invitation else None))
    result.held_action = action
    return result


# --- the three steps that write the answers' data ------------------------------------------------------


def _record_answer(*, invitation, answer: str, sequence: int, delegate_to=None, note: str = "", by_user=None):
    """Record a calendar answer through the answers' single entry point (rules M3, M8, older SEQUENCE); `by_user`
    is the secretariat member who confirmed a held reply."""
    return answer_record(invitation=invitation, answer=answer, channel="calendar", note=note, sequence=sequence,
                         delegate_to=delegate_to, by_user=by_user)


def _mark_bounced(invitation: Invitation, diagnostic: str) -> bool:
    """→ bounced with the diagnostic, saved so the audit (history) shows it; a repeat changes nothing."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.state == Invitation.State.BOUNCED:
        return False
    locked.state, locked.bounce_diagnostic = Invitation.State.BOUNCED, diagnostic[:2000]
    locked._change_reason = "bounce"
    locked.save(update_fields=["state", "bounce_diagnostic"])
    invitation.state, invitation.bounce_diagnostic = locked.state, locked.bounce_diagnostic
    return True


def _mark_away(invitations: list[Invitation]) -> int:
    """Out of office: the roster says so next to the person until the meeting; the answer is untouched."""
    return Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(out_of_office_at=timezone.now())


# --- matching -------------------------------------------------------------------------------------------


def meeting_for_uid(uid: str) -> Meeting | None:
    """The meeting whose calendar UID is `<meeting.ical_uid>@<site host>` (secretariat.ics.uid_for)."""
    local = (uid or "").split("@", 1)[0].strip()
    try:
        value = uuid.UUID(local)
    except ValueError:
        return None
    return Meeting.objects.select_related("instance").filter(ical_uid=value).first()


def _invitees(meeting: Meeting) -> dict[str, Invitation]:
    """{address key: invitation} for every invitation of the meeting, by its address and its person's."""
    out: dict[str, Invitation] = {}
    rows = (Invitation.objects.filter(meeting=meeting)
            .select_related("person", "meeting__instance").order_by("pk"))
    for invitation in rows:
        key = address_key_or_empty(invitation.email)
        if key:
            out[key] = invitation
        if invitation.person_id and invitation.person.email:
            person_key = address_key_or_empty(invitation.person.email)
            if person_key:
                out.setdefault(person_key, invitation)
    return out


def _belongs_to(invitation: Invitation, address: str) -> bool:
    return same_address(invitation.email, address) or bool(
        invitation.person_id and same_address(invitation.person.email, address))


def _upcoming_invitations(address: str) -> list[Invitation]:
    """The address's invitations to meetings not over yet (the person may be invited under another address)."""
    if not address:
        return []
    # The database narrows, the one normalisation decides (its case-insensitive match folds more than ours).
    rows = (Invitation.objects.filter(Q(email__iexact=address) | Q(person__email__iexact=address),
                                      meeting__end__gte=timezone.now())
            .exclude(meeting__status=Meeting.Status.CANCELLED)
            .select_related("meeting__instance", "person").order_by("meeting__start", "pk"))
    return [invitation for invitation in rows if _belongs_to(invitation, address)]


def _person_with_address(address: str) -> Person | None:
    return next((p for p in Person.objects.filter(email__iexact=address) if same_address(p.email, address)), None)


def _referenced(parsed: Parsed) -> Invitation | None:
    """The invitation the message answers (In-Reply-To/References), only if it was sent to the sender."""
    if parsed.references is None:
        return None
    invitation = Invitation.objects.select_related("meeting__instance", "person").filter(
        pk=parsed.references.invitation_id).first()
    if invitation is None:
        return None
    return invitation if _belongs_to(invitation, parsed.sender) else None


def _meeting_label(meeting: Meeting) -> str:
    return meeting.heading


# --- each kind ------------------------------------------------------------------------------------------


def _apply_calendar(parsed: Parsed, auth: Authentication | None) -> _Result:
    reply = parsed.calendar
    meeting = meeting_for_uid(reply.uid)
    if meeting is None:
        return _Result(Outcome.UNMATCHED, "unknown_uid", attention=True)
    label = _meeting_label(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        return _Result(Outcome.IGNORED, "cancelled", {"meeting": label}, attention=True, meeting=meeting)
    invitees = _invitees(meeting)
    answering = [a for a in reply.attendees if a.partstat in PARTSTAT_ANSWERS or reply.method == "COUNTER"]
    if not answering:
        return _Result(Outcome.UNMATCHED, "no_attendee", attention=True, meeting=meeting)
    # The ATTENDEE who answers, matched to an invitee; the sender's own line first when several answer.
    sender_key = address_key_or_empty(parsed.sender)
    answering.sort(key=lambda a: address_key_or_empty(a.email) != sender_key)
    attendee, invitation = next(((a, invitees[address_key_or_empty(a.email)]) for a in answering
                                 if address_key_or_empty(a.email) in invitees), (None, None))
    if invitation is None and sender_key in invitees:
        # An alias: the client answers for an address the invitation was not sent to, from the invitee's own.
        attendee, invitation = answering[0], invitees[sender_key]
    if invitation is None:
        return _Result(Outcome.UNMATCHED, "not_invited", {"address": answering[0].email or parsed.sender,
                                                          "meeting": label}, attention=True, meeting=meeting)
    name = invitation.name
    if reply.method == "COUNTER":
        result = _Result(Outcome.IGNORED, "counter", {
            "name": name, "meeting": label,
            "start": reply.proposed_start.isoformat() if reply.proposed_start else "",
            "end": reply.proposed_end.isoformat() if reply.proposed_end else "",
        }, attention=True, invitation=invitation, meeting=meeting)
        result.proposed_start, result.proposed_end = reply.proposed_start, reply.proposed_end
        return result
    answer = PARTSTAT_ANSWERS[attendee.partstat]
    # A client that counts versions its own way (a SEQUENCE above ours) still answers the current version.
    action = {"type": "answer", "answer": answer, "sequence": min(reply.sequence, meeting.ical_sequence),
              "note": reply.comment, "delegated_to": attendee.delegated_to}
    common = {"name": name, "meeting": label, "answer": answer}
    # Whoever answers must be whoever sent: the From is the ATTENDEE (an alias not in the directory is held too).
    if not same_address(attendee.email, parsed.sender):
        return _held("held_sender_mismatch", {**common, "sender": parsed.sender or "?", "attendee": attendee.email},
                     invitation, action)
    if settings.INBOUND_REQUIRE_AUTHENTICATION and (auth is None or not auth.verified):
        return _held("held_unauthenticated", {**common, "domain": from_domain(parsed.sender) or "?",
                                              "reason": auth.reason if auth else "no_proof"}, invitation, action)
    return _record_reply(invitation, action, {"name": name, "meeting": label})


def _record_reply(invitation, action: dict, common: dict, by_user=None) -> _Result:
    """Record an (authenticated or confirmed) calendar answer; a delegation follows M3/M8 or becomes declined."""
    answer, sequence, note = action["answer"], action["sequence"], action.get("note", "")
    if answer == "delegated":
        return _apply_delegation(invitation, action.get("delegated_to", ""), sequence, common, by_user)
    try:
        outcome = _record_answer(invitation=invitation, answer=answer, sequence=sequence, note=note, by_user=by_user)
    except ValidationError as error:
        return _Result(Outcome.IGNORED, "answer_refused", {**common, "error": " ".join(error.messages)},
                       attention=True, invitation=invitation, meeting=invitation.meeting)
    return _answer_result(outcome, invitation, answer, common)


def _answer_result(outcome, invitation, answer, common) -> _Result:
    meeting = invitation.meeting
    if outcome.changed:
        code = "recorded_stale" if outcome.stale else "recorded"
        return _Result(Outcome.ANSWER, code, {**common, "answer": answer}, invitation=invitation, meeting=meeting)
    code = "stale_kept" if outcome.stale else "unchanged"
    return _Result(Outcome.IGNORED, code, common, invitation=invitation, meeting=meeting)


def _apply_delegation(invitation, delegated_to: str, sequence, common, by_user=None) -> _Result:
    """DELEGATED-TO names the deputy (M3) or binôme (M8): a delegation; anyone else: declined, noted for the SEG."""
    meeting = invitation.meeting
    delegate = _person_with_address(delegated_to) if delegated_to else None
    if delegate is not None:
        try:
            outcome = _record_answer(invitation=invitation, answer="delegated", sequence=sequence,
                                     delegate_to=delegate, by_user=by_user)
        except ValidationError:
            pass  # the rules do not allow this delegate: recorded as declined below
        else:
            if outcome.changed:
                return _Result(Outcome.ANSWER, "delegated", {**common, "delegate": delegate.full_name},
                               invitation=invitation, meeting=meeting)
            return _answer_result(outcome, invitation, "delegated", common)
    address = delegated_to or "?"
    note = f"DELEGATED-TO {address} (M3, M8)"
    try:
        outcome = _record_answer(invitation=invitation, answer="declined", sequence=sequence, note=note,
                                 by_user=by_user)
    except ValidationError as error:
        return _Result(Outcome.IGNORED, "answer_refused", {**common, "error": " ".join(error.messages)},
                       attention=True, invitation=invitation, meeting=meeting)
    result = _answer_result(outcome, invitation, "declined", common)
    if outcome.changed:
        result = _Result(Outcome.ANSWER, "delegation_refused", {**common, "address": address}, attention=True,
                         invitation=invitation, meeting=meeting)
    return result


def _invitation(pk) -> Invitation | None:
    return Invitation.objects.select_related("meeting__instance", "person").filter(pk=pk).first()


def _bounced_invitation(bounce) -> tuple[Invitation | None, bool]:
    """(the invitation the bounce is about, whether that is proven).

    Proven only by the original Message-ID with the MAC of the portal's message (and, when the report names the
    failed recipient, that message's own address). An identifier without MAC, the X-PTF-Invitation number or the
    failed recipient alone only say which invitation to show the secretariat: anyone can write them.
    """
    if bounce.original is not None and bounce.original.verified:
        invitation = _invitation(bounce.original.invitation_id)
        if invitation is not None and (not bounce.recipient or same_address(invitation.email, bounce.recipient)):
            return invitation, True
    candidates = []
    if bounce.original is not None:
        candidates.append(bounce.original.invitation_id)
    if bounce.invitation_header is not None:
        candidates.append(bounce.invitation_header)
    for pk in candidates:
        invitation = _invitation(pk)
        # A quoted identifier that does not belong to the failed address is not even a hint.
        if invitation is not None and (not bounce.recipient or same_address(invitation.email, bounce.recipient)):
            return invitation, False
    if not bounce.recipient:
        return None, False
    rows = (Invitation.objects.filter(email__iexact=bounce.recipient, sent_at__isnull=False)
            .select_related("meeting__instance", "person")
            .order_by(F("sent_at").desc(nulls_last=True), "-pk")[:20])
    return next((i for i in rows if same_address(i.email, bounce.recipient)), None), False


def _apply_bounce(parsed: Parsed) -> _Result:
    bounce = parsed.bounce
    invitation, proven = _bounced_invitation(bounce)
    address = bounce.recipient or (invitation.email if invitation else "?")
    params = {"address": address, "status": bounce.status or "—", "diagnostic": bounce.diagnostic[:500]}
    meeting = invitation.meeting if invitation else None
    if not bounce.permanent:
        # 4.x.x: the sending servers retry on their own; noted, nothing changes (RFC 3463).
        return _Result(Outcome.BOUNCE if invitation else Outcome.UNMATCHED,
                       "bounce_temporary" if invitation else "bounce_unmatched", params,
                       attention=not bounce.status, invitation=invitation, meeting=meeting)
    person = invitation.person if invitation and invitation.person_id else _person_with_address(address)
    if person is not None and not same_address(person.email, address):
        person = None
    action = {"type": "bounce", "address": address, "status": bounce.status, "diagnostic": bounce.diagnostic[:2000],
              "person": person.pk if person else None}
    if invitation is None and person is None:
        return _Result(Outcome.UNMATCHED, "bounce_unmatched", params, attention=True)
    if not proven:
        # Anyone can write a bounce naming someone's address: shown to the secretariat, nothing changes.
        return _held("held_bounce", params, invitation, action, meeting=meeting)
    return _permanent_bounce(invitation, action, params)


def _permanent_bounce(invitation, action: dict, params: dict) -> _Result:
    """A proven (or confirmed) 5.x.x failure: the invitation bounced, the person's address flagged."""
    diagnostic = f"{action.get('status', '')} {action.get('diagnostic', '')}".strip()
    person = Person.objects.filter(pk=action["person"]).first() if action.get("person") else None
    if person is not None:
        person_mark_email_failed(person=person, diagnostic=diagnostic)
    if invitation is None:
        return _Result(Outcome.BOUNCE, "bounce_permanent_person", params, attention=True)
    _mark_bounced(invitation, diagnostic)
    seat_return_after_bounce(invitation)  # M3/M6: a deputy who cannot be reached gives the seat back
    return _Result(Outcome.BOUNCE, "bounce_permanent", params, attention=True, invitation=invitation,
                   meeting=invitation.meeting)


def _apply_auto_reply(parsed: Parsed) -> _Result:
    referenced = _referenced(parsed)
    invitations = [referenced] if referenced is not None else _upcoming_invitations(parsed.sender)
    if not invitations:
        return _Result(Outcome.UNMATCHED, "auto_reply_unmatched", {"address": parsed.sender or "?"})
    _mark_away(invitations)
    first = invitations[0]
    return _Result(Outcome.AUTO_REPLY, "auto_reply", {"name": first.name}, invitation=first, meeting=first.meeting)


def _apply_free_text(parsed: Parsed) -> _Result:
    referenced = _referenced(parsed)
    invitations = [referenced] if referenced is not None else _upcoming_invitations(parsed.sender)
    if not invitations:
        return _Result(Outcome.UNMATCHED, "free_text_unmatched", {"address": parsed.sender or "?"}, attention=True)
    first = invitations[0]
    return _Result(Outcome.IGNORED, "free_text", {"name": first.name}, attention=True, invitation=first,
                   meeting=first.meeting)


def _apply(parsed: Parsed, auth: Authentication | None = None) -> _Result:
    if parsed.kind == Kind.ERROR:
        return _Result(Outcome.ERROR, parsed.reason, dict(parsed.params), attention=True)
    if parsed.kind in (Kind.ANSWER, Kind.COUNTER):
        return _apply_calendar(parsed, auth)
    if parsed.kind == Kind.BOUNCE:
        return _apply_bounce(parsed)
    if parsed.kind == Kind.AUTO_REPLY:
        return _apply_auto_reply(parsed)
    if parsed.kind == Kind.FREE_TEXT:
        return _apply_free_text(parsed)
    return _Result(Outcome.IGNORED, parsed.reason or "automatic")


# --- the entry point ------------------------------------------------------------------------------------


class Processed:
    """One processed message: its stored row, and whether it had been processed before."""

    def __init__(self, message: InboundMessage, duplicate: bool):
        self.message, self.duplicate = message, duplicate

    @property
    def outcome(self) -> str:
        return Outcome.IGNORED if self.duplicate else self.message.outcome

    @property
    def detail(self) -> str:
        if self.duplicate:
            return InboundMessage(detail_code="duplicate").detail
        return self.message.detail

    @property
    def failed(self) -> bool:
        """Left in the mailbox, flagged: refused or not processed."""
        return self.message.outcome == Outcome.ERROR


def _row(parsed: Parsed, source: str) -> InboundMessage:
    return InboundMessage(
        key=parsed.key, message_id=parsed.message_id, source=source, sender=parsed.sender[:320],
        subject=parsed.subject[:300], kind=parsed.kind, outcome=Outcome.ERROR, excerpt=parsed.excerpt,
    )


def _authentication(raw: bytes, parsed: Parsed, dnsfunc) -> Authentication | None:
    """Checked for calendar answers only (nothing else changes an answer), before any transaction: DNS is slow."""
    if parsed.kind != Kind.ANSWER or not settings.INBOUND_REQUIRE_AUTHENTICATION:
        return None
    try:
        return authenticate(raw, sender=parsed.sender, trusted_ids=settings.INBOUND_TRUSTED_AUTHSERV_IDS,
                            dnsfunc=dnsfunc or DNS_LOOKUP, timeout=settings.INBOUND_DKIM_TIMEOUT)
    except Exception:  # a hostile message must not stop the mailbox: unproven, so held
        logger.exception("Authentication of inbound message %s failed", parsed.key)
        return Authentication(False, reason="check_failed")


def inbound_process(*, raw: bytes, source: str = InboundMessage.Source.IMAP,
                    declared_size: int | None = None, dnsfunc=None) -> Processed:
    """Classify, apply and record one raw message, once. Never raises for what a sender controls.

    A message whose processing failed (not one that was refused) is processed again when it comes back.
    `dnsfunc` replaces the DNS lookup of DKIM public keys (dkimpy's `dnsfunc`).
    """
    parsed = parse_message(raw, declared_size=declared_size)
    existing = InboundMessage.objects.filter(key=parsed.key).first()
    if existing is not None and existing.detail_code == PROCESSING_FAILED:
        existing.delete()
    elif existing is not None:
        return Processed(existing, duplicate=True)
    auth = _authentication(raw, parsed, dnsfunc)
    try:
        with transaction.atomic():
            row = _row(parsed, source)
            row.save()  # claims the key: a concurrent run of the same message stops here
            result = _apply(parsed, auth)
            row.authentication = auth.label if auth else ""
            row.held_action = result.held_action
            row.kind = parsed.kind
            row.outcome, row.detail_code, row.detail_params = result.outcome, result.code, result.params
            row.needs_attention = result.attention
            row.invitation, row.meeting = result.invitation, result.meeting
            row.proposed_start, row.proposed_end = result.proposed_start, result.proposed_end
            row.full_clean()
            row.save()
            return Processed(row, duplicate=False)
    except IntegrityError:
        existing = InboundMessage.objects.filter(key=parsed.key).first()
        if existing is not None:
            return Processed(existing, duplicate=True)
        raise
    except Exception as exc:  # a bug or a database error: listed for the SEG, the message stays in the mailbox
        logger.exception("Inbound message %s could not be processed", parsed.key)
        row = _row(parsed, source)
        row.kind, row.outcome, row.needs_attention = Kind.ERROR, Outcome.ERROR, True
        row.detail_code, row.detail_params = PROCESSING_FAILED, {"error": type(exc).__name__}
        row.save()
        return Processed(row, duplicate=False)


@transaction.atomic
def inbound_mark_handled(*, message: InboundMessage, by_user) -> InboundMessage:
    """The secretariat has dealt with a listed message (answer recorded by hand, address corrected…)."""
    InboundMessage.objects.filter(pk=message.pk, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=by_user)
    message.refresh_from_db()
    return message


@transaction.atomic
def inbound_confirm(*, message: InboundMessage, by_user) -> InboundMessage:
    """The secretariat confirms a held message: the answer it gives is recorded (channel "calendar", with who
    confirmed it as `answered_by` and in the history), or the bounce it reports is applied. Raises ValidationError,
    changing nothing, when the message is not held any more or the answer cannot be recorded."""
    locked = InboundMessage.objects.select_for_update().get(pk=message.pk)
    if not locked.is_held:
        raise ValidationError(_("This message is no longer held: nothing to confirm."), code="not_held")
    action = locked.held_action or {}
    invitation = _invitation(locked.invitation_id) if locked.invitation_id else None
    if action.get("type") == "answer" and invitation is not None:
        common = {"name": invitation.name, "meeting": _meeting_label(invitation.meeting)}
        result = _record_reply(invitation, action, common, by_user=by_user)
        if result.code == "answer_refused":
            raise ValidationError(result.params.get("error") or _("The answer could not be recorded."),
                                  code="answer_refused")
    elif action.get("type") == "bounce":
        params = {"address": action.get("address", "?"), "status": action.get("status") or "—",
                  "diagnostic": (action.get("diagnostic") or "")[:500]}
        result = _permanent_bounce(invitation, action, params)
    else:
        raise ValidationError(_("This message holds nothing to confirm."), code="nothing_held")
    now = timezone.now()
    locked.outcome, locked.detail_code = result.outcome, result.code
    locked.detail_params = {**result.params, "confirmed_by": by_user.get_full_name() or by_user.get_username()}
    locked.confirmed_at, locked.confirmed_by = now, by_user
    locked.handled_at, locked.handled_by = now, by_user
    locked.save(update_fields=["outcome", "detail_code", "detail_params", "confirmed_at", "confirmed_by",
                               "handled_at", "handled_by"])
    logger.info("Held inbound message %s confirmed by %s", locked.pk, by_user.get_username())
    return locked
