"""The Celery application.

Reliability choices (see README, "Background work"):
- JSON only, so a message never carries pickled objects;
- late acknowledgement + reject on worker loss: a task whose worker dies is redelivered;
  tasks are written to be safe to run twice (they claim rows with a conditional update);
- no result backend: fire-and-forget work, so Redis being down cannot block a web request
  waiting on a result; publishing fails fast (no retry loop) and the database row stays
  pending until the periodic requeue picks it up.
"""

import os

from celery import Celery
from celery.signals import task_prerun
from django.db import close_old_connections

from ptf_portal import request_log  # noqa: F401  (connects the task log's signals)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptf_portal.settings")

app = Celery("ptf_portal")
app.config_from_object("ptf_portal.celery_config")
app.autodiscover_tasks()


@task_prerun.connect
def _database_connection_usable(task=None, **kwargs):
    """What Django does at each request: drop a connection that is broken or older than CONN_MAX_AGE.

    Not for eager tasks: they run inside the caller's transaction and connection.
    """
    if task is not None and getattr(task.request, "is_eager", False):
        return

    close_old_connections()
