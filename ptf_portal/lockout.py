"""The login lockout (django-axes): per (username, client address), plus a higher limit per address.

- A username is locked out only from the address its failures came from: a user who types the right password
  from elsewhere is not locked out by someone else's guesses (AXES_LOCKOUT_PARAMETERS).
- An address that fails AXES_IP_FAILURE_LIMIT times within the cool-off, whatever the usernames, is locked
  out for every username: password spraying from one place is stopped.
- Failures during a lockout are not recorded, so they do not extend it
  (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off).
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def address_failures(request) -> int:
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class PortalAxesHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.AXES_IP_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures
