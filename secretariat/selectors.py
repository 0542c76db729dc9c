"""Reads of the secretariat that several pages, e-mails and commands share: sending progress, and the answers to
a meeting's invitations (the roster, counts per partner and per person, the chair foreseen from the answers,
T3–T5, T7). Counts are of people, one invitation each; a constant number of queries whatever their number."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, Sum, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.prepared import ModelReader, column, fetch_prepared, table
from instances.models import Instance
from meetings.models import AgendaItem, Attendance, Meeting
from meetings.services import meeting_chair, register_absences
from membership.chair import ChairResult, acting_chair, troika_seats, troika_seats_many
from membership.models import Mandate
from secretariat.models import DistributionEntry, Invitation

ROLE_LABELS = {
    "titular": _("titular"), "deputy": _("deputy"), "leader": _("group leader"), "co_lead": _("co-lead"),
    "expert": _("expert"), "binome": _("binôme"), "topic_expert": _("topic expert"), "presenter": _("presenter"),
    "interlocutor": _("government interlocutor"), "delegate": _("delegate"),
}
# Delivery as the roster shows it: a message being written or sent is "pending".
DELIVERY = {
    Invitation.State.PENDING: "pending", Invitation.State.SENDING: "pending", Invitation.State.SENT: "sent",
    Invitation.State.FAILED: "failed", Invitation.State.BOUNCED: "bounced",
}
DELIVERY_LABELS = {"pending": _("being sent"), "sent": _("sent"), "failed": _("failed"), "bounced": _("bounced")}
ABSENT_ANSWERS = (Invitation.Rsvp.DECLINED, Invitation.Rsvp.DELEGATED)


def meeting_date(meeting) -> datetime.date:
    """Mandates and the Troïka are looked up on the meeting's local date (M10)."""
    return timezone.localtime(meeting.start).date()


@functools.cache
def _personal_readers() -> tuple[ModelReader, ModelReader, ModelReader]:
    """What "Mes invitations" shows of an invitation, its meeting and the meeting's instance."""
    return (
        ModelReader(Invitation, ("id", "meeting", "person", "rsvp", "delegated_to", "delegated_from", "message")),
        ModelReader(Meeting, ("id", "instance", "title", "start", "end", "status", "place", "proposal_deadline")),
        ModelReader(Instance, ("id", "code", "kind")),
    )


@functools.cache
def _personal_invitations_sql(vendor: str = "postgresql") -> str:
    invitation, meeting, instance = _personal_readers()
    # The window first (the meetings ending since the date, by the index on their end), then the person's
    # invitation to each (by the one-invitation-per-person index; OFFSET 0 keeps the planner from merging the
    # two into a read of the person's years of invitations); the proposals counted row by row (an EXISTS here
    # was planned as a scan of every agenda item ever proposed).
    return f"""
        WITH window_meetings AS MATERIALIZED (
            SELECT w.{column(Meeting, "id")} AS id FROM {table(Meeting)} w WHERE w.{column(Meeting, "end")} >= %s
        )
        SELECT {invitation.select("inv")}, {meeting.select("m")}, {instance.select("i")},
            (SELECT COUNT(*) FROM {table(AgendaItem)} a WHERE a.{column(AgendaItem, "meeting")} = inv.{column(Invitation, "meeting")}
                AND a.{column(AgendaItem, "proposed_by")} = inv.{column(Invitation, "person")}) > 0
        FROM window_meetings
            {_one_invitation_each(vendor)}
            INNER JOIN {table(Meeting)} m ON m.{column(Meeting, "id")} = inv.{column(Invitation, "meeting")}
            INNER JOIN {table(Instance)} i ON i.{column(Instance, "id")} = m.{column(Meeting, "instance")}
        ORDER BY m.{column(Meeting, "start")}, inv.{column(Invitation, "id")}
    """  # noqa: S608 (model table and column names only)


def _one_invitation_each(vendor: str) -> str:
    """The person's invitation to each meeting of the window, as `inv`: on PostgreSQL a lateral read of the
    one invitation per meeting; SQLite, which has no LATERAL, takes the same rows with a join."""
    if vendor == "postgresql":
        return f"""CROSS JOIN LATERAL (
                SELECT * FROM {table(Invitation)} one WHERE one.{column(Invitation, "meeting")} = window_meetings.id
                    AND one.{column(Invitation, "person")} = %s OFFSET 0
            ) inv"""  # noqa: S608 (model table and column names only)
    return f"""INNER JOIN {table(Invitation)} inv ON inv.{column(Invitation, "meeting")} = window_meetings.id
                AND inv.{column(Invitation, "person")} = %s"""


# "Since the beginning": before any meeting the portal can hold (core.dates keeps dates within 1990–2100).
EVER = datetime.datetime(1990, 1, 1, tzinfo=datetime.UTC)


def personal_invitations(person_id: int, since: datetime.datetime | None = None) -> list[Invitation]:
    """One person's invitations to meetings ending at or after `since` (all of them when None), oldest meeting
    first, with their meeting and its instance, and `has_proposals` (whether they proposed an agenda item to
    that meeting), in one statement that reads the window's meetings, not the person's whole history.

    The home page of every partner: written in SQL and prepared (core.prepared), because the ORM spent ~3 ms
    compiling this query and building its rows, the database ~0.1 ms answering it. The fields not read are
    deferred, as with `only()`.
    """
    invitation, meeting, instance = _personal_readers()
    found = []
    params = [since or EVER, person_id]
    for row in fetch_prepared("ptf_personal_invitations", _personal_invitations_sql(connection.vendor), params):
        item, end = invitation.read_from(row)
        item.meeting, end = meeting.read_from(row, end)
        item.meeting.instance, end = instance.read_from(row, end)
        item.has_proposals = bool(row[end])
        found.append(item)
    return found


def invitation_progress(meeting_ids) -> dict[int, dict]:
    """{meeting_id: {"sent", "failed", "pending", "checking", "resent", "total", "messages"...}} in one query.

    Counts are of people (one invitation each); "messages" is the number of e-mails sent to them; "failed"
    counts the bounced too (not delivered either way).

    "checking" ("à vérifier"): rows that may already have reached the mail server and wait to be sent again
    (uncertain delivery), or rows whose sending stopped answering (their batch died); they are counted apart
    from "pending". "resent": sent rows that went out again after an uncertain delivery.
    """
    stale = progress_stale_before()
    # People per (meeting, state, uncertain delivery), folded below: two aggregates compile much faster than
    # one per count. No ordering: the model's (by meeting) is dropped from a GROUP BY but would still join.
    groups = (Invitation.objects.filter(meeting_id__in=list(meeting_ids)).order_by()
              .values_list("meeting_id", "state", "delivery_uncertain")
              .annotate(n=Count("id"), stale=Count("id", filter=Q(claimed_at__lt=stale)), messages=Sum("messages_sent")))
    return progress_from_groups(groups)


def progress_stale_before() -> datetime.datetime:
    """A sending claimed before this moment stopped answering (its batch died)."""
    return timezone.now() - datetime.timedelta(seconds=settings.INVITATION_SENDING_TIMEOUT)


def progress_from_groups(groups) -> dict[int, dict]:
    """`invitation_progress` from its groups: (meeting id, state, uncertain delivery, people, people whose
    sending was claimed before `progress_stale_before`, messages sent)."""
    waiting = (Invitation.State.PENDING, Invitation.State.SENDING)
    rows: dict[int, dict] = {}
    for meeting_id, state, uncertain, n, stale_n, messages in groups:
        row = rows.setdefault(meeting_id, dict.fromkeys(
            ("sent", "failed", "waiting", "checking", "resent", "bounced", "messages"), 0))
        row["messages"] += messages or 0
        if state == Invitation.State.SENT:
            row["sent"] += n
            row["resent"] += n if uncertain else 0
        elif state in waiting:
            row["waiting"] += n
            # Uncertain delivery, or a sending whose batch stopped answering.
            row["checking"] += n if uncertain else stale_n if state == Invitation.State.SENDING else 0
        else:
            row["failed"] += n
            row["bounced"] += n if state == Invitation.State.BOUNCED else 0
    out: dict[int, dict] = {}
    for meeting_id, row in rows.items():
        counts = {"sent": row["sent"], "failed": row["failed"], "checking": row["checking"],
                  "pending": row["waiting"] - row["checking"], "resent": row["resent"],
                  "messages": row["messages"], "bounced": row["bounced"]}
        total = counts["sent"] + counts["failed"] + row["waiting"]
        counts["total"] = total
        for key in ("sent", "failed", "pending", "checking"):
            # Bar widths in steps of 5 %: CSS classes, since inline styles are forbidden by the CSP.
            counts[f"{key}_w"] = f"w{round(counts[key] * 20 / total) * 5}" if total else "w0"
        counts["done"] = row["waiting"] == 0
        out[meeting_id] = counts
    return out


def rsvp_summary(meeting_ids) -> dict[int, dict]:
    """{meeting_id: {"attending", "declined", "delegated", "tentative", "none"}}: people, one invitation each."""
    # "uncovered": titulars whose delegated seat came back (the deputy declined or bounced) and who have not
    # answered since (M3/M6), counted in the same query through the deputy's row.
    returned = (Q(rsvp=Invitation.Rsvp.NONE)
                & (Q(delegation__rsvp=Invitation.Rsvp.DECLINED) | Q(delegation__state=Invitation.State.BOUNCED)))
    rows = (Invitation.objects.filter(meeting_id__in=list(meeting_ids)).order_by()  # no join for the model's order
            .values_list("meeting_id", "rsvp").annotate(n=Count("id"), uncovered=Count("id", filter=returned)))
    return rsvp_from_groups(rows)


def rsvp_from_groups(groups) -> dict[int, dict]:
    """`rsvp_summary` from its groups: (meeting id, answer, people, of whom titulars whose seat came back)."""
    out: dict[int, dict] = {}
    for meeting_id, rsvp, n, uncovered in groups:
        summary = out.setdefault(meeting_id, dict.fromkeys(Invitation.Rsvp.values, 0) | {"uncovered": 0})
        summary[rsvp] = n
        summary["uncovered"] += uncovered
    return out


def root_invitation(invitation: Invitation) -> Invitation:
    """The row whose answer an e-mail about this invitation records: the person's one row."""
    return invitation


@dataclass
class AnswerRow:
    """One invitee of a meeting as the roster shows them."""

    invitation_id: int
    person_id: int | None
    email: str
    name: str
    partner: str
    role: str
    recipient: str
    answer: str
    channel: str
    answered_at: datetime.datetime | None
    delegated_to: str
    delegated_from: str
    delivery: str
    stale: bool
    out_of_office: datetime.datetime | None
    note: str
    answered_by: str
    messages_sent: int
    position: tuple
    # The current message went out again after an uncertain delivery: the person may have it twice.
    delivery_uncertain: bool = False
    # A titular whose delegated seat came back (the deputy declined or bounced) and who has not answered yet.
    seat_returned: bool = False

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))

    @property
    def recipient_label(self) -> str:
        return str(Invitation.Recipient(self.recipient).label) if self.recipient in Invitation.Recipient.values \
            else self.recipient

    @property
    def answer_label(self) -> str:
        return str(Invitation.Rsvp(self.answer).label)

    @property
    def channel_label(self) -> str:
        return str(Invitation.Channel(self.channel).label) if self.channel else ""

    @property
    def delivery_label(self) -> str:
        return str(DELIVERY_LABELS[self.delivery])

    def as_dict(self) -> dict:
        """The keys of the `meeting_answers` command and of the CSV download."""
        return {
            "email": self.email, "name": self.name, "partner": self.partner, "role": self.role,
            "recipient": self.recipient, "answer": self.answer, "channel": self.channel,
            "answered_at": self.answered_at.isoformat() if self.answered_at else "",
            "delegated_to": self.delegated_to, "delivery": self.delivery,
        }


ROW_KEYS = ("email", "name", "partner", "role", "recipient", "answer", "channel", "answered_at", "delegated_to",
            "delivery")


@dataclass
class PartnerAnswers:
    """The invitees of one partner, and whether the partner will be represented."""

    partner: str
    rows: list[AnswerRow] = field(default_factory=list)

    @property
    def status(self) -> str:
        answers = {row.answer for row in self.rows}
        if Invitation.Rsvp.ATTENDING in answers:
            return "represented"
        if any(row.seat_returned for row in self.rows):
            return "uncovered"  # M3/M6: the deputy declined the delegated seat, the titular has not decided
        if answers <= {Invitation.Rsvp.NONE}:
            return "silent"
        if answers <= set(ABSENT_ANSWERS):
            return "declined"
        return "undecided"  # a "maybe", or a seat delegated to someone who has not answered yet


def _positions(meeting) -> tuple[dict[str, tuple], dict[str, int]]:
    """From the latest snapshot: {entry key: (partner's first position, position)} and {partner: first position}."""
    snapshot_id = meeting.distribution_lists.order_by("-generated_at", "-pk").values_list("pk", flat=True).first()
    if snapshot_id is None:
        return {}, {}
    entries = DistributionEntry.objects.filter(distribution_list_id=snapshot_id).order_by("position")
    first_of_partner: dict[str, int] = {}
    out = {}
    for person_id, email, partner, position in entries.values_list("person_id", "email", "partner", "position"):
        first = first_of_partner.setdefault(partner, position)
        out[f"p{person_id}" if person_id else email.lower()] = (first, position)
    return out, first_of_partner


def meeting_answers(meeting) -> list[AnswerRow]:
    """Every invitee of the meeting, grouped by partner in the distribution list's order (three queries)."""
    positions, first_of_partner = _positions(meeting)
    invitations = (Invitation.objects.filter(meeting=meeting)
                   .select_related("delegated_to", "delegated_from", "answered_by").order_by("pk"))
    late = 10 ** 9
    rows = []
    for i in invitations:
        key = f"p{i.person_id}" if i.person_id else i.email.lower()
        # Someone convened by delegation or added after the list: with their partner, after its entries.
        position = positions.get(key) or (first_of_partner.get(i.partner, late), late + i.pk)
        answered_by = (i.answered_by.get_full_name() or i.answered_by.get_username()) if i.answered_by_id else ""
        rows.append(AnswerRow(
            invitation_id=i.pk, person_id=i.person_id, email=i.email, name=i.name, partner=i.partner, role=i.role,
            recipient=i.recipient, answer=i.rsvp, channel=i.answer_channel, answered_at=i.rsvp_at,
            delegated_to=i.delegated_to.full_name if i.delegated_to_id else "",
            delegated_from=i.delegated_from.name if i.delegated_from_id else "",
            delivery=DELIVERY.get(i.state, "pending"),
            stale=(i.rsvp != Invitation.Rsvp.NONE and i.answered_sequence is not None
                   and i.answered_sequence < meeting.ical_sequence),
            out_of_office=i.out_of_office_at, note=i.answer_note, answered_by=answered_by,
            messages_sent=i.messages_sent, position=position, delivery_uncertain=i.delivery_uncertain,
        ))
    # A deputy's seat that came back: the titular (the row it was delegated from) is flagged until she answers.
    by_id = {row.invitation_id: row for row in rows}
    for i in invitations:
        titular = by_id.get(i.delegated_from_id)
        if (titular is not None and titular.answer == Invitation.Rsvp.NONE
                and (i.rsvp == Invitation.Rsvp.DECLINED or i.state == Invitation.State.BOUNCED)):
            titular.seat_returned = True
    rows.sort(key=lambda row: (row.position, row.name))
    return rows


def by_partner(rows: list[AnswerRow]) -> list[PartnerAnswers]:
    groups: dict[str, PartnerAnswers] = {}
    for row in rows:
        groups.setdefault(row.partner, PartnerAnswers(row.partner)).rows.append(row)
    return list(groups.values())


def partner_counts(groups: list[PartnerAnswers]) -> dict[str, int]:
    counts = {"represented": 0, "declined": 0, "silent": 0, "undecided": 0, "uncovered": 0}
    for group in groups:
        if group.partner:
            counts[group.status] += 1
    return counts


def person_counts(rows: list[AnswerRow]) -> dict[str, int]:
    """Counts of people (one per invitee), and apart the number of messages sent to them."""
    counts = {"people": len(rows), "messages": sum(row.messages_sent for row in rows)}
    for answer in Invitation.Rsvp.values:
        counts[answer] = sum(1 for row in rows if row.answer == answer)
    for delivery in DELIVERY_LABELS:
        counts[delivery] = sum(1 for row in rows if row.delivery == delivery)
    return counts


def progress_by_meeting(meeting_ids) -> dict[int, dict]:
    """{meeting_id: people per delivery state, people per answer, messages sent}: one query, counts of people."""
    out: dict[int, dict] = {}
    rows = (Invitation.objects.filter(meeting_id__in=list(meeting_ids)).order_by().values("meeting_id")
            .annotate(people=Count("id"), messages=Sum("messages_sent"),
                      sent=Count("id", filter=Q(state=Invitation.State.SENT)),
                      failed=Count("id", filter=Q(state=Invitation.State.FAILED)),
                      bounced=Count("id", filter=Q(state=Invitation.State.BOUNCED)),
                      pending=Count("id", filter=Q(state__in=[Invitation.State.PENDING, Invitation.State.SENDING])),
                      **{f"answer_{a}": Count("id", filter=Q(rsvp=a)) for a in Invitation.Rsvp.values}))
    for row in rows:
        out[row.pop("meeting_id")] = row
    return out


@dataclass(frozen=True)
class ForeseenChair:
    """The chair the answers announce (declined and delegated count as expected absences), and the one
    expected if everybody came; `changed` when the answers move the presidency."""

    chair: ChairResult
    expected: ChairResult

    @property
    def changed(self) -> bool:
        return self.chair.person != self.expected.person


def foreseen_chair(meeting, absent_person_ids=None) -> ForeseenChair:
    """T3–T5 (GEC, GA) and T7 (GT/GD) with the answers: horizontal succession between Troïka partners."""
    day = meeting_date(meeting)
    if absent_person_ids is None:
        absent_person_ids = set(
            Invitation.objects.filter(meeting=meeting, person__isnull=False, rsvp__in=ABSENT_ANSWERS)
            .values_list("person_id", flat=True))
    instance = meeting.instance
    # The chair every other place names (meetings.services.meeting_chair): the register once taken, else the
    # answers; and apart, the one expected if everybody came.
    seats = None if instance.is_group else troika_seats(instance, day)  # one reading for both answers
    return ForeseenChair(chair=meeting_chair(meeting, announced_absent=frozenset(absent_person_ids), seats=seats),
                         expected=acting_chair(instance, day, seats=seats))


def absent_from(rows: list[AnswerRow]) -> set[int]:
    return {row.person_id for row in rows if row.person_id and row.answer in ABSENT_ANSWERS}


OPEN_MEETING = ("draft", "agenda_proposed", "convened")


@dataclass(frozen=True)
class AnswerFacts:
    """What the counts and the foreseen chair read of an invitee: an `AnswerRow` without the roster's details."""

    person_id: int | None
    partner: str
    answer: str
    delivery: str
    messages_sent: int
    seat_returned: bool = False  # as `AnswerRow.seat_returned`


def answers_summary(meeting) -> dict:
    """`answers_overview` for the meeting page's panel (counts and the foreseen chair, not the roster): one
    narrow query instead of the roster's three."""
    raw = list(Invitation.objects.filter(meeting=meeting).order_by("pk").values_list(
        "pk", "person_id", "partner", "rsvp", "state", "messages_sent", "delegated_from_id"))
    returned = {titular for _pk, _p, _pa, rsvp, state, _m, titular in raw
                if titular and (rsvp == Invitation.Rsvp.DECLINED or state == Invitation.State.BOUNCED)}
    rows = [AnswerFacts(person_id, partner, rsvp, DELIVERY.get(state, "pending"), messages_sent,
                        seat_returned=pk in returned and rsvp == Invitation.Rsvp.NONE)
            for pk, person_id, partner, rsvp, state, messages_sent, _titular in raw]
    return answers_overview(meeting, rows)


def answers_overview(meeting, rows=None) -> dict:
    """What the roster and the meeting page show: groups by partner, counts, the chair the answers announce."""
    rows = meeting_answers(meeting) if rows is None else rows
    groups = by_partner(rows)
    chair = foreseen_chair(meeting, absent_from(rows)) if meeting.status in OPEN_MEETING else None
    return {"rows": rows, "groups": groups, "partner_counts": partner_counts(groups),
            "people": person_counts(rows), "foreseen": chair}


def chair_changes(meetings) -> list[tuple]:
    """[(meeting, ForeseenChair)] for the meetings whose chair moves because of the answers (daily digest)."""
    meetings = list(meetings)
    absent: dict[int, set] = {}
    for meeting_id, person_id in Invitation.objects.filter(
            meeting__in=meetings, person__isnull=False, rsvp__in=ABSENT_ANSWERS).values_list("meeting_id", "person_id"):
        absent.setdefault(meeting_id, set()).add(person_id)
    out = []
    for meeting in meetings:
        if meeting.pk in absent:
            foreseen = foreseen_chair(meeting, absent[meeting.pk])
            if foreseen.changed:
                out.append((meeting, foreseen))
    return out


def chairs_by_meeting(meetings, facts: ChairFacts | None = None) -> dict:
    """{meeting id: ChairResult}: `meetings.services.meeting_chair` for a list page (the dashboard), in a fixed
    number of queries whatever the number of meetings: the announced absences, the registers, the members of
    the instances with a register, the groups' leaders, the recorded chairs, the Troïkas and their titulars."""
    meetings = list(meetings)
    ids = [m.pk for m in meetings]
    prefetch_related_objects([m.instance for m in meetings if m.instance.is_group], "leader_partner",
                             "co_lead_partner", "leader_person__institution__partner",
                             "co_lead_person__institution__partner")
    recorded = [m for m in meetings if m.status in RECORDED]
    prefetch_related_objects(recorded, "chair_person", "chair_partner")
    if facts is not None:
        return _chairs(meetings, facts.absent, facts.lines, facts.members, facts.seats)
    absent: dict[int, set] = {}
    for meeting_id, person_id in (Invitation.objects.filter(meeting_id__in=ids, person__isnull=False,
                                                            rsvp__in=ABSENT_ANSWERS).order_by()
                                  .values_list("meeting_id", "person_id")):
        absent.setdefault(meeting_id, set()).add(person_id)
    lines: dict[int, list] = {}
    for line in Attendance.objects.filter(meeting_id__in=ids).order_by():
        lines.setdefault(line.meeting_id, []).append(line)
    recorded_ids = {m.pk for m in recorded}
    with_register = [m for m in meetings if m.pk in lines and m.pk not in recorded_ids]
    mandates = list(Mandate.objects.filter(instance_id__in={m.instance_id for m in with_register}).order_by()
                    .values_list("instance_id", "person_id", "start", "end")) if with_register else []
    seats = troika_seats_many(chair_seats_wanted(meetings))
    return _chairs(meetings, absent, lines, mandates, seats)


def chair_seats_wanted(meetings) -> list[tuple]:
    """The (instance, date) pairs whose Troïka seats `chairs_by_meeting` reads."""
    return [(m.instance, meeting_date(m)) for m in meetings if m.status not in RECORDED and not m.instance.is_group]


@dataclass(frozen=True)
class ChairFacts:
    """What `chairs_by_meeting` reads, when the dashboard has read it with the rest of the page: `absent`
    {meeting id: person ids declined or delegated}, `lines` {meeting id: [Attendance]}, `members` (instance id,
    person id, start, end) of the mandates of the instances of the meetings with a register, over their days,
    and `seats` {(instance id, date): TroikaSeats} for `chair_seats_wanted`."""

    absent: dict
    lines: dict
    members: list
    seats: dict


RECORDED = (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED)


def _chairs(meetings, absent, lines, mandates, seats) -> dict:
    recorded_ids = {m.pk for m in meetings if m.status in RECORDED}
    out = {}
    for m in meetings:
        day = meeting_date(m)
        if m.pk in recorded_ids:
            out[m.pk] = meeting_chair(m)  # the recorded chair: no query left to run
            continue
        if m.pk in lines:
            members = {person for instance, person, start, end in mandates
                       if instance == m.instance_id and start <= day and (end is None or end >= day)}
            gone = register_absences(m, lines[m.pk], members, announced=True)
        else:
            gone = absent.get(m.pk, set())
        out[m.pk] = acting_chair(m.instance, day, frozenset(gone), seats.get((m.instance_id, day)))
    return out
