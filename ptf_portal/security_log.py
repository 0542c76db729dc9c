"""Authentication events: logins, failures, logouts and lockouts go to `ptf.security`."""

import logging
import math

from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.shortcuts import render

from core.client_ip import client_ip

log = logging.getLogger("ptf.security")


def _ip(request):
    return (client_ip(request) or "-") if request is not None else "-"


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    log.info("login user=%s ip=%s", user.get_username(), _ip(request))


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    log.info("logout user=%s ip=%s", getattr(user, "username", "-"), _ip(request))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    log.warning("login failed user=%s ip=%s", credentials.get("username", "-"), _ip(request))


@receiver(user_locked_out)
def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    log.warning("lockout user=%s ip=%s", username or "-", ip_address or _ip(request))


def lockout_response(request, original_response=None, credentials=None):
    """The page axes shows to a locked-out login (AXES_LOCKOUT_CALLABLE): when to try again, in minutes."""
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
