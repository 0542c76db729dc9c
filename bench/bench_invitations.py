"""2,000 invitations through Redis and real Celery workers to a real SMTP server, against the physical limit.

NEEDS PostgreSQL and Redis: export DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… (a throwaway
database bench_invitations_<name> is created and dropped; the Redis queue is purged).

The SMTP peer is aiosmtpd on loopback (tests/smtp_sink.py, its own process) with an artificial set-up delay
per connection (BENCH_SMTP_CONNECT_DELAY, default 0.05 s: TLS, login at a real provider) and per message
(BENCH_SMTP_MESSAGE_DELAY, default 0.002 s). The limit is the same messages, built beforehand, sent
synchronously over one connection with `send_messages`. Prints both times, the ratio with its goal (≤ 1.3)
and the number of SMTP connections the workers opened (goal ≤ ⌈N / batch size⌉ + worker processes).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time

N = int(os.environ.get("BENCH_INVITATIONS", "2000"))
CONNECT_DELAY = float(os.environ.get("BENCH_SMTP_CONNECT_DELAY", "0.05"))
MESSAGE_DELAY = float(os.environ.get("BENCH_SMTP_MESSAGE_DELAY", "0.002"))
GOAL = 1.3
if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get(
        "CELERY_BROKER_URL", "").startswith("redis"):
    print("bench_invitations.py needs PostgreSQL and Redis: set DATABASE_URL=postgres://… and "
          "CELERY_BROKER_URL=redis://… (skipped)")
    sys.exit(0)

import _bench_db  # noqa: E402,F401  (sets Django up)
from _bench_db import ROOT, create_database, destroy_database, generate_directory  # noqa: E402
from django.db import connection  # noqa: E402

WORKERS = os.cpu_count() or 2


class Sink:
    """tests/smtp_sink.py in a process of its own (so it never shares a GIL with a client)."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "smtp_sink.py"), "--connect-delay", str(CONNECT_DELAY),
             "--message-delay", str(MESSAGE_DELAY)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        self.port = int(line.rsplit(":", 1)[1])

    def env(self) -> dict:
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(self.port), "EMAIL_USE_TLS": "0"}

    def stop(self) -> dict:
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=30)
        return json.loads(out.strip().splitlines()[-1])


def worker_env(sink: Sink) -> dict:
    s = connection.settings_dict
    url = f"postgres://{s['USER']}{':' + s['PASSWORD'] if s['PASSWORD'] else ''}@{s['HOST'] or '127.0.0.1'}:" \
          f"{s['PORT'] or 5432}/{s['NAME']}"
    return dict(os.environ, DATABASE_URL=url, AXES_ENABLED="0", LOG_LEVEL="WARNING", **sink.env())


def start_worker(sink: Sink) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ptf_portal", "worker", f"--concurrency={WORKERS}",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=worker_env(sink), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )


def wait_for_worker(timeout=60) -> None:
    from ptf_portal.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return
    raise SystemExit("the Celery worker did not start")


def setup_meeting():
    """A GEC meeting whose list has N entries (N/2 partners, titular + deputy each)."""
    import datetime

    from django.utils import timezone

    from instances.models import Instance
    from meetings import services as meeting_services
    from membership.models import Mandate

    generate_directory(max(1, N // 72 + 1), tag="inv")
    gec = Instance.objects.get(code="GEC")
    extra = Mandate.objects.filter(instance=gec).order_by("pk")[N:]
    Mandate.objects.filter(pk__in=list(extra.values_list("pk", flat=True))).delete()
    start = timezone.localtime() + datetime.timedelta(days=30)
    meeting = meeting_services.meeting_create(instance=gec, title="Benchmark", start=start,
                                              end=start + datetime.timedelta(hours=2), place="Bamako")
    for n in range(5):
        meeting_services.agenda_item_add(meeting=meeting, title=f"Item {n}", category="policy_dialogue",
                                         expected_outcome="information")
    meeting_services.meeting_propose_agenda(meeting=meeting)
    return meeting


def main() -> int:
    from django.conf import settings
    from django.core.mail import get_connection

    from ptf_portal.celery import app
    from secretariat.emails import agenda_items, invitation_message
    from secretariat.models import Invitation
    from secretariat.services import invitations_send

    old_name = connection.settings_dict["NAME"]
    create_database("invitations")
    proc = None
    try:
        meeting = setup_meeting()
        app.control.purge()
        sink = Sink()
        proc = start_worker(sink)
        wait_for_worker()

        started = time.perf_counter()
        queued = invitations_send(meeting=meeting)
        queued_at = time.perf_counter()
        while Invitation.objects.filter(meeting=meeting).exclude(state__in=["sent", "failed"]).exists():
            time.sleep(0.02)
        async_time = time.perf_counter() - started
        queue_time = queued_at - started
        async_counts = sink.stop()
        failed = Invitation.objects.filter(meeting=meeting, state="failed").count()

        rows = list(Invitation.objects.filter(meeting=meeting).select_related("meeting__instance"))
        items = agenda_items(meeting)
        messages = [invitation_message(invitation, items=items) for invitation in rows]  # built beforehand
        sink = Sink()
        backend = get_connection("django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1",
                                 port=sink.port, use_tls=False, timeout=60)
        started = time.perf_counter()
        sent = backend.send_messages(messages)
        sync_time = time.perf_counter() - started
        sync_counts = sink.stop()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        app.control.purge()
        destroy_database(old_name)
    ratio = async_time / sync_time
    batch = settings.INVITATION_BATCH_SIZE
    connection_goal = math.ceil(queued / batch) + WORKERS
    print(f"invitations: {queued} (worker processes: {WORKERS}, batch size: {batch}; SMTP delays "
          f"{CONNECT_DELAY * 1000:.0f} ms per connection, {MESSAGE_DELAY * 1000:.0f} ms per message)")
    print(f"{'':40}{'workers + Redis':>16}{'one session':>13}")
    print(f"{'total time (s)':40}{async_time:16.2f}{sync_time:13.2f}")
    print(f"{'of which queuing in the request (s)':40}{queue_time:16.2f}{'':>13}")
    print(f"{'per invitation (ms)':40}{async_time / queued * 1000:16.2f}{sync_time / len(rows) * 1000:13.2f}")
    print(f"{'messages received by the SMTP server':40}{async_counts['messages']:16d}{sync_counts['messages']:13d}")
    print(f"{'SMTP connections':40}{async_counts['connections']:16d}{sync_counts['connections']:13d}")
    print(f"{'failed':40}{failed:16d}{len(rows) - sent:13d}")
    print(f"ratio workers / one synchronous session: {ratio:.2f} (goal ≤ {GOAL}: {'yes' if ratio <= GOAL else 'no'})")
    print(f"SMTP connections: {async_counts['connections']} (goal ≤ ⌈{queued}/{batch}⌉ + {WORKERS} = "
          f"{connection_goal}: {'yes' if async_counts['connections'] <= connection_goal else 'no'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
