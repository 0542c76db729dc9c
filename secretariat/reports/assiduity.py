"""Assiduity per partner: of the held meetings of a body it was expected at, how often it came, and how.

Who is expected (M10): every partner holding a seat in the body on the meeting's date — titular or
deputy (GEC/GA, M2, M6), expert or binôme (GT/GD, M8). How it took part, first match wins:
- titular: its titular (or expert) is present;
- delegated: its titular is recorded as represented, or delegated in the answers and the deputy came (M3);
- deputy: its deputy (or binôme) is present without a recorded delegation;
- excused: nobody came and someone of the partner was excused or declined the invitation;
- absent: otherwise.
A held meeting without any attendance line has no register to read: it is left out and counted apart.
The rate is the share of expected meetings the partner attended (titular + deputy + delegated), in %.
Queries: four, whatever the number of meetings, partners and people.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.db.models import Q
from django.utils import timezone

from meetings.models import Attendance, Meeting
from membership.models import Mandate
from secretariat.models import Invitation

TITULAR, DEPUTY, DELEGATED, EXCUSED, ABSENT = "titular", "deputy", "delegated", "excused", "absent"
OUTCOMES = (TITULAR, DEPUTY, DELEGATED, EXCUSED, ABSENT)
ATTENDED = (TITULAR, DEPUTY, DELEGATED)
PRINCIPAL_ROLES = {Mandate.Role.TITULAR, Mandate.Role.EXPERT}
SECOND_ROLES = {Mandate.Role.DEPUTY, Mandate.Role.BINOME}
HELD = (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED)
FIELDS = ("partner", "invited", "titular", "deputy", "delegated", "excused", "absent", "rate")
SORTS = {"partner": lambda r: r.partner.casefold(), **{key: (lambda r, key=key: getattr(r, key)) for key in FIELDS[1:]}}


@dataclass
class PartnerAssiduity:
    """One line of the report."""

    partner: str
    invited: int = 0
    titular: int = 0
    deputy: int = 0
    delegated: int = 0
    excused: int = 0
    absent: int = 0

    @property
    def attended(self) -> int:
        return self.titular + self.deputy + self.delegated

    @property
    def rate(self) -> float:
        return round(100 * self.attended / self.invited, 1) if self.invited else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "rate": self.rate}


@dataclass
class AssiduityReport:
    instance: object
    start: datetime.date
    end: datetime.date
    rows: list[PartnerAssiduity]
    meetings: int
    without_register: int


def held_meetings(instance_ids, start: datetime.date | None = None, end: datetime.date | None = None):
    tz = timezone.get_current_timezone()
    qs = Meeting.objects.filter(instance_id__in=list(instance_ids), status__in=HELD)
    if start is not None:
        qs = qs.filter(start__gte=datetime.datetime.combine(start, datetime.time(), tz))
    if end is not None:
        qs = qs.filter(start__lt=datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), tz))
    return qs


@dataclass(frozen=True)
class OutcomeFacts:
    """What `meeting_outcomes` reads, when a caller (the dashboard) has read it with other things:
    `seats`: (instance id, role, start, end, person id, partner name) of the mandates of those bodies
    overlapping the meetings' days (`outcome_seats_filter`); `lines`: {meeting id: {person id: register
    status}}; `answers`: {meeting id: {person id: answer}} of the answered invitations to a person."""

    seats: list
    lines: dict
    answers: dict


def outcome_seats_filter(meetings) -> Q:
    """The mandates `meeting_outcomes` reads for these meetings."""
    days = [timezone.localtime(m.start).date() for m in meetings]
    return (Q(instance_id__in={m.instance_id for m in meetings}, role__in=[*PRINCIPAL_ROLES, *SECOND_ROLES])
            & (Q(end__isnull=True) | Q(end__gte=min(days))) & Q(start__lte=max(days)))


def meeting_outcomes(meetings: list, facts: OutcomeFacts | None = None) -> dict[int, dict[str, str]]:
    """{meeting id: {partner name: outcome}} for held meetings that have a register (see the module docstring).

    A meeting needs only `pk`, `instance_id` and `start`."""
    if not meetings:
        return {}
    ids = [m.pk for m in meetings]
    days = {m.pk: timezone.localtime(m.start).date() for m in meetings}
    if facts is None:
        facts = _outcome_facts(meetings, ids)
    lines, answers = facts.lines, facts.answers
    seats_of = defaultdict(list)  # by instance: each meeting walks its own body's seats only
    for instance_id, role, start, end, person_id, partner in facts.seats:
        seats_of[instance_id].append((role, start, end, person_id, partner))
    out = {}
    for meeting in meetings:
        if not lines.get(meeting.pk):
            continue
        day = days[meeting.pk]
        seats = defaultdict(lambda: (set(), set()))
        for role, start, end, person_id, partner in seats_of.get(meeting.instance_id, ()):
            if start <= day and (end is None or end >= day):
                principals, seconds = seats[partner]
                (principals if role in PRINCIPAL_ROLES else seconds).add(person_id)
        out[meeting.pk] = {
            partner: _outcome(principals, seconds, lines[meeting.pk], answers.get(meeting.pk, {}))
            for partner, (principals, seconds) in seats.items()
        }
    return out


def _outcome_facts(meetings, ids) -> OutcomeFacts:
    # Q1: the seats of those bodies over the whole span, with each person's partner.
    seats = list(Mandate.objects.filter(outcome_seats_filter(meetings)).order_by().values_list(
        "instance_id", "role", "start", "end", "person_id", "person__institution__partner__name"))
    # Q2: the registers; Q3: the answers to the invitations.
    lines = defaultdict(dict)
    for meeting_id, person_id, status in Attendance.objects.filter(meeting_id__in=ids).values_list(
            "meeting_id", "person_id", "status"):
        lines[meeting_id][person_id] = status
    answers = defaultdict(dict)
    for meeting_id, person_id, rsvp in Invitation.objects.filter(
            meeting_id__in=ids, person__isnull=False).exclude(rsvp=Invitation.Rsvp.NONE).values_list(
            "meeting_id", "person_id", "rsvp"):
        answers[meeting_id][person_id] = rsvp
    return OutcomeFacts(seats, lines, answers)


def _outcome(principals: set, seconds: set, lines: dict, answers: dict) -> str:
    present = Attendance.Status.PRESENT
    if any(lines.get(p) == present for p in principals):
        return TITULAR
    deputy_came = any(lines.get(s) == present for s in seconds)
    if any(lines.get(p) == Attendance.Status.REPRESENTED for p in principals) or (
            deputy_came and any(answers.get(p) == Invitation.Rsvp.DELEGATED for p in principals)):
        return DELEGATED
    if deputy_came:
        return DEPUTY
    if any(lines.get(p) == Attendance.Status.EXCUSED or answers.get(p) == Invitation.Rsvp.DECLINED
           for p in principals | seconds):
        return EXCUSED
    return ABSENT


def assiduity(instance, start: datetime.date, end: datetime.date, sort: str = "partner",
              descending: bool = False, *, meetings=None, outcomes=None) -> AssiduityReport:
    """Each member partner's assiduity at the body's held meetings from `start` to `end` (both included).

    `meetings` (the held meetings, by start) and their `outcomes`, when the caller has read them."""
    if meetings is None:
        meetings = list(held_meetings([instance.pk], start, end).order_by("start"))  # Q4
        outcomes = meeting_outcomes(meetings)
    rows: dict[str, PartnerAssiduity] = {}
    for by_partner in outcomes.values():
        for partner, outcome in by_partner.items():
            row = rows.setdefault(partner, PartnerAssiduity(partner))
            row.invited += 1
            setattr(row, outcome, getattr(row, outcome) + 1)
    key = SORTS.get(sort, SORTS["partner"])
    ordered = sorted(rows.values(), key=lambda r: r.partner.casefold())
    ordered = sorted(ordered, key=key, reverse=descending)
    return AssiduityReport(instance, start, end, ordered, len(outcomes), len(meetings) - len(outcomes))


def year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


STREAK_REACH_DAYS = 3 * 366  # how far back a streak of absences is looked for


def absent_streaks(instances, last: int, today: datetime.date | None = None, *, candidates=None,
                   outcomes=None) -> list[tuple]:
    """(instance, partner) pairs absent (or excused) from each of the body's last `last` held meetings.

    Only meetings with a register count; a partner must have been expected at all of them. `candidates`
    (held meetings of the instances within reach, latest first; at least the last `last` with a register of
    each) and their `outcomes`, when the caller has read them.
    """
    if last < 1:
        return []
    today = today or timezone.localdate()
    instances = list(instances)
    by_id = {i.pk: i for i in instances}
    if candidates is None:
        since = today - datetime.timedelta(days=STREAK_REACH_DAYS)
        candidates = list(held_meetings(by_id, since, today).order_by("-start"))
        outcomes = meeting_outcomes(candidates)
    recent = defaultdict(list)
    for meeting in candidates:
        if meeting.pk in outcomes and len(recent[meeting.instance_id]) < last:
            recent[meeting.instance_id].append(outcomes[meeting.pk])
    out = []
    for instance_id, rows in recent.items():
        if len(rows) < last:
            continue
        partners = set.intersection(*(set(r) for r in rows))
        for partner in sorted(partners, key=str.casefold):
            if all(r[partner] not in ATTENDED for r in rows):
                out.append((by_id[instance_id], partner))
    return out
