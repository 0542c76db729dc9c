"""A growing delay per login against guessing one account's password from many client addresses.

The lockout (django-axes) keys on (login, client address) so that nobody's guesses lock the real user out
from their own desk; on its own it lets a guesser with many addresses try without end. This adds, per login and
whatever the address: after LOGIN_SLOWDOWN_FREE_FAILURES failures within LOGIN_SLOWDOWN_WINDOW seconds, the
next attempt is not even checked before 2, then 4, 8… seconds (at most LOGIN_SLOWDOWN_MAX_DELAY) have passed
since the last failure; it is answered "try again in N s". A success clears the count.

It is a delay, never a lockout: the real user waits at most LOGIN_SLOWDOWN_MAX_DELAY seconds, and a browser that
has already signed in to this login (a signed cookie set at sign-in) is not slowed at all. The rows are keyed on
a digest of the normalised login, so an unknown login is slowed exactly like a real one.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from core.addresses import address_key_or_empty
from membership.accounts.models import LoginSlowdown

security_log = logging.getLogger("ptf.security")
DEVICE_COOKIE = "ptf_signed_in_before"
_DEVICE_SALT = "membership.accounts.slowdown.device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600


def login_key(login: str) -> str:
    text = str(login or "").strip()
    normalised = address_key_or_empty(text) if "@" in text else ""
    return hashlib.sha256((normalised or text.casefold()).encode("utf-8", "surrogatepass")).hexdigest()


def delay_after(failures: int) -> int:
    """Seconds before the next attempt is checked, after this many failures in the window."""
    free = settings.LOGIN_SLOWDOWN_FREE_FAILURES
    if failures < free:
        return 0
    return min(2 ** min(failures - free + 1, 30), settings.LOGIN_SLOWDOWN_MAX_DELAY)


def _row(key: str, now) -> LoginSlowdown | None:
    row = LoginSlowdown.objects.select_for_update().filter(key=key).first()
    if row is not None and row.window_start <= now - datetime.timedelta(seconds=settings.LOGIN_SLOWDOWN_WINDOW):
        row.delete()
        return None
    return row


def known_device(request, login: str) -> bool:
    """Whether this browser signed in to this login before (the cookie set at sign-in)."""
    if request is None:
        return False
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    try:
        keys = signing.loads(value, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_MAX_AGE) if value else []
    except signing.BadSignature:
        return False
    return isinstance(keys, list) and login_key(login) in keys


def device_cookie_value(request, login: str) -> str:
    """The cookie value after a sign-in to `login`: the logins this browser signed in to (the last five)."""
    keys = []
    value = request.COOKIES.get(DEVICE_COOKIE, "") if request is not None else ""
    try:
        keys = signing.loads(value, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_MAX_AGE) if value else []
    except signing.BadSignature:
        keys = []
    key = login_key(login)
    keys = [k for k in keys if isinstance(k, str) and k != key][-4:] + [key]
    return signing.dumps(keys, salt=_DEVICE_SALT)


@transaction.atomic
def wait_before_check(login: str, *, request=None) -> int:
    """0 if this attempt may be checked now, else the seconds to wait. Claims the turn: attempts sent together
    are checked one at a time, each after the delay."""
    if not login or known_device(request, login):
        return 0
    now = timezone.now()
    row = _row(login_key(login), now)
    if row is None or row.failures < settings.LOGIN_SLOWDOWN_FREE_FAILURES:
        return 0
    if row.next_check_at is not None and row.next_check_at > now:
        return max(1, math.ceil((row.next_check_at - now).total_seconds()))
    # This attempt takes the turn; its failure sets the next one, its success deletes the row.
    row.next_check_at = now + datetime.timedelta(seconds=delay_after(row.failures))
    row.save(update_fields=["next_check_at"])
    return 0


@transaction.atomic
def failure_record(login: str) -> int:
    """Count one failed attempt of this login; returns the delay now imposed on the next one (seconds)."""
    if not login:
        return 0
    now = timezone.now()
    key = login_key(login)
    row = _row(key, now)
    if row is None:
        LoginSlowdown.objects.bulk_create([LoginSlowdown(key=key, window_start=now)], ignore_conflicts=True)
        row = LoginSlowdown.objects.select_for_update().get(key=key)
    row.failures += 1
    delay = delay_after(row.failures)
    row.next_check_at = now + datetime.timedelta(seconds=delay) if delay else None
    row.save(update_fields=["failures", "next_check_at"])
    return delay


def success_record(login: str) -> None:
    LoginSlowdown.objects.filter(key=login_key(login)).delete()


def forget_old() -> int:
    """Delete the counts whose window has passed (logins nobody tried again). Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.LOGIN_SLOWDOWN_WINDOW)
    return LoginSlowdown.objects.filter(window_start__lte=cutoff).delete()[0]
