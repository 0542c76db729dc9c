"""gunicorn's access log without capability tokens (gunicorn.conf.py sets `logger_class` to this).

An RSVP link, a calendar feed, an activation or reset link carries its credential in the URL; the request line,
the path, the query string and the referer of an access-log line are masked (core.logmask).
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from core.logmask import mask_capabilities


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_capabilities(value) if isinstance(value, str) else value for key, value in atoms.items()}
