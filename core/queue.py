"""The one way work is queued: after the transaction commits, by task name, never failing the caller.

Services name their tasks (`"secretariat.tasks.send_invitation"`) instead of importing the task modules,
which import the services: that keeps the dependency one-way (tasks -> services). The rows a task works on
are already saved; if the broker is unreachable the error is logged and a periodic requeue sends the work
later, so a broker outage never fails or holds a web request.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def _task(task):
    return current_app.tasks[task] if isinstance(task, str) else task


def publish(task, *args, **kwargs) -> bool:
    """Publish now; False (and a log line) if the broker refused. For code already outside a transaction."""
    try:
        _task(task).apply_async(args=args, kwargs=kwargs)
    except Exception:  # broker down: kombu raises OperationalError and friends
        logger.warning("Could not queue %s%r; it will be requeued", getattr(task, "name", task), args, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send `task` (a task or its registered name) once the current transaction commits."""
    transaction.on_commit(lambda: publish(task, *args, **kwargs))


def enqueue_many_on_commit(task, arg_lists) -> None:
    """After commit, publish one message per argument list over a single broker connection."""
    arg_lists = [list(args) for args in arg_lists]
    if not arg_lists:
        return

    def _publish():
        target = _task(task)
        if current_app.conf.task_always_eager:
            for args in arg_lists:
                target.apply_async(args=args)
            return
        try:
            with current_app.producer_or_acquire() as producer:
                for args in arg_lists:
                    target.apply_async(args=args, producer=producer)
        except Exception:  # broker down: the rows stay pending for the requeue
            logger.warning("Could not queue %d %s message(s); they will be requeued", len(arg_lists),
                           target.name, exc_info=True)

    transaction.on_commit(_publish)
