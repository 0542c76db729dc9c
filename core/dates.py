"""A sane range for every date a person types, imports or puts in a URL (1990–2100).

Beyond it a date is a typo (0001-01-01, 20255-03-01) and arithmetic on it can overflow; it is refused with a
message rather than stored or answered with a server error.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIN_YEAR = 1990
MAX_YEAR = 2100
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")


def in_range(value: datetime.date | datetime.datetime | None) -> bool:
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR


def validate_sane_date(value) -> None:
    """Form validator for DateField and DateTimeField."""
    if isinstance(value, datetime.date) and not in_range(value):
        raise ValidationError(
            _("Enter a date between %(first)d and %(last)d."), code="date_out_of_range",
            params={"first": MIN_YEAR, "last": MAX_YEAR},
        )


def parse_month(raw: str) -> datetime.date | None:
    """The first day of a month written YYYY-MM within the sane range, or None."""
    match = MONTH_PATTERN.match((raw or "").strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)
