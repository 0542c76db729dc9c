"""Where the time of one invitation task goes, without Celery: claim, load, build, send, mark sent.

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
    from ptf_portal.celery import app
    from secretariat.emails import invitation_message
    from secretariat.models import Invitation
    from secretariat.services import invitation_claim, invitation_mark_sent

    if connection.vendor != "postgresql":
        print("profile_invitation_task.py needs PostgreSQL (skipped)")
        return 0
    app.conf.task_always_eager = False
    old_name = connection.settings_dict["NAME"]
    create_database("profile")
    try:
        meeting = setup_meeting()
        from secretariat.tasks import send_invitation

        # Queue nothing: create the rows as the send action does, then run each step by hand.
        original = send_invitation.apply_async
        send_invitation.apply_async = lambda *a, **k: None
        try:
            from secretariat.services import invitations_send

            invitations_send(meeting=meeting)
        finally:
            send_invitation.apply_async = original
        ids = list(Invitation.objects.filter(meeting=meeting).values_list("pk", flat=True))
        steps = {"claim": 0.0, "load": 0.0, "build": 0.0, "send": 0.0, "mark sent": 0.0}
        for pk in ids:
            t0 = time.perf_counter()
            invitation_claim(pk)
            t1 = time.perf_counter()
            invitation = Invitation.objects.select_related("meeting__instance").get(pk=pk)
            t2 = time.perf_counter()
            message = invitation_message(invitation)
            t3 = time.perf_counter()
            message.send()
            t4 = time.perf_counter()
            invitation_mark_sent(invitation)
            t5 = time.perf_counter()
            for name, spent in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
                steps[name] += spent
    finally:
        destroy_database(old_name)
    print(f"invitations: {len(ids)}")
    for name, spent in steps.items():
        print(f"{name:12}{spent / len(ids) * 1000:8.2f} ms")
    print(f"{'total':12}{sum(steps.values()) / len(ids) * 1000:8.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
