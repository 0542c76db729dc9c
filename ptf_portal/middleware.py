"""Session timeouts."""

import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

security_log = logging.getLogger("ptf.security")
IDLE_KEY = "ptf_last_seen"


class SessionTimeoutMiddleware:
    """Log out a session idle for longer than SESSION_IDLE_TIMEOUT seconds.

    The absolute lifetime is SESSION_COOKIE_AGE: the expiry is set at login and
    not extended (SESSION_SAVE_EVERY_REQUEST stays off).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(IDLE_KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                security_log.info("session idle timeout user=%s", request.user.pk)
                logout(request)
                return redirect(f"{reverse('login')}?next={request.path}")
            # Write at most once a minute, so reading pages does not write the session every time.
            if last_seen is None or now - last_seen > 60:
                request.session[IDLE_KEY] = now
        return self.get_response(request)
