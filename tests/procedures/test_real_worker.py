"""Written procedures through real Redis and a real Celery worker on PostgreSQL: the launch's e-mails sent once
each, and two beats publishing the closing at once give one result and one round of result e-mails.

Run with DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis) and REQUIRE_SERVICES=1 to fail rather than skip.
"""

from __future__ import annotations

import collections
import datetime
import re
import time

import pytest
from django.utils import timezone

from instances.models import Instance
from meetings.models import Decision
from procedures import services
from procedures.models import Procedure, ProcedureMail
from tests.procedures.helpers import cast
from tests.secretariat.test_real_services import start_worker, stop_worker, wait_until

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
MESSAGE_ID = re.compile(rb"^Message-ID: <ptf\.procedure\.(\d+)\.", re.MULTILINE)


@pytest.fixture
def broker(redis_broker_url, postgres_database):
    from ptf_portal.celery import app

    app.control.purge()
    yield redis_broker_url
    app.control.purge()


def sent_counts(mail_dir) -> collections.Counter:
    counts = collections.Counter()
    for path in mail_dir.glob("*"):
        counts.update(int(m) for m in MESSAGE_ID.findall(path.read_bytes()))
    return counts


def test_two_beats_and_a_real_worker_close_once_and_send_each_message_once(broker, tmp_path):
    from ptf_portal.celery import app

    gec = Instance.objects.get_or_create(code="GEC", defaults={"kind": "GEC", "name_fr": "GEC", "name_en": "GEC"})[0]
    people = cast(gec)
    now = timezone.now()
    procedure = services.procedure_create(body=gec, title="Déclaration", text="Texte",
                                          deadline=now + datetime.timedelta(seconds=20))
    services.answer_record(procedure=services.procedure_launch(procedure=procedure, now=now),  # 5 e-mails queued
                           person=people["A1"], answer="approve", channel="portal")
    procedure.refresh_from_db()
    time.sleep(max(0.0, (procedure.deadline - timezone.now()).total_seconds()) + 0.2)
    for _beat in range(2):  # two beats by mistake publish the closing twice
        app.send_task("procedures.tasks.close_due_procedures")
    proc = start_worker(broker, tmp_path, EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend")
    try:
        done = wait_until(lambda: Procedure.objects.get(pk=procedure.pk).state == "closed" and not
                          ProcedureMail.objects.exclude(state="sent").exists()
                          and ProcedureMail.objects.filter(kind="result").exists())
    finally:
        log = stop_worker(proc)
    assert done, log
    assert Procedure.objects.get(pk=procedure.pk).result == "adopted"
    assert Decision.objects.filter(source="written").count() == 1
    rows = set(ProcedureMail.objects.values_list("pk", flat=True))
    assert ProcedureMail.objects.filter(kind="result").count() == 6
    counts = sent_counts(tmp_path)
    assert set(counts) == rows and set(counts.values()) == {1}, counts


def test_a_worker_killed_mid_closing_leaves_nothing_and_the_next_one_closes_once(broker, tmp_path):
    """SIGKILL to a real worker while it closes (held inside its transaction by a lock on the decisions table):
    PostgreSQL rolls its work back, the procedure stays open, and the next beat's closing gives one result and
    one round of e-mails."""
    import psycopg2

    from ptf_portal.celery import app
    from tests.test_real_services import database_url_for_test_db

    gec = Instance.objects.get_or_create(code="GEC", defaults={"kind": "GEC", "name_fr": "GEC", "name_en": "GEC"})[0]
    people = cast(gec)
    now = timezone.now()
    procedure = services.procedure_create(body=gec, title="Déclaration", text="Texte",
                                          deadline=now + datetime.timedelta(seconds=5))
    services.answer_record(procedure=services.procedure_launch(procedure=procedure, now=now),
                           person=people["A1"], answer="approve", channel="portal")
    procedure.refresh_from_db()
    time.sleep(max(0.0, (procedure.deadline - timezone.now()).total_seconds()) + 0.2)

    blocker = psycopg2.connect(database_url_for_test_db())
    observer = psycopg2.connect(database_url_for_test_db())
    observer.autocommit = True
    with blocker.cursor() as cursor:  # INSERTs wait, reads go on: the closer stops inside its transaction
        cursor.execute("LOCK TABLE meetings_decision IN EXCLUSIVE MODE")

    def closer_waiting() -> bool:
        with observer.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND query ILIKE '%%meetings_decision%%' AND pid <> pg_backend_pid()")
            return cursor.fetchone()[0] > 0

    app.send_task("procedures.tasks.close_due_procedures")
    worker = start_worker(broker, tmp_path, EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend")
    try:
        assert wait_until(closer_waiting), "the closing never reached the decision"
        worker.kill()  # SIGKILL: no clean-up of any kind
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
        blocker.rollback()
        blocker.close()
    # The killed worker's session ends with its transaction rolled back.
    assert wait_until(lambda: not closer_waiting(), timeout=30)
    time.sleep(1)
    observer.close()
    assert Procedure.objects.get(pk=procedure.pk).state == "open"
    assert not Decision.objects.filter(source="written").exists()
    assert not ProcedureMail.objects.filter(kind="result").exists()

    app.send_task("procedures.tasks.close_due_procedures")  # the next beat
    worker = start_worker(broker, tmp_path, EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend")
    try:
        done = wait_until(lambda: Procedure.objects.get(pk=procedure.pk).state == "closed" and not
                          ProcedureMail.objects.exclude(state="sent").exists()
                          and ProcedureMail.objects.filter(kind="result").exists())
    finally:
        log = stop_worker(worker)
    assert done, log
    assert Decision.objects.filter(source="written").count() == 1
    assert ProcedureMail.objects.filter(kind="result").count() == 6
    counts = sent_counts(tmp_path)
    assert set(counts) == set(ProcedureMail.objects.values_list("pk", flat=True))
    assert set(counts.values()) == {1}, counts  # every message once: the launch's and the result's
