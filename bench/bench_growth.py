"""Every page of every role, and the main commands, after 1 and after 10 years of generated history.

For each number of years, a fresh PostgreSQL database gets the demo directory (`load_demo`) and the years of
history (`seed_history`, timed), then each page is requested N times in-process with Django's test client
(the median is kept, after one warm-up request) and its queries counted; the database's size is read (tables
and history tables apart), and a `VACUUM ANALYZE` and a `pg_dump` are timed. The table compares the worlds:

    page | year 1 ms | year 10 ms | ratio | HTML KB 1 → 10 | queries 1 → 10

Goals (README, "Benchmarks"): every page at 10 years within 1.25× of year 1 and under 100 KB, the SEG
dashboard in ≤ 10 queries and ≤ 60 ms.

    .venv/bin/python bench/bench_growth.py                      # 1 and 10 years (needs DATABASE_URL on PostgreSQL)
    BENCH_GROWTH_YEARS="1 3" BENCH_GROWTH_REQUESTS=5 .venv/bin/python bench/bench_growth.py
    BENCH_GROWTH_REUSE=1 …   keeps and reuses the generated databases (bench_growth_y<N>_<db>) between runs

Each world runs in a child process of its own (`--world N`), which prints its measures as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUESTS = int(os.environ.get("BENCH_GROWTH_REQUESTS", "11"))
YEARS = [int(y) for y in os.environ.get("BENCH_GROWTH_YEARS", "1 10").split()]
GOAL_RATIO, GOAL_KB, DASHBOARD_QUERIES, DASHBOARD_MS = 1.25, 100, 10, 60


def _world(years: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptf_portal.settings")
    sys.path.insert(0, str(HERE.parent))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from meetings.models import Meeting
    from membership.models import Person
    from ptf_portal.history import seed_history
    from secretariat.models import CalendarFeedToken

    database = connection.settings_dict["NAME"]
    out: dict = {"years": years, "database": database, "pages": {}, "commands": {}}
    call_command("migrate", verbosity=0)
    if not Meeting.objects.exists():
        with open(os.devnull, "w") as sink:
            call_command("load_demo", stdout=sink)
        started = time.monotonic()
        stats = seed_history(years=years, seed=1)
        out["commands"]["seed_history"] = round((time.monotonic() - started) * 1000)
        out["generated"] = stats.as_dict()
    out["rows"] = {
        "meetings": Meeting.objects.count(),
        "invitations": Meeting.invitations.rel.related_model.objects.count(),
        "people": Person.objects.count(),
    }

    def client_of(username: str) -> Client:
        from django.contrib.auth.models import User

        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    from django.contrib.auth.models import Group, User

    from membership.roles import SECRETARIAT_GROUP

    # The demo's "seg" has a second factor; a bench user of the secretariat has none to verify.
    bench_seg, _created = User.objects.get_or_create(username="bench-seg", defaults={"email": "bench@example.org"})
    bench_seg.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    seg, partner, leader = client_of("bench-seg"), client_of("partner"), client_of("leader")
    partner_person = Person.objects.get(user__username="partner")
    token = CalendarFeedToken.objects.get_or_create(person=partner_person)[0].token
    held = Meeting.objects.filter(instance__code="GEC", status__in=["held", "minutes_approved"]).order_by("-start")
    latest = held.first()
    convened = Meeting.objects.filter(status="convened").order_by("start").first() or latest
    pages = {
        "SEG: home / dashboard": (seg, reverse("home")),
        "SEG: meeting list": (seg, reverse("meetings:list")),
        "SEG: meeting list, all (page 1)": (seg, reverse("meetings:list") + "?period=all"),
        "SEG: actions register": (seg, reverse("meetings:actions")),
        "SEG: actions register, late": (seg, reverse("meetings:actions") + "?state=late"),
        "SEG: referrals": (seg, reverse("meetings:referrals")),
        "SEG: Accès au portail": (seg, reverse("membership:access")),
        "SEG: audit, meetings": (seg, reverse("audit")),
        "SEG: audit, invitations": (seg, reverse("audit") + "?model=invitation"),
        "SEG: meeting page": (seg, reverse("meetings:detail", args=[latest.pk])),
        "SEG: answers roster": (seg, reverse("secretariat:answers", args=[convened.pk])),
        "SEG: distribution": (seg, reverse("secretariat:distribution", args=[convened.pk])),
        "SEG: directory (partners)": (seg, reverse("membership:partners")),
        "SEG: mailbox": (seg, reverse("secretariat:mailbox")),
        "partner: home / Mes invitations": (partner, reverse("home")),
        "partner: meeting list": (partner, reverse("meetings:list")),
        "partner: meeting page": (partner, reverse("meetings:detail", args=[latest.pk])),
        "partner: actions register": (partner, reverse("meetings:actions")),
        "partner: calendar feed (.ics)": (partner, reverse("secretariat:calendar_feed", args=[token])),
        "leader: home / dashboard": (leader, reverse("home")),
        "leader: meeting list": (leader, reverse("meetings:list")),
    }
    with override_settings(REQUIRE_2FA_FOR_STAFF=False, AXES_ENABLED=False, ALLOWED_HOSTS=["testserver"]):
        for name, (client, url) in pages.items():
            client.get(url)  # warm-up: session, prepared statements, templates
            reset_queries()  # with DEBUG on, each request starts by clearing the log a capture counts in
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            times = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            out["pages"][name] = {"status": response.status_code, "ms": round(statistics.median(times), 1),
                                  "kb": round(len(response.content) / 1024, 1),
                                  "queries": len(queries.captured_queries)}
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT COALESCE(SUM(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname LIKE '%%historical%%'), 0),
                   COALESCE(SUM(pg_total_relation_size(c.oid)) FILTER (WHERE c.relname NOT LIKE '%%historical%%'), 0),
                   pg_database_size(current_database())
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname = 'public'""")
        history, tables, total = (float(value) for value in cursor.fetchone())
        out["size_mb"] = {"history tables": round(history / 2**20, 1), "other tables": round(tables / 2**20, 1),
                          "database": round(total / 2**20, 1)}
        started = time.monotonic()
        cursor.execute("VACUUM ANALYZE")
        out["commands"]["VACUUM ANALYZE"] = round((time.monotonic() - started) * 1000)
    pg_dump = shutil.which("pg_dump")
    if pg_dump:
        db = settings.DATABASES["default"]
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "backup.dump"
            env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
            started = time.monotonic()
            subprocess.run([pg_dump, "-Fc", "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
                            "-U", db.get("USER") or "postgres", "-f", str(target), db["NAME"]], check=True, env=env)
            out["commands"]["pg_dump -Fc"] = round((time.monotonic() - started) * 1000)
            out["size_mb"]["backup (pg_dump -Fc)"] = round(target.stat().st_size / 2**20, 1)
    return out


def _database_url(base: str, name: str) -> str:
    return base.rsplit("/", 1)[0] + "/" + name


def _psql(base: str, sql: str) -> None:
    subprocess.run(["psql", _database_url(base, "postgres"), "-qc", sql], check=True, capture_output=True)


def main() -> int:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        print("bench_growth: skipped (set DATABASE_URL to a PostgreSQL database)")
        return 0
    base = base.split("?", 1)[0]
    own = base.rsplit("/", 1)[1]
    reuse = os.environ.get("BENCH_GROWTH_REUSE") == "1"
    worlds = {}
    for years in YEARS:
        name = f"bench_growth_y{years}_{own}"
        if not reuse:
            _psql(base, f'DROP DATABASE IF EXISTS "{name}"')
        try:
            _psql(base, f'CREATE DATABASE "{name}"')
        except subprocess.CalledProcessError:
            pass  # reused
        env = {**os.environ, "DATABASE_URL": _database_url(base, name)}
        result = subprocess.run([sys.executable, __file__, "--world", str(years)], env=env, capture_output=True,
                                text=True, cwd=HERE.parent)
        if result.returncode:
            print(result.stdout, result.stderr, file=sys.stderr)
            return result.returncode
        worlds[years] = json.loads(result.stdout.strip().splitlines()[-1])
        if not reuse:
            _psql(base, f'DROP DATABASE IF EXISTS "{name}"')
    print_table(worlds)
    return 0


def print_table(worlds: dict) -> None:
    first, last = min(worlds), max(worlds)
    a, b = worlds[first], worlds[last]
    for years, world in sorted(worlds.items()):
        print(f"{years} year(s): {world['rows']}; generated in {world['commands'].get('seed_history', '—')} ms")
    print(f"\n| page | year {first} ms | year {last} ms | ratio | HTML KB {first} → {last} | queries {first} → {last} | |")
    print("|---|---|---|---|---|---|---|")
    for name, page in a["pages"].items():
        other = b["pages"][name]
        ratio = other["ms"] / page["ms"] if page["ms"] else 0
        dashboard = name.endswith("dashboard") and name.startswith("SEG")
        ok = ratio <= GOAL_RATIO and other["kb"] < GOAL_KB and (
            not dashboard or (other["queries"] <= DASHBOARD_QUERIES and other["ms"] <= DASHBOARD_MS))
        print(f"| {name} | {page['ms']} | {other['ms']} | {ratio:.2f}× | {page['kb']} → {other['kb']} | "
              f"{page['queries']} → {other['queries']} | {'ok' if ok else 'over goal'} |")
    print(f"\n| database | year {first} | year {last} |\n|---|---|---|")
    for key in b["size_mb"]:
        print(f"| {key} (MB) | {a['size_mb'].get(key, '—')} | {b['size_mb'][key]} |")
    for key in b["commands"]:
        print(f"| {key} (ms) | {a['commands'].get(key, '—')} | {b['commands'][key]} |")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--world":
        print(json.dumps(_world(int(sys.argv[2]))))
        sys.exit(0)
    sys.exit(main())
