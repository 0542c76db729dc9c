"""Shared fixtures: the cast of users, real-service gates, eager Celery by default."""

import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _unavailable(message: str):
    """Skip on a developer machine, fail in CI's services run (REQUIRE_SERVICES=1)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} (REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture
def redis_broker_url():
    url = settings.CELERY_BROKER_URL
    if not url or not url.startswith("redis"):
        _unavailable("CELERY_BROKER_URL does not point at Redis")
    if not _reachable(url):
        _unavailable(f"Redis is not reachable at {url}")
    return url


@pytest.fixture
def postgres_database():
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        _unavailable("DATABASE_URL does not point at PostgreSQL")
    return settings.DATABASES["default"]


@pytest.fixture(autouse=True)
def _celery_eager_by_default(request):
    """Unit tests run tasks in-process; tests marked `services` talk to a real broker."""
    from ptf_portal.celery import app

    eager = "services" not in request.keywords
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _no_broker_refusal_from_another_test():
    """A test that refused the broker must not make the next one skip its publishing (core.queue's quiet period)."""
    from core.queue import broker_quiet_reset

    broker_quiet_reset()
    yield
    broker_quiet_reset()


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _no_axes_lockouts_between_tests(settings):
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _second_factor_off_unless_tested(settings):
    """Most tests log staff in with force_login; tests of the second factor switch it back on."""
    settings.REQUIRE_2FA_FOR_STAFF = False


@pytest.fixture
def secretariat_user(db):
    from django.contrib.auth.models import Group, User

    from membership.roles import SECRETARIAT_GROUP

    user = User.objects.create_user("seg", "seg@example.org", "seg-password-123", first_name="Awa", last_name="Traoré")
    user.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    return user
