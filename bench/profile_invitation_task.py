"""Where the time of a batch of invitations goes, without Celery: claim, build, send, record (per invitation).

NEEDS PostgreSQL (DATABASE_URL=postgres://…); a throwaway database is created and dropped.
Prints the time per step over N invitations (default 300), to compare with bench_invitations.py.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

N = int(os.environ.get("BENCH_INVITATIONS", "300"))
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.filebased.EmailBackend"
os.environ["EMAIL_FILE_PATH"] = tempfile.mkdtemp(prefix="bench-mail-profile-")
os.environ["BENCH_INVITATIONS"] = str(N)

import _bench_db  # noqa: E402,F401  (sets Django up)
from _bench_db import create_database, destroy_database  # noqa: E402
from bench_invitations import setup_meeting  # noqa: E402
from django.db import connection  # noqa: E402


def main() -> int:
    import uuid
    from unittest import mock

    from django.conf import settings
    from django.core.mail import get_connection

    from secretariat import outbox
    from secretariat.emails import agenda_items, invitation_message
    from secretariat.models import Invitation

    if connection.vendor != "postgresql":
        print("profile_invitation_task.py needs PostgreSQL (skipped)")
        return 0
    old_name = connection.settings_dict["NAME"]
    create_database("profile")
    try:
        meeting = setup_meeting()
        from secretariat.services import invitations_send

        with mock.patch("secretariat.outbox.enqueue_many_on_commit"):  # rows only: each step is run by hand
            invitations_send(meeting=meeting)
        ids = list(Invitation.objects.filter(meeting=meeting).values_list("pk", flat=True))
        steps = {"claim": 0.0, "build": 0.0, "send": 0.0, "record": 0.0}
        for batch in outbox.chunks(ids, settings.INVITATION_BATCH_SIZE):
            token = uuid.uuid4().hex
            t0 = time.perf_counter()
            rows = outbox.claim_batch(batch, token)
            steps["claim"] += time.perf_counter() - t0
            shared, backend = {}, get_connection()
            backend.open()
            items = agenda_items(meeting)
            for row in rows:
                t1 = time.perf_counter()
                message = invitation_message(row, items=items, shared=shared)
                t2 = time.perf_counter()
                backend.send_messages([message])
                t3 = time.perf_counter()
                outbox.record(row, token, outbox.Outcome(outbox.SENT))
                t4 = time.perf_counter()
                steps["build"] += t2 - t1
                steps["send"] += t3 - t2
                steps["record"] += t4 - t3
            backend.close()
    finally:
        destroy_database(old_name)
    print(f"invitations: {len(ids)} in batches of {settings.INVITATION_BATCH_SIZE} (file backend)")
    for name, spent in steps.items():
        print(f"{name:12}{spent / len(ids) * 1000:8.2f} ms")
    print(f"{'total':12}{sum(steps.values()) / len(ids) * 1000:8.2f} ms")
    return 0

if __name__ == "__main__":
    sys.exit(main())
