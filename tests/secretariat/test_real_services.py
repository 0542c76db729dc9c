"""Invitations through real Redis and a real Celery worker on PostgreSQL: nothing lost, nothing sent twice.

Run with DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis) and REQUIRE_SERVICES=1 to fail rather than skip.
"""

import collections
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from secretariat import services
from secretariat.models import Invitation
from tests.processes import spawn
from tests.secretariat.factories import gec_with_members, proposed
from tests.test_real_services import database_url_for_test_db, stop_worker

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
HEADER = re.compile(rb"^X-PTF-Invitation: (\d+)\s*$", re.MULTILINE)


def start_worker(broker_url: str, mail_dir: Path, **extra_env: str) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url_for_test_db(), CELERY_BROKER_URL=broker_url,
               EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(mail_dir))
    env.update(extra_env)
    return spawn(
        [sys.executable, "-m", "celery", "-A", "ptf_portal", "worker", "--pool=solo", "--concurrency=1",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env,
    )


def sent_counts(mail_dir: Path) -> collections.Counter:
    counts = collections.Counter()
    for path in mail_dir.glob("*"):
        counts.update(int(m) for m in HEADER.findall(path.read_bytes()))
    return counts


def wait_until(predicate, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.fixture
def broker(redis_broker_url, postgres_database, settings):
    from ptf_portal.celery import app

    settings.INVITATION_BATCH_SIZE = 2  # many small batches, so a worker can be stopped in the middle

    app.control.purge()
    yield redis_broker_url
    app.control.purge()


def _gec():
    """Transactional tests flush the tables, including the GEC the data migration created."""
    from instances.models import Instance

    return Instance.objects.get_or_create(code="GEC", defaults=dict(
        kind="GEC", name_fr="Groupe Exécutif de Coopération", name_en="Executive Cooperation Group"))[0]


def _meeting_with(n_partners):
    gec_with_members(_gec(), n_partners)
    return proposed(_gec())


def _all_sent(meeting):
    return lambda: not Invitation.objects.filter(meeting=meeting).exclude(state="sent").exists()


def test_a_real_worker_sends_every_invitation_once(broker, tmp_path):
    meeting = _meeting_with(10)
    assert services.invitations_send(meeting=meeting) == 20  # queued in Redis after commit
    proc = start_worker(broker, tmp_path)
    try:
        done = wait_until(_all_sent(meeting))
    finally:
        log = stop_worker(proc)
    assert done, log
    counts = sent_counts(tmp_path)
    ids = set(Invitation.objects.filter(meeting=meeting).values_list("pk", flat=True))
    assert set(counts) == ids and set(counts.values()) == {1}, counts


def test_a_worker_stopped_mid_run_and_restarted_sends_the_rest_once(broker, tmp_path):
    meeting = _meeting_with(20)
    services.invitations_send(meeting=meeting)
    # A slow mail server, so that a warm shutdown (which finishes the batch in hand) surely stops mid-run.
    proc = start_worker(broker, tmp_path, EMAIL_BACKEND="tests.secretariat.slow_mail.SlowFileBackend",
                        SLOW_MAIL_SECONDS="0.3")
    try:
        assert wait_until(lambda: Invitation.objects.filter(meeting=meeting, state="sent").count() >= 5)
    finally:
        proc.send_signal(signal.SIGTERM)  # warm shutdown: the unacknowledged messages go back to Redis
        stop_worker(proc)
    assert Invitation.objects.filter(meeting=meeting).exclude(state="sent").exists(), "stopped too late"
    proc = start_worker(broker, tmp_path)
    try:
        done = wait_until(_all_sent(meeting))
    finally:
        log = stop_worker(proc)
    assert done, log
    counts = sent_counts(tmp_path)
    assert len(counts) == 40 and set(counts.values()) == {1}, counts


def test_a_worker_killed_mid_run_loses_nothing_after_the_requeue(broker, tmp_path, settings):
    """SIGKILL: the batch being handled stays unacknowledged; its rows are rescued by the requeue.

    Delivery to the mail server is at least once: only the row killed between the SMTP hand-off and its
    'sent' update can go out twice (one connection was in flight); every other row goes out exactly once.
    """
    settings.INVITATION_SENDING_TIMEOUT = 0
    from secretariat.tasks import requeue_pending_invitations

    meeting = _meeting_with(20)
    services.invitations_send(meeting=meeting)
    proc = start_worker(broker, tmp_path)
    try:
        assert wait_until(lambda: Invitation.objects.filter(meeting=meeting, state="sent").count() >= 5)
    finally:
        proc.kill()
        proc.wait()
    in_flight = set(Invitation.objects.filter(meeting=meeting, state="sending").values_list("pk", flat=True))
    # No worker runs now: a row in "sending" is stuck for sure; rescue it and re-publish the pending ones.
    requeue_pending_invitations(older_than_seconds=0)
    proc = start_worker(broker, tmp_path)
    try:
        done = wait_until(_all_sent(meeting))
    finally:
        log = stop_worker(proc)
    assert done, log
    counts = sent_counts(tmp_path)
    assert len(counts) == 40
    doubled = {pk for pk, n in counts.items() if n > 1}
    assert doubled <= in_flight and len(doubled) <= 1


def test_redis_down_when_sending_then_back_everything_is_sent_once(broker, tmp_path, caplog):
    import logging

    caplog.set_level(logging.WARNING, logger="core.queue")
    from ptf_portal.celery import app
    from secretariat.tasks import requeue_pending_invitations

    meeting = _meeting_with(8)
    good_url = app.conf.broker_write_url
    app.conf.broker_write_url = "redis://127.0.0.1:1/4"  # the web side publishes where nothing listens
    app._pool = None
    app.amqp._producer_pool = None
    try:
        started = time.monotonic()
        assert services.invitations_send(meeting=meeting) == 16  # the action still succeeds
        assert time.monotonic() - started < 120
    finally:
        app.conf.broker_write_url = good_url
        app._pool = None
        app.amqp._producer_pool = None
    meeting.refresh_from_db()
    assert meeting.status == "convened"
    assert Invitation.objects.filter(meeting=meeting, state="pending").count() == 16
    assert "will be requeued" in caplog.text

    proc = start_worker(broker, tmp_path)
    try:
        assert requeue_pending_invitations(older_than_seconds=0) == 16
        requeue_pending_invitations(older_than_seconds=0)  # a second beat while some are still queued
        done = wait_until(_all_sent(meeting))
    finally:
        log = stop_worker(proc)
    assert done, log
    counts = sent_counts(tmp_path)
    assert len(counts) == 16 and set(counts.values()) == {1}, counts
