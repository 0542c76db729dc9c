"""Log authentication events (issue 7: logins, failures, logouts are auditable)."""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

log = logging.getLogger("ptf.security")


def _ip(request):
    return request.META.get("REMOTE_ADDR", "-") if request is not None else "-"


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    log.info("login user=%s ip=%s", user.get_username(), _ip(request))


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    log.info("logout user=%s ip=%s", getattr(user, "username", "-"), _ip(request))


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    log.warning("login failed user=%s ip=%s", credentials.get("username", "-"), _ip(request))
