"""Dates as a secretariat writes them: "19 décembre 2026 à 9 h 00", "1er mars 2027".

Every date printed by the reports goes through these two functions, so switching to a shared French
helper later is a change in this file only.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import get_language

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
NBSP = "\u00a0"


def _french() -> bool:
    return not (get_language() or "fr").startswith("en")


def long_date(value: datetime.date | datetime.datetime | None) -> str:
    """"19 décembre 2026" (the first of the month is "1er"); "19 December 2026" in English."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    if _french():
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day}{NBSP}{MONTHS_FR[value.month - 1]}{NBSP}{value.year}"
    return f"{value.day}{NBSP}{MONTHS_EN[value.month - 1]}{NBSP}{value.year}"


def long_time(value: datetime.datetime) -> str:
    """"9 h 00" in French (narrow spaces kept together), "9:00" in English."""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    if _french():
        return f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}"
    return f"{value.hour}:{value.minute:02d}"


def long_datetime(value: datetime.datetime | None) -> str:
    """"19 décembre 2026 à 9 h 00"; "19 December 2026 at 9:00"."""
    if value is None:
        return ""
    joiner = "à" if _french() else "at"
    return f"{long_date(value)} {joiner} {long_time(value)}"
