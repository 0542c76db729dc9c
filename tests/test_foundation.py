"""Settings from the environment, login everywhere, language switch, health."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "name,value",
    [("DEBUG", "maybe"), ("DATABASE_URL", "nonsense"), ("CELERY_BROKER_URL", "ftp://x"), ("TIME_ZONE", "Mars/Base")],
)
def test_bad_setting_stops_startup_with_one_line_naming_it(name, value):
    result = run_manage("check", **{name: value})
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert name in lines[0]


def test_secret_key_required_when_debug_off():
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="portal.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_deploy_check_is_clean_under_production_settings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY="x" * 20 + "a-much-longer-and-random-secret-key-value-0123456789",
        ALLOWED_HOSTS="portal.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_defaults_are_french_bamako_and_eager_celery(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert [code for code, _ in settings.LANGUAGES] == ["fr", "en"]
    assert settings.TIME_ZONE == "Africa/Bamako"


def test_every_page_requires_login_but_login_itself(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


def test_login_page_is_french_by_default_and_english_on_request(client, db):
    assert "Connexion" in client.get(reverse("login")).content.decode()
    response = client.get(reverse("login"), headers={"accept-language": "en"})
    assert "Log in" in response.content.decode()


def test_language_switch_changes_the_interface(client, secretariat_user):
    client.force_login(secretariat_user)
    assert "Déconnexion" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log out" in client.get(reverse("home")).content.decode()


def test_login_with_password_and_logout(client, secretariat_user):
    response = client.post(reverse("login"), {"username": "seg", "password": "seg-password-123"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_does_not_log_in(client, secretariat_user):
    response = client.post(reverse("login"), {"username": "seg", "password": "wrong"})
    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_healthz_answers_without_login(client, db):
    answer = client.get(reverse("healthz")).json()
    assert answer["status"] == "ok" and set(answer) == {"status", "version"}  # the release, nothing else


def test_idle_session_is_logged_out(client, secretariat_user, settings):
    from ptf_portal.middleware import IDLE_KEY

    client.force_login(secretariat_user)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[IDLE_KEY] = session[IDLE_KEY] - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    assert client.get(reverse("home")).status_code == 302


def test_celery_is_configured_for_reliability(settings):
    from ptf_portal.celery import app

    conf = app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert not conf.result_backend
    assert conf.broker_transport_options["visibility_timeout"] > settings.CELERY_LONGEST_COUNTDOWN
    assert conf.broker_transport_options["visibility_timeout"] > settings.INVITATION_BATCH_TIME_LIMIT
    assert conf.task_publish_retry is False


def test_database_connection_lifetime_comes_from_db_conn_max_age_unless_the_url_sets_it():
    show = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    assert run_manage("shell", "-c", show, DB_CONN_MAX_AGE="7").stdout.strip().splitlines()[-1] == "7"
    from_url = run_manage("shell", "-c", show, DB_CONN_MAX_AGE="7",
                          DATABASE_URL="postgres://postgres@127.0.0.1:5432/unused?conn_max_age=5")
    assert from_url.stdout.strip().splitlines()[-1] == "5", from_url.stderr


def test_without_broker_tasks_run_eagerly_in_process():
    result = run_manage("shell", "-c", "from ptf_portal.celery import app; print(app.conf.task_always_eager)")
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr


@pytest.mark.django_db(transaction=True)
def test_queueing_with_redis_unreachable_does_not_fail_the_caller(settings):
    """The row is saved first; a dead broker is logged, not raised (the requeue task catches up)."""
    from django.db import transaction

    from core.queue import enqueue_on_commit
    from ptf_portal.celery import app
    from ptf_portal.tasks import worker_heartbeat

    app.conf.task_always_eager = False
    previous = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app._pool = None  # connection pools are cached per URL: drop the app's, not the shared ones
    app.amqp._producer_pool = None
    try:
        with transaction.atomic():
            enqueue_on_commit(worker_heartbeat, "never-sent")
    finally:
        app.conf.broker_url = previous
        app._pool = None
        app.amqp._producer_pool = None
    from ptf_portal.models import WorkerHeartbeat

    assert not WorkerHeartbeat.objects.filter(hostname="never-sent").exists()
