import pytest

from tests.portal.factories import make_cast


@pytest.fixture
def cast(db, settings):
    settings.REQUIRE_2FA_FOR_STAFF = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return make_cast()


@pytest.fixture
def seg_client(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _run_on_commit_at_once(monkeypatch):
    """Tests run inside a transaction that never commits: run after-commit work (queued tasks) at once,
    as it runs in production right after the view's transaction."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
