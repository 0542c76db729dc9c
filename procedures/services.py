"""Every write of a written procedure: draft, launch, answer, extend, withdraw, remind, close.

The seats are frozen at launch from the mandates of the launch date (M2, M6, M8: one per partner); who may give
a seat's answer is `membership.rules.seat_speaker` (M3, M6, M8). Answers are taken while the procedure is open
and before its deadline, to the second; the procedure's row is locked by every answer and by the closing, so
an answer given just before the deadline is counted by the closing that follows it. Messages are rows
(`ProcedureMail`) written in the same transaction and sent by the secretariat's outbox after commit.
"""

from __future__ import annotations

import datetime
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meetings import services as meeting_services
from meetings.uploads import validate_upload
from membership import rules
from membership.models import Mandate, Person
from procedures import rules as results
from procedures.mail import PROCEDURE_MAILS
from procedures.models import Procedure, ProcedureAnswer, ProcedureMail, ProcedureSeat
from secretariat import outbox

WORKING_DAYS = 5
DEFAULT_DEADLINE_TIME = datetime.time(17, 0)


def default_deadline(now=None) -> datetime.datetime:
    """Five working days (Monday to Friday) after today, at 17:00 Bamako time."""
    day = timezone.localdate(now or timezone.now())
    added = 0
    while added < WORKING_DAYS:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            added += 1
    return timezone.make_aware(datetime.datetime.combine(day, DEFAULT_DEADLINE_TIME))


def _lock(procedure: Procedure) -> Procedure:
    return Procedure.objects.select_for_update(of=("self",)).select_related("body").get(pk=procedure.pk)


def _fail(message: str, code: str):
    raise ValidationError(message, code=code)


def _save_with_attachment(procedure: Procedure, attachment) -> Procedure:
    """Check the file as meeting documents are checked (size, name, content), store it under a random name."""
    if attachment is None:
        procedure.full_clean()
        procedure.save()
        return procedure
    procedure.attachment_type = validate_upload(attachment)
    procedure.attachment_name = os.path.basename(attachment.name)[:250]
    procedure.full_clean(exclude=["attachment"])
    procedure.attachment.save(attachment.name, attachment, save=False)
    try:
        procedure.save()
    except Exception:
        procedure.attachment.delete(save=False)
        raise
    return procedure


@transaction.atomic
def procedure_create(*, body, title: str, text: str, mode: str = Procedure.Mode.SILENCE,
                     deadline: datetime.datetime | None = None, by_user=None, attachment=None) -> Procedure:
    procedure = Procedure(body=body, title=title, text=text, mode=mode, deadline=deadline or default_deadline(),
                          created_by=by_user)
    return _save_with_attachment(procedure, attachment)


@transaction.atomic
def procedure_update(*, procedure: Procedure, title: str, text: str, mode: str,
                     deadline: datetime.datetime, attachment=None) -> Procedure:
    procedure = _lock(procedure)
    if procedure.state != Procedure.State.DRAFT:
        _fail(_("Only a draft can be edited; a launched procedure can be extended or withdrawn."), "not_draft")
    procedure.title, procedure.text, procedure.mode, procedure.deadline = title, text, mode, deadline
    return _save_with_attachment(procedure, attachment)


# --- the seats, frozen at launch ----------------------------------------------------------------------------------


def seats_on(body, day: datetime.date) -> list[tuple]:
    """(partner, principal person or None, stand-in person or None) for each partner of the body with a mandate
    active on the day: the titular and the deputy (M2, M6), the expert and their binôme (M8). A partner with
    several experts in a group speaks through the first (the stand-ins' order: earliest start, then id)."""
    mandates = list(Mandate.objects.active_on(day).filter(instance=body)
                    .select_related("person__institution__partner").order_by("start", "pk"))
    facts = [rules.SeatFact(key=m.pk, person_key=m.person_id, partner_key=m.person.institution.partner_id,
                            role=m.role, pairs_with_key=m.pairs_with_id, start=m.start) for m in mandates]
    by_key = {m.pk: m for m in mandates}
    principal_role = rules.seat_principal_role(body.kind)
    stand_in_role = rules.seat_stand_in_role(body.kind)
    partners = {}
    for fact in sorted(facts, key=rules.stand_in_order):
        mandate = by_key[fact.key]
        partners.setdefault(fact.partner_key, {"partner": mandate.person.institution.partner, "principal": None,
                                               "stand_in": None})
        entry = partners[fact.partner_key]
        if fact.role == principal_role and entry["principal"] is None:
            entry["principal"] = fact
    out = []
    for partner_key, entry in partners.items():
        principal = entry["principal"]
        if principal is not None:
            found = rules.stand_ins(body.kind, [principal], facts)
            stand_in = found[0] if found else None
        else:  # no titular on the day: the partner's deputy (binôme) speaks
            stand_in = next((f for f in sorted(facts, key=rules.stand_in_order)
                             if f.partner_key == partner_key and f.role == stand_in_role), None)
        if principal is None and stand_in is None:
            continue
        out.append((entry["partner"], by_key[principal.key].person if principal else None,
                    by_key[stand_in.key].person if stand_in else None))
    return sorted(out, key=lambda row: row[0].name)


def _mail(procedure, *, kind: str, person: Person | None = None, seat=None, email: str = "",
          note: str = "") -> ProcedureMail | None:
    """A message row for this round, written once: a second launch, closing or reminder of the same round
    finds the row and writes nothing (None). Objections to the secretariat are one row each."""
    email = email or (person.email if person else "")
    if not email:
        return None
    fields = dict(seat=seat, person=person, name=person.full_name if person else email,
                  language=(person.language if person else "") or settings.LANGUAGE_CODE, note=note)
    if kind == ProcedureMail.Kind.OBJECTION:
        return ProcedureMail.objects.create(procedure=procedure, email=email, kind=kind, round=procedure.round,
                                            **fields)
    row, created = ProcedureMail.objects.get_or_create(procedure=procedure, email=email, kind=kind,
                                                       round=procedure.round, defaults=fields)
    return row if created else None


def _tell_seats(procedure: Procedure, kind: str, note: str = "", only_silent: bool = False) -> list[ProcedureMail]:
    rows = []
    for seat in procedure.seats.select_related("titular", "deputy", "answer"):
        if only_silent and hasattr(seat, "answer"):
            continue
        for person in (seat.titular, seat.deputy):
            if person is not None:
                rows.append(_mail(procedure, kind=kind, person=person, seat=seat, note=note))
    return [row for row in rows if row is not None]


def _secretariat_addresses(procedure: Procedure) -> list[str]:
    """Who runs the procedure: the SEG's mailbox, and for a group its leaders too."""
    addresses = [settings.SECRETARIAT_EMAIL]
    body = procedure.body
    for person in (body.leader_person, body.co_lead_person):
        if person is not None and person.email:
            addresses.append(person.email)
    return list(dict.fromkeys(addresses))


def _queue(rows) -> None:
    rows = [row for row in rows if row is not None]
    if rows:
        outbox.queue_on_commit(rows, kind=PROCEDURE_MAILS)


@transaction.atomic
def procedure_launch(*, procedure: Procedure, by_user=None, now=None) -> Procedure:
    """Freeze the seats from the mandates of the launch date, open the procedure, e-mail every titular and
    deputy their answer links."""
    now = now or timezone.now()
    procedure = _lock(procedure)
    if procedure.state != Procedure.State.DRAFT:
        _fail(_("This procedure has already been launched."), "not_draft")
    if procedure.deadline <= now:
        _fail(_("The deadline must be in the future."), "deadline_past")
    seats = seats_on(procedure.body, timezone.localdate(now))
    if not seats:
        _fail(_("Nobody holds a seat in this body today: there is no one to consult."), "no_seats")
    ProcedureSeat.objects.bulk_create([
        ProcedureSeat(procedure=procedure, partner=partner, titular=principal, deputy=stand_in,
                      titular_absent=principal is None)
        for partner, principal, stand_in in seats])
    procedure.state, procedure.launched_at = Procedure.State.OPEN, now
    if procedure.mode == Procedure.Mode.APPROVAL:
        procedure.quorum = results.quorum_for(len(seats), procedure.body.procedure_quorum_percent)
    procedure._change_reason = "launched"
    procedure.save()
    _queue(_tell_seats(procedure, ProcedureMail.Kind.LAUNCH))
    return procedure


@transaction.atomic
def procedure_extend(*, procedure: Procedure, deadline: datetime.datetime, by_user=None, now=None) -> Procedure:
    """A later deadline; earlier answers are kept, everyone is told (with fresh answer links)."""
    now = now or timezone.now()
    procedure = _lock(procedure)
    if not procedure.accepts_answers(now):
        _fail(_("Only an open procedure, before its deadline, can be extended."), "not_open")
    if deadline <= procedure.deadline:
        _fail(_("The new deadline must be later than the current one."), "not_later")
    procedure.deadline, procedure.round = deadline, procedure.round + 1
    procedure._change_reason = "extended"
    procedure.full_clean()
    procedure.save()
    _queue(_tell_seats(procedure, ProcedureMail.Kind.EXTEND))
    return procedure


@transaction.atomic
def procedure_withdraw(*, procedure: Procedure, reason: str, by_user=None, now=None) -> Procedure:
    now = now or timezone.now()
    procedure = _lock(procedure)
    if procedure.state not in (Procedure.State.DRAFT, Procedure.State.OPEN) or (
            procedure.state == Procedure.State.OPEN and not procedure.accepts_answers(now)):
        _fail(_("Only a draft or an open procedure before its deadline can be withdrawn."), "not_open")
    was_open = procedure.state == Procedure.State.OPEN
    procedure.state, procedure.withdrawn_at = Procedure.State.WITHDRAWN, now
    procedure.withdraw_reason = (reason or "").strip()[:2000]
    procedure._change_reason = "withdrawn"
    procedure.save()
    if was_open:
        _queue(_tell_seats(procedure, ProcedureMail.Kind.WITHDRAW, note=procedure.withdraw_reason))
    return procedure


@transaction.atomic
def seat_set_stand_in(*, seat: ProcedureSeat, delegated: bool | None = None, titular_absent: bool | None = None,
                      now=None) -> ProcedureSeat:
    """The titular passes the voice to the deputy (delegated), or the secretariat marks the titular absent
    (M3, M6, M8); either may be undone while the procedure is open."""
    procedure = _lock(seat.procedure)
    if not procedure.accepts_answers(now):
        _fail(_("Answers to this procedure are closed."), "closed")
    seat = ProcedureSeat.objects.select_for_update().get(pk=seat.pk)
    if seat.deputy_id is None and (delegated or titular_absent):
        _fail(_("%(partner)s has no deputy in this procedure: nobody can take the titular's voice.")
              % {"partner": seat.partner}, "no_deputy")
    if delegated is not None:
        seat.delegated = delegated
    if titular_absent is not None:
        seat.titular_absent = titular_absent
    seat.save()
    return seat


# --- answers -------------------------------------------------------------------------------------------------------


def _holds_seat(person_id) -> Q:
    """The seats this person holds, as titular or deputy."""
    return Q(titular_id=person_id) | Q(deputy_id=person_id)


@transaction.atomic
def answer_record(*, procedure: Procedure, person: Person, answer: str, channel: str, reason: str = "",
                  by_user=None, via_mail: ProcedureMail | None = None, now=None) -> ProcedureAnswer:
    """The seat's answer, given by the person (M3, M6, M8: the titular, or the deputy when the titular
    delegated or is absent). The last answer before the deadline stands; an objection states its reason. Every
    refusal raises ValidationError in the active language and changes nothing."""
    if answer not in ProcedureAnswer.Answer.values:
        _fail(_("Unknown answer."), "bad_answer")
    if channel not in ProcedureAnswer.Channel.values:
        _fail(_("Unknown way of answering."), "bad_channel")
    reason = (reason or "").strip()[:4000]
    if answer == ProcedureAnswer.Answer.OBJECT and not reason:
        _fail(_("An objection states its reason."), "no_reason")
    procedure = _lock(procedure)
    now = now or timezone.now()  # read once the lock is held: the closing cannot slip in between
    if procedure.state == Procedure.State.WITHDRAWN:
        _fail(_("This procedure was withdrawn: answers are closed."), "withdrawn")
    if not procedure.accepts_answers(now):
        _fail(_("The deadline has passed: answers are closed."), "closed")
    seat = (ProcedureSeat.objects.select_for_update(of=("self",)).select_related("partner")
            .filter(_holds_seat(person.pk), procedure=procedure).first())
    if seat is None:
        _fail(_("%(name)s holds no seat in this procedure.") % {"name": person}, "no_seat")
    speaker = rules.seat_speaker(procedure.body.kind, person_key=person.pk, principal_key=seat.titular_id,
                                 stand_in_key=seat.deputy_id, delegated=seat.delegated,
                                 principal_absent=seat.titular_absent)
    if not speaker.allowed:
        # M3 (GEC), M6 (GA), M8 (GT/GD): speaker.rule names the rule; partners are not shown rule codes.
        _fail(_("The titular speaks for %(partner)s; the deputy answers only when the titular has delegated or is "
                "absent.") % {"partner": seat.partner}, "not_speaker")
    if via_mail is not None:
        used = ProcedureMail.objects.filter(pk=via_mail.pk, link_used_at__isnull=True).update(link_used_at=now)
        if used != 1:
            _fail(_("This answer link has already been used."), "used")
    role = (rules.seat_stand_in_role if speaker.as_stand_in else rules.seat_principal_role)(procedure.body.kind)
    row = ProcedureAnswer.objects.filter(seat=seat).first() or ProcedureAnswer(seat=seat)
    row.person, row.role, row.answer, row.reason = person, role, answer, reason
    row.channel, row.answered_at, row.recorded_by = channel, now, by_user
    row.full_clean()
    row.save()
    if answer == ProcedureAnswer.Answer.OBJECT and procedure.mode == Procedure.Mode.SILENCE:
        note = f"{seat.partner} — {person.full_name}: {reason}"
        _queue([_mail(procedure, kind=ProcedureMail.Kind.OBJECTION, email=address, note=note)
                for address in _secretariat_addresses(procedure)])
    return row


# --- reminders and closing (the beat) ---------------------------------------------------------------------------


def reminders_send(now=None) -> int:
    """Approval mode: PROCEDURE_REMINDER_HOURS before the deadline, once per round, remind the seats that have
    not answered. Each procedure is claimed by a conditional update, so two beats remind once."""
    now = now or timezone.now()
    window = now + datetime.timedelta(hours=settings.PROCEDURE_REMINDER_HOURS)
    due = list(Procedure.objects.filter(state=Procedure.State.OPEN, mode=Procedure.Mode.APPROVAL,
                                        deadline__gt=now, deadline__lte=window)
               .exclude(reminded_round=F("round")).values_list("pk", flat=True))
    count = 0
    for pk in due:
        with transaction.atomic():
            claimed = (Procedure.objects.filter(pk=pk, state=Procedure.State.OPEN).exclude(reminded_round=F("round"))
                       .update(reminded_round=F("round")))
            if claimed != 1:
                continue
            procedure = Procedure.objects.select_related("body").get(pk=pk)
            rows = _tell_seats(procedure, ProcedureMail.Kind.REMINDER, only_silent=True)
            _queue(rows)
            count += len(rows)
    return count


def decision_text(procedure: Procedure, counts: results.Tally, result: str) -> str:
    """The register's text, in French (the portal's language of record)."""
    mode = _("silence procedure") if procedure.mode == Procedure.Mode.SILENCE else _("written approval")
    verdict = _("adopted") if result == results.ADOPTED else _("not adopted")
    return _("Written procedure (%(mode)s) “%(title)s”: %(verdict)s. Seats: %(seats)d; approve: %(approve)d; "
             "object: %(object)d; abstain: %(abstain)d; no answer: %(silent)d.") % {
        "mode": mode, "title": procedure.title, "verdict": verdict, "seats": counts.seats,
        "approve": counts.approve, "object": counts.object, "abstain": counts.abstain, "silent": counts.silent}


def procedure_close(*, procedure_id: int, now=None) -> bool:
    """Close one procedure whose deadline has passed, exactly once: its row is locked, then claimed by a
    conditional update (open → closed); whoever comes second (another beat, a redelivered task) finds it
    closed and does nothing. The result, the decision in the register and the messages are written in the same
    transaction, so a worker killed midway leaves the procedure open for the next beat, with nothing written."""
    now = now or timezone.now()
    with transaction.atomic():
        procedure = (Procedure.objects.select_for_update(of=("self",)).select_related("body")
                     .filter(pk=procedure_id, state=Procedure.State.OPEN, deadline__lte=now).first())
        if procedure is None:
            return False
        answers = list(ProcedureAnswer.objects.filter(seat__procedure=procedure).values_list("answer", flat=True))
        counts = results.tally(answers, seats=procedure.seats.count(), quorum=procedure.quorum)
        result = results.result(procedure.mode, counts)
        with translation.override(settings.LANGUAGE_CODE):  # the register's language of record
            text = decision_text(procedure, counts, result)
        decision = meeting_services.decision_record_written(
            body=procedure.body, decided_on=timezone.localdate(procedure.deadline), text=text)
        claimed = Procedure.objects.filter(pk=procedure.pk, state=Procedure.State.OPEN).update(
            state=Procedure.State.CLOSED, result=result, closed_at=now, decision=decision)
        if claimed != 1:  # cannot happen under the lock; kept so a change of locking cannot close twice
            transaction.set_rollback(True)
            return False
        procedure.refresh_from_db()
        rows = _tell_seats(procedure, ProcedureMail.Kind.RESULT)
        rows += [_mail(procedure, kind=ProcedureMail.Kind.RESULT, email=address)
                 for address in _secretariat_addresses(procedure)]
        _queue(rows)
    return True


def close_due(now=None) -> int:
    """The beat: close every open procedure whose deadline has passed (rows another closer holds are skipped)."""
    now = now or timezone.now()
    closed = 0
    for pk in Procedure.objects.filter(state=Procedure.State.OPEN, deadline__lte=now).values_list("pk", flat=True):
        closed += procedure_close(procedure_id=pk, now=now)
    return closed
