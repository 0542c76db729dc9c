"""Guessing one account's password from many client addresses is slowed per login: a growing delay, reset by a
success, never a lockout (a browser that signed in before is not slowed, and the wait is capped)."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.db.models import F
from django.test import Client
from django.urls import reverse

from membership.accounts import slowdown, tasks
from membership.accounts.models import LoginSlowdown

pytestmark = pytest.mark.django_db
PASSWORD = "Fleuve-Niger-2026!"
LOGIN = "aminata.keita@enabel.example.org"
WAIT = re.compile(r"Réessayez dans (\d+)\u00a0secondes?\.")


@pytest.fixture(autouse=True)
def slow(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = True  # the slow-down works with the lockout, not instead of it
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 30
    settings.LOGIN_SLOWDOWN_FREE_FAILURES = 3
    settings.LOGIN_SLOWDOWN_WINDOW = 3600
    settings.LOGIN_SLOWDOWN_MAX_DELAY = 16
    return settings


@pytest.fixture
def member():
    return User.objects.create_user(LOGIN, LOGIN, PASSWORD)


_n = iter(range(10_000))


def attempt(password, login=LOGIN, client=None, path=None):
    """One attempt from a new client address each time (a guesser with many addresses)."""
    client = client or Client()
    return client.post(path or reverse("login"), {"username": login, "password": password},
                       REMOTE_ADDR=f"198.51.{next(_n) // 250}.{next(_n) % 250 + 1}")


def waited(response) -> int | None:
    match = WAIT.search(response.content.decode())
    return int(match.group(1)) if match else None


def elapse(seconds):
    """Move the clock of the slow-down forward (its rows' times back)."""
    delta = datetime.timedelta(seconds=seconds)
    LoginSlowdown.objects.update(window_start=F("window_start") - delta)
    LoginSlowdown.objects.exclude(next_check_at=None).update(next_check_at=F("next_check_at") - delta)


def signed_in(response) -> bool:
    return response.status_code == 302


def test_login_slowdown_grows_per_login_from_any_address_and_resets_after_success(member):
    for n in range(3):  # the free failures, each from another address: axes alone never stops them
        response = attempt(f"guess-{n}")
        assert response.status_code == 200 and waited(response) is None
    # Now even the right password is not checked before the delay: answered "try again in 2 s".
    response = attempt(PASSWORD)
    assert waited(response) == 2 and not signed_in(response)
    delays = []
    for n in range(5):
        elapse(delays[-1] if delays else 2)
        assert waited(attempt(f"more-{n}")) is None  # checked (and wrong)
        delays.append(waited(attempt(f"too-soon-{n}")))
    assert delays == [4, 8, 16, 16, 16]  # doubling, capped at LOGIN_SLOWDOWN_MAX_DELAY
    # Attempts refused without a check do not count: the delay did not grow with them.
    assert LoginSlowdown.objects.get().failures == 3 + 5
    elapse(16)
    assert signed_in(attempt(PASSWORD))
    assert not LoginSlowdown.objects.exists()  # a success clears the count
    for n in range(3):
        assert waited(attempt(f"again-{n}")) is None


def test_login_slowdown_counts_every_spelling_of_an_address_as_one_login(member):
    for spelling in [LOGIN, LOGIN.upper(), " Aminata.Keita@ENABEL.example.org"]:
        attempt("guess", login=spelling)
    assert waited(attempt(PASSWORD, login="AMINATA.keita@enabel.example.org")) == 2


def test_login_slowdown_treats_an_unknown_login_like_a_real_one(member):
    """The delay tells nothing about whether an account exists."""
    for n in range(3):
        attempt(f"guess-{n}", login="personne@nulle-part.example.org")
    assert waited(attempt("guess", login="personne@nulle-part.example.org")) == 2


def test_login_slowdown_spares_a_browser_that_signed_in_to_that_login_before(member):
    desk = Client()
    assert signed_in(attempt(PASSWORD, client=desk))
    remembered = desk.cookies[slowdown.DEVICE_COOKIE].value
    desk.logout()  # the test client forgets every cookie; a browser keeps this one
    desk.cookies[slowdown.DEVICE_COOKIE] = remembered
    for n in range(4):
        attempt(f"guess-{n}")
    assert waited(attempt(PASSWORD)) is not None  # a stranger's browser waits…
    assert signed_in(attempt(PASSWORD, client=desk))  # …the member's own does not
    # A forged cookie is worth nothing.
    forged = Client()
    forged.cookies[slowdown.DEVICE_COOKIE] = "W10:forged:signature"
    for n in range(4):
        attempt(f"guess-{n}")
    assert waited(attempt(PASSWORD, client=forged)) is not None


def test_login_slowdown_checks_attempts_sent_together_one_at_a_time(member):
    for _ in range(3):
        slowdown.failure_record(LOGIN)
    elapse(2)
    assert slowdown.wait_before_check(LOGIN) == 0  # this one takes the turn…
    assert slowdown.wait_before_check(LOGIN) == 2  # …the one sent with it waits
    assert LoginSlowdown.objects.get().failures == 3


def test_login_slowdown_window_forgets_old_failures(member, settings):
    for n in range(3):
        attempt(f"guess-{n}")
    elapse(settings.LOGIN_SLOWDOWN_WINDOW + 1)
    assert signed_in(attempt(PASSWORD))


def test_login_slowdown_rows_of_logins_nobody_tries_again_are_deleted(member, settings):
    for login in ["personne@nulle-part.example.org", "quelquun"]:
        attempt("guess", login=login)
    attempt("guess")
    LoginSlowdown.objects.exclude(key=slowdown.login_key(LOGIN)).update(
        window_start=F("window_start") - datetime.timedelta(seconds=settings.LOGIN_SLOWDOWN_WINDOW + 1))
    assert tasks.forget_old_login_failures() == 2
    assert list(LoginSlowdown.objects.values_list("key", flat=True)) == [slowdown.login_key(LOGIN)]


def test_login_slowdown_applies_to_the_admin_login_too(member, admin_user):
    for n in range(3):
        attempt(f"guess-{n}", login="admin", path=reverse("admin:login"))
    response = attempt("password", login="admin", path=reverse("admin:login"))
    assert waited(response) == 2


def test_login_slowdown_message_in_english(member):
    for n in range(3):
        attempt(f"guess-{n}")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    text = attempt(PASSWORD, client=client).content.decode()
    assert "Try again in 2\u00a0seconds." in text or "Try again in 2 seconds." in text
