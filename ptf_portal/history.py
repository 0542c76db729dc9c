"""Years of generated history on top of the loaded directory, written through the services (`seed_history`).

For demos, benchmarks and tests: meetings at each body's rhythm (`meetings.schedule.planned_dates`: the GEC
monthly, the GA twice a year, each group at its own periodicity, plus a few extraordinary meetings), their
agendas, invitations and answers in realistic proportions, delegations (M3, M6, M8), reschedules and
cancellations (with their update and cancel messages), the attendance register, the chair (T3–T7), minutes
approved at the next meeting, decisions, actions done or left late, referrals GEC → GA → GEC (A3), past Troïkas
(T1) and people rotating through mandates (predecessors of today's holders, each a new person).

How it stays honest and fast:

- **Services only.** Every write is a service call (`meeting_create`, `invitations_send`, `answer_record`,
  `attendance_initialise`, `mandate_create`…), so every rule is checked as in production; a refusal is
  counted (`Stats.refused`) and the world goes on, as a secretariat would.
- **A frozen clock per step.** Every step is an event at the moment it would happen (the agenda three weeks
  before, the invitations two weeks before, each answer at its own time, the register after the meeting…);
  events run in time order with the clock frozen at their moment by time-machine, so `created_at`, `rsvp_at`,
  `sent_at` and every history row are dated as they would be. time-machine (not a patched
  `timezone.now`) because model defaults hold `timezone.now` itself, and it moves the clock in microseconds.
- **No mail.** The invitations' sending tasks are not queued; the rows are marked sent at once, as the
  outbox's batch would after the SMTP server accepted them (rows, not SMTP).
- **Batched commits.** One transaction per simulated month, and `synchronous_commit` off on PostgreSQL for
  the run: ten years take a few minutes.

It refuses a database with real data (`real_data_count`: any meeting or referral the generator did not
create) unless `allow_existing_data` is given. Events later than the real now have not happened: a meeting
in the coming weeks exists as far as its timeline has gone (drafted, convened, partly answered).
"""

from __future__ import annotations

import dataclasses
import datetime
import heapq
import itertools
import logging
import random
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from instances.models import Instance, Troika
from meetings import services as meeting_services
from meetings.models import ActionItem, Meeting, Referral
from meetings.rules import CATEGORY_SCOPE, GA_THEMES
from meetings.schedule import planned_dates
from membership.models import Mandate, Partner, Person
from membership.services import mandate_create, person_create, troika_save
from secretariat import services as secretariat_services
from secretariat.answers import answer_record
from secretariat.models import Invitation

logger = logging.getLogger(__name__)

GENERATOR_USERNAME = "history-generator"
BAMAKO = ZoneInfo("Africa/Bamako")
# How far ahead the coming meetings are planned (their timeline stops at the real now).
AHEAD_DAYS = 90

# Answers of the invitees in "to" (the seat) and in copy (deputies, binômes): realistic proportions.
ANSWERS_TO = [("attending", 62), ("declined", 11), ("tentative", 4), ("delegated", 9), ("none", 14)]
ANSWERS_CC = [("none", 84), ("attending", 11), ("declined", 5)]
CHANNELS = [("link", 55), ("portal", 25), ("calendar", 15), ("secretariat", 5)]
CANCEL_RATE, RESCHEDULE_RATE = 0.03, 0.06
# Steps whose only write is one atomic service call (the answer's fallback is a second, separate one).
SINGLE_SERVICE_STEPS = frozenset({"answer", "action_done", "troika"})

FIRST = ["Aïssata", "Éloïse", "Ousmane", "Ingrid", "Amadou", "Élodie", "Oumar", "Astrid", "Ibrahim", "Anaïs",
         "Émile", "Inès", "Awa", "Ólafur", "Yacouba", "Fatoumata", "Hélène", "Moussa", "Clémence", "Seydou",
         "Kadiatou", "Jürgen", "Mariam", "Søren", "Bintou", "François", "Adama", "Zoë", "Boubacar", "Noémie"]
LAST = ["Ouédraogo", "Maïga", "Ériksson", "Aït-Ahmed", "Diarra", "Østergaard", "Iglesias", "Traoré", "Akerlund",
        "Coulibaly", "Ó Briain", "Sanogo", "Économou", "Keïta", "Ubaldi", "Touré", "Dembélé", "Lefèvre", "Cissé",
        "Van der Berg", "Kouyaté", "Müller", "Sissoko", "Nørgaard", "Doumbia", "Beaulieu", "Kanté", "Šimić"]
TOPICS = {
    "GEC": ["Appui budgétaire et réformes des finances publiques", "Efficacité de l'aide et division du travail",
            "Dialogue sur la politique de santé", "Programmation conjointe", "Relations avec la société civile"],
    "GA": ["Situation sécuritaire au centre du pays", "Processus de réconciliation nationale",
           "Droits humains et accès à la justice", "Calendrier électoral", "État de droit et gouvernance"],
    "group": ["Revue sectorielle conjointe", "Plan d'action annuel du groupe", "Dialogue avec le ministère",
              "Cartographie des interventions", "Suivi des engagements de la revue"],
}
CATEGORIES = {
    kind: sorted(scope - {"referral_conclusion", "gec_referral", "follow_up"}) for kind, scope in CATEGORY_SCOPE.items()
}


class RealDataError(Exception):
    """The database holds meetings or referrals the generator did not write (or history it wrote before)."""

    def __init__(self, real: int, generated: int):
        super().__init__(real, generated)
        self.real, self.generated = real, generated


class NoDirectoryError(Exception):
    """There is no directory (no mandate) to build a history on."""


@dataclasses.dataclass
class Stats:
    """What a run wrote (and how many of its steps a rule refused)."""

    meetings: int = 0
    invitations: int = 0
    answers: int = 0
    delegations: int = 0
    rescheduled: int = 0
    cancelled: int = 0
    held: int = 0
    minutes_approved: int = 0
    decisions: int = 0
    actions: int = 0
    actions_done: int = 0
    referrals: int = 0
    people: int = 0
    mandates: int = 0
    troikas: int = 0
    refused: Counter = dataclasses.field(default_factory=Counter)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["refused"] = dict(self.refused)
        return data


def generator_user() -> User:
    """The account every generated meeting and secretariat answer is written by (inactive, no password)."""
    user, created = User.objects.get_or_create(username=GENERATOR_USERNAME, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def real_data_count() -> int:
    """Meetings and referrals not written by the generator: what makes a database hold real data."""
    generated = Q(created_by__username=GENERATOR_USERNAME)
    meetings = Meeting.objects.exclude(generated).count()
    referrals = Referral.objects.exclude(
        Q(requested_at_meeting__created_by__username=GENERATOR_USERNAME)
        | Q(ga_meeting__created_by__username=GENERATOR_USERNAME)
    ).count()
    return meetings + referrals


def generated_meeting_count() -> int:
    return Meeting.objects.filter(created_by__username=GENERATOR_USERNAME).count()


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c if c.isalnum() else "-" for c in plain).strip("-")


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BAMAKO)


@dataclasses.dataclass
class _Plan:
    """One meeting's timeline, decided when it is planned."""

    instance: Instance
    start: datetime.datetime
    end: datetime.datetime
    kind: str = Meeting.Kind.ORDINARY
    reason: str = ""
    moved_to: datetime.datetime | None = None  # a reschedule, a week before
    cancel: bool = False
    meeting_id: int | None = None

    @property
    def final_start(self) -> datetime.datetime:
        return self.moved_to or self.start

    @property
    def final_end(self) -> datetime.datetime:
        return self.final_start + (self.end - self.start)


class HistoryGenerator:
    """Runs the events of `years` of history, in time order, each at its own frozen moment."""

    def __init__(self, *, years: int, seed: int = 0, today: datetime.date | None = None,
                 instances=None, log: Callable[[str], None] | None = None):
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = today or timezone.localdate()
        self.first_day = self.today - datetime.timedelta(days=round(365.25 * years))
        self.instances = list(instances if instances is not None else Instance.objects.filter(is_active=True))
        self.log = log or (lambda _line: None)
        self.stats = Stats()
        self.events: list = []
        self.sequence = itertools.count()
        self.last_held: dict[int, int] = {}  # instance id -> the last meeting held, whose minutes wait
        self.email_numbers = itertools.count(1)

    # --- the event queue -------------------------------------------------------------------------------------

    def at(self, when: datetime.datetime, step: Callable, *args) -> None:
        """Run `step(*args)` at `when`; what would happen after the real now has not happened yet."""
        if when <= self.now:
            heapq.heappush(self.events, (when, next(self.sequence), step, args))

    def run(self) -> Stats:
        started = time.monotonic()
        self.user = generator_user()
        with mock.patch("secretariat.outbox.enqueue_many_on_commit"), \
                time_machine.travel(_at(self.first_day, 8), tick=False) as clock:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET synchronous_commit TO OFF")
            with transaction.atomic():
                self._plan_rotations()
                self._plan_troikas()
                self._plan_meetings()
            month, block = None, None
            try:
                while self.events:
                    when, _seq, step, args = heapq.heappop(self.events)
                    if (when.year, when.month) != month:
                        if block is not None:
                            block.__exit__(None, None, None)
                        if month is not None and when.year != month[0]:
                            self.log(f"{month[0]}: {self.stats.meetings} meetings, {self.stats.invitations} "
                                     f"invitations so far")
                        month = (when.year, when.month)
                        block = transaction.atomic()
                        block.__enter__()
                    clock.move_to(when)
                    self._step(step, args)
            except BaseException as exc:
                if block is not None:
                    block.__exit__(type(exc), exc, exc.__traceback__)
                raise
            if block is not None:
                block.__exit__(None, None, None)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("RESET synchronous_commit")
        self.stats.seconds = round(time.monotonic() - started, 1)
        return self.stats

    def _step(self, step, args) -> None:
        try:
            if step.__name__ in SINGLE_SERVICE_STEPS:  # atomic already: no savepoint around a savepoint
                step(*args)
                return
            with transaction.atomic():
                step(*args)
        except ValidationError as error:
            code = getattr(error, "code", None) or (error.error_list[0].code if hasattr(error, "error_list") else None)
            self.stats.refused[f"{step.__name__}:{code or 'invalid'}"] += 1

    # --- people rotating through mandates ---------------------------------------------------------------------

    def _plan_rotations(self) -> None:
        """Each seat held today by someone who started after the first day had predecessors, each a new person
        whose mandate ended the day before the next one's started (3 years or so each)."""
        seats = (Mandate.objects.filter(start__gt=self.first_day).filter(Q(end__isnull=True) | Q(end__gte=self.today))
                 .exclude(role=Mandate.Role.BINOME)
                 .select_related("person__institution", "instance").order_by("pk"))
        binomes = {}
        for binome in Mandate.objects.filter(role=Mandate.Role.BINOME).select_related("person__institution"):
            binomes.setdefault(binome.pairs_with_id, binome)
        for mandate in seats:
            end = mandate.start - datetime.timedelta(days=1)
            while end >= self.first_day:
                start = end - datetime.timedelta(days=self.rng.randint(2 * 365, 4 * 365))
                created = max(start, self.first_day)
                self.at(_at(created, 8), self.predecessor, mandate, start, end, binomes.get(mandate.pk))
                end = start - datetime.timedelta(days=1)

    def _newcomer(self, like: Person) -> Person:
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        domain = like.email.rsplit("@", 1)[-1]
        person = person_create(
            first_name=first, last_name=last, email=f"{_slug(first)}.{_slug(last)}.{next(self.email_numbers)}@{domain}",
            function=like.function, institution=like.institution, language=self.rng.choice(["fr", "fr", "en"]),
        )
        self.stats.people += 1
        return person

    def predecessor(self, seat: Mandate, start: datetime.date, end: datetime.date, binome: Mandate | None) -> None:
        mandate = mandate_create(person=self._newcomer(seat.person), instance=seat.instance, role=seat.role,
                                 start=start, end=end, authority=seat.authority, limits=seat.limits)
        self.stats.mandates += 1
        if binome is not None:
            with transaction.atomic():
                mandate_create(person=self._newcomer(binome.person), instance=seat.instance, role=binome.role,
                               start=start, end=end, pairs_with=mandate)
                self.stats.mandates += 1

    # --- the Troïka of past years (T1: incoming → lead → outgoing) -----------------------------------------

    def _plan_troikas(self) -> None:
        known = {t.year: t for t in Troika.objects.all()}
        if not known:
            return
        earliest = min(known)
        partners = list(Partner.objects.filter(institutions__people__mandates__instance__kind="GEC")
                        .exclude(partner_type=Partner.Type.UN_SYSTEM, un_coordinating=False).distinct().order_by("pk"))
        if len(partners) < 4:
            return
        following = known[earliest]
        for year in range(earliest - 1, self.first_day.year - 1, -1):
            used = {following.lead_id, following.outgoing_id, following.incoming_id}
            outgoing = self.rng.choice([p for p in partners if p.pk not in used])
            self.at(_at(max(datetime.date(year, 1, 2), self.first_day), 8), self.troika, year,
                    following.outgoing_id, following.lead_id, outgoing.pk)
            following = Troika(year=year, lead_id=following.outgoing_id, incoming_id=following.lead_id,
                               outgoing_id=outgoing.pk)

    def troika(self, year: int, lead_id: int, incoming_id: int, outgoing_id: int) -> None:
        partners = Partner.objects.in_bulk([lead_id, incoming_id, outgoing_id])
        troika_save(year=year, lead=partners[lead_id], incoming=partners[incoming_id], outgoing=partners[outgoing_id])
        self.stats.troikas += 1

    # --- meetings ---------------------------------------------------------------------------------------------

    def _plan_meetings(self) -> None:
        last_day = self.today + datetime.timedelta(days=AHEAD_DAYS)
        for instance in self.instances:
            duration = datetime.timedelta(minutes=instance.meeting_duration_minutes or 120)
            for year in range(self.first_day.year, last_day.year + 1):
                days = planned_dates(instance, year) or planned_dates(
                    Instance(periodicity=Instance.Periodicity.QUARTERLY, meeting_weekday=instance.meeting_weekday,
                             meeting_week_of_month=instance.meeting_week_of_month), year)
                extra = []
                if instance.kind in ("GEC", "GA") and self.rng.random() < 0.5:
                    extra.append(datetime.date(year, self.rng.randint(2, 11), self.rng.randint(10, 20)))
                for day in days + extra:
                    if not self.first_day + datetime.timedelta(days=21) <= day <= last_day:
                        continue
                    start = datetime.datetime.combine(day, instance.meeting_time, tzinfo=BAMAKO)
                    plan = _Plan(instance=instance, start=start, end=start + duration)
                    if day in extra:
                        plan.kind = Meeting.Kind.EXTRAORDINARY
                        plan.reason = "Situation appelant une concertation urgente des partenaires."
                    roll = self.rng.random()
                    if roll < CANCEL_RATE:
                        plan.cancel = True
                    elif roll < CANCEL_RATE + RESCHEDULE_RATE:
                        plan.moved_to = start + datetime.timedelta(days=self.rng.randint(2, 14))
                    self.at(start - datetime.timedelta(days=21), self.create, plan)

    def _meeting(self, plan: _Plan) -> Meeting:
        return Meeting.objects.select_related("instance").get(pk=plan.meeting_id)

    def create(self, plan: _Plan) -> None:
        instance = plan.instance
        kind = instance.kind if instance.kind in ("GEC", "GA") else "group"
        label = "extraordinaire" if plan.kind == Meeting.Kind.EXTRAORDINARY else "ordinaire"
        notice = datetime.timedelta(days=instance.proposal_days_before or 7)
        meeting = meeting_services.meeting_create(
            instance=instance, title=f"{instance.code} — réunion {label} du {plan.start:%d/%m/%Y}",
            start=plan.start, end=plan.end, kind=plan.kind, extraordinary_reason=plan.reason,
            place="Bamako, salle de conférence du SEG" if kind != "group" else "Bamako, locaux du chef de file",
            proposal_deadline=plan.start - notice, created_by=self.user,
            with_government=kind == "group" and self.rng.random() < 0.3,
        )
        plan.meeting_id = meeting.pk
        self.stats.meetings += 1
        categories = CATEGORIES[instance.kind]
        for title in self.rng.sample(TOPICS[kind], self.rng.randint(2, 3)):
            meeting_services.agenda_item_add(
                meeting=meeting, title=title, category=self.rng.choice(categories),
                expected_outcome=self.rng.choice(["information", "orientation", "decision"]),
                duration_minutes=self.rng.choice([15, 30, 45]),
            )
        if instance.kind == "GA":
            self._schedule_referrals(meeting)
        meeting_services.meeting_propose_agenda(meeting=meeting)
        sent = plan.start - datetime.timedelta(days=14, hours=-self.rng.randint(0, 8))
        self.at(sent, self.send, plan)
        if plan.cancel:
            self.at(plan.start - datetime.timedelta(days=self.rng.randint(2, 10)), self.cancel, plan)
        if plan.moved_to is not None:
            self.at(plan.start - datetime.timedelta(days=7), self.reschedule, plan)
        self.at(plan.final_end + datetime.timedelta(hours=1), self.hold, plan)
        self.at(plan.final_end + datetime.timedelta(days=self.rng.randint(2, 6)), self.record, plan)

    def _schedule_referrals(self, meeting: Meeting) -> None:
        """A3: the GEC's pending questions go on the GA's agenda; now and then the GA takes one up itself."""
        if self.rng.random() < 0.2:
            meeting_services.referral_self_seize(
                question="Auto-saisine : " + self.rng.choice(TOPICS["GA"]).lower(),
                expected_outcome="orientation")
            self.stats.referrals += 1
        for referral in Referral.objects.filter(state=Referral.State.REQUESTED).order_by("pk"):
            meeting_services.referral_schedule(referral=referral, ga_meeting=meeting,
                                               category=self.rng.choice(sorted(GA_THEMES)))

    def _deliver(self, meeting_id: int) -> None:
        """What the outbox's batch records once the SMTP server accepted each message."""
        Invitation.objects.filter(meeting_id=meeting_id, state=Invitation.State.PENDING).update(
            state=Invitation.State.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1,
            messages_sent=F("messages_sent") + 1)

    def send(self, plan: _Plan) -> None:
        meeting = self._meeting(plan)
        if meeting.status != Meeting.Status.AGENDA_PROPOSED:
            return
        self.stats.invitations += secretariat_services.invitations_send(meeting=meeting, by_user=self.user)
        self._deliver(meeting.pk)
        opens, closes = timezone.now() + datetime.timedelta(hours=2), plan.final_start - datetime.timedelta(hours=2)
        span = (closes - opens).total_seconds()
        for pk, recipient in meeting.invitations.filter(person__isnull=False).values_list("pk", "recipient"):
            answer = _pick(self.rng, ANSWERS_TO if recipient == Invitation.Recipient.TO else ANSWERS_CC)
            if answer != "none" and span > 0:
                when = opens + datetime.timedelta(seconds=self.rng.random() ** 1.5 * span)
                self.at(when, self.answer, plan, pk, answer)

    def answer(self, plan: _Plan, invitation_id: int, answer: str) -> None:
        channel = _pick(self.rng, CHANNELS)
        by_user = self.user if channel == Invitation.Channel.SECRETARIAT else None
        invitation = Invitation(pk=invitation_id)
        try:
            outcome = answer_record(invitation=invitation, answer=answer, channel=channel, by_user=by_user)
        except ValidationError:
            if answer != Invitation.Rsvp.DELEGATED:
                raise
            # Nobody to delegate to on that day (M3, M6, M8): the invitee declines instead.
            outcome = answer_record(invitation=invitation, answer="declined", channel=channel, by_user=by_user)
            answer = "declined"
        self.stats.answers += 1
        if answer == Invitation.Rsvp.DELEGATED:
            self.stats.delegations += 1
            self._deliver(plan.meeting_id)
            deputy = Invitation.objects.filter(delegated_from=outcome.invitation).values_list("pk", flat=True).first()
            closes = plan.final_start - datetime.timedelta(hours=1)
            if deputy and self.rng.random() < 0.85 and closes > timezone.now():
                when = timezone.now() + (closes - timezone.now()) * self.rng.random()
                self.at(when, self.answer, plan, deputy, "attending")

    def reschedule(self, plan: _Plan) -> None:
        meeting = self._meeting(plan)
        if meeting.status == Meeting.Status.CANCELLED:
            return
        secretariat_services.meeting_reschedule_and_notify(
            meeting=meeting, start=plan.final_start, end=plan.final_end,
            message="La réunion est reportée à la demande de la présidence.")
        self._deliver(meeting.pk)
        self.stats.rescheduled += 1

    def cancel(self, plan: _Plan) -> None:
        meeting = self._meeting(plan)
        secretariat_services.meeting_cancel_and_notify(
            meeting=meeting, reason="Réunion annulée : l'ordre du jour est reporté à la prochaine séance.")
        self._deliver(meeting.pk)
        self.stats.cancelled += 1

    def hold(self, plan: _Plan) -> None:
        meeting = self._meeting(plan)
        if meeting.status != Meeting.Status.CONVENED:
            return
        day = timezone.localtime(meeting.start).date()
        mandates = list(Mandate.objects.active_on(day).filter(instance_id=meeting.instance_id)
                        .select_related("person__institution"))
        people = Person.objects.filter(invitations__meeting=meeting).order_by("pk")
        meeting_services.attendance_initialise(
            meeting=meeting, people=people, expected=meeting_services.expected_from_answers(meeting),
            stand_ins=meeting_services.stand_ins_by_person(meeting, mandates))
        meeting_services.attendance_confirm_expected(meeting=meeting)
        meeting_services.meeting_mark_held(meeting=meeting)
        self.stats.held += 1
        previous = self.last_held.get(meeting.instance_id)
        self.last_held[meeting.instance_id] = meeting.pk
        if previous is not None:
            earlier = Meeting.objects.select_related("instance").get(pk=previous)
            if earlier.status == Meeting.Status.HELD and hasattr(earlier, "minutes"):
                meeting_services.meeting_approve_minutes(meeting=earlier, approved_at=meeting)
                self.stats.minutes_approved += 1

    def record(self, plan: _Plan) -> None:
        meeting = self._meeting(plan)
        if meeting.status != Meeting.Status.HELD:
            return
        items = list(meeting.items.filter(status="accepted").order_by("order"))
        meeting_services.minutes_save(
            meeting=meeting, text="Relevé de conclusions.\n\n" + "\n".join(f"- {item.title} : points échangés."
                                                                          for item in items))
        present = list(Person.objects.filter(
            pk__in=meeting.attendance.filter(status="present").values("person_id")).select_related(
            "institution__partner")[:12])
        for item in self.rng.sample(items, self.rng.randint(1, len(items))):
            decision = meeting_services.decision_add(meeting=meeting, agenda_item=item,
                                                     text=f"Le groupe retient les orientations sur « {item.title} ».")
            self.stats.decisions += 1
            if not present:
                continue
            for _n in range(self.rng.randint(1, 2)):
                owner = self.rng.choice(present)
                due = timezone.localdate() + datetime.timedelta(days=self.rng.randint(20, 90))
                action = meeting_services.action_add(
                    meeting=meeting, decision=decision, title=f"Préparer une note de suivi : {item.title.lower()}",
                    owner_partner=owner.institution.partner, owner_person=owner, due_date=due)
                self.stats.actions += 1
                if self.rng.random() < 0.85:
                    done = _at(due + datetime.timedelta(days=self.rng.randint(-15, 25)), 16)
                    self.at(max(done, timezone.now() + datetime.timedelta(hours=1)), self.action_done, action.pk)
        if meeting.instance.kind == "GEC" and self.rng.random() < 0.25:
            meeting_services.referral_request(
                question="Saisine du GA : " + self.rng.choice(TOPICS["GA"]).lower(), requested_at_meeting=meeting)
            self.stats.referrals += 1
        if meeting.instance.kind == "GA":
            for referral in Referral.objects.filter(ga_meeting=meeting, state=Referral.State.SCHEDULED):
                meeting_services.referral_conclude(
                    referral=referral, conclusion="Le GA donne son orientation et renvoie le suivi au GEC.")

    def action_done(self, action_id: int) -> None:
        action = ActionItem.objects.get(pk=action_id)
        if action.state == ActionItem.State.OPEN:
            meeting_services.action_mark_done(action=action)
            self.stats.actions_done += 1


def seed_history(*, years: int, seed: int = 0, allow_existing_data: bool = False, today=None, instances=None,
                 log=None) -> Stats:
    """Generate `years` of history up to today on the directory in the database (see the module docstring)."""
    if years < 1:
        raise ValueError("years must be at least 1")
    if not allow_existing_data:
        real, generated = real_data_count(), generated_meeting_count()
        if real or generated:
            raise RealDataError(real, generated)
    if not Mandate.objects.exists():
        raise NoDirectoryError()
    return HistoryGenerator(years=years, seed=seed, today=today, instances=instances, log=log).run()
