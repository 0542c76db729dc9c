"""The PostgreSQL + Redis run really uses PostgreSQL, Redis and a worker."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.processes import finish, output, spawn

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.services


def database_url_for_test_db() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(broker_url: str, queue: str = "celery") -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url_for_test_db(), CELERY_BROKER_URL=broker_url)
    return spawn(
        [sys.executable, "-m", "celery", "-A", "ptf_portal", "worker", "--pool=solo", "--concurrency=1",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-Q", queue, "--loglevel=WARNING"],
        cwd=ROOT, env=env,
    )


def stop_worker(proc: subprocess.Popen) -> str:
    proc.terminate()
    finish(proc)
    return output(proc)


def test_connection_is_postgresql(postgres_database, db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_task_goes_through_redis_to_a_real_worker_and_writes_the_database(postgres_database, redis_broker_url):
    from ptf_portal.celery import app
    from ptf_portal.models import WorkerHeartbeat
    from ptf_portal.tasks import worker_heartbeat

    app.control.purge()
    marker = f"ci-{uuid.uuid4().hex[:8]}"
    worker_heartbeat.apply_async(args=[marker])  # queued in Redis before any worker runs
    proc = start_worker(redis_broker_url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not WorkerHeartbeat.objects.filter(hostname=marker).exists():
            time.sleep(0.5)
    finally:
        log = stop_worker(proc)
    assert WorkerHeartbeat.objects.filter(hostname=marker).exists(), log
