"""The beat's scheduler, which also records when it last sent each periodic task (monitoring reads it).

A beat that stopped is otherwise invisible: its tasks just no longer arrive. The mark is written by the beat
itself, so a stopped worker and a stopped beat are told apart.
"""

import logging

from celery.beat import PersistentScheduler

from core.heartbeats import mark

logger = logging.getLogger(__name__)


def beat_mark_name(entry_name: str) -> str:
    return f"beat:{entry_name}"


class RecordingScheduler(PersistentScheduler):
    def apply_entry(self, entry, producer=None):
        super().apply_entry(entry, producer=producer)
        try:
            mark(beat_mark_name(entry.name))
        except Exception:  # the database is down: the beat goes on; monitoring will say the database is down
            logger.warning("beat could not record its run of %s", entry.name, exc_info=True)
