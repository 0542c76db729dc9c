"""One log line per request and per background task, with its duration and outcome (logger `ptf.request`,
`ptf.task`). No personal data beyond what an operator needs: the account's id (not its address), the client
address, capability tokens and e-mail addresses masked out of paths."""

from __future__ import annotations

import logging
import re
import time

from celery.signals import task_postrun, task_prerun

from core.logmask import mask_capabilities
from ptf_portal.client_ip import client_ip

request_log = logging.getLogger("ptf.request")
task_log = logging.getLogger("ptf.task")
_EMAIL = re.compile(r"[^\s/?&=@%]+(?:@|%40)[^\s/?&=]+")
_task_started: dict[str, float] = {}


def mask_personal(text: str) -> str:
    """Capability tokens and e-mail addresses (also %40-encoded) out of a path or query string."""
    return _EMAIL.sub("[address]", mask_capabilities(text))


class RequestLogMiddleware:
    """First in the chain: it times everything below it, including the other middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        path = mask_personal(request.get_full_path())
        # Only an account the request already read: logging must not cost a session or account query.
        user = getattr(request, "_cached_user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        request_log.info(
            "%s %s %s %.1fms user=%s ip=%s", request.method, path, response.status_code, duration_ms,
            user_id or "-", client_ip(request) or "-",
            extra={"method": request.method, "path": path, "status": response.status_code,
                   "duration_ms": duration_ms, "user_id": user_id, "client_ip": client_ip(request)},
        )
        return response


@task_prerun.connect
def _task_started_at(task_id=None, **kwargs):
    _task_started[task_id] = time.monotonic()


@task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, retval=None, **kwargs):
    started = _task_started.pop(task_id, None)
    duration_ms = round((time.monotonic() - started) * 1000, 1) if started is not None else None
    error = type(retval).__name__ if isinstance(retval, BaseException) else None
    level = logging.WARNING if error else logging.INFO
    task_log.log(level, "task %s %s %s %sms%s", getattr(task, "name", "?"), task_id, state, duration_ms,
                 f" {error}" if error else "",
                 extra={"task": getattr(task, "name", None), "task_id": task_id, "outcome": state,
                        "duration_ms": duration_ms, "error": error})
