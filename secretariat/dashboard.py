"""The secretariat's dashboard read in a fixed handful of queries, whatever the years of history.

Each panel has its own read elsewhere (the compliance warnings, the reports, the sending progress, the
foreseen chairs), which the other pages keep using; here the dashboard reads the rows they all need once, one
query per table, and hands each its part:

1. the instances, with their leaders, each group's last held meeting and held meetings of the year
   (`reports.activity.with_activity`), and the mailbox's count of messages to handle;
2. the meetings: the month shown, the coming ones (the first forty), the GEC's held meetings of the year, the
   last held meetings with a register of each active body (`ASSIDUITY_ABSENT_ALERT`, ranked by the database,
   not read), and the GA's meetings of the year (I4);
3. the open actions (the first sixteen), with how many are late counted over all of them;
4. the Troïkas (T1's years and those of the meetings whose chair is foreseen);
5. the invitations of the convened meetings (progress, answers, announced absences) and the answers of the
   held meetings of the reports;
6. the registers of those meetings;
7. the mandates: the seats the compliance checks read, those of the reports' meetings, and the titulars and
   members the foreseen chairs need;
8. the failed addresses.

With the session and the user's roles, ten. The equivalence with each panel's own read is tested
(tests/secretariat/test_dashboard_folded.py). The first two are compiled reads (`core.prepared.CompiledRead`):
compiling them cost more than running them, so they are compiled once a day and process, the request's moment
put back in its place (tests/core/test_compiled_read.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case as CaseWhen
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from core.prepared import CompiledRead
from instances.models import Instance, Troika
from meetings.compliance import ga_moment
from meetings.models import ActionItem, AgendaItem, Attendance, Meeting
from meetings.schedule import BAMAKO, TOOK_PLACE
from membership.chair import troika_seats_from
from membership.compliance import SEAT_COLUMNS, seat_filter, troika_years
from membership.models import Institution, Mandate, Partner, Person
from secretariat.dashboard_panels import instance_columns
from secretariat.inbound.models import InboundMessage
from secretariat.inbound.selectors import failed_addresses, mailbox_to_handle_count
from secretariat.models import Invitation
from secretariat.reports.activity import with_activity
from secretariat.reports.assiduity import (
    HELD,
    PRINCIPAL_ROLES,
    SECOND_ROLES,
    STREAK_REACH_DAYS,
    OutcomeFacts,
    meeting_outcomes,
    outcome_seats_filter,
)
from secretariat.reports.dashboard import ReportFacts
from secretariat.selectors import (
    ABSENT_ANSWERS,
    ChairFacts,
    chair_seats_wanted,
    meeting_date,
    progress_from_groups,
    progress_stale_before,
    rsvp_from_groups,
)

UPCOMING_SHOWN = 40
ACTIONS_SHOWN = 16
# The mandates' columns: the compliance checks' seats, then what a foreseen chair names.
MANDATE_COLUMNS = (*SEAT_COLUMNS, "person__institution_id", "person__institution__partner_id")


@dataclass
class SecretariatDashboard:
    """What the SEG's dashboard shows, read together (see the module docstring)."""

    instances: list  # every instance, with its leaders
    managed: list  # the active ones, as `membership.access.managed_instances` orders them
    month_meetings: list
    upcoming: list
    actions: list
    late_count: int
    progress: dict
    rsvps: dict
    chairs: ChairFacts
    troikas: dict
    seat_rows: list
    ga_count: int
    reports: ReportFacts
    failed_addresses: list
    mailbox_to_handle: int


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), timezone.get_current_timezone())


def secretariat_dashboard(first: datetime.date, last: datetime.date) -> SecretariatDashboard:
    """The month from `first` to `last` (excluded) in the calendar, and everything else as of now."""
    now, today = timezone.now(), timezone.localdate()
    streak = settings.ASSIDUITY_ABSENT_ALERT

    # 1. Every instance with its leaders; the mailbox's count rides along (a scalar subquery, computed once).
    instances = _bodies(today)
    by_id = {i.pk: i for i in instances}
    active_ids = [i.pk for i in instances if i.is_active]
    gec = next((i for i in instances if i.is_active and i.kind == Instance.Kind.GEC), None)
    ga_ids = [i.pk for i in instances if i.kind == Instance.Kind.GA]

    # 2. The meetings of every panel in one read; the coming ones and the streaks' candidates are ranked by
    # the database so that only those shown are read, whatever the years behind.
    w = _Moments.of(first, last, today)
    gec_id = gec.pk if gec else None
    moment = ga_moment(today)
    meetings = _meetings(now=now, ga_from_moment=moment, window=w, gec_id=gec_id, active_ids=tuple(active_ids),
                         ga_ids=tuple(ga_ids), streak=streak)
    for m in meetings:
        m.instance = by_id[m.instance_id]
    month_meetings = [m for m in meetings if w.month_from <= m.start < w.month_until]
    upcoming = [m for m in meetings if m.is_coming and m.coming_rank <= UPCOMING_SHOWN]
    gec_meetings = [m for m in meetings if gec and m.instance_id == gec.pk and m.status in HELD
                    and w.year_start <= m.start < w.next_year]
    candidates = [m for m in reversed(meetings) if m.is_candidate and m.candidate_rank <= streak]
    ga_count = sum(1 for m in meetings if m.instance_id in ga_ids and w.ga_from <= m.start < w.ga_until
                   and m.status != Meeting.Status.CANCELLED and (m.start >= moment or m.status in TOOK_PLACE))
    convened = [m for m in upcoming if m.status == Meeting.Status.CONVENED]
    reported = {m.pk: m for m in [*gec_meetings, *candidates]}

    # 3. The open actions: the first sixteen, and the late ones counted over all of them (a scalar subquery,
    # counted once, so that only the sixteen shown are joined to their meeting and owner).
    open_actions = ActionItem.objects.filter(state=ActionItem.State.OPEN)
    late = open_actions.filter(due_date__lt=today).order_by().values(n=Func(F("pk"), function="COUNT"))
    actions = list(
        open_actions.select_related("meeting__instance", "owner_partner", "owner_person")
        .annotate(late_total=Subquery(late, output_field=IntegerField()))
        .order_by("due_date", "pk")[:ACTIONS_SHOWN]
    )
    late_count = actions[0].late_total if actions else 0

    # 4. The Troïkas: T1's years, and those of the meetings whose chair is foreseen.
    chair_wanted = chair_seats_wanted(convened)
    years = {*troika_years(today), *(day.year for _instance, day in chair_wanted)}
    troikas = {t.year: t for t in Troika.objects.filter(year__in=years).select_related(
        "lead", "incoming", "outgoing").order_by()}

    # 5. The invitations: every row of the convened meetings, the answers of the reported ones.
    stale = progress_stale_before()
    invitations = (
        Invitation.objects.filter(Q(meeting_id__in=[m.pk for m in convened])
                                  | Q(meeting_id__in=list(reported), person__isnull=False)
                                  & ~Q(rsvp=Invitation.Rsvp.NONE))
        .order_by().values_list("meeting_id", "person_id", "state", "delivery_uncertain", "claimed_at",
                                "messages_sent", "rsvp", "delegation__rsvp", "delegation__state")
    )
    sending: dict[tuple, list] = defaultdict(lambda: [0, 0, 0])
    answered: dict[tuple, list] = defaultdict(lambda: [0, 0])
    absent: dict[int, set] = {}
    answers: dict[int, dict] = defaultdict(dict)
    for meeting_id, person_id, state, uncertain, claimed, messages, rsvp, deputy_rsvp, deputy_state in invitations:
        if meeting_id in reported:
            answers[meeting_id][person_id] = rsvp
            continue
        group = sending[(meeting_id, state, uncertain)]
        group[0] += 1
        group[1] += claimed is not None and claimed < stale
        group[2] += messages or 0
        counted = answered[(meeting_id, rsvp)]
        counted[0] += 1
        counted[1] += rsvp == Invitation.Rsvp.NONE and (
            deputy_rsvp == Invitation.Rsvp.DECLINED or deputy_state == Invitation.State.BOUNCED)
        if person_id is not None and rsvp in ABSENT_ANSWERS:
            absent.setdefault(meeting_id, set()).add(person_id)
    progress = progress_from_groups([(*key, *value) for key, value in sending.items()])
    rsvps = rsvp_from_groups([(*key, *value) for key, value in answered.items()])

    # 6. The registers of the same meetings.
    lines: dict[int, dict] = defaultdict(dict)
    chair_lines: dict[int, list] = {}
    for meeting_id, person_id, status, confirmed in (
            Attendance.objects.filter(meeting_id__in=[*(m.pk for m in convened), *reported]).order_by()
            .values_list("meeting_id", "person_id", "status", "confirmed")):
        if meeting_id in reported:
            lines[meeting_id][person_id] = status
        else:
            chair_lines.setdefault(meeting_id, []).append(
                Attendance(meeting_id=meeting_id, person_id=person_id, status=status, confirmed=confirmed))

    # 7. The mandates: the compliance checks' seats, the reported meetings' seats, the foreseen chairs'
    # titulars (Troïka) and members (a register taken before the meeting).
    with_register = [m for m in convened if m.pk in chair_lines]
    wanted_mandates = seat_filter(today)
    if reported:
        wanted_mandates |= outcome_seats_filter(list(reported.values()))
    if chair_wanted:
        days = [day for _instance, day in chair_wanted]
        wanted_mandates |= (Q(instance_id__in={i.pk for i, _day in chair_wanted}, role=Mandate.Role.TITULAR)
                            & _overlapping(min(days), max(days)))
    if with_register:
        days = [meeting_date(m) for m in with_register]
        wanted_mandates |= Q(instance_id__in={m.instance_id for m in with_register}) & _overlapping(min(days),
                                                                                                      max(days))
    seat_rows = list(Mandate.objects.filter(wanted_mandates).order_by().values_list(*MANDATE_COLUMNS))

    reported_instances = {m.instance_id for m in reported.values()}
    outcome_roles = {*PRINCIPAL_ROLES, *SECOND_ROLES}
    outcome_seats = [(row[1], row[3], row[5], row[6], row[2], row[9]) for row in seat_rows
                     if row[1] in reported_instances and row[3] in outcome_roles]
    outcomes = meeting_outcomes(list(reported.values()), OutcomeFacts(outcome_seats, lines, answers))
    chair_facts = ChairFacts(
        absent=absent, lines=chair_lines,
        members=[(row[1], row[2], row[5], row[6]) for row in seat_rows],
        seats=troika_seats_from({(i.pk, day): i for i, day in chair_wanted}, troikas, _titulars(seat_rows)),
    )

    # 8. The failed addresses.
    failed = failed_addresses()
    return SecretariatDashboard(
        instances=instances, managed=[i for i in instances if i.is_active], month_meetings=month_meetings,
        upcoming=upcoming, actions=actions, late_count=late_count, progress=progress, rsvps=rsvps,
        chairs=chair_facts, troikas=troikas, seat_rows=seat_rows, ga_count=ga_count,
        reports=ReportFacts(instances=instances, gec_year=gec_meetings, streak_candidates=candidates,
                            outcomes=outcomes),
        failed_addresses=failed,
        mailbox_to_handle=(instances[0].mailbox_to_handle or 0) if instances else mailbox_to_handle_count(),
    )


@dataclass(frozen=True)
class _Moments:
    """The moments the meetings' read and its panels share, all from the day and the month shown."""

    month_from: datetime.datetime
    month_until: datetime.datetime
    year_start: datetime.datetime
    next_year: datetime.datetime
    reach: datetime.datetime  # the streaks' candidates: held within STREAK_REACH_DAYS…
    until: datetime.datetime  # …up to today included
    ga_from: datetime.datetime  # I4: the GA's meetings of the year, in Bamako's calendar
    ga_until: datetime.datetime

    @classmethod
    def of(cls, first: datetime.date, last: datetime.date, today: datetime.date) -> _Moments:
        return cls(
            month_from=_at(first), month_until=_at(last),
            year_start=_at(datetime.date(today.year, 1, 1)), next_year=_at(datetime.date(today.year + 1, 1, 1)),
            reach=_at(today - datetime.timedelta(days=STREAK_REACH_DAYS)),
            until=_at(today + datetime.timedelta(days=1)),
            ga_from=datetime.datetime(today.year, 1, 1, tzinfo=BAMAKO),
            ga_until=datetime.datetime(today.year + 1, 1, 1, tzinfo=BAMAKO))


# The bodies and their leaders, as columns of one row: (path from the body, model).
BODY_RELATED = (
    ("leader_partner", Partner), ("co_lead_partner", Partner),
    ("leader_person", Person), ("leader_person__institution", Institution),
    ("leader_person__institution__partner", Partner),
    ("co_lead_person", Person), ("co_lead_person__institution", Institution),
    ("co_lead_person__institution__partner", Partner),
)


def _attnames(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def bodies_query(*, today: datetime.date):
    """The bodies' read as the ORM writes it (the twin of `_bodies`' rows): every instance, its leaders'
    columns, `with_activity`'s figures, the mailbox's count and the cards' columns (`instance_columns`)."""
    to_handle = InboundMessage.objects.filter(needs_attention=True, handled_at__isnull=True).order_by()
    extra = {
        "mailbox_to_handle": Subquery(to_handle.values(n=Func(F("pk"), function="COUNT")),
                                      output_field=IntegerField()),
        **instance_columns(),  # the cards of higher apps (dashboard_panels), read with the bodies
    }
    queryset = with_activity(Instance.objects.all(), today).annotate(**extra).order_by("kind", "code")
    fields = [*_attnames(Instance)]
    for path, model in BODY_RELATED:
        fields += [f"{path}__{name}" for name in _attnames(model)]
    return queryset.values_list(*fields, *queryset.query.annotations)


_BODIES = CompiledRead("ptf_dashboard_bodies", bodies_query)


def _bodies(today: datetime.date) -> list[Instance]:
    """Every instance with its leaders (as `select_related` would give them) and its annotations; one statement,
    compiled once a day per process and prepared once per connection (`CompiledRead`): the ORM took longer to
    compile its dozen subqueries than the database to run them."""
    names, rows = _BODIES.read(today, today=today)
    models = [(path, model, _attnames(model)) for path, model in (("", Instance), *BODY_RELATED)]
    out = []
    for row in rows:
        objects, start = {}, 0
        for path, model, fields in models:
            values = row[start:start + len(fields)]
            start += len(fields)
            objects[path] = model.from_db("default", fields, values) if values[0] is not None else None
        body = objects[""]
        for path, _model in BODY_RELATED:  # each object under the one it hangs from, as select_related sets it
            parent_path, _sep, name = path.rpartition("__")
            if objects[parent_path] is not None:
                setattr(objects[parent_path], name, objects[path])
        for name, value in zip(names[start:], row[start:], strict=True):
            setattr(body, name, value)
        out.append(body)
    return out


def meetings_query(*, now, ga_from_moment, window: _Moments, gec_id, active_ids, ga_ids, streak: int):
    """The meetings' read as the ORM writes it (the twin of `_meetings`' rows): the month shown, the first
    forty coming ones, the GEC's held meetings of the year, the streaks' candidates (the last `streak` held
    meetings with a register of each active body) and the GA's meetings of the year (I4)."""
    w = window
    month = Q(start__gte=w.month_from, start__lt=w.month_until)
    coming = Q(start__gte=now) & ~Q(status=Meeting.Status.CANCELLED)
    gec_year = Q(instance_id=gec_id, status__in=HELD, start__gte=w.year_start, start__lt=w.next_year)
    candidate = Q(instance_id__in=active_ids, status__in=HELD, start__gte=w.reach, start__lt=w.until) & Exists(
        Attendance.objects.filter(meeting=OuterRef("pk")))
    ga_year = (Q(instance_id__in=ga_ids, start__gte=w.ga_from, start__lt=w.ga_until)
               & ~Q(status=Meeting.Status.CANCELLED) & (Q(start__gte=ga_from_moment) | Q(status__in=TOOK_PLACE)))
    flag = IntegerField()
    # Read for the coming meetings only (the "to prepare" panel): the database then looks up the accepted items of
    # meetings to come, not every accepted item of the years behind.
    has_agenda = AgendaItem.objects.filter(meeting=OuterRef("pk"), status=AgendaItem.Status.ACCEPTED,
                                           meeting__start__gte=now)
    wanted = (month | Q(is_coming=1, coming_rank__lte=UPCOMING_SHOWN) | gec_year | ga_year)
    if streak >= 1:
        wanted |= Q(is_candidate=1, candidate_rank__lte=streak)
    oldest = min(w.month_from, w.reach, w.year_start, w.ga_from)
    return (
        Meeting.objects.filter(Q(start__gte=oldest) | month)
        .annotate(
            has_agenda=Exists(has_agenda),
            is_coming=CaseWhen(When(coming, then=Value(1)), default=Value(0), output_field=flag),
            is_candidate=CaseWhen(When(candidate, then=Value(1)), default=Value(0), output_field=flag),
            coming_rank=Window(RowNumber(), partition_by=[F("is_coming")], order_by=[F("start").asc(), F("pk")]),
            candidate_rank=Window(RowNumber(), partition_by=[F("instance_id"), F("is_candidate")],
                                  order_by=[F("start").desc(), F("pk")]),
        )
        .filter(wanted).order_by("start", "pk")
        .values_list(*_attnames(Meeting), "has_agenda", "is_coming", "is_candidate", "coming_rank", "candidate_rank")
    )


# Both moments change with every request (I4's is the request's moment on today's dashboard: `ga_moment`).
_MEETINGS = CompiledRead("ptf_dashboard_meetings", meetings_query, slots=("now", "ga_from_moment"))


def _meetings(*, now, ga_from_moment, window: _Moments, gec_id, active_ids: tuple, ga_ids: tuple,
              streak: int) -> list[Meeting]:
    """The meetings of `meetings_query` as models with their annotations; compiled once per day and month
    shown per process, the moment of the request put in its place (`CompiledRead`)."""
    fields = _attnames(Meeting)
    names, rows = _MEETINGS.read((window, gec_id, active_ids, ga_ids, streak), now=now,
                                 ga_from_moment=ga_from_moment, window=window, gec_id=gec_id,
                                 active_ids=active_ids, ga_ids=ga_ids, streak=streak)
    out = []
    for row in rows:
        meeting = Meeting.from_db("default", fields, row[:len(fields)])
        for name, value in zip(names[len(fields):], row[len(fields):], strict=True):
            setattr(meeting, name, value)
        out.append(meeting)
    return out


def _overlapping(start: datetime.date, end: datetime.date) -> Q:
    return (Q(end__isnull=True) | Q(end__gte=start)) & Q(start__lte=end)


def _partial(model, **values):
    """A model instance from the fields a row gave; any other is read on access, as a deferred field is."""
    fields = [f for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db("default", [f.attname for f in fields], [values[f.attname] for f in fields])


def _titulars(seat_rows) -> list[tuple]:
    """The titular mandates as `troika_seats_from` reads them, with the person and partner built from the row
    (the fields a chair names; any other is read on access, as for a deferred field)."""
    rows = sorted((row for row in seat_rows if row[3] == Mandate.Role.TITULAR), key=lambda row: (row[8], row[5]))
    partners = {}
    out = []
    for row in rows:
        partner = partners.get(row[13])
        if partner is None:
            partner = partners[row[13]] = _partial(Partner, id=row[13], name=row[9], partner_type=row[10],
                                                   article=row[11])
        person = _partial(Person, id=row[2], first_name=row[7], last_name=row[8], institution_id=row[12])
        out.append((row[1], row[5], row[6], partner, person))
    return out
