"""Every page of every role, and the main commands, after 1 and after 10 years of generated history.

Two worlds, each in its own PostgreSQL database: the demo directory (`load_demo`) and N years of history
(`seed_history --seed 1`, timed). Building them is the slow part (minutes to an hour on a loaded machine), so
they are kept and reused: a world is reused when its database holds the bench's signature (table
`bench_growth_world`: the years and the seed it was generated with), and built otherwise.
`BENCH_GROWTH_REUSE=0` builds them afresh and drops them at the end.

Timing is robust to a machine shared with other work: one child process serves each world (Django's test
client, in-process, `DEBUG=0` as in production — `BENCH_GROWTH_DEBUG=1` for `DEBUG=1` —, the queries counted by a
capture, after warm-up requests), and the parent asks them in turn,
page by page, for `BENCH_GROWTH_ROUNDS` rounds — year 1 then year 10, then year 10 then year 1 —, so that both
worlds meet the same load at the same moments. The table gives, for each world, the **minimum** and the median
of its requests, and the ratio of the minimums: the load only ever adds time to a request, so the fastest of
many requests is the closest to what the page costs, and with interleaving both minimums are taken under the
same conditions (the median of the per-round ratios is printed too). The HTML size and the queries are exact.

    page | year 1 ms (min / median) | year 10 ms | ratio of minimums (median of pairs) | HTML KB | queries

Goals (README, "Benchmarks"): every page at 10 years within 1.25× of year 1 and under 100 KB, the SEG
dashboard in ≤ 10 queries and ≤ 60 ms.

    .venv/bin/python bench/bench_growth.py          # builds both worlds (or reuses them), times them, keeps them
    BENCH_GROWTH_REUSE=0 .venv/bin/python bench/bench_growth.py   # builds them afresh, drops them at the end
    BENCH_GROWTH_YEARS="1 3" BENCH_GROWTH_ROUNDS=9 …

The worlds' databases are named after DATABASE_URL's: `<name>_bench_y1` and `<name>_bench_y10`.
`BENCH_GROWTH_SIZES=0` skips the database sizes, `VACUUM ANALYZE` and `pg_dump` (only the timing).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROUNDS = int(os.environ.get("BENCH_GROWTH_ROUNDS", "15"))
WARMUP = 2
YEARS = [int(y) for y in os.environ.get("BENCH_GROWTH_YEARS", "1 10").split()]
SEED = int(os.environ.get("BENCH_GROWTH_SEED", "1"))
SIZES = os.environ.get("BENCH_GROWTH_SIZES", "1") != "0"
# Pages are served with DEBUG off, as in production; BENCH_GROWTH_DEBUG=1 serves them with DEBUG on.
DEBUG = os.environ.get("BENCH_GROWTH_DEBUG", "0") == "1"
GOAL_RATIO, GOAL_KB, DASHBOARD_QUERIES, DASHBOARD_MS = 1.25, 100, 10, 60
SIGNATURE = "bench_growth_world"


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptf_portal.settings")
    sys.path.insert(0, str(HERE.parent))
    import django

    django.setup()


def _signature() -> dict | None:
    """The years and seed this database's world was generated with, or None (not a bench world)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if SIGNATURE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT years, seed, seconds, generated FROM {SIGNATURE}")  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return None
    generated = row[3] if isinstance(row[3], dict) else json.loads(row[3])
    return {"years": row[0], "seed": row[1], "seconds": row[2], "generated": generated}


def _build(years: int) -> dict:
    """The demo directory and `years` of history in this (empty) database, then the signature."""
    _django()
    from django.core.management import call_command
    from django.db import connection

    from meetings.models import Meeting
    from ptf_portal.history import seed_history

    call_command("migrate", verbosity=0)
    if Meeting.objects.exists():
        raise SystemExit(f"{connection.settings_dict['NAME']} already holds meetings: not a bench world to build")
    with open(os.devnull, "w") as sink:
        call_command("load_demo", stdout=sink)
    started = time.monotonic()
    stats = seed_history(years=years, seed=SEED)
    seconds = round(time.monotonic() - started)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {SIGNATURE} (years integer NOT NULL, seed integer NOT NULL, "
                       "seconds integer NOT NULL, generated jsonb NOT NULL, "
                       "finished_at timestamptz NOT NULL DEFAULT now())")
        cursor.execute(f"INSERT INTO {SIGNATURE} (years, seed, seconds, generated) VALUES (%s, %s, %s, %s)",  # noqa: S608
                       [years, SEED, seconds, json.dumps(stats.as_dict())])
    return _signature()


def _check(years: int) -> dict:
    """This database's signature if it is the world asked for (migrated to the code's schema), else None."""
    _django()
    from django.core.management import call_command

    signature = _signature()
    if signature is None or signature["years"] != years or signature["seed"] != SEED:
        return {"signature": signature, "ok": False}
    call_command("migrate", verbosity=0)
    return {"signature": signature, "ok": True}


def _pages() -> dict:
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.urls import reverse

    from meetings.models import Meeting
    from membership.models import Person
    from membership.roles import SECRETARIAT_GROUP
    from secretariat.models import CalendarFeedToken

    def client_of(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    # The demo's "seg" has a second factor; a bench user of the secretariat has none to verify.
    bench_seg, _created = User.objects.get_or_create(username="bench-seg", defaults={"email": "bench@example.org"})
    bench_seg.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    seg, partner, leader = client_of("bench-seg"), client_of("partner"), client_of("leader")
    partner_person = Person.objects.get(user__username="partner")
    token = CalendarFeedToken.objects.get_or_create(person=partner_person)[0].token
    held = Meeting.objects.filter(instance__code="GEC", status__in=["held", "minutes_approved"]).order_by("-start")
    latest = held.first()
    convened = Meeting.objects.filter(status="convened").order_by("start").first() or latest
    return {
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


def _serve() -> None:
    """One world's pages, on request: the parent writes a page's name on stdin, this answers one request's
    milliseconds on stdout; the first line answered is every page's status, size and queries."""
    _django()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext, override_settings

    from meetings.models import Meeting
    from membership.models import Person

    with override_settings(REQUIRE_2FA_FOR_STAFF=False, AXES_ENABLED=False, ALLOWED_HOSTS=["testserver"]):
        pages = _pages()
        facts = {"rows": {"meetings": Meeting.objects.count(),
                          "invitations": Meeting.invitations.rel.related_model.objects.count(),
                          "people": Person.objects.count()}, "pages": {}}
        for name, (client, url) in pages.items():
            for _ in range(WARMUP):  # the session, prepared statements, templates
                client.get(url)
            reset_queries()  # with DEBUG on, each request starts by clearing the log a capture counts in
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            facts["pages"][name] = {"status": response.status_code, "kb": round(len(response.content) / 1024, 1),
                                    "queries": len(queries.captured_queries)}
        print(json.dumps(facts), flush=True)
        for line in sys.stdin:
            client, url = pages[line.strip()]
            started = time.perf_counter()
            client.get(url)
            print(round((time.perf_counter() - started) * 1000, 2), flush=True)


def _sizes() -> dict:
    """The database's size (history tables apart), and the time of a `VACUUM ANALYZE` and a `pg_dump -Fc`."""
    _django()
    from django.conf import settings
    from django.db import connection

    out: dict = {"size_mb": {}, "commands": {}}
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


def _child(base: str, name: str, *args: str) -> dict:
    env = {**os.environ, "DATABASE_URL": _database_url(base, name)}
    result = subprocess.run([sys.executable, __file__, *args], env=env, capture_output=True, text=True,
                            cwd=HERE.parent)
    if result.returncode:
        raise RuntimeError(f"{args} on {name} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _world(base: str, years: int, reuse: bool) -> dict:
    """The world's database ready to time: reused when it carries the right signature, else (re)built."""
    name = f"{base.rsplit('/', 1)[1]}_bench_y{years}"
    if reuse:
        try:
            _psql(base, f'CREATE DATABASE "{name}"')
        except subprocess.CalledProcessError:
            checked = _child(base, name, "--check", str(years))
            if checked["ok"]:
                print(f"{name}: reused ({years} years, seed {SEED})", file=sys.stderr)
                return {"database": name, **checked["signature"]}
            print(f"{name}: signature {checked['signature']} is not {years} years, seed {SEED}: rebuilt",
                  file=sys.stderr)
            _psql(base, f'DROP DATABASE "{name}"')
            _psql(base, f'CREATE DATABASE "{name}"')
    else:
        _psql(base, f'DROP DATABASE IF EXISTS "{name}"')
        _psql(base, f'CREATE DATABASE "{name}"')
    print(f"{name}: generating {years} years (seed {SEED})…", file=sys.stderr)
    return {"database": name, **_child(base, name, "--build", str(years))}


def _time(base: str, worlds: dict) -> None:
    """Every page of the worlds, interleaved round after round (see the module docstring)."""
    servers, logs = {}, {}
    production = {} if DEBUG else {
        # As production serves: DEBUG off (no query log kept, compiled templates without debug data, static
        # files from the manifest); plain HTTP in-process, so no redirect to HTTPS.
        "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
    }
    if production:
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                       env={**os.environ, **production}, cwd=HERE.parent, check=True)
    for years, world in worlds.items():
        env = {**os.environ, **production, "DATABASE_URL": _database_url(base, world["database"])}
        logs[years] = tempfile.NamedTemporaryFile("w+", prefix=f"bench_growth_y{years}_", suffix=".log")  # noqa: SIM115
        servers[years] = subprocess.Popen([sys.executable, __file__, "--serve"], env=env, cwd=HERE.parent, text=True,
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=logs[years])
    try:
        for years, server in servers.items():
            line = server.stdout.readline()
            if not line:
                logs[years].seek(0)
                raise RuntimeError(f"the world of {years} years did not start:\n{logs[years].read()[-3000:]}")
            worlds[years].update(json.loads(line))
            worlds[years]["ms"] = {name: [] for name in worlds[years]["pages"]}
        order = sorted(servers)
        for round_number in range(ROUNDS):
            for name in worlds[order[0]]["pages"]:
                for years in (order if round_number % 2 == 0 else order[::-1]):
                    servers[years].stdin.write(name + "\n")
                    servers[years].stdin.flush()
                    worlds[years]["ms"][name].append(float(servers[years].stdout.readline()))
    finally:
        for years, server in servers.items():
            server.stdin.close()
            server.wait()
            logs[years].close()


def main() -> int:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        print("bench_growth: skipped (set DATABASE_URL to a PostgreSQL database)")
        return 0
    base = base.split("?", 1)[0]
    reuse = os.environ.get("BENCH_GROWTH_REUSE", "1") != "0"
    worlds = {years: _world(base, years, reuse) for years in YEARS}
    load = os.getloadavg()
    _time(base, worlds)
    load = (load, os.getloadavg())
    if SIZES:
        for world in worlds.values():
            world.update(_child(base, world["database"], "--sizes"))
    print_table(worlds, load)
    if not reuse:
        for world in worlds.values():
            _psql(base, f'DROP DATABASE IF EXISTS "{world["database"]}"')
    return 0


def _ratio(a: float, b: float) -> float:
    return b / a if a else 0.0


def print_table(worlds: dict, load) -> None:
    first, last = min(worlds), max(worlds)
    a, b = worlds[first], worlds[last]
    for years, world in sorted(worlds.items()):
        print(f"{years} year(s), database {world['database']}: {world['rows']}; generated in {world['seconds']} s "
              f"(seed {world['seed']})")
    print(f"{ROUNDS} interleaved rounds; load average before {load[0][0]:.1f}, after {load[1][0]:.1f}")
    print(f"\n| page | year {first} ms min / median | year {last} ms min / median | ratio of minimums "
          f"(median of pairs) | HTML KB {first} → {last} | queries {first} → {last} | |")
    print("|---|---|---|---|---|---|---|")
    for name, page in a["pages"].items():
        other = b["pages"][name]
        ms_a, ms_b = a["ms"][name], b["ms"][name]
        ratio = _ratio(min(ms_a), min(ms_b))
        pairs = statistics.median(_ratio(x, y) for x, y in zip(ms_a, ms_b, strict=True))
        dashboard = name.endswith("dashboard") and name.startswith("SEG")
        ok = ratio <= GOAL_RATIO and other["kb"] < GOAL_KB and other["status"] == 200 and (
            not dashboard or (other["queries"] <= DASHBOARD_QUERIES and min(ms_b) <= DASHBOARD_MS))
        print(f"| {name} | {min(ms_a):.1f} / {statistics.median(ms_a):.1f} | {min(ms_b):.1f} / "
              f"{statistics.median(ms_b):.1f} | {ratio:.2f}× ({pairs:.2f}×) | {page['kb']} → {other['kb']} | "
              f"{page['queries']} → {other['queries']} | {'ok' if ok else 'over goal'} |")
    if "size_mb" not in b:
        return
    print(f"\n| database | year {first} | year {last} |\n|---|---|---|")
    for key in b["size_mb"]:
        print(f"| {key} (MB) | {a['size_mb'].get(key, '—')} | {b['size_mb'][key]} |")
    for key in b["commands"]:
        print(f"| {key} (ms) | {a['commands'].get(key, '—')} | {b['commands'][key]} |")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] in ("--build", "--check"):
        action = _build if sys.argv[1] == "--build" else _check
        print(json.dumps(action(int(sys.argv[2])), default=str))
        sys.exit(0)
    if sys.argv[1:] == ["--serve"]:
        _serve()
        sys.exit(0)
    if sys.argv[1:] == ["--sizes"]:
        print(json.dumps(_sizes()))
        sys.exit(0)
    sys.exit(main())
