"""Session timeouts, the second-factor gate and the logging of refusals."""

import datetime
import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django_otp import user_has_device

from core.client_ip import client_ip
from membership.roles import requires_second_factor

security_log = logging.getLogger("ptf.security")
IDLE_KEY = "ptf_last_seen"
LOGIN_AT_KEY = "ptf_login_at"


def _to_login(request):
    return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")


class SessionTimeoutMiddleware:
    """Log out a session idle for longer than SESSION_IDLE_TIMEOUT seconds, or older than SESSION_COOKIE_AGE.

    Django moves a session's expiry forward each time the session is saved, and this middleware saves it
    (the idle clock); so the absolute lifetime is pinned at login: an explicit expiry date, and a check here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            last_seen = session.get(IDLE_KEY)
            login_at = session.get(LOGIN_AT_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                security_log.info("session idle timeout user=%s", request.user.get_username())
                logout(request)
                return _to_login(request)
            if login_at is not None and now - login_at > settings.SESSION_COOKIE_AGE:
                security_log.info("session absolute timeout user=%s", request.user.get_username())
                logout(request)
                return _to_login(request)
            # Write at most once a minute, so reading pages does not write the session every time.
            if last_seen is None or now - last_seen > 60:
                session[IDLE_KEY] = now
        response = self.get_response(request)
        self._pin_expiry(request)
        return response

    @staticmethod
    def _pin_expiry(request):
        """After a login (this request or a past one), fix the session's end once and for all."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or LOGIN_AT_KEY in request.session:
            return
        now = int(time.time())
        request.session[LOGIN_AT_KEY] = now
        request.session[IDLE_KEY] = request.session.get(IDLE_KEY, now)
        ends = datetime.datetime.fromtimestamp(now, tz=datetime.UTC) + datetime.timedelta(
            seconds=settings.SESSION_COOKIE_AGE
        )
        request.session.set_expiry(timezone.localtime(ends))


# A user without a confirmed TOTP device is looked up again at most this often (seconds), not on every page.
NO_DEVICE_KEY = "ptf_no_device_checked_at"
NO_DEVICE_RECHECK_SECONDS = 300


def has_confirmed_device(request) -> bool:
    """Whether the user has a confirmed TOTP device; a "no" is remembered in the session for a few minutes."""
    now = int(time.time())
    checked_at = request.session.get(NO_DEVICE_KEY)
    if checked_at is not None and 0 <= now - checked_at < NO_DEVICE_RECHECK_SECONDS:
        return False
    found = user_has_device(request.user, confirmed=True)
    if found:
        request.session.pop(NO_DEVICE_KEY, None)
    else:
        request.session[NO_DEVICE_KEY] = now
    return found


# Pages an unverified user may reach: the second-factor pages themselves, logging out, the language.
SECOND_FACTOR_OPEN = {"two_factor_verify", "two_factor_setup", "logout", "set_language", "healthz", "javascript-catalog"}


class SecondFactorMiddleware:
    """Until the second factor is given, a logged-in user reaches only the pages above.

    - a user with a confirmed TOTP device must verify a code (everyone: the factor is optional, but once
      set up it is always asked);
    - secretariat staff and admins without a device must enrol one (when REQUIRE_2FA_FOR_STAFF is on).

    Must come after django_otp.middleware.OTPMiddleware (it sets `user.is_verified`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in SECOND_FACTOR_OPEN and not match.namespace:
            return None
        query = urlencode({"next": request.get_full_path()})
        if has_confirmed_device(request):
            return redirect(f"{reverse('two_factor_verify')}?{query}")
        if getattr(settings, "REQUIRE_2FA_FOR_STAFF", True) and requires_second_factor(user):
            return redirect(f"{reverse('two_factor_setup')}?{query}")
        return None


DENIAL_REASON = "_ptf_denial_reason"


def note_denial(request, reason: str) -> None:
    """Say why a request is refused, for the one log line SecurityLogMiddleware writes."""
    setattr(request, DENIAL_REASON, reason)


class SecurityLogMiddleware:
    """Log every refusal (403: permission denied, CSRF failure) to `ptf.security` as one line: user, method, path,
    client address and reason, without a traceback (django.request's own 403 records are dropped, see
    ptf_portal.log_filters.DropDenials)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            reason = getattr(request, DENIAL_REASON, "") or "permission denied"
            security_log.warning(
                "permission denied user=%s method=%s path=%s ip=%s reason=%s",
                user.get_username() if user is not None and user.is_authenticated else "-",
                request.method, request.path, client_ip(request) or "-", " ".join(reason.split())[:200],
            )
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            note_denial(request, str(exception) or "permission denied")
        return None


class NoStoreMiddleware:
    """Nothing the portal answers is kept by a browser or a proxy cache: signed-in pages, downloads, the TOTP
    enrolment page (its QR code is the secret), RSVP and calendar-feed pages. Static files are served before
    this point (WhiteNoise) and stay cacheable; a view that declares itself public keeps its headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "public" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
