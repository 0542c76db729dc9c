"""Login throttling (axes), password validators, session timeouts, security log."""

import datetime
import logging
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ptf_portal.middleware import IDLE_KEY, LOGIN_AT_KEY
from tests.factories import UserFactory
from tests.security.conftest import gated

PASSWORD = "seg-password-123"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    return settings


def login(client, password=PASSWORD, username="seg"):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_is_locked_after_repeated_failures(client, secretariat_user, axes_on):
    assert login(client, "wrong-1").status_code == 200
    assert login(client, "wrong-2").status_code == 200
    locked = login(client, "wrong-3")
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    # Even the right password is refused while locked.
    assert login(client).status_code == 429
    assert gated(client.get(reverse("audit")))


def test_lockout_page_is_localized_and_says_when_to_retry(client, secretariat_user, axes_on):
    for attempt in range(3):
        response = client.post(
            reverse("login"), {"username": "seg", "password": f"bad{attempt}"}, headers={"accept-language": "en"}
        )
    html = response.content.decode()
    assert response.status_code == 429
    assert "15 minutes" in html
    assert '<html lang="en">' in html


def test_lockout_expires_after_the_cool_off(client, secretariat_user, axes_on):
    for attempt in range(3):
        login(client, f"bad{attempt}")
    assert login(client).status_code == 429
    # Sixteen minutes later (moving the recorded attempts back is moving the clock forward).
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    response = login(client)
    assert response.status_code == 302
    assert not gated(client.get(reverse("audit")))


def test_lockout_of_one_account_does_not_lock_another_from_elsewhere(client, secretariat_user, axes_on):
    for attempt in range(3):
        login(client, f"bad{attempt}")
    other = UserFactory(username="rep")
    response = client.post(
        reverse("login"), {"username": other.username, "password": "portal-password-123"}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302


@pytest.mark.parametrize("password", ["short1!", "password123", "12345678901234", "seg@example.org"])
def test_weak_passwords_are_refused(password, secretariat_user):
    with pytest.raises(ValidationError):
        validate_password(password, user=secretariat_user)


def test_a_strong_password_is_accepted(secretariat_user):
    validate_password("vieux-baobab-sous-la-pluie-42", user=secretariat_user)


def test_session_expiry_is_fixed_at_login_and_not_extended(client, secretariat_user, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    login(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    expiry = Session.objects.get(session_key=key).expire_date
    age = (expiry - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < age <= settings.SESSION_COOKIE_AGE
    # Make the idle clock old enough that the next request writes the session.
    session = client.session
    session[IDLE_KEY] -= 120
    session.save()
    client.get(reverse("audit"))
    assert client.session[IDLE_KEY] > int(time.time()) - 5  # the session was written…
    assert Session.objects.get(session_key=key).expire_date == expiry  # …and its end did not move.


def test_session_ends_after_the_absolute_lifetime_even_when_active(client, secretariat_user, settings, caplog):
    login(client)
    assert not gated(client.get(reverse("audit")))
    session = client.session
    session[LOGIN_AT_KEY] -= settings.SESSION_COOKIE_AGE + 5
    session.save()
    with caplog.at_level(logging.INFO, logger="ptf.security"):
        response = client.get(reverse("audit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert gated(client.get(reverse("audit")))
    assert any("absolute timeout" in r.getMessage() for r in caplog.records)


def test_idle_session_is_logged_out_and_logged(client, secretariat_user, settings, caplog):
    login(client)
    session = client.session
    session[IDLE_KEY] -= settings.SESSION_IDLE_TIMEOUT + 5
    session.save()
    with caplog.at_level(logging.INFO, logger="ptf.security"):
        assert gated(client.get(reverse("audit")))
    assert any("idle timeout" in r.getMessage() for r in caplog.records)


def test_a_recent_session_is_not_logged_out(client, secretariat_user, settings):
    login(client)
    session = client.session
    session[IDLE_KEY] -= settings.SESSION_IDLE_TIMEOUT - 60
    session.save()
    assert not gated(client.get(reverse("audit")))


def messages(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "ptf.security"]


def test_login_failure_logout_and_lockout_are_logged(client, secretariat_user, axes_on, caplog):
    with caplog.at_level(logging.INFO, logger="ptf.security"):
        login(client)
        client.post(reverse("logout"))
        for attempt in range(3):
            login(client, f"bad{attempt}")
    logged = messages(caplog)
    assert any(m.startswith("login user=seg") for m in logged)
    assert any(m.startswith("logout user=seg") for m in logged)
    assert any(m.startswith("login failed user=seg") for m in logged)
    assert any(m.startswith("lockout user=seg") for m in logged)


def test_permission_denials_are_logged(client, db, caplog):
    user = UserFactory(username="outsider")
    client.force_login(user)
    with caplog.at_level(logging.WARNING, logger="ptf.security"):
        assert client.get(reverse("audit")).status_code == 403
    assert any("permission denied user=outsider method=GET path=/audit/" in m for m in messages(caplog))


def test_csrf_failures_are_logged(db, caplog):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING, logger="ptf.security"):
        assert strict.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 403
    assert any("permission denied user=- method=POST" in m for m in messages(caplog))
