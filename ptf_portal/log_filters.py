"""Logging filters: capability tokens never reach a log line, and a refusal is logged once."""

from __future__ import annotations

import logging

from core.logmask import mask_capabilities


class MaskCapabilityURLs(logging.Filter):
    """Rewrite a record whose message holds an RSVP, calendar-feed, activation or reset token."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's problem, not ours
            return True
        masked = mask_capabilities(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class DropDenials(logging.Filter):
    """django.request's 403 records (with a traceback for PermissionDenied): ptf.security logs the refusal as
    one line with the user, the path and the reason instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 403
