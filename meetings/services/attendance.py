"""The attendance register, who represents whom (M3, M6, M8), and the acting chair from it (T3–T7)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.french import of_name
from meetings import rules
from meetings.models import Attendance, Meeting
from meetings.services import validation
from meetings.services._common import fail, lock, meeting_day
from membership import rules as seat_rules
from membership.chair import ChairResult, acting_chair
from membership.models import Mandate, Partner

REGISTER_OPEN = rules.REGISTER_OPEN


def _require_register_open(meeting: Meeting) -> None:
    validation.check_register_open(meeting)


def representation_error(meeting: Meeting, person, represented_by) -> str | None:
    """Why `represented_by` may not stand in for `person` at this meeting, or None.

    GEC/GA: the person's deputy — same partner, same instance, deputy mandate (M3, M6).
    GT/GD: the person's binôme — a binôme mandate paired with theirs (M8).
    """

    if represented_by.pk == person.pk:
        return _("A person cannot represent themselves.")
    instance = meeting.instance
    mandates = list(
        Mandate.objects.active_on(meeting_day(meeting))
        .filter(instance=instance, person__in=[person, represented_by])
        .select_related("person__institution")
    )
    mine = [m for m in mandates if m.person_id == person.pk]
    theirs = [m for m in mandates if m.person_id == represented_by.pk]
    if instance.is_group:
        paired = any(
            (t.role == Mandate.Role.BINOME and t.pairs_with_id == m.pk)
            or (m.role == Mandate.Role.BINOME and m.pairs_with_id == t.pk)
            for m in mine for t in theirs
        )
        if not paired:
            return _("%(rep)s is not the binôme %(of_person)s in %(instance)s (M8).") % {
                "rep": represented_by, "of_person": of_name(str(person)), "instance": instance.code}
        return None
    rule = "M3" if instance.kind == "GEC" else "M6"
    partner_ids = {m.person.institution.partner_id for m in mine}
    deputy = any(t.role == Mandate.Role.DEPUTY and t.person.institution.partner_id in partner_ids for t in theirs)
    if not mine or not deputy:
        return _("%(rep)s is not the deputy for the partner %(of_person)s in the %(instance)s (%(rule)s).") % {
            "rep": represented_by, "of_person": of_name(str(person)), "instance": instance.code, "rule": rule}
    return None


@transaction.atomic
def attendance_record(*, meeting: Meeting, person, status: str, represented_by=None) -> Attendance:
    lock(meeting)
    _require_register_open(meeting)
    if status not in Attendance.Status.values:
        fail(_("Unknown attendance status."), "status")
    if status == Attendance.Status.REPRESENTED:
        if represented_by is None:
            fail(_("Say who represents this person."), "represented_by")
        message = representation_error(meeting, person, represented_by)
        if message:
            fail(message, "represented_by", code="not_representative")
    else:
        represented_by = None
    line = Attendance.objects.filter(meeting=meeting, person=person).first() or Attendance(meeting=meeting, person=person)
    line.status, line.represented_by, line.confirmed = status, represented_by, True
    line.full_clean()
    line.save()
    return line


@dataclass(frozen=True)
class Expected:
    """What an invitation's answer announces for one person: a status, and who represents them."""

    status: str
    represented_by_id: int | None = None


# The answers to the invitations, read through the meeting's reverse relation (no secretariat code here).
ANSWER_TO_STATUS = {"attending": Attendance.Status.PRESENT, "declined": Attendance.Status.EXCUSED,
                    "delegated": Attendance.Status.REPRESENTED}

ANNOUNCED_ABSENT = ("declined", "delegated")  # the answers that announce an absence, for the chair (T4)


def expected_from_answers(meeting: Meeting) -> dict[int, Expected]:
    """{person id: Expected}: declined → excused, delegated → represented by the delegate, attending → present.

    Answers are intentions: the lines they fill stay unconfirmed until the meeting confirms them.
    """
    out = {}
    for person_id, answer, delegate_id in meeting.invitations.filter(person__isnull=False).values_list(
            "person_id", "rsvp", "delegated_to_id"):
        status = ANSWER_TO_STATUS.get(answer)
        if status is not None:
            out[person_id] = Expected(status, delegate_id if status == Attendance.Status.REPRESENTED else None)
    return out


def _seat_facts(mandates) -> list[tuple[seat_rules.SeatFact, object]]:
    return [(seat_rules.SeatFact(key=m.pk, person_key=m.person_id, partner_key=m.person.institution.partner_id,
                            role=m.role, pairs_with_key=m.pairs_with_id, start=m.start), m) for m in mandates]


def stand_ins_by_person(meeting: Meeting, mandates) -> dict[int, list]:
    """{person id: the people who may represent them} under M3, M6 and M8, from the instance's active mandates."""
    seats = _seat_facts(mandates)
    facts = [fact for fact, _m in seats]
    by_key = {fact.key: m for fact, m in seats}
    out: dict[int, list] = {}
    for fact, mandate in seats:
        found = seat_rules.stand_ins(meeting.instance.kind, [fact], facts)
        if found:
            out.setdefault(mandate.person_id, []).extend(by_key[f.key].person for f in found)
    return out


@transaction.atomic
def attendance_initialise(*, meeting: Meeting, people, expected: dict | None = None,
                          stand_ins: dict | None = None) -> list[Attendance]:
    """A line for each person not yet on the register; running it again adds nothing.

    With `expected` (from the answers), each new line starts as announced and unconfirmed; a delegation the
    rules do not allow (`stand_ins`, M3/M6/M8) starts as excused. Without it, lines start absent.
    """
    lock(meeting)
    _require_register_open(meeting)
    existing = set(meeting.attendance.values_list("person_id", flat=True))
    new, seen = [], set(existing)
    for person in people:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        line = Attendance(meeting=meeting, person=person, status=Attendance.Status.ABSENT)
        if expected is not None:
            line.confirmed = False
            announced = expected.get(person.pk)
            if announced is not None:
                line.status = announced.status
                if announced.status == Attendance.Status.REPRESENTED:
                    allowed = {p.pk for p in (stand_ins or {}).get(person.pk, [])}
                    if announced.represented_by_id in allowed:
                        line.represented_by_id = announced.represented_by_id
                    else:
                        line.status = Attendance.Status.EXCUSED
        new.append(line)
    if new:
        bulk_create_with_history(new, Attendance)
    return list(meeting.attendance.select_related("person"))


@transaction.atomic
def attendance_confirm_expected(*, meeting: Meeting) -> int:
    """"Everyone present as announced": the lines the answers filled become fact. Returns how many."""
    lock(meeting)
    _require_register_open(meeting)
    lines = list(meeting.attendance.filter(confirmed=False))
    for line in lines:
        line.confirmed = True
    if lines:
        bulk_update_with_history(lines, Attendance, ["confirmed"])
    return len(lines)


def _register(meeting: Meeting, lines=None) -> list[Attendance]:
    if lines is None:
        lines = list(meeting.attendance.select_related("person__institution"))
    return lines


def register_chair(meeting: Meeting, lines=None, *, announced: bool = False) -> ChairResult:
    """The acting chair from the register: everyone of the instance not marked present counts as absent.

    With an empty register nobody is known absent yet: the result is the chair expected if all come. With
    `announced` (before the meeting), lines prepared from the answers and not yet confirmed count as announced:
    declined and delegated are absences, silence is not. The chair recorded when the meeting is held uses facts.
    A represented titular is absent for the chair: succession is horizontal, between Troïka partners (T4).
    """

    lines = _register(meeting, lines)
    instance = meeting.instance
    day = meeting_day(meeting)
    absent: set[int] = set()
    if lines:
        members = set(Mandate.objects.active_on(day).filter(instance=instance).order_by()
                      .values_list("person_id", flat=True))  # a set: the model's ordering would only add joins
        absent = register_absences(meeting, lines, members, announced=announced)
    return acting_chair(instance, day, absent)


def register_absences(meeting: Meeting, lines, members, *, announced: bool) -> set[int]:
    """Who the register says is absent: the instance's members (and the group's leaders) not marked present.
    With `announced`, a line the answers left "absent" only because nobody answered is not a known absence."""
    present = {line.person_id for line in lines if line.status == Attendance.Status.PRESENT}
    if announced:
        present |= {line.person_id for line in lines
                    if not line.confirmed and line.status == Attendance.Status.ABSENT}
    instance = meeting.instance
    members = set(members) | {pk for pk in (instance.leader_person_id, instance.co_lead_person_id) if pk}
    members |= {line.person_id for line in lines}
    return members - present


def recorded_chair(meeting: Meeting) -> ChairResult:
    return ChairResult(
        person=meeting.chair_person, partner=meeting.chair_partner, role=meeting.chair_role or None,
        reason=meeting.chair_reason, rule=meeting.chair_rule,
    )


def announced_absences(meeting: Meeting) -> set[int]:
    """The people whose answer says they will not come: declined, or delegated their seat (one query)."""
    return set(meeting.invitations.filter(person__isnull=False, rsvp__in=ANNOUNCED_ABSENT)
               .order_by().values_list("person_id", flat=True))


def meeting_chair(meeting: Meeting, lines=None, *, announced_absent=None, seats=None) -> ChairResult:
    """THE chair of a meeting, for every place that names it (page, answers panel, e-mails, PDFs), T3–T5, T7:
    the one recorded once the meeting is held; else from the attendance register once it is taken; else from
    the answers (declined and delegated are announced absences; `announced_absent` when the caller has read
    them already, and `seats` the Troïka's); with no answer, the rules' order (the Troïka, the group's leaders)."""
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED):
        return recorded_chair(meeting)
    lines = _register(meeting, lines)
    if lines:
        return register_chair(meeting, lines, announced=True)
    absent = announced_absences(meeting) if announced_absent is None else announced_absent
    return acting_chair(meeting.instance, meeting_day(meeting), frozenset(absent), seats)


# The name the pages and services used before `meeting_chair` decided for all of them.
current_acting_chair = meeting_chair


def member_partners(meeting: Meeting):
    """The partners holding a mandate in the meeting's instance on its date."""
    mandates = Mandate.objects.active_on(meeting_day(meeting)).filter(instance=meeting.instance)
    return list(Partner.objects.filter(institutions__people__mandates__in=mandates).distinct().order_by("name"))


def represented_partners(meeting: Meeting, lines=None, members=None) -> tuple[list, list]:
    """(partners present or represented, the instance's member partners on the date)."""
    lines = _register(meeting, lines)
    members = member_partners(meeting) if members is None else members
    seated = {
        line.person.institution.partner_id
        for line in lines
        if line.status in (Attendance.Status.PRESENT, Attendance.Status.REPRESENTED)
    }
    return [p for p in members if p.pk in seated], members
