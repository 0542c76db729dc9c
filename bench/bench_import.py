"""Import benchmark: rows per second and SQL queries at 1,000 and 5,000 member rows.

    .venv/bin/python bench/bench_import.py            # SQLite (in-memory test database)
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_import.py

Each size is imported into a fresh test database (created and destroyed here, never
the development one). The query count must stay flat: reads and writes are in bulk.
"""

import csv
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptf_portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment  # noqa: E402

from membership.importer import (  # noqa: E402
    GROUP_OPTIONAL,
    GROUP_REQUIRED,
    MEMBER_OPTIONAL,
    MEMBER_REQUIRED,
    import_directory,
)

SIZES = (1000, 5000)
GROUPS = 30
ROWS_PER_PARTNER = 25
START = "2024-01-01"


def generate(n: int, folder: Path) -> dict:
    """About n member rows valid under M1–M9: per partner GEC and GA seats, then experts with binômes."""
    partners = max(3, n // ROWS_PER_PARTNER)
    rows, groups = [], []
    for g in range(GROUPS):
        kind = "GD" if g % 5 == 0 else "GT"
        groups.append({"code": f"{kind}-B{g:02d}", "kind": kind, "name_fr": f"Groupe {g}", "name_en": f"Group {g}",
                       "sector": "bench", "leader": f"Partner {g % partners}", "co_lead": f"Partner {(g + 1) % partners}",
                       "secretariat": "dedicated", "periodicity": "monthly"})

    def add(p, function, instance, role, email, pair=""):
        multilateral = p % 3 == 2
        rows.append({
            "partner": f"Partner {p}", "partner_type": "multilateral" if multilateral else "bilateral",
            "institution": "Office" if multilateral else ("Embassy" if function == "ambassador" else "Agency"),
            "institution_acronym": "", "un_coordinating": "no", "last_name": email.split("@")[0], "first_name": "B",
            "email": email, "function": function, "instance": instance, "role": role, "pair_email": pair,
            "start": START, "end": "", "authority": "full", "limits": "", "language": "fr",
        })

    for p in range(partners):
        if len(rows) >= n:
            break
        domain = f"p{p}.bench.example.org"
        if p % 3 == 2:
            add(p, "resident_representative", "GEC", "titular", f"rr@{domain}")
            add(p, "resident_representative", "GA", "titular", f"rr@{domain}")
        else:
            add(p, "head_of_cooperation", "GEC", "titular", f"hoc@{domain}")
            add(p, "ambassador", "GA", "titular", f"amb@{domain}")
        add(p, "other", "GEC", "deputy", f"dep@{domain}")
        add(p, "other", "GA", "deputy", f"dga@{domain}")
        for k in range((ROWS_PER_PARTNER - 4) // 2 + 1):
            if len(rows) + 2 > n:
                break
            code = groups[(p + k) % GROUPS]["code"]
            add(p, "expert", code, "expert", f"e{k}@{domain}")
            add(p, "expert", code, "binome", f"b{k}@{domain}", pair=f"e{k}@{domain}")
    members = folder / f"members-{n}.csv"
    with open(members, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, MEMBER_REQUIRED + MEMBER_OPTIONAL)
        writer.writeheader()
        writer.writerows(rows)
    groups_file = folder / f"groups-{n}.csv"
    with open(groups_file, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, GROUP_REQUIRED + GROUP_OPTIONAL)
        writer.writeheader()
        writer.writerows(groups)
    troika = folder / f"troika-{n}.csv"
    troika.write_text("year,lead,incoming,outgoing\n2026,Partner 0,Partner 1,Partner 2\n", encoding="utf-8")
    return {"members": members, "groups": groups_file, "troika": troika, "rows": len(rows)}


def measure(files: dict) -> dict:
    """Import into a fresh test database and count the queries."""
    if connection.vendor == "sqlite":
        # A file under var/, recreated for each size (an in-memory one would keep the previous rows).
        connection.settings_dict["TEST"]["NAME"] = str(ROOT / "var" / "bench-import.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = import_directory(members=files["members"], groups=files["groups"], troika=files["troika"])
            elapsed = time.perf_counter() - started
        if not result.ok:
            raise SystemExit("\n".join(str(e) for e in result.errors[:20]))
        writes = sum(1 for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE")))
        return {"rows": files["rows"], "seconds": elapsed, "rate": files["rows"] / elapsed,
                "queries": len(queries), "writes": writes, "records": result.created}
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> int:
    setup_test_environment()
    try:
        with tempfile.TemporaryDirectory() as folder:
            results = [measure(generate(n, Path(folder))) for n in SIZES]
    finally:
        teardown_test_environment()
    vendor = connection.vendor
    print(f"Import benchmark on {vendor} ({GROUPS} groups, {ROWS_PER_PARTNER} rows per partner)")
    lines = [
        ("member rows", "{rows:d}"), ("records created", "{records:d}"), ("seconds", "{seconds:.2f}"),
        ("rows per second", "{rate:.0f}"), ("SQL queries", "{queries:d}"), ("  of which INSERT/UPDATE", "{writes:d}"),
    ]
    print(f"{'':26}" + "".join(f"{f'N={n}':>12}" for n in SIZES))
    for label, fmt in lines:
        print(f"{label:26}" + "".join(f"{fmt.format(**r):>12}" for r in results))
    grow = results[-1]["queries"] - results[0]["queries"]
    print(f"queries grow by {grow} for {results[-1]['rows'] - results[0]['rows']} more rows "
          f"(bulk reads and writes; {GROUPS + 1} of the queries sync the group leaders' permissions)")
    return 0 if grow <= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
