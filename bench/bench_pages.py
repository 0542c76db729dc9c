"""Page throughput side by side: /healthz, the home page and a meeting page, for a partner and for the SEG.

gunicorn (2 workers, DEBUG=0) on PostgreSQL, driven by wrk on loopback, on a directory of 36 partners and a
GEC meeting of 15 agenda items, ~70 invitees and 10 documents, the pages in turn over a few rounds (medians).
Prints requests/s and p95 per page, then the
ratios with their goals: meeting page >= 0.5x the home page (p95 <= 2x), home >= 0.15x /healthz. Also prints
what each middleware costs per request (self time, measured in-process). Needs PostgreSQL and wrk:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ptf .venv/bin/python bench/bench_pages.py
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = secrets.token_urlsafe(50)
PRODUCTION_ENV = {
    "DEBUG": "0", "SECRET_KEY": SECRET, "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0", "AXES_ENABLED": "0", "LOG_LEVEL": "WARNING",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend", "VAR_DIR": tempfile.mkdtemp(),
}
if os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):  # production reads sessions from Redis
    PRODUCTION_ENV["CACHE_URL"] = os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[0] + "/1"
os.environ.update(PRODUCTION_ENV)
DURATION = os.environ.get("BENCH_SECONDS", "4")
# The pages are measured in turn, ROUNDS times over, and each keeps its median: a machine whose speed drifts
# during the run (a shared 2-core one does) then moves every page alike rather than the last ones only.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
LUA = """
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "seconds": %f, "p95_ms": %f, "non2xx": %d, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(95) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""


def _skip(reason: str) -> None:
    print(f"bench_pages: skipped ({reason})")
    sys.exit(0)


if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    _skip("DATABASE_URL does not point at PostgreSQL")
if shutil.which("wrk") is None:
    _skip("wrk is not installed: apt-get install -y wrk")

sys.path.insert(0, str(ROOT / "bench"))
import _bench_db  # noqa: E402  (sets Django up)
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_world() -> dict:
    import datetime

    from django.contrib.auth.models import Group, User
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from meetings import services
    from meetings.models import Document
    from membership.models import Mandate
    from membership.roles import SECRETARIAT_GROUP
    from secretariat.services import distribution_freeze, distribution_generate, invitations_send

    _bench_db.generate_directory(1, tag="p")
    seg = User.objects.create_user("seg-bench", "seg-bench@example.org", "x")
    seg.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    device = TOTPDevice.objects.create(user=seg, name="bench", confirmed=True)
    titular = Mandate.objects.filter(instance__code="GEC", role="titular").select_related("person").first().person
    partner_user = User.objects.create_user("partner-bench", titular.email, "x")
    titular.user = partner_user
    titular.save(update_fields=["user"])
    from instances.models import Instance

    gec = Instance.objects.get(code="GEC")
    start = timezone.now() + datetime.timedelta(days=10)
    meeting = services.meeting_create(instance=gec, title="Réunion mensuelle du GEC", start=start,
                                      end=start + datetime.timedelta(hours=3))
    items = [services.agenda_item_add(meeting=meeting, title=f"Point {i} : dialogue sectoriel",
                                      category="policy_dialogue", expected_outcome="information")
             for i in range(15)]
    for i in range(10):
        Document.objects.create(meeting=meeting, agenda_item=items[i], title=f"Note {i}",
                                file=ContentFile(b"%PDF-1.4 bench", name=f"note-{i}.pdf"), filename=f"note-{i}.pdf",
                                content_type="application/pdf", size=14)
    services.meeting_propose_agenda(meeting=meeting)
    snapshot = distribution_generate(meeting=meeting, by_user=seg)
    distribution_freeze(distribution_list=snapshot)
    invitations_send(meeting=meeting, by_user=seg)
    return {"seg": seg, "device": device, "partner": partner_user, "meeting": meeting,
            "invitees": meeting.invitations.count()}


def session_cookie(user, device=None) -> str:
    from django.test import Client

    from ptf_portal.middleware import IDLE_KEY, LOGIN_AT_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    now = time.time()
    session[IDLE_KEY] = now
    session[LOGIN_AT_KEY] = now
    if device is not None:
        session["otp_device_id"] = device.persistent_id
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def middleware_profile(cookie: str, path: str, rounds: int = 200) -> list[tuple[str, float]]:
    """Self time of each middleware per request (its own work, without what it wraps), in-process."""
    from django.core.handlers import base
    from django.test import Client

    stats: dict[str, list[float]] = {}
    real_import = base.import_string

    class Timed:
        def __init__(self, path, factory, get_response):
            self.path = path
            stats[path] = [0.0, 0.0]

            def inner(request):
                t0 = time.perf_counter()
                try:
                    return get_response(request)
                finally:
                    stats[path][1] += time.perf_counter() - t0

            self.instance = factory(inner)

        def __getattr__(self, name):
            return getattr(self.instance, name)

        def __call__(self, request):
            t0 = time.perf_counter()
            try:
                return self.instance(request)
            finally:
                stats[self.path][0] += time.perf_counter() - t0

    def timed_import(dotted):
        factory = real_import(dotted)
        if dotted not in settings.MIDDLEWARE:
            return factory

        def make(get_response):
            return Timed(dotted, factory, get_response)

        make.sync_capable, make.async_capable = True, False
        return make

    base.import_string = timed_import
    try:
        client = Client(HTTP_COOKIE=cookie)
        for _ in range(20):  # warm up first: the first request loads the translation catalogues
            client.get(path)
        for times in stats.values():
            times[:] = [0.0, 0.0]
        for _ in range(rounds):
            response = client.get(path)
            assert response.status_code == 200, response.status_code
    finally:
        base.import_string = real_import
    return [(name.rsplit(".", 1)[-1], (total - inner) * 1000 / rounds) for name, (total, inner) in stats.items()]


def wrk(port: int, path: str, cookie: str | None) -> dict:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(LUA)
    cmd = ["wrk", "-t2", "-c8", f"-d{DURATION}s", "-s", str(script)]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=120)
    line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
    data = json.loads(line)
    data["rps"] = data["requests"] / data["seconds"]
    if data["non2xx"] or data["errors"]:
        raise SystemExit(f"{path}: {data['non2xx']} non-2xx answers, {data['errors']} errors — not a fair measure")
    return data


def main() -> None:
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG=0: whitenoise serves the manifest
    old_name = connection.settings_dict["NAME"]
    _bench_db.create_database("pages")
    gunicorn = None
    try:
        world = build_world()
        db = connection.settings_dict
        env = {**os.environ, **PRODUCTION_ENV,
               "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
        env.pop("CELERY_BROKER_URL", None)
        seg_cookie = session_cookie(world["seg"], world["device"])
        partner_cookie = session_cookie(world["partner"])
        meeting_path = f"/meetings/{world['meeting'].pk}/"
        profile = middleware_profile(partner_cookie, "/")
        port = _free_port()
        gunicorn = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "ptf_portal.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}",
             "--log-level", "warning"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        for path, cookie in (("/", partner_cookie), (meeting_path, partner_cookie), ("/", seg_cookie),
                             (meeting_path, seg_cookie)):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                if response.status != 200 or response.url.rstrip("/").endswith("login"):
                    raise SystemExit(f"{path} did not answer the logged-in page")
        print(f"directory: 36 partners; meeting: 15 items, {world['invitees']} invitees, 10 documents; "
              f"gunicorn 2 workers, wrk -t2 -c8 -d{DURATION}s per page, {ROUNDS} rounds in turn (medians)")
        pages = (("healthz", "/healthz", None), ("home (partner)", "/", partner_cookie),
                 ("meeting (partner)", meeting_path, partner_cookie),
                 ("home (SEG)", "/", seg_cookie), ("meeting (SEG)", meeting_path, seg_cookie))
        runs = {label: [] for label, _path, _cookie in pages}
        for _round in range(ROUNDS):
            for label, path, cookie in pages:
                runs[label].append(wrk(port, path, cookie))
        results = {}
        for label, measures in runs.items():
            results[label] = {key: statistics.median(m[key] for m in measures) for key in ("rps", "p95_ms")}
            spread = ", ".join(f"{m['rps']:.0f}" for m in measures)
            print(f"  {label:<20} {results[label]['rps']:8.1f} req/s   p95 {results[label]['p95_ms']:7.1f} ms"
                  f"   (rounds: {spread} req/s)")
        print("ratios (goal beside each):")
        rows = []
        for who in ("partner", "SEG"):
            home, page = results[f"home ({who})"], results[f"meeting ({who})"]
            rows.append((f"meeting/home throughput ({who})", page["rps"] / home["rps"], ">= 0.50",
                         page["rps"] / home["rps"] >= 0.5))
            rows.append((f"meeting/home p95 ({who})", page["p95_ms"] / home["p95_ms"], "<= 2.00",
                         page["p95_ms"] / home["p95_ms"] <= 2))
        ratio = results["home (partner)"]["rps"] / results["healthz"]["rps"]
        rows.append(("home/healthz throughput (partner)", ratio, ">= 0.15", ratio >= 0.15))
        for label, value, goal, ok in rows:
            print(f"  {label:<36} {value:5.2f}   goal {goal}   {'yes' if ok else 'no'}")
        print("middleware self time per request, home page of the partner (in-process, ms; the first to ask for "
              "request.user, SessionTimeoutMiddleware, pays for reading the session and the account with its roles):")
        for name, ms in profile:
            print(f"  {name:<32} {ms:6.3f}")
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=10)
        connection.close()
        _bench_db.destroy_database(old_name)


if __name__ == "__main__":
    main()
