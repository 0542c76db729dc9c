"""Path converters: the one place where a number in a URL becomes an id.

Django's `int` converter takes any run of digits, so `/meetings/9223372036854775808/` reached the view and a
prepared statement refused the value ("bigint out of range"): a 500. `id` takes what a primary key can be —
1 to 2⁶³ − 1 (`BigAutoField`, the project's default) — and refuses the rest at resolution, so 0, a negative
number or one beyond the column's range answers 404 before any view or query runs. Registered once, by
`CoreConfig.ready()`, before any URLconf is read.
"""

from __future__ import annotations

from django.urls import register_converter

ID_MAX = 2**63 - 1  # PostgreSQL bigint, SQLite integer


class IdConverter:
    """A primary key in a path: digits, 1 ≤ value ≤ 2⁶³ − 1; anything else resolves to nothing (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValueError(f"{value} is not an id")
        return number

    def to_url(self, value) -> str:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValueError(f"{value} is not an id")
        return str(number)


def parse_id(text) -> int | None:
    """An id from a query string (`?meeting=42`): ASCII digits within the same range as the path converter, else
    None. `str.isdigit()` is not enough: it accepts "²" (which `int` refuses) and numbers beyond a bigint."""
    text = str(text or "")
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


_registered = False


def register() -> None:
    """Register `<id:...>` once (Django refuses to redefine a converter name)."""
    global _registered
    if not _registered:
        register_converter(IdConverter, "id")
        _registered = True
