"""Named heartbeats: a process records that it did its work; monitoring reads how long ago that was.

Any layer may mark one (the beat's scheduler, the mailbox poll); only the top layer judges them.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.models import Heartbeat


def mark(name: str, at: datetime.datetime | None = None) -> None:
    """Record that `name` was alive at `at` (now by default); safe to run twice."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": at or timezone.now()})


def last_seen(names) -> dict[str, datetime.datetime]:
    """{name: when} for the names that ever marked; one query."""
    return dict(Heartbeat.objects.filter(name__in=list(names)).values_list("name", "at"))
