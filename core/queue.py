"""Queue Celery work after commit without ever failing the caller."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs):
    """Send `task` once the current transaction commits.

    The rows the task works on are already saved; if the broker is unreachable the
    error is logged and the periodic requeue task sends the work later.
    """

    def _send():
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # broker down: kombu raises OperationalError and friends
            logger.warning("Could not queue %s%r; it will be requeued", task.name, args, exc_info=True)

    transaction.on_commit(_send)
