"""Monitoring: each stopped moving part turns `status` non-zero and the SEG's banner on, once per incident;
recovery turns them off."""

import datetime
import json

import pytest
from celery.beat import ScheduleEntry
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from core.heartbeats import mark
from core.version import VERSION
from ptf_portal.beat import RecordingScheduler, beat_mark_name
from ptf_portal.celery import app
from ptf_portal.models import Incident, WorkerHeartbeat
from ptf_portal.operations import BEAT_PROBE_ENTRY, DASHBOARD_CHECK_KEY, evaluate
from secretariat.inbound.tasks import MAILBOX_HEARTBEAT
from secretariat.models import Invitation
from tests.connection_loss import lose_this_connection
from tests.portal.factories import gec_meeting_with_agenda


@pytest.fixture
def workers_expected(settings):
    """As in production: tasks go to a worker, so the worker and the beat are watched."""
    settings.ADMINS = [("Ops", "ops@example.org")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous


def _alive(now=None):
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(hostname="w1", defaults={"seen_at": now})
    mark(beat_mark_name(BEAT_PROBE_ENTRY), now)


def _status():
    """(exit code, parsed JSON) of `manage.py status --json`."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("status", "--json", stdout=out)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, json.loads(out.getvalue())


def _wrong(report):
    return {name for name, check in report["checks"].items() if not check["ok"]}


@pytest.mark.django_db
def test_everything_alive_is_ok(workers_expected):
    _alive()
    code, report = _status()
    assert (code, _wrong(report)) == (0, set())
    assert not Incident.objects.exists() and not mail.outbox


@pytest.mark.django_db
def test_a_stopped_worker_turns_status_and_banner_on_once_then_off(workers_expected, seg_client):
    _alive()
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - datetime.timedelta(minutes=10))
    code, report = _status()
    assert code == 1 and _wrong(report) == {"worker"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ops@example.org"]
    assert "worker" in mail.outbox[0].body
    # Checked again and again: still one incident, still one e-mail.
    evaluate()
    _status()
    assert Incident.objects.filter(closed_at__isnull=True).count() == 1 and len(mail.outbox) == 1
    banner = seg_client.get(reverse("status_banner"), HTTP_HX_REQUEST="true").content.decode()
    assert "ne répond plus" in banner or "worker" in banner
    # The worker comes back: status clean, incident closed, banner empty.
    WorkerHeartbeat.objects.update(seen_at=timezone.now())
    code, report = _status()
    assert (code, _wrong(report)) == (0, set())
    assert not Incident.objects.filter(closed_at__isnull=True).exists()
    from django.core.cache import cache

    cache.delete(DASHBOARD_CHECK_KEY)
    assert "role=\"alert\"" not in seg_client.get(reverse("status_banner"), HTTP_HX_REQUEST="true").content.decode()


@pytest.mark.django_db
def test_a_beat_that_has_not_run_is_wrong(workers_expected):
    _alive()
    mark(beat_mark_name(BEAT_PROBE_ENTRY), timezone.now() - datetime.timedelta(minutes=30))
    code, report = _status()
    assert code == 1 and _wrong(report) == {"beat"}
    mark(beat_mark_name(BEAT_PROBE_ENTRY))
    assert _status()[0] == 0


@pytest.mark.django_db
def test_an_overdue_invitation_says_since_when_mail_stopped(workers_expected, seg_client, cast):
    _alive()
    meeting = gec_meeting_with_agenda()
    stalled = timezone.now() - datetime.timedelta(minutes=40)
    invitation = Invitation.objects.create(meeting=meeting, person=cast.titular, email=cast.titular.email,
                                           name="T", next_attempt_at=stalled, queued_at=stalled)
    code, report = _status()
    assert code == 1 and _wrong(report) == {"outbox"}
    assert report["checks"]["outbox"]["since"] == stalled.isoformat()
    from django.core.cache import cache

    cache.delete(DASHBOARD_CHECK_KEY)
    banner = seg_client.get(reverse("status_banner"), HTTP_ACCEPT_LANGUAGE="fr", HTTP_HX_REQUEST="true").content.decode()
    assert "Les invitations ne partent plus depuis" in banner and "Prévenez l" in banner
    # A row due only ten minutes ago is not yet a stall (OPS_MAIL_STALL_MINUTES = 15).
    Invitation.objects.filter(pk=invitation.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=10))
    assert _status()[0] == 0
    Invitation.objects.filter(pk=invitation.pk).update(next_attempt_at=stalled)
    Invitation.objects.filter(pk=invitation.pk).update(state=Invitation.State.SENT, sent_at=timezone.now())
    assert _status()[0] == 0
    assert not Incident.objects.filter(closed_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_mailbox_not_read_for_an_hour_is_wrong(workers_expected, settings):
    settings.INBOUND_IMAP_HOST = "imap.example.org"
    _alive()
    assert _wrong(_status()[1]) == {"mailbox"}
    mark(MAILBOX_HEARTBEAT, timezone.now() - datetime.timedelta(minutes=61))
    assert _wrong(_status()[1]) == {"mailbox"}
    mark(MAILBOX_HEARTBEAT)
    assert _status()[0] == 0


@pytest.mark.django_db
def test_the_beat_records_each_entry_it_sends(workers_expected, tmp_path):
    scheduler = RecordingScheduler(app=app, schedule_filename=str(tmp_path / "beat"), lazy=True)
    entry = ScheduleEntry(name=BEAT_PROBE_ENTRY, task="ptf_portal.tasks.worker_heartbeat", schedule=60.0, app=app)
    with app.connection_for_write() as conn, conn.Producer() as producer:
        scheduler.apply_entry(entry, producer=producer)
    from core.models import Heartbeat

    assert Heartbeat.objects.filter(name=beat_mark_name(BEAT_PROBE_ENTRY)).exists()


@pytest.mark.django_db(transaction=True)
def test_the_beat_records_again_once_the_database_is_back(postgres_database, workers_expected, tmp_path):
    """The beat has no request or task to close a lost connection: the mark's own transaction drops it."""
    from django.db import connection

    from core.models import Heartbeat

    scheduler = RecordingScheduler(app=app, schedule_filename=str(tmp_path / "beat"), lazy=True)
    entry = ScheduleEntry(name=BEAT_PROBE_ENTRY, task="ptf_portal.tasks.worker_heartbeat", schedule=60.0, app=app)
    with app.connection_for_write() as conn, conn.Producer() as producer:
        scheduler.apply_entry(entry, producer=producer)
        first = Heartbeat.objects.get(name=beat_mark_name(BEAT_PROBE_ENTRY)).at
        lose_this_connection()
        scheduler.apply_entry(entry, producer=producer)  # not recorded: the beat goes on
        scheduler.apply_entry(entry, producer=producer)  # the database answers again
    connection.close()
    assert Heartbeat.objects.get(name=beat_mark_name(BEAT_PROBE_ENTRY)).at > first


@pytest.mark.django_db
def test_status_endpoint_is_for_the_token_or_the_seg(workers_expected, client, settings, secretariat_user, cast):
    settings.STATUS_TOKEN = "s3cret-token-for-monitoring"
    assert client.get("/status").status_code == 403
    assert client.get("/status", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    client.force_login(cast.titular.user)
    assert client.get("/status").status_code == 403
    client.logout()
    _alive()
    response = client.get("/status", HTTP_AUTHORIZATION="Bearer s3cret-token-for-monitoring")
    assert response.status_code == 200 and response.json()["version"] == VERSION
    WorkerHeartbeat.objects.all().delete()
    client.force_login(secretariat_user)
    assert client.get("/status").status_code == 503


def test_healthz_says_the_release_of_pyproject(client, db):
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert client.get("/healthz").json() == {"status": "ok", "version": pyproject["project"]["version"]}


@pytest.mark.django_db
def test_the_banner_is_empty_for_a_partner(workers_expected, client, cast):
    WorkerHeartbeat.objects.all().delete()
    client.force_login(cast.titular.user)
    assert client.get(reverse("status_banner"), HTTP_HX_REQUEST="true").content == b""


def test_the_admin_says_which_release_runs(admin_client):
    assert f"· {VERSION}" in admin_client.get(reverse("admin:index")).content.decode()
