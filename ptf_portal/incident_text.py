"""What a wrong monitoring check means, in words for the SEG and the admins, written when shown (each reader gets
their own language)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.french import long_datetime, time_of_day


def _when(value: datetime.datetime, now: datetime.datetime) -> str:
    """ "10 h 12" today, "6 décembre 2026 à 10 h 12" another day."""
    local, today = timezone.localtime(value), timezone.localtime(now)
    return time_of_day(local) if local.date() == today.date() else long_datetime(local)


CAUSES = {
    "worker": lambda: _("the sending service does not answer"),
    "broker": lambda: _("the task queue (Redis) does not answer"),
    "database": lambda: _("the database does not answer"),
    "": lambda: _("the mail server refuses or does not answer"),
}


def describe(check: str, since: datetime.datetime | None, cause: str = "", now=None) -> str:
    """What a wrong check means, in the active language: written when shown, so each reader gets their own."""
    now = now or timezone.now()
    when = {"when": _when(since, now)} if since else None
    if check == "database":
        return _("The database does not answer.")
    if check == "broker":
        return _("The task queue (Redis) does not answer.")
    if check == "worker":
        return (_("The sending service (worker) has not answered since %(when)s.") % when if when
                else _("The sending service (worker) has never answered."))
    if check == "beat":
        return (_("The scheduler (beat) has not run since %(when)s.") % when if when
                else _("The scheduler (beat) has never run."))
    if check == "outbox":
        return _("Invitations have not been leaving since %(when)s: %(cause)s. Tell the administrator.") % {
            "when": _when(since, now), "cause": CAUSES.get(cause, CAUSES[""])()}
    if check == "mailbox":
        return (_("The secretariat's mailbox has not been read since %(when)s. Tell the administrator.") % when
                if when else _("The secretariat's mailbox has never been read. Tell the administrator."))
    return check
