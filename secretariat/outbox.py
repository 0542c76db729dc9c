"""The invitation outbox: rows in the database are the truth, Celery messages only wake the senders up.

A row is `pending` until a batch claims it (`sending`), then `sent` or `failed`, or back to `pending` with a
backoff. The guarantees, in the words of README's "Background work":

- **Claim.** A batch claims rows with one conditional update (pending, due — `next_attempt_at` reached —
  and attempts left): two copies of a task can never hold the same row, and a copy arriving during a
  backoff claims nothing. The claim counts the attempt, so a message that kills its worker every time
  still reaches "failed" once its attempts are spent.
- **One connection per batch.** The batch opens one SMTP connection and records each row's own outcome.
  Replies are read by RFC 3463's class: 5.x.x (or a 5yz reply without enhanced code) fails the row at once
  with the server's reason; 4.x.x backs it off. A failure of the server itself (no connection, 421, a
  temporary refusal of MAIL or DATA, a dropped connection) stops the batch and counts towards the breaker.
- **Ambiguity (RFC 1047).** A connection dropped or timed out after the end of DATA may have delivered the
  message: the row is marked "uncertain delivery" and sent again later with the same Message-ID, and the
  breaker opens at once, so a window of lost acknowledgements costs at most one message per connection
  open when it began.
- **Breaker.** Shared by every worker (a database row with an expiry): it opens after
  SMTP_BREAKER_THRESHOLD consecutive server failures (or one ambiguous outcome) for SMTP_BREAKER_OPEN_SECONDS,
  doubling at each failed probe up to SMTP_BREAKER_MAX_OPEN_SECONDS; one batch then probes, and the first
  success closes it. While it is open no batch sends and the requeue publishes nothing.
- **One owner for retries.** A failing batch writes the row's next attempt time and publishes nothing; the
  requeue (beat, on its own queue, exclusive through a lock with expiry) publishes the rows that are due and
  not queued. Two beats by mistake only take the lock in turn.
- **Hand-over.** Just before a message's content and the end of DATA leave, the batch records on its row
  that the hand-over began (`handover_at`); recording the outcome clears it. `messages_sent` counts every
  hand-over that may have delivered (sent, or ambiguous), duplicates included.
- **A database that cannot record stops the sending.** The first write that fails (the hand-over, an outcome),
  or a read while a message is built, stops the batch: no message leaves while its fate cannot be written.
  The batch then waits for the database (polling, at most half of INVITATION_BATCH_TIME_LIMIT), records what
  it knows — the message that left is "sent", the rows not tried go back to pending — and goes on with them.
  A batch that could not even claim waits the same way. So a database cut doubles no message while the batch
  lives, and at most one per sending process when it dies or gives up.
- **Rows left "sending".** A living batch refreshes `claimed_at` of its rows; a row whose batch stopped
  refreshing for INVITATION_SENDING_TIMEOUT (worker killed, database cut) is recovered by the requeue: if its
  hand-over had begun it is marked "uncertain delivery" (it may have reached the server; counted in
  `messages_sent`) and sent again with the same Message-ID; if not, it never reached the server and is simply
  sent. Either fails if its attempts are spent.
- **Breaker closing.** The batch whose probe succeeds closes the breaker and publishes at once the rows the
  breaker held back, without waiting for the requeue's next tick.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import re
import smtplib
import threading
import time
import uuid
from itertools import groupby

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as DjangoSMTPBackend
from django.db import DatabaseError, InterfaceError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.queue import enqueue_many_on_commit, publish_all
from secretariat.emails import agenda_items, invitation_message
from secretariat.models import Invitation, OutboxState

logger = logging.getLogger(__name__)

SEND_BATCH = "secretariat.tasks.send_invitation_batch"
BREAKER = "smtp"
REQUEUE_LOCK = "requeue"
PROBE = "probe"
# queued_at of a row that has no message in the broker: the requeue publishes it as soon as it is due.
NOT_QUEUED = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# A query on a connection already lost raises InterfaceError, which is not a DatabaseError: both mean that the
# database cannot record now.
DATABASE_ERRORS = (DatabaseError, InterfaceError)
ENHANCED_STATUS = re.compile(r"(?<![\d.])([245])\.\d{1,3}\.\d{1,3}(?![\d.])")


# The states every kind of outbox row goes through (Invitation.State, and the same values on other kinds).
PENDING, SENDING, SENT_STATE, FAILED = "pending", "sending", "sent", "failed"


@dataclasses.dataclass(frozen=True)
class OutboxKind:
    """A kind of row the outbox sends: its model (with the outbox's fields: state, attempts, last_error,
    queued_at, next_attempt_at, claimed_at, claimed_by, sent_at, handover_at, delivery_uncertain,
    messages_sent), the batch task that sends it, how its message is built and how its rows are batched.

    Invitations are the first kind; a higher app (written procedures) registers its own from its
    `AppConfig.ready()`, so its messages go through this one sending path: the same claim, breaker, hand-over
    and recovery.
    """

    name: str
    model: type
    task: str
    build: object  # (row, shared dict) -> EmailMessage
    group_field: str  # rows of one group (a meeting, a procedure) are batched together
    related: tuple = ()
    batch_args: object = None  # (ids) -> the task's arguments; default [ids]

    def args(self, ids) -> list:
        return self.batch_args(ids) if self.batch_args else [ids]


def _build_invitation(row, shared: dict):
    if row.meeting_id not in shared:  # shared parts of a meeting's messages, once per batch
        shared[row.meeting_id] = agenda_items(row.meeting)
    return invitation_message(row, items=shared[row.meeting_id], shared=shared)


INVITATIONS = OutboxKind("invitation", Invitation, SEND_BATCH,
                         lambda row, shared: _build_invitation(row, shared), "meeting_id",
                         ("meeting__instance", "delegated_to", "delegated_from"))
KINDS: dict[str, OutboxKind] = {INVITATIONS.name: INVITATIONS}


def register_kind(kind: OutboxKind) -> None:
    KINDS[kind.name] = kind


def _kind_of(model) -> OutboxKind:
    return next((kind for kind in KINDS.values() if kind.model is model), INVITATIONS)


def _seconds(value) -> datetime.timedelta:
    return datetime.timedelta(seconds=float(value))


def backoff_seconds(attempts: int) -> float:
    """First backoff INVITATION_BACKOFF_SECONDS, doubling per attempt, at most INVITATION_BACKOFF_MAX_SECONDS."""
    return min(settings.INVITATION_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), settings.INVITATION_BACKOFF_MAX_SECONDS)


def chunks(ids, size: int):
    ids = list(ids)
    return [ids[i:i + size] for i in range(0, len(ids), size)]


# --- queuing -------------------------------------------------------------------------------------------------


def mark_not_queued(ids, kind: OutboxKind = INVITATIONS) -> None:
    """The broker refused these rows' message: the next requeue publishes them (when due)."""
    kind.model.objects.filter(pk__in=list(ids), state=PENDING).update(queued_at=NOT_QUEUED)


def queue_on_commit(invitations, kind: OutboxKind = INVITATIONS) -> None:
    """After commit, one batch task per INVITATION_BATCH_SIZE rows of a group (a meeting); never fails the
    caller."""
    rows = sorted(invitations, key=lambda row: (getattr(row, kind.group_field), row.pk))
    batches = []
    for _group, group in groupby(rows, key=lambda row: getattr(row, kind.group_field)):
        batches += [kind.args(ids) for ids in chunks([row.pk for row in group], settings.INVITATION_BATCH_SIZE)]
    enqueue_many_on_commit(kind.task, batches,
                           on_failure=lambda arg_lists: mark_not_queued([pk for args in arg_lists for pk in args[-1]],
                                                                        kind))


# --- shared switches: the breaker and the requeue's lock ------------------------------------------------------


def _state(name: str) -> OutboxState:
    return OutboxState.objects.get_or_create(name=name)[0]


def _open_period(opens: int) -> datetime.timedelta:
    return _seconds(min(settings.SMTP_BREAKER_OPEN_SECONDS * 2 ** opens, settings.SMTP_BREAKER_MAX_OPEN_SECONDS))


def breaker_is_open(now=None) -> bool:
    state = OutboxState.objects.filter(name=BREAKER).first()
    return state is not None and state.until is not None and state.until > (now or timezone.now())


def breaker_allows(now=None) -> tuple[bool, bool]:
    """(may send, is clean). Closed: yes. Open: no. Open period over: one caller probes, the others wait."""
    now = now or timezone.now()
    state = _state(BREAKER)
    clean = state.failures == 0 and state.until is None and state.opens == 0
    if state.until is None:
        return True, clean
    if state.until > now:
        return False, False
    probe = OutboxState.objects.filter(name=BREAKER, until=state.until).update(
        until=now + _open_period(state.opens), holder=PROBE)
    return probe == 1, False


def breaker_record_failure(error: str, *, ambiguous: bool) -> None:
    """Count a failure of the server; open (or reopen after a failed probe) when the threshold is reached."""
    now = timezone.now()
    _state(BREAKER)
    with transaction.atomic():
        state = OutboxState.objects.select_for_update().get(name=BREAKER)
        state.failures += 1
        state.last_error = error[:2000]
        closed_or_probing = state.until is None or state.holder == PROBE or state.until <= now
        if closed_or_probing and (ambiguous or state.failures >= settings.SMTP_BREAKER_THRESHOLD
                                  or state.holder == PROBE):
            state.until = now + _open_period(state.opens)
            state.opens += 1
            state.holder = ""
            logger.warning("SMTP breaker open until %s: %s", state.until, error)
        state.save()


def breaker_record_success() -> bool:
    """Close the breaker; True when this call closed it (it had failures or was open)."""
    return OutboxState.objects.filter(name=BREAKER).exclude(failures=0, opens=0, until__isnull=True).update(
        failures=0, opens=0, until=None, holder="", last_error="") == 1


def lock_acquire(name: str, ttl_seconds: float) -> str | None:
    """A lock with expiry in the database: the holder's token, or None if someone holds it."""
    _state(name)
    now, token = timezone.now(), uuid.uuid4().hex
    taken = OutboxState.objects.filter(Q(until__isnull=True) | Q(until__lte=now), name=name).update(
        holder=token, until=now + _seconds(ttl_seconds))
    return token if taken else None


def lock_release(name: str, token: str) -> None:
    OutboxState.objects.filter(name=name, holder=token).update(holder="", until=None)


# --- SMTP with the end of DATA tracked ------------------------------------------------------------------------


class _EndOfDataMixin:
    """Knows whether the final "." of DATA left: a failure after it is ambiguous (RFC 1047).

    `before_end_of_data`, when set, runs just before the message's content and its final "." are written
    (smtplib writes both at once): the batch records there that the hand-over began. If it raises, nothing
    of the content left and the server discards the transaction when the connection is dropped.
    """

    end_of_data_sent = False
    before_end_of_data = None

    def send(self, s):
        ending = isinstance(s, bytes) and s.endswith(b"\r\n.\r\n")
        if ending and self.before_end_of_data is not None:
            self.before_end_of_data()
        super().send(s)
        if ending:
            self.end_of_data_sent = True


class _SMTP(_EndOfDataMixin, smtplib.SMTP):
    pass


class _SMTP_SSL(_EndOfDataMixin, smtplib.SMTP_SSL):
    pass


class OutboxSMTPBackend(DjangoSMTPBackend):
    """Django's SMTP backend with the connect timeout for connecting and the command timeout afterwards."""

    @property
    def connection_class(self):
        return _SMTP_SSL if self.use_ssl else _SMTP

    def open(self):
        created = super().open()
        if created and self.connection is not None and getattr(self.connection, "sock", None) is not None:
            self.connection.sock.settimeout(settings.EMAIL_COMMAND_TIMEOUT)
        return created


def open_mail_connection():
    backend = get_connection(fail_silently=False)
    if type(backend) is DjangoSMTPBackend:
        backend = OutboxSMTPBackend(fail_silently=False, timeout=settings.EMAIL_CONNECT_TIMEOUT)
    backend.open()
    return backend


def _end_of_data_sent(backend) -> bool:
    return bool(getattr(getattr(backend, "connection", None), "end_of_data_sent", False))


def _reset_end_of_data(backend, before_end_of_data) -> bool:
    """Arm the hand-over hook for the next message; False when the backend has no such hook (not SMTP)."""
    smtp = getattr(backend, "connection", None)
    if smtp is not None and hasattr(smtp, "end_of_data_sent"):
        smtp.end_of_data_sent = False
        smtp.before_end_of_data = before_end_of_data
        return True
    return False


def _abort(backend) -> None:
    """Drop the SMTP connection without QUIT (a transaction stopped inside DATA must not be completed)."""
    smtp = getattr(backend, "connection", None)
    if smtp is not None:
        try:
            smtp.close()
        except Exception:  # already gone
            logger.debug("dropping the SMTP connection failed", exc_info=True)
        backend.connection = None


# --- outcomes ---------------------------------------------------------------------------------------------------


SENT, TEMPORARY, PERMANENT, AMBIGUOUS = "sent", "temporary", "permanent", "ambiguous"


@dataclasses.dataclass(frozen=True)
class Outcome:
    kind: str
    error: str = ""
    server: bool = False  # a failure of the server, not of this message: stops the batch, counts for the breaker
    charged: bool = True  # the attempt counts against the row's budget (not when the message never left)


def _reply_class(code: int, text) -> int:
    """RFC 3463: the class of the enhanced status code when the reply has one, else of the reply code."""
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    match = ENHANCED_STATUS.search(text)
    return int(match.group(1)) if match else code // 100


def _reply(code, text) -> str:
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}".strip()


def classify(exc: BaseException, *, end_of_data_sent: bool) -> Outcome:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        error = "; ".join(_reply(code, text) for code, text in replies)
        if replies and all(_reply_class(code, text) == 5 for code, text in replies):
            return Outcome(PERMANENT, error)
        return Outcome(TEMPORARY, error)
    if isinstance(exc, smtplib.SMTPResponseException):  # sender refused, data error, helo, auth, connect
        error = _reply(exc.smtp_code, exc.smtp_error)
        data_or_sender = isinstance(exc, (smtplib.SMTPDataError, smtplib.SMTPSenderRefused))
        if data_or_sender and _reply_class(exc.smtp_code, exc.smtp_error) == 5:
            return Outcome(PERMANENT, error)
        if exc.smtp_code == 421 or not isinstance(exc, smtplib.SMTPDataError):
            return Outcome(TEMPORARY, error, server=True, charged=False)  # the message was not taken in
        return Outcome(TEMPORARY, error, server=True)
    if isinstance(exc, (smtplib.SMTPServerDisconnected, OSError)):
        error = f"{type(exc).__name__}: {exc}"
        if end_of_data_sent:
            return Outcome(AMBIGUOUS, error, server=True)
        return Outcome(TEMPORARY, error, server=True, charged=False)
    return Outcome(TEMPORARY, f"{type(exc).__name__}: {exc}")


# --- claiming and recording ------------------------------------------------------------------------------------


def _no_fsync_wait() -> None:
    """Commit without waiting for the disk (PostgreSQL's asynchronous commit) in the current transaction.

    WAL is written in order, so after a crash of PostgreSQL a lost claim or "sent" mark only means the row is
    sent again (with its Message-ID) — the same case as a worker dying between the hand-off and the mark.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _session_fsync_wait(wait: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit" if wait else "SET synchronous_commit TO OFF")


def claim_batch(ids, token: str, now=None, kind: OutboxKind = INVITATIONS) -> list:
    """pending, due and with attempts left → sending, in one conditional update; returns the rows taken."""
    now = now or timezone.now()
    with transaction.atomic():
        _no_fsync_wait()
        taken = kind.model.objects.filter(
            pk__in=list(ids), state=PENDING, next_attempt_at__lte=now,
            attempts__lt=settings.INVITATION_MAX_ATTEMPTS,
        ).update(state=SENDING, attempts=F("attempts") + 1, claimed_at=now, claimed_by=token)
    if not taken:
        return []
    return list(kind.model.objects.filter(claimed_by=token, state=SENDING)
                .select_related(*kind.related).order_by("pk"))


def _mine(row, token: str):
    return type(row).objects.filter(pk=row.pk, state=SENDING, claimed_by=token)


class CannotRecord(Exception):
    """The database refused a write of the batch: the sending stops until it can record again."""


DATABASE_POLL_SECONDS = 0.25


def _drop_connection() -> None:
    if not connection.in_atomic_block:
        connection.close()  # the next query reconnects


def _write(what: str, write) -> int:
    """One write of the batch; CannotRecord if the database refused it (no retry: the batch stops)."""
    try:
        return write()
    except DATABASE_ERRORS as exc:
        logger.warning("Could not record %s: the sending stops until the database is back", what, exc_info=True)
        _drop_connection()
        raise CannotRecord(what) from exc


def wait_for_database(deadline: float) -> bool:
    """Poll until a query succeeds (True) or the monotonic deadline passes (False)."""
    if connection.in_atomic_block:
        return False  # eager tasks inside the caller's transaction: nothing to wait for
    while True:
        _drop_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except DATABASE_ERRORS:
            if time.monotonic() >= deadline:
                return False
            time.sleep(DATABASE_POLL_SECONDS)


def mark_handover(row: Invitation, token: str) -> None:
    """The message's content is about to leave: from now on it may reach the server (see recover_stuck)."""
    _write(f"the hand-over of invitation {row.pk}", lambda: _mine(row, token).update(handover_at=timezone.now()))


def record(row: Invitation, token: str, outcome: Outcome) -> None:
    """The row's outcome, in one statement (CannotRecord if the database refused it)."""
    now = timezone.now()
    if outcome.kind == SENT:
        fields = dict(state=SENT_STATE, sent_at=now, last_error="", claimed_by="", handover_at=None,
                      messages_sent=F("messages_sent") + 1)
        # During a batch the session commits without waiting for the disk (see _Lease.__enter__).
        _write(f"invitation {row.pk} as sent", lambda: _mine(row, token).update(**fields))
        return
    error = outcome.error[:2000]
    attempts = row.attempts if outcome.charged else row.attempts - 1
    fields = dict(last_error=error, claimed_by="", queued_at=NOT_QUEUED, handover_at=None)
    if outcome.kind == AMBIGUOUS:
        fields["delivery_uncertain"] = True
        fields["messages_sent"] = F("messages_sent") + 1  # it may have been delivered: counted as a hand-over
    if not outcome.charged:
        fields["attempts"] = F("attempts") - 1
    if outcome.kind == PERMANENT or attempts >= settings.INVITATION_MAX_ATTEMPTS:
        fields["state"] = FAILED
    else:
        fields["state"] = PENDING
        # A message the server never took in, or may have taken in, waits for the breaker, not for a backoff.
        wait = backoff_seconds(max(attempts, 1)) if outcome.charged and outcome.kind != AMBIGUOUS else 0
        fields["next_attempt_at"] = now + _seconds(wait)
    _write(f"the outcome of invitation {row.pk}", lambda: _mine(row, token).update(**fields))


def release(rows, token: str) -> None:
    """Rows claimed but not tried (the batch stopped): back to pending, attempt refunded, due now."""
    if rows:
        type(rows[0]).objects.filter(pk__in=[row.pk for row in rows], state=SENDING,
                                     claimed_by=token).update(
            state=PENDING, attempts=F("attempts") - 1, claimed_by="", queued_at=NOT_QUEUED,
            handover_at=None)


class _Lease:
    """While the batch lives, a thread refreshes claimed_at of its rows, so only dead batches' rows look stuck."""

    def __init__(self, token: str, model=Invitation):
        self.token, self.model = token, model
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"outbox-lease-{token[:8]}", daemon=True)

    def _run(self):
        interval = max(settings.INVITATION_SENDING_TIMEOUT / 4, 0.05)
        try:
            while not self.stop.wait(interval):
                try:
                    self.model.objects.filter(claimed_by=self.token, state=SENDING).update(
                        claimed_at=timezone.now())
                except DATABASE_ERRORS:
                    logger.warning("Could not refresh the lease of batch %s", self.token, exc_info=True)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        # Eager tasks (tests, development) run inside the caller's transaction: a thread has no view of it.
        if not connection.in_atomic_block:
            self.thread.start()
            _session_fsync_wait(False)  # the outcomes of this batch: see _no_fsync_wait
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)
            try:
                _session_fsync_wait(True)
            except DATABASE_ERRORS:  # a connection that dropped is replaced with the default anyway
                connection.close()


# --- the batch ---------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Stopped:
    """Where a batch stopped because the database refused a write: what it knows, to record once it is back."""

    token: str
    row: object | None = None  # the row whose outcome could not be recorded
    outcome: Outcome | None = None
    untried: list = dataclasses.field(default_factory=list)


def send_batch(ids, kind: OutboxKind = INVITATIONS) -> dict:
    """Claim what is due among `ids`, send it over one connection, record each row's outcome.

    When the database refuses a write, the sending stops; once it is back (at most half of
    INVITATION_BATCH_TIME_LIMIT later) the batch records what it knows and goes on with the rows not tried.
    """
    counts = {SENT: 0, TEMPORARY: 0, PERMANENT: 0, AMBIGUOUS: 0, "released": 0, "claimed": 0, "stopped": 0}
    deadline = time.monotonic() + settings.INVITATION_BATCH_TIME_LIMIT / 2
    todo = list(ids)
    while todo:
        try:
            stopped = _send_once(todo, counts, kind)
        except DATABASE_ERRORS:  # before any row was claimed (breaker, claim)
            logger.warning("The database refused the claim of a batch; waiting for it", exc_info=True)
            stopped = _Stopped(token="")
        if stopped is None:
            break
        counts["stopped"] += 1
        if not wait_for_database(deadline):
            logger.error("The database is still unreachable; the batch leaves its rows to the recovery")
            break
        todo = _settle(stopped, counts) if stopped.token else todo
    return counts


def _settle(stopped: _Stopped, counts: dict) -> list[int]:
    """The database is back: record the outcome the batch knows, put the untried rows back; the ids to go on with."""
    try:
        if stopped.row is not None:
            record(stopped.row, stopped.token, stopped.outcome)
            counts[stopped.outcome.kind] += 1
        release(stopped.untried, stopped.token)
    except (CannotRecord, *DATABASE_ERRORS):
        logger.warning("The database dropped again; the recovery takes the batch's rows", exc_info=True)
        return []
    return [row.pk for row in stopped.untried]


def _send_once(ids, counts: dict, kind: OutboxKind = INVITATIONS) -> _Stopped | None:
    allowed, clean = breaker_allows()
    if not allowed:
        mark_not_queued(ids, kind)  # the requeue publishes them once the breaker lets mail through
        counts["released"] += len(ids)
        return None
    token = uuid.uuid4().hex
    ids = list(ids)
    if not clean:
        # This batch probes the server: it sends the messages of uncertain delivery first, so a server still
        # losing acknowledgements doubles again a message already doubled (same Message-ID), never a new one.
        ids = list(kind.model.objects.filter(
            state=PENDING, delivery_uncertain=True, next_attempt_at__lte=timezone.now(),
        ).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:settings.INVITATION_BATCH_SIZE]) + ids
    rows = claim_batch(ids, token, kind=kind)
    rows.sort(key=lambda row: (not row.delivery_uncertain, row.pk))
    counts["claimed"] += len(rows)
    if not rows:
        return None
    backend, done, items, stopped = None, 0, {}, None
    with _Lease(token, kind.model):
        try:
            for row in rows:
                outcome = None
                try:
                    if backend is None:
                        backend = open_mail_connection()
                except Exception as exc:  # no connection: nothing left, the rows were not tried
                    outcome = classify(exc, end_of_data_sent=False)
                if outcome is None:
                    try:
                        message = kind.build(row, items)
                    except DATABASE_ERRORS:  # the database went away, not this row: stop as for a write
                        _drop_connection()
                        stopped = _Stopped(token, untried=rows[done:])
                        break
                    except Exception as exc:  # a template or data error: this row only
                        logger.exception("%s %s could not be built", kind.name, row.pk)
                        outcome = Outcome(TEMPORARY, f"{type(exc).__name__}: {exc}")
                if outcome is None:
                    def handover(row=row):
                        mark_handover(row, token)
                    if not _reset_end_of_data(backend, handover):
                        handover()  # a backend without the SMTP hook (file, console, memory)
                    try:
                        backend.send_messages([message])
                        outcome = Outcome(SENT)
                    except CannotRecord:
                        _abort(backend)  # inside DATA, before the content: the server discards it
                        backend = None
                        raise
                    except Exception as exc:
                        outcome = classify(exc, end_of_data_sent=_end_of_data_sent(backend))
                        logger.warning("%s %s: %s (%s)", kind.name, row.pk, outcome.kind, outcome.error)
                try:
                    record(row, token, outcome)
                except CannotRecord:
                    stopped = _Stopped(token, row, outcome, rows[done + 1:])
                    break
                done += 1
                counts[outcome.kind] += 1
                try:
                    if outcome.server:
                        breaker_record_failure(outcome.error, ambiguous=outcome.kind == AMBIGUOUS)
                        break
                    if outcome.kind == SENT and not clean:
                        if breaker_record_success():
                            publish_held_back()
                        clean = True
                except DATABASE_ERRORS:
                    _drop_connection()
                    stopped = _Stopped(token, untried=rows[done:])
                    break
        except CannotRecord:  # the hand-over could not be recorded: this row was not tried
            stopped = _Stopped(token, untried=rows[done:])
        finally:
            if stopped is None:
                release(rows[done:], token)
                counts["released"] += len(rows) - done
            if backend is not None:
                try:
                    backend.close()
                except Exception:  # a dropped connection cannot be quit politely
                    logger.debug("closing the SMTP connection failed", exc_info=True)
    return stopped


# --- the requeue (beat) ------------------------------------------------------------------------------------------


def recover_stuck(now=None) -> int:
    """Rows left "sending" by a batch that stopped refreshing them: again pending, or failed when spent.

    Only a row whose hand-over had begun is marked "uncertain delivery" (and counted in `messages_sent`): it
    may have reached the server. The others never did and are simply sent. Every kind of row alike.
    """
    now = now or timezone.now()
    return sum(_recover_stuck(kind, now) for kind in list(KINDS.values()))


def _recover_stuck(kind: OutboxKind, now) -> int:
    stuck = kind.model.objects.filter(state=SENDING,
                                      claimed_at__lt=now - _seconds(settings.INVITATION_SENDING_TIMEOUT))
    reason = "The sending of this message stopped without an answer (worker stopped or database unreachable)"
    handed_over = dict(delivery_uncertain=True, messages_sent=F("messages_sent") + 1, handover_at=None)
    spent = stuck.filter(attempts__gte=settings.INVITATION_MAX_ATTEMPTS)
    failed = (spent.filter(handover_at__isnull=False).update(
        state=FAILED, claimed_by="", last_error=reason, **handed_over)
        + spent.update(state=FAILED, claimed_by="", last_error=reason))
    back = dict(state=PENDING, claimed_by="", next_attempt_at=now, queued_at=NOT_QUEUED,
                last_error=reason)
    uncertain = stuck.filter(handover_at__isnull=False).update(**back, **handed_over)
    plain = stuck.update(**back)
    if failed or uncertain or plain:
        logger.warning("Recovered %d %s row(s) left sending (%d of uncertain delivery); %d failed after their "
                       "last attempt", uncertain + plain, kind.name, uncertain, failed)
    return failed + uncertain + plain


def publish_held_back() -> int:
    """The breaker just closed: publish now the rows it held back (marked not queued), not at the next tick."""
    return requeue(older_than_seconds=settings.INVITATION_REQUEUE_AFTER)


def requeue(*, older_than_seconds: float | None = None, now=None) -> int:
    """Beat: publish the pending rows (of every kind) that are due and not in the queue; exclusive; returns
    how many left."""
    ttl = max(settings.INVITATION_REQUEUE_INTERVAL * 2, 30)
    token = lock_acquire(REQUEUE_LOCK, ttl)
    if token is None:
        return 0  # another requeue is running (two beats by mistake)
    try:
        now = now or timezone.now()
        recover_stuck(now)
        for kind in list(KINDS.values()):
            kind.model.objects.filter(state=PENDING, attempts__gte=settings.INVITATION_MAX_ATTEMPTS).update(
                state=FAILED)
        if breaker_is_open(now):
            return 0
        older = settings.INVITATION_REQUEUE_AFTER if older_than_seconds is None else older_than_seconds
        return sum(_requeue(kind, now, older) for kind in list(KINDS.values()))
    finally:
        lock_release(REQUEUE_LOCK, token)


def _requeue(kind: OutboxKind, now, older) -> int:
    due = list(
        kind.model.objects.filter(state=PENDING, next_attempt_at__lte=now, queued_at__lte=now - _seconds(older))
        .order_by(kind.group_field, "next_attempt_at", "pk").values_list(kind.group_field, "pk")
    )
    batches = []
    for _group, group in groupby(due, key=lambda pair: pair[0]):
        batches += chunks([pk for _, pk in group], settings.INVITATION_BATCH_SIZE)
    if not batches:
        return 0
    ids = [pk for batch in batches for pk in batch]
    kind.model.objects.filter(pk__in=ids, state=PENDING).update(queued_at=timezone.now())
    published = publish_all(kind.task, [kind.args(batch) for batch in batches])
    mark_not_queued([pk for batch in batches[published:] for pk in batch], kind)  # broker still down
    return sum(len(batch) for batch in batches[:published])
