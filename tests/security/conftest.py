"""Fixtures for the security tests: a client that shows 500s as statuses, TOTP codes."""

import pytest
from django.test import Client
from django_otp.oath import totp


def current_code(device) -> str:
    """The code an authenticator app shows now for this device."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"


@pytest.fixture
def raw_client():
    """A client that reports a server error as a 500 response instead of raising it in the test."""
    return Client(raise_request_exception=False)


@pytest.fixture
def staff_2fa(settings):
    """Two-factor enforced for staff, as in production (conftest leaves it at the settings default)."""
    settings.REQUIRE_2FA_FOR_STAFF = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    return settings


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def gated(response) -> bool:
    """True when the response sends the user back to the login or a second-factor page."""
    return response.status_code == 302 and response["Location"].startswith("/accounts/")
