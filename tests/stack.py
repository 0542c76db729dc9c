"""`make stack`: the production topology on this machine, walked from convocation to answers over HTTP.

Starts, on this machine's PostgreSQL (a throwaway database, dropped at the end) and Redis: gunicorn with
DEBUG=0 (whitenoise static files, CSP), a Celery worker, one beat and an SMTP sink (aiosmtpd). Then, over HTTP
only: the secretariat logs in, generates the distribution list (a worker task), convenes the meeting (the
outbox sends through SMTP), watches the progress; a partner opens the RSVP link of the e-mail the sink
received and answers; the roster shows the answer. Stops everything; exit code 0 when every step passed.

Environment: STACK_POSTGRES (default postgres://postgres@127.0.0.1:5432), STACK_BROKER_URL (default
redis://127.0.0.1:6379/10: its queues are purged).
"""

from __future__ import annotations

import email
import html
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from email import policy
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.smtp_sink import free_port  # noqa: E402

PG = os.environ.get("STACK_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
BROKER = os.environ.get("STACK_BROKER_URL", "redis://127.0.0.1:6379/10")
PY = sys.executable
STEP_TIMEOUT = 60


def say(message: str) -> None:
    print(f"[stack {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Browser:
    """Just enough of a browser over plain HTTP: cookies (Secure ones too: this is loopback), CSRF, redirects."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, follow=True):
        for _ in range(10):
            conn = HTTPConnection("127.0.0.1", self.port, timeout=30)
            headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            body = None
            if form is not None:
                form = dict(form, csrfmiddlewaretoken=self.cookies.get("csrftoken", ""))
                body = urllib.parse.urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            conn.close()
            if follow and response.status in (301, 302, 303):
                method, form = "GET", None
                path = urllib.parse.urlsplit(response.getheader("Location")).path or "/"
                continue
            return response, data.decode("utf-8", errors="replace")
        raise RuntimeError("too many redirects")


def wait_for(what: str, predicate, timeout=STEP_TIMEOUT, step=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(step)
    raise SystemExit(f"stack: timed out waiting for {what}")


def run(env, *args):
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"stack: manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def database(action: str, name: str) -> None:
    import psycopg2

    parsed = urllib.parse.urlsplit(PG)
    conn = psycopg2.connect(dbname="postgres", host=parsed.hostname, port=parsed.port or 5432,
                            user=parsed.username, password=parsed.password)
    conn.autocommit = True
    with conn.cursor() as cursor:
        if action == "create":
            cursor.execute(f'CREATE DATABASE "{name}"')
        else:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


MEETING = """
import datetime
from django.utils import timezone
from instances.models import Instance
from meetings import services
gec = Instance.objects.get(code="GEC")
start = (timezone.localtime() + datetime.timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
m = services.meeting_create(instance=gec, title="Revue conjointe", start=start,
                            end=start + datetime.timedelta(hours=3), place="Bamako, ACI 2000")
services.agenda_item_add(meeting=m, title="Appui budgétaire", category="policy_dialogue",
                         expected_outcome="information")
services.meeting_propose_agenda(meeting=m)
print(m.pk)
"""


TOTP = """
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
device = TOTPDevice.objects.get(user__username="seg", confirmed=True)
code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
print(f"{code:0{device.digits}d}")
"""


def main() -> int:
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="ptf-stack-"))
    mail_dir = tmp / "mail"
    mail_dir.mkdir()
    port = free_port()
    name = f"ptf_stack_{os.getpid()}"
    env = dict(
        os.environ, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}", DATABASE_URL=f"{PG}/{name}", CELERY_BROKER_URL=BROKER,
        SECURE_SSL_REDIRECT="0", VAR_DIR=str(tmp), LOG_LEVEL="WARNING",
        MESSAGE_ID_DOMAIN="portal.ptf-mali.example.org", INVITATION_REQUEUE_INTERVAL="5",
    )
    procs: dict[str, subprocess.Popen] = {}
    database("create", name)
    try:
        procs["smtp"] = subprocess.Popen([PY, "tests/smtp_sink.py", "--dir", str(mail_dir)], cwd=ROOT,
                                         stdout=subprocess.PIPE, text=True)
        smtp_port = int(procs["smtp"].stdout.readline().rsplit(":", 1)[1])
        env.update(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
                   EMAIL_PORT=str(smtp_port), EMAIL_USE_TLS="0")
        say(f"database {name}, SMTP sink on {smtp_port}, broker {BROKER}")
        run(env, "migrate", "--noinput")
        run(env, "collectstatic", "--noinput")
        run(env, "load_demo")
        meeting = int(run(env, "shell", "-c", MEETING).strip().splitlines()[-1])
        subprocess.run([PY, "-m", "celery", "-A", "ptf_portal", "purge", "-f", "-Q", "celery,maintenance"],
                       cwd=ROOT, env=env, capture_output=True)
        logs = {}
        for label, command in {
            "web": [PY, "-m", "gunicorn", "ptf_portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
                    "--workers", "2", "--timeout", "60", "--access-logfile", "-"],
            "worker": [PY, "-m", "celery", "-A", "ptf_portal", "worker", "--concurrency=2", "--loglevel=WARNING",
                       "--without-gossip", "--without-mingle"],
            "beat": [PY, "-m", "celery", "-A", "ptf_portal", "beat", "--loglevel=WARNING",
                     "--schedule", str(tmp / "celerybeat-schedule")],
        }.items():
            logs[label] = open(tmp / f"{label}.log", "w")
            procs[label] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=logs[label],
                                            stderr=subprocess.STDOUT, start_new_session=True)
        browser = Browser(port)

        def healthy():
            try:
                return browser.request("GET", "/healthz")[0].status == 200
            except OSError:
                return False

        wait_for("gunicorn", healthy)
        say("gunicorn answers /healthz with DEBUG=0")

        response, page = browser.request("GET", "/accounts/login/")
        assert response.status == 200, response.status
        assert "Content-Security-Policy" in dict(response.getheaders()), "no CSP header in production"
        response, page = browser.request("POST", "/accounts/login/", {"username": "seg", "password": "seg-demo-2024"})
        assert "sessionid" in browser.cookies, f"login failed ({response.status})"
        if "two-factor" in page or "otp_token" in page:  # the secretariat's second factor, as an app would give it
            code = run(env, "shell", "-c", TOTP).strip().splitlines()[-1]
            response, page = browser.request("POST", "/accounts/two-factor/verify/", {"otp_token": code})
            assert "otp_token" not in page, "second factor refused"
        css = re.search(r'href="(/static/[^"]+\.css)"', page)
        assert css, "no stylesheet in the page"
        response, _ = browser.request("GET", css.group(1))
        assert response.status == 200 and "css" in response.getheader("Content-Type", ""), css.group(1)
        say(f"secretariat logged in; {css.group(1)} served by whitenoise; CSP present")

        response, page = browser.request("POST", f"/meetings/{meeting}/distribution/", {})
        assert response.status == 200, (response.status, page[:300])
        wait_for("the distribution list (worker)",
                 lambda: "helptext\">" in browser.request("GET", f"/meetings/{meeting}/distribution/")[1])
        response, page = browser.request("POST", f"/meetings/{meeting}/send/", {})
        assert response.status == 200, response.status
        say("meeting convened over HTTP; waiting for the outbox")

        def all_sent():
            progress = browser.request("GET", f"/meetings/{meeting}/progress/")[1]
            pending = re.search(r'class="n-pending">(\d+)<', progress)
            sent = re.search(r'class="n-sent">(\d+)<', progress)
            return pending and sent and int(pending.group(1)) == 0 and int(sent.group(1)) > 0 and int(sent.group(1))

        sent = wait_for("every invitation sent", all_sent)
        messages = sorted(mail_dir.glob("*.eml"))
        assert len(messages) >= sent, (len(messages), sent)
        say(f"{sent} invitations sent; the SMTP sink holds {len(messages)} messages")

        parsed = email.message_from_bytes(messages[0].read_bytes(), policy=policy.default)
        assert parsed["Message-ID"].endswith("@portal.ptf-mali.example.org>"), parsed["Message-ID"]
        text = parsed.get_body(("plain",)).get_content()
        link = re.search(rf"http://127\.0\.0\.1:{port}(/secretariat/rsvp/[^\s]+/)", text)
        assert link, "no RSVP link in the e-mail"
        partner = Browser(port)
        response, page = partner.request("GET", link.group(1))
        assert response.status == 200, response.status
        partner.request("GET", "/accounts/login/")  # a CSRF cookie, as a browser has from the page
        response, page = partner.request("POST", link.group(1), {"answer": "attending"})
        assert response.status == 200, (response.status, page[:500])
        say(f"an invitee answered through the e-mail's link ({parsed['To']})")

        roster = browser.request("GET", f"/meetings/{meeting}/answers/")[1]
        invitee = html.escape(str(parsed["To"].addresses[0].display_name))
        assert invitee in roster, "the answer's person is not on the roster"
        assert re.search(r"attending|présent|Présent|participe", roster, re.IGNORECASE), "no answer on the roster"
        say("the roster shows the answer")
        say(f"done in {time.monotonic() - started:.0f} s")
        return 0
    finally:
        for label, proc in procs.items():
            if proc.poll() is None:
                if label == "smtp":
                    proc.send_signal(signal.SIGTERM)
                else:
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        database("drop", name)
        if sys.exc_info()[0] is not None:
            for log in sorted(tmp.glob("*.log")):
                print(f"--- {log.name}\n{log.read_text()[-3000:]}", flush=True)

if __name__ == "__main__":
    sys.exit(main())
