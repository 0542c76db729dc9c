"""Queue and send 2,000 invitations through Redis and a real Celery worker, against a synchronous loop.

NEEDS PostgreSQL and Redis: export DATABASE_URL=postgres://… and CELERY_BROKER_URL=redis://… (a throwaway
database bench_invitations_<name> is created and dropped; the Redis queue is purged). Both sides write the
same messages with Django's file e-mail backend into temporary folders. Prints the two times and the ratio
(target ≤ 1.5×). The worker runs with as many processes as the machine has cores and keeps its database
connection between tasks (CELERY_DB_REUSE_MAX in ptf_portal/celery_config.py, CONN_MAX_AGE in the settings).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N = int(os.environ.get("BENCH_INVITATIONS", "2000"))
if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get(
        "CELERY_BROKER_URL", "").startswith("redis"):
    print("bench_invitations.py needs PostgreSQL and Redis: set DATABASE_URL=postgres://… and "
          "CELERY_BROKER_URL=redis://… (skipped)")
    sys.exit(0)

MAIL_ASYNC = tempfile.mkdtemp(prefix="bench-mail-async-")
MAIL_SYNC = tempfile.mkdtemp(prefix="bench-mail-sync-")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
os.environ["EMAIL_FILE_PATH"] = MAIL_ASYNC

import _bench_db  # noqa: E402,F401  (sets Django up)
from _bench_db import ROOT, create_database, destroy_database, generate_directory  # noqa: E402
from django.db import connection  # noqa: E402


def worker_env() -> dict:
    s = connection.settings_dict
    url = f"postgres://{s['USER']}{':' + s['PASSWORD'] if s['PASSWORD'] else ''}@{s['HOST'] or '127.0.0.1'}:" \
          f"{s['PORT'] or 5432}/{s['NAME']}"
    return dict(os.environ, DATABASE_URL=url, EMAIL_FILE_PATH=MAIL_ASYNC, AXES_ENABLED="0", LOG_LEVEL="WARNING")


def start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ptf_portal", "worker", f"--concurrency={os.cpu_count() or 2}",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=worker_env(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
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


def count_messages(folder: str) -> int:
    return sum(path.read_bytes().count(b"\nX-PTF-Invitation: ") for path in Path(folder).iterdir())


def main() -> int:
    from django.core.mail import get_connection

    from ptf_portal.celery import app
    from secretariat.emails import invitation_message
    from secretariat.models import Invitation
    from secretariat.services import invitations_send

    old_name = connection.settings_dict["NAME"]
    create_database("invitations")
    proc = None
    try:
        meeting = setup_meeting()
        app.control.purge()
        proc = start_worker()
        wait_for_worker()

        started = time.perf_counter()
        queued = invitations_send(meeting=meeting)
        queued_at = time.perf_counter()
        while Invitation.objects.filter(meeting=meeting).exclude(state="sent").exists():
            time.sleep(0.05)
        async_time = time.perf_counter() - started
        queue_time = queued_at - started

        rows = list(Invitation.objects.filter(meeting=meeting).select_related("meeting__instance"))
        backend = get_connection("django.core.mail.backends.filebased.EmailBackend", file_path=MAIL_SYNC)
        started = time.perf_counter()
        for invitation in rows:
            message = invitation_message(invitation)
            message.connection = backend
            message.send()
        sync_time = time.perf_counter() - started
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        app.control.purge()
        destroy_database(old_name)
    async_files = count_messages(MAIL_ASYNC)
    sync_files = count_messages(MAIL_SYNC)
    ratio = async_time / sync_time
    print(f"invitations: {queued} (worker processes: {os.cpu_count() or 2})")
    print(f"{'':36}{'worker + Redis':>16}{'sync loop':>12}")
    print(f"{'total time (s)':36}{async_time:16.2f}{sync_time:12.2f}")
    print(f"{'of which queuing in the request (s)':36}{queue_time:16.2f}{'':>12}")
    print(f"{'per invitation (ms)':36}{async_time / queued * 1000:16.2f}{sync_time / len(rows) * 1000:12.2f}")
    print(f"{'messages written':36}{async_files:16d}{sync_files:12d}")
    print(f"ratio worker / sync: {ratio:.2f} (target ≤ 1.5: {'yes' if ratio <= 1.5 else 'NO'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
