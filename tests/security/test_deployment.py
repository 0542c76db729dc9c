"""The deployment around Django: nginx in front with a body limit and TLS, gunicorn unpublished with request
limits, and no capability token (RSVP, calendar feed, activation, reset) in any access log."""

import http.client
import io
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest
from django.test import Client
from django.urls import reverse

from core.logmask import mask_capabilities
from ptf_portal.log_filters import MaskCapabilityURLs
from tests.processes import output, spawn
from tests.security.test_headers import ROOT

TOKEN = "eyJpIjoxLCJwIjoxLCJtIjoxfQ:1xXlnO:WhkX1m10dHIJYwGnh6HfI7hWe0c9fhDC4R0ooKy6jlo"
FEED = "s3cr3t-feed-token-0123456789abcdef"


# -- capability URLs in logs ---------------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    f'GET /secretariat/rsvp/{TOKEN}/ HTTP/1.1" 200',
    f"Not Found: /secretariat/calendar/{FEED}.ics",
    f"https://portal.ptf-mali.org/secretariat/rsvp/{TOKEN}/?answer=attending",
    "GET /people/password-reset/MQ/c5x-0a1b2c3d4e5f/ HTTP/1.1",
    "GET /people/access/activate/a1b2c3d4e5f6/ HTTP/1.1",
    "token=abcdef0123&next=/",
])
def test_capability_urls_masked_in_log_lines(line):
    masked = mask_capabilities(line)
    assert TOKEN not in masked and FEED not in masked and "[masked]" in masked
    for secret in ("c5x-0a1b2c3d4e5f", "a1b2c3d4e5f6", "abcdef0123"):
        assert secret not in masked


def test_capability_urls_masked_keeps_token_free_pages_readable():
    assert mask_capabilities("GET /people/password-reset/sent/ HTTP/1.1") == "GET /people/password-reset/sent/ HTTP/1.1"
    assert mask_capabilities("GET /meetings/42/ HTTP/1.1") == "GET /meetings/42/ HTTP/1.1"


def test_capability_urls_masked_in_the_portals_own_log_output(db):
    """A 404 on a calendar feed goes through django.request to the console handler: the token is not written."""
    handler = next(h for h in logging.getLogger().handlers
                   if any(isinstance(f, MaskCapabilityURLs) for f in h.filters))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        assert Client().get(reverse("secretariat:calendar_feed", args=[FEED])).status_code == 404
        record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"GET %s HTTP/1.1" 400',
                                   (f"/secretariat/rsvp/{TOKEN}/",), None)
        handler.handle(record)
    finally:
        handler.setStream(previous)
    written = stream.getvalue()
    assert "/secretariat/calendar/[masked]" in written and "/secretariat/rsvp/[masked]" in written
    assert FEED not in written and TOKEN not in written


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=10)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def _get(sock, path):
    connection = _UnixConnection(sock)
    connection.request("GET", path, headers={"Host": "localhost", "Referer": f"http://localhost/secretariat/rsvp/{TOKEN}/"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def test_capability_urls_masked_in_gunicorn_access_log_and_request_limits(tmp_path):
    """A real gunicorn with gunicorn.conf.py (on a Unix socket, not a port): tokens masked, long URLs refused."""
    sock, access = str(tmp_path / "gunicorn.sock"), tmp_path / "access.log"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(DEBUG="1", VAR_DIR=str(tmp_path), PYTHONPATH=str(ROOT))
    server = spawn(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"unix:{sock}", "--workers", "1",
         "--access-logfile", str(access), "ptf_portal.wsgi:application"],
        cwd=ROOT, env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(sock):
            assert server.poll() is None and time.monotonic() < deadline, ("gunicorn did not start", output(server))
            time.sleep(0.2)
        _get(sock, f"/secretariat/rsvp/{TOKEN}/")  # (no database here: what matters is the log line)
        _get(sock, f"/secretariat/calendar/{FEED}.ics")
        assert _get(sock, "/healthz?" + "x" * 5000) in (400, 414)  # longer than limit_request_line
        time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=20)
    log = access.read_text()
    assert log.count("[masked]") >= 2
    assert TOKEN not in log and FEED not in log


# -- the proxy and the compose file -----------------------------------------------------------------------

def test_reverse_proxy_in_compose_fronts_gunicorn_with_a_body_limit_and_tls():
    compose = (ROOT / "docker-compose.yml").read_text()
    web = compose.split("\n  web:\n", 1)[1].split("\n  proxy:\n", 1)[0]
    assert "ports:" not in web and "expose:" in web  # gunicorn is not published
    assert "gunicorn -c gunicorn.conf.py" in web
    assert "nginx" in compose and '"443:443"' in compose and "deploy/nginx/portal.conf" in compose
    assert 'TRUSTED_PROXY_COUNT: "1"' in compose
    conf = (ROOT / "deploy/nginx/portal.conf").read_text()
    assert re.search(r"client_max_body_size \d+m;", conf)
    assert "listen 443 ssl" in conf and "ssl_certificate " in conf
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf  # replaced, not appended to
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "$ptf_logged_uri" in conf and "$request_uri $status" not in conf
    gunicorn_conf = (ROOT / "gunicorn.conf.py").read_text()
    for limit in ("limit_request_line", "limit_request_fields", "limit_request_field_size", "logger_class"):
        assert limit in gunicorn_conf


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (apt-get install -y nginx-light)")
def test_reverse_proxy_nginx_config_is_valid(tmp_path):
    """nginx itself checks the file (the upstream host and the certificate replaced by local stand-ins)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=portal",
                    "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
                   check=True, capture_output=True)
    conf = (ROOT / "deploy/nginx/portal.conf").read_text()
    conf = conf.replace("server web:8000;", "server 127.0.0.1:8000;").replace("/etc/nginx/certs", str(tmp_path))
    (tmp_path / "portal.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n include {tmp_path}/portal.conf;\n}}\n")
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
