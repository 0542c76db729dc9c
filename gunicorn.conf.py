"""gunicorn settings for production (docker-compose's `web` runs `gunicorn -c gunicorn.conf.py`).

gunicorn sits behind the nginx proxy (deploy/nginx.conf), which caps bodies and terminates TLS; these limits are
the second line: request line, header count and header size are refused (400/414) before Django sees them.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Request size limits (bytes / count): a URL of 4 KB, 100 headers of 8 KB each at most.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Access log on stdout, without the tokens of RSVP, calendar-feed, activation and reset links.
accesslog = "-"
logger_class = "ptf_portal.gunicorn_logging.MaskingLogger"
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms'
