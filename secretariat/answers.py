"""The one entry point for answers to invitations: the RSVP link, the portal, the calendar reply and the
secretariat recording an answer on someone's behalf all go through `answer_record`.

Delegation follows the representation rules (M3 in the GEC, M6 in the GA, M8 in the GT/GD): a titular passes
the partner's seat to the partner's deputy, an expert to their binôme. A seat held by delegation cannot be
passed on again (no loop), and the titular may take the seat back before the meeting, which tells the deputy.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.french import of_name
from membership import rules
from membership.models import Mandate, Person
from membership.seats import seat_rows
from secretariat.models import DistributionEntry, Invitation
from secretariat.reasons import render_reasons
from secretariat.services import (
    NEW_MESSAGE_FIELDS,
    distribution_latest,
    invitations_queue,
    meeting_date,
    reset_to_message,
)

ANSWERS = frozenset(Invitation.Rsvp.values) - {Invitation.Rsvp.NONE}
ANSWER_FIELDS = ["rsvp", "rsvp_at", "answer_channel", "answered_sequence", "answer_note", "answered_by",
                 "delegated_to"]


@dataclass(frozen=True)
class AnswerOutcome:
    """What became of an answer: `changed` if the row changed, `stale` if it was given for an earlier
    version of the meeting (recorded only while the person had not answered the current one)."""

    invitation: Invitation
    changed: bool
    stale: bool
    detail: str


@dataclass(frozen=True)
class Delegation:
    """Whether this invitation's seat may be delegated, to whom, and otherwise the true reason why not.

    `stand_in` names who would take the seat (what a button shows); `candidates`, their mandates, are loaded
    by `delegation_options` only, for the answer itself.
    """

    candidates: tuple
    reason: str
    holds_by_delegation: bool = False
    stand_in: str = ""

    @property
    def possible(self) -> bool:
        return bool(self.stand_in)


def _seats(meeting, rows=None) -> list[rules.SeatFact]:
    """The instance's mandates active on the meeting's day, as facts for the rules (from `rows` if given)."""
    day = meeting_date(meeting)
    if rows is None:
        rows = seat_rows([meeting.instance_id])
    return [rules.SeatFact(key=pk, person_key=person_id, partner_key=partner_id, role=role, pairs_with_key=pairs_with,
                           start=start)
            for pk, person_id, partner_id, role, pairs_with, instance_id, start, end, *_names in rows
            if instance_id == meeting.instance_id and start <= day and (end is None or end >= day)]


def delegation_options_for(invitations) -> None:
    """Set `seat_options` on each invitation (who would stand in, or why nobody), with one query whatever their
    number (for list pages)."""
    if not invitations:
        return
    rows = seat_rows(i.meeting.instance_id for i in invitations)
    names = {row[0]: Person.name_of(row[-2], row[-1]) for row in rows}
    for invitation in invitations:
        reason, keys, held = _decide(invitation, _seats(invitation.meeting, rows))
        invitation.seat_options = Delegation((), reason, held, stand_in=names[keys[0]] if keys else "")


def delegation_options(invitation: Invitation, seats=None) -> Delegation:
    """Who may take this invitation's seat (M3, M6, M8), or the reason, in the reader's language, why nobody."""
    reason, keys, held = _decide(invitation, _seats(invitation.meeting) if seats is None else seats)
    mandates = Mandate.objects.select_related("person").in_bulk(keys) if keys else {}
    candidates = tuple(mandates[key] for key in keys)
    return Delegation(candidates, reason, held, stand_in=str(candidates[0].person) if candidates else "")


def _decide(invitation: Invitation, seats: list[rules.SeatFact]) -> tuple[str, list, bool]:
    """(reason why nobody, the keys of the mandates that may take the seat, whether it is held by delegation)."""
    meeting = invitation.meeting
    kind = meeting.instance.kind
    if invitation.delegated_from_id is not None:
        return _("You represent your organisation by delegation: a delegated seat cannot be "
                 "delegated again."), [], True
    if invitation.rsvp == Invitation.Rsvp.DELEGATED:
        return _("You have already delegated this meeting to %(name)s.") % {"name": invitation.delegated_to}, [], False
    if invitation.person_id is None:
        return _("This invitation names nobody in the directory: it cannot be delegated."), [], False
    mine = [fact for fact in seats if fact.person_key == invitation.person_id]
    if not rules.may_pass_on_seat(kind, mine):
        if kind in (rules.GT, rules.GD):
            reason = _("Only an expert can delegate to their binôme; you are not invited as an expert "
                       "of this group.")
        else:
            reason = _("Only the titular can delegate the organisation's seat to the deputy; you are "
                       "not invited as titular.")
        return reason, [], False
    found = rules.stand_ins(kind, mine, seats)
    if not found:
        if kind in (rules.GT, rules.GD):
            reason = _("No binôme paired with you holds an active mandate in %(instance)s on the day of the "
                       "meeting: the meeting cannot be delegated.")
        else:
            reason = _("No deputy of your organisation holds an active mandate in the %(instance)s on the day of "
                       "the meeting: the meeting cannot be delegated.")
        return reason % {"instance": meeting.instance.code}, [], False
    return "", [fact.key for fact in found], False


def delegate_for(invitation: Invitation):
    """The person the invitation's seat would go to, or None."""
    options = delegation_options(invitation)
    return options.candidates[0].person if options.possible else None


def _lock(invitation: Invitation) -> Invitation:
    return (Invitation.objects.select_for_update(of=("self",))
            .select_related("meeting__instance", "person__institution__partner", "delegated_to")
            .get(pk=invitation.pk))


def _require_open(invitation: Invitation) -> None:
    if invitation.meeting.status == "cancelled":
        raise ValidationError(_("This meeting has been cancelled."), code="cancelled")
    if invitation.meeting.end < timezone.now():
        raise ValidationError(_("This meeting is over: answers are closed."), code="over")


def _answer_fields(invitation, *, answer, channel, by_user, note, sequence) -> None:
    invitation.rsvp, invitation.rsvp_at = answer, timezone.now()
    invitation.answer_channel, invitation.answered_sequence = channel, sequence
    invitation.answer_note = note
    # Who recorded it: the secretariat on someone's behalf, or the member who confirmed a held calendar reply.
    invitation.answered_by = by_user


@transaction.atomic
def answer_record(*, invitation: Invitation, answer: str, channel: str, by_user=None, note: str = "",
                  sequence: int | None = None, delegate_to=None) -> AnswerOutcome:
    """Record a person's answer (attending, declined, tentative, delegated) to their invitation.

    `sequence` is the calendar version the answer was given for (the current one when None); `delegate_to`
    names the person a delegation goes to (the only possible one when None). Every refusal raises
    ValidationError with the reason in the active language, and changes nothing.
    """
    if answer not in ANSWERS:
        raise ValidationError(_("Unknown answer."), code="bad_answer")
    if channel not in Invitation.Channel.values:
        raise ValidationError(_("Unknown way of answering."), code="bad_channel")
    if channel == Invitation.Channel.SECRETARIAT and by_user is None:
        raise ValidationError(_("An answer recorded by the secretariat says who recorded it."), code="no_user")
    invitation = _lock(invitation)
    _require_open(invitation)
    meeting = invitation.meeting
    current = meeting.ical_sequence
    given_for = current if sequence is None else sequence
    if given_for < 0 or given_for > current:
        raise ValidationError(_("This answer is for a version of the meeting that was never sent."),
                              code="bad_sequence")
    stale = given_for < current
    if (stale and invitation.rsvp != Invitation.Rsvp.NONE and invitation.answered_sequence is not None
            and invitation.answered_sequence >= current):
        return AnswerOutcome(invitation, changed=False, stale=True, detail=_(
            "Not recorded: this answer is for an earlier version of the meeting, and %(name)s has already "
            "answered the current one.") % {"name": invitation.name})
    note = (note or "").strip()[:2000]
    if answer == Invitation.Rsvp.DELEGATED:
        return _delegate(invitation, channel=channel, by_user=by_user, note=note, sequence=given_for,
                         delegate_to=delegate_to, stale=stale)
    if invitation.rsvp == Invitation.Rsvp.DELEGATED:
        if answer != Invitation.Rsvp.ATTENDING:
            raise ValidationError(
                _("You delegated this meeting to %(name)s: to answer yourself, first say that you will attend "
                  "after all.") % {"name": invitation.delegated_to}, code="delegated")
        return _take_back(invitation, channel=channel, by_user=by_user, note=note, sequence=given_for,
                          stale=stale)
    changed = invitation.rsvp != answer or invitation.answered_sequence != given_for or bool(note)
    _answer_fields(invitation, answer=answer, channel=channel, by_user=by_user, note=note, sequence=given_for)
    invitation.delegated_to = None
    invitation.save(update_fields=ANSWER_FIELDS)
    detail = _("Answer recorded: %(answer)s.") % {"answer": invitation.get_rsvp_display()}
    if answer == Invitation.Rsvp.DECLINED and invitation.delegated_from_id is not None:
        seat_return_to_titular(deputy_row=invitation, why=SeatReturn.DECLINED)
    if stale:
        detail += " " + _("It was given for an earlier version of the meeting.")
    return AnswerOutcome(invitation, changed=changed, stale=stale, detail=detail)


def _delegate(invitation, *, channel, by_user, note, sequence, delegate_to, stale) -> AnswerOutcome:
    options = delegation_options(invitation)
    if not options.possible:
        raise ValidationError(options.reason, code="cannot_delegate")
    mandate = options.candidates[0]
    if delegate_to is not None:
        mandate = next((m for m in options.candidates if m.person_id == delegate_to.pk), None)
        if mandate is None:
            rule = rules.representation_rule(invitation.meeting.instance.kind)
            raise ValidationError(
                _("%(name)s cannot represent %(partner)s at this meeting: only %(allowed)s can (%(rule)s).") % {
                    "name": delegate_to, "partner": invitation.partner or invitation.name, "rule": rule,
                    "allowed": ", ".join(str(m.person) for m in options.candidates)}, code="not_representative")
    delegate = Person.objects.select_related("institution__partner").get(pk=mandate.person_id)
    _answer_fields(invitation, answer=Invitation.Rsvp.DELEGATED, channel=channel, by_user=by_user, note=note,
                   sequence=sequence)
    invitation.delegated_to = delegate
    invitation.save(update_fields=ANSWER_FIELDS)
    meeting = invitation.meeting
    reason = render_reasons([{"rule": rules.representation_rule(meeting.instance.kind), "code": "delegate",
                              "params": {"partner": invitation.partner, "delegator": invitation.name,
                                         "partner_article": _partner_article(invitation)}}])
    row = (Invitation.objects.select_for_update(of=("self",)).filter(meeting=meeting, person=delegate).first()
           or Invitation(meeting=meeting, person=delegate, email=delegate.email, name=delegate.full_name,
                         language=delegate.language, partner=delegate.institution.partner.name,
                         role=mandate.role))
    row.meeting = meeting
    # The deputy (binôme) already invited in copy keeps their one row: it becomes the partner's seat.
    row.recipient, row.reason, row.delegated_from = Invitation.Recipient.TO, reason, invitation
    if row.rsvp != Invitation.Rsvp.ATTENDING:
        row.rsvp, row.rsvp_at, row.answer_channel, row.answered_sequence = Invitation.Rsvp.NONE, None, "", None
    reset_to_message(row, kind=Invitation.Kind.REQUEST)
    row.full_clean(validate_constraints=False)
    row.save()
    invitations_queue([row])
    detail = _("Delegated to %(name)s, who is convened to represent %(partner)s.") % {
        "name": delegate.full_name, "partner": invitation.partner}
    return AnswerOutcome(invitation, changed=True, stale=stale, detail=detail)


def _entry_for(meeting, person_id) -> DistributionEntry | None:
    snapshot = distribution_latest(meeting)
    return snapshot.entries.filter(person_id=person_id).first() if snapshot else None


def _take_back(invitation, *, channel, by_user, note, sequence, stale) -> AnswerOutcome:
    """"Finally I will attend": the titular takes the seat back before the meeting; the deputy is told."""
    meeting = invitation.meeting
    if meeting.start <= timezone.now():
        raise ValidationError(_("The meeting has started: the delegation can no longer be withdrawn."),
                              code="started")
    deputy_row = Invitation.objects.select_for_update(of=("self",)).filter(delegated_from=invitation).first()
    _answer_fields(invitation, answer=Invitation.Rsvp.ATTENDING, channel=channel, by_user=by_user, note=note,
                   sequence=sequence)
    invitation.delegated_to = None
    invitation.save(update_fields=ANSWER_FIELDS)
    if deputy_row is not None:
        deputy_row.meeting = meeting
        entry = _entry_for(meeting, deputy_row.person_id)
        deputy_row.delegated_from = None
        if entry is not None:
            deputy_row.recipient, deputy_row.role, deputy_row.reason = entry.recipient, entry.role, entry.reason
        else:
            deputy_row.recipient = Invitation.Recipient.CC
        deputy_row.rsvp, deputy_row.rsvp_at, deputy_row.answer_channel = Invitation.Rsvp.NONE, None, ""
        deputy_row.answered_sequence = None
        message = _("%(name)s will attend after all: the delegation you received is withdrawn.") % {
            "name": invitation.name}
        # Still invited as before the delegation (in copy): the invitation again, with why it changed.
        reset_to_message(deputy_row, kind=Invitation.Kind.REQUEST, message=message)
        deputy_row.save(update_fields=[*NEW_MESSAGE_FIELDS, "delegated_from", "recipient", "role", "reason",
                                       "rsvp", "rsvp_at", "answer_channel", "answered_sequence"])
        invitations_queue([deputy_row])
    detail = _("You will attend after all: the delegation is withdrawn and %(name)s is told.") % {
        "name": deputy_row.name if deputy_row else "—"}
    return AnswerOutcome(invitation, changed=True, stale=stale, detail=detail)


class SeatReturn:
    """Why a delegated seat went back to the titular."""

    DECLINED = "declined"
    BOUNCED = "bounced"


@transaction.atomic
def seat_return_to_titular(*, deputy_row: Invitation, why: str) -> Invitation | None:
    """M3 (GEC), M6 (GA), M8 (GT/GD): the deputy (binôme) who held the seat by delegation declined it, or their
    invitation bounced: the seat returns to the titular's decision. Her answer goes back to "no answer", she
    is e-mailed again in her language with her RSVP link and why, and until someone of the partner answers the
    roster and the dashboard show the seat as not covered (`selectors.rsvp_summary`, `PartnerAnswers.status`). Returns the titular's row, or
    None when the seat was not held by delegation any more (she took it back, or the meeting is closed).
    """
    titular = (Invitation.objects.select_for_update(of=("self",)).select_related("meeting__instance")
               .filter(pk=deputy_row.delegated_from_id).first())
    meeting = titular.meeting if titular is not None else None
    if (titular is None or titular.rsvp != Invitation.Rsvp.DELEGATED or meeting.status == "cancelled"
            or meeting.end < timezone.now()):
        return None
    titular.rsvp, titular.rsvp_at, titular.answer_channel, titular.answered_sequence = (
        Invitation.Rsvp.NONE, None, "", None)
    titular.delegated_to, titular.answer_note, titular.answered_by = None, "", None
    with translation.override(titular.language or "fr"):
        if why == SeatReturn.BOUNCED:
            message = _("The invitation to %(name)s, to whom you delegated the seat %(of_partner)s, could not be "
                        "delivered: the seat is yours again. Please answer whether you will attend, or delegate "
                        "to someone else if possible.")
        else:
            message = _("%(name)s, to whom you delegated the seat %(of_partner)s, will not attend: the seat is "
                        "yours again. Please answer whether you will attend.")
        message = message % {"name": deputy_row.name, "of_partner": of_name(
            titular.partner or titular.name, article=_partner_article(titular) if titular.partner else "")}
    reset_to_message(titular, kind=Invitation.Kind.REQUEST, message=message)
    titular._change_reason = f"seat returned: deputy {why}"
    titular.save(update_fields=[*NEW_MESSAGE_FIELDS, *ANSWER_FIELDS])
    invitations_queue([titular])
    return titular


def seat_return_after_bounce(invitation: Invitation) -> Invitation | None:
    """The inbound mailbox's call when an invitation bounced permanently: a delegated seat goes back."""
    if invitation.delegated_from_id is None:
        return None
    return seat_return_to_titular(deputy_row=invitation, why=SeatReturn.BOUNCED)


# Thin names kept for the callers and tests written before the single entry point.
def invitation_rsvp(*, invitation: Invitation, answer: str, channel: str = Invitation.Channel.LINK) -> Invitation:
    if answer == Invitation.Rsvp.DELEGATED:
        raise ValidationError(_("Unknown answer."), code="bad_answer")
    return answer_record(invitation=invitation, answer=answer, channel=channel).invitation


def invitation_delegate(*, invitation: Invitation, channel: str = Invitation.Channel.LINK) -> Invitation:
    """Delegate and return the delegate's (converted or new) row."""
    outcome = answer_record(invitation=invitation, answer=Invitation.Rsvp.DELEGATED, channel=channel)
    return Invitation.objects.get(delegated_from=outcome.invitation)


def _partner_article(invitation) -> str:
    """The French article of the invitee's partner ("l'Allemagne"), for the delegate's reason."""
    person = invitation.person
    return person.institution.partner.article if person is not None else ""
