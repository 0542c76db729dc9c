"""The one way work is queued: after the transaction commits, by task name, never failing the caller.

Services name their tasks (`"secretariat.tasks.send_invitation_batch"`) instead of importing the task modules,
which import the services: that keeps the dependency one-way (tasks -> services). The rows a task works on
are already saved; if the broker is unreachable the error is logged and a periodic requeue sends the work
later, so a broker outage never fails or holds a web request.

Publishing uses a connection of its own whose socket and connect timeouts are CELERY_PUBLISH_TIMEOUT: a
broker that accepts TCP but never answers (frozen) costs the request that long, not the minutes of the
default socket timeouts. After a refusal, the publishing done on behalf of a request (`enqueue_on_commit`,
`enqueue_many_on_commit`) does not try the broker again for BROKER_QUIET_SECONDS: one bounded attempt per
request, however many batches or tasks it queues; the rows stay where the requeue finds them. The requeue
itself (`publish_all`) always tries.
"""

from __future__ import annotations

import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

BROKER_QUIET_SECONDS = 5.0
_quiet = threading.local()  # per thread: a web process's threads each serve their own requests


def _broker_quiet() -> bool:
    """True while a recent refusal says the broker is down or frozen (requests then skip publishing)."""
    return time.monotonic() < getattr(_quiet, "until", 0.0)


def _broker_refused() -> None:
    _quiet.until = time.monotonic() + BROKER_QUIET_SECONDS


def broker_quiet_reset() -> None:
    """Forget a past refusal (tests that stop and restart their broker)."""
    _quiet.until = 0.0


def _task(task):
    """The task object for a name. A web process never imported the task modules: Celery's autodiscovery
    is lazy and runs with the loader's default imports, which a worker does at start-up."""
    if not isinstance(task, str):
        return task
    if task not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[task]


def _publishing_connection():
    timeout = getattr(settings, "CELERY_PUBLISH_TIMEOUT", 2)
    return current_app.connection_for_write(
        connect_timeout=timeout,
        transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout, "max_retries": 0},
    )


def publish_all(task, arg_lists) -> int:
    """Publish one message per argument list over one short-timeout connection; returns how many left.

    Stops at the first refusal (the broker is down or frozen): the caller's rows stay where a requeue finds them.
    """
    target = _task(task)
    if current_app.conf.task_always_eager:
        for args in arg_lists:
            target.apply_async(args=list(args))
        return len(arg_lists)
    published = 0
    try:
        with _publishing_connection() as conn:
            for args in arg_lists:
                target.apply_async(args=list(args), connection=conn, retry=False)
                published += 1
    except Exception:  # broker down or frozen: kombu raises OperationalError, redis-py TimeoutError and friends
        logger.warning("Could not queue %d %s message(s); they will be requeued", len(arg_lists) - published,
                       target.name, exc_info=True)
    return published


def publish(task, *args, **kwargs) -> bool:
    """Publish now; False (and a log line) if the broker refused. For code already outside a transaction."""
    if kwargs:
        try:
            _task(task).apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:  # broker down: kombu raises OperationalError and friends
            logger.warning("Could not queue %s%r; it will be requeued", getattr(task, "name", task), args,
                           exc_info=True)
            return False
        return True
    return publish_all(task, [args]) == 1


def _publish_for_request(task, *args, **kwargs) -> bool:
    if _broker_quiet():
        logger.warning("Broker refused a moment ago: %s%r is left to its requeue", getattr(task, "name", task), args)
        return False
    published = publish(task, *args, **kwargs)
    if not published:
        _broker_refused()
    return published


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send `task` (a task or its registered name) once the current transaction commits."""
    transaction.on_commit(lambda: _publish_for_request(task, *args, **kwargs))


def enqueue_many_on_commit(task, arg_lists, *, on_failure=None) -> None:
    """After commit, publish one message per argument list over a single broker connection.

    `on_failure(unpublished_arg_lists)` runs when the broker refused some of them (for example to mark the
    rows as not queued, so the periodic requeue takes them at once).
    """
    arg_lists = [list(args) for args in arg_lists]
    if not arg_lists:
        return

    def _publish():
        if _broker_quiet():
            logger.warning("Broker refused a moment ago: %d message(s) left to the requeue", len(arg_lists))
            published = 0
        else:
            published = publish_all(task, arg_lists)
            if published < len(arg_lists):
                _broker_refused()
        if published < len(arg_lists) and on_failure is not None:
            on_failure(arg_lists[published:])

    transaction.on_commit(_publish)
