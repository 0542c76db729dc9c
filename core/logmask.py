"""Capability URLs carry their credential in the path (RSVP links, calendar feeds, account activation and
password reset): whoever reads a log line could use it. These helpers blank the token out of any text."""

from __future__ import annotations

import re

MASK = "[masked]"
# /secretariat/rsvp/<token>/, /secretariat/calendar/<token>.ics, /people/access/activate/<token>/,
# /people/password-reset/<uidb64>/<token>/ — wherever they appear (request line, path, referer, full URL).
_PATHS = re.compile(
    r"(/(?:secretariat/rsvp|secretariat/calendar|people/access/activate|accounts/reset|accounts/activate)/)"
    r"[^\s?#\"']+"
)
# The reset link has two parts; its pages without a token (sent/, done/) stay readable.
_RESET = re.compile(r"(/people/password-reset/)(?!sent/|done/)[^/\s?#\"']+/[^\s?#\"']+")
_QUERY = re.compile(r"((?:^|[?&])(?:token|key|code)=)[^&\s#\"']+", re.IGNORECASE)


def mask_capabilities(text: str) -> str:
    if not isinstance(text, str) or "/" not in text and "=" not in text:
        return text
    text = _RESET.sub(rf"\1{MASK}", _PATHS.sub(rf"\1{MASK}", text))
    return _QUERY.sub(rf"\1{MASK}", text)
