"""The login lockout cannot be turned against everyone: it keys on (username, real client address), a higher
per-address limit stops spraying, failures during a lockout do not extend it, and the client address comes from
X-Forwarded-For only behind a configured number of trusted proxies."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from core.client_ip import client_ip

PASSWORD = "portal-password-123"
PROXY = "172.18.0.5"  # the reverse proxy's address, as gunicorn sees every request behind it


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 12
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    settings.TRUSTED_PROXY_COUNT = 1
    return settings


@pytest.fixture
def accounts(db):
    names = ["seg", "aminata.ouedraogo", "eric.andre", "ines.kone", "oumar.diallo", "elodie.ibrahim"]
    return {name: User.objects.create_user(name, f"{name}@example.org", PASSWORD) for name in names}


def attempt(username, password, client_address, via_proxy=True):
    client = Client()
    if via_proxy:
        meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}
    else:
        meta = {"REMOTE_ADDR": client_address}
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def test_lockout_someone_elses_failures_do_not_lock_the_right_password_out_from_another_ip(axes_on, accounts):
    for n in range(6):
        attempt("seg", f"guess-{n}", "198.51.100.7")
    assert attempt("seg", PASSWORD, "198.51.100.7").status_code == 429  # the guesser is locked out…
    assert attempt("seg", PASSWORD, "203.0.113.20").status_code == 302  # …the SEG at its own desk is not
    assert attempt("eric.andre", PASSWORD, "203.0.113.21").status_code == 302  # nor anyone else behind the proxy


def test_lockout_spraying_from_one_ip_is_still_stopped(axes_on, accounts):
    sprayer = "198.51.100.66"
    for name in accounts:  # two guesses per account: far below the per-account limit
        attempt(name, "Spring2026!", sprayer)
        attempt(name, "Summer2026!", sprayer)
    assert attempt("ines.kone", PASSWORD, sprayer).status_code == 429  # even a right password, from that address
    assert attempt("ines.kone", PASSWORD, "203.0.113.30").status_code == 302


def test_lockout_is_not_extended_by_failures_during_it(axes_on, accounts):
    for n in range(5):
        attempt("seg", f"guess-{n}", "198.51.100.8")
    before = list(AccessAttempt.objects.values_list("attempt_time", "failures_since_start"))
    for n in range(3):
        assert attempt("seg", f"more-{n}", "198.51.100.8").status_code == 429
    assert list(AccessAttempt.objects.values_list("attempt_time", "failures_since_start")) == before


def test_lockout_forwarded_header_is_ignored_without_trusted_proxies(axes_on, accounts, settings):
    """Without a proxy setting, a client cannot dodge the lockout by writing X-Forwarded-For itself."""
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        Client().post(reverse("login"), {"username": "seg", "password": f"guess-{n}"},
                      REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert attempt("seg", PASSWORD, "198.51.100.9", via_proxy=False).status_code == 429


def test_lockout_client_ip_takes_the_entry_written_by_the_outermost_trusted_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1, 10.0.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == PROXY
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "198.51.100.1"
    settings.TRUSTED_PROXY_COUNT = 5  # fewer entries than proxies: only the socket is trusted
    assert client_ip(request) == PROXY
    forged = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(forged) == PROXY
