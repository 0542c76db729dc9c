"""Dates as a secretariat writes them: "19 décembre 2026 à 9 h 00", "1er mars 2027".

Every date printed by the reports goes through these functions; they use the shared French helpers of
`core.french` and keep day, month and year together on one printed line (no-break spaces).
"""

from __future__ import annotations

import datetime

from core import french

NBSP = french.NBSP


def long_date(value: datetime.date | datetime.datetime | None) -> str:
    """"19 décembre 2026" (the first of the month is "1er"); "19 December 2026" in English."""
    return "" if value is None else french.long_date(value).replace(" ", NBSP)


def long_time(value: datetime.datetime) -> str:
    """"9 h 00" in French (kept together), "9:00" in English."""
    return french.time_of_day(value)


def long_datetime(value: datetime.datetime | None) -> str:
    """"19 décembre 2026 à 9 h 00"; "19 December 2026 at 9:00"."""
    if value is None:
        return ""
    return french.long_datetime(value).replace(french.long_date(value), long_date(value), 1)
