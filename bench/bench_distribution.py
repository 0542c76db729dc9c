"""Distribution list of the largest instance at 1× and 10× the demo directory: SQL queries and time.

Needs nothing but the project (SQLite by default); set DATABASE_URL for PostgreSQL. The directory is
generated in a throwaway database. Prints, side by side: query count at 1× and 10× (must be equal) and
the time of build_distribution_list against one raw SQL query selecting the same rows (target ≤ 3×).
"""

from __future__ import annotations

import datetime
import statistics
import sys
import time

import _bench_db  # noqa: F401  (sets Django up)
from _bench_db import create_database, destroy_database, generate_directory
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

ON_DATE = datetime.date(2026, 6, 10)
RAW = """
SELECT m.role, p.id, p.email, p.first_name, p.last_name, p.language, i.name, i.acronym, pa.id, pa.name,
       pa.partner_type, pa.un_coordinating
FROM membership_mandate m
JOIN membership_person p ON p.id = m.person_id
JOIN membership_institution i ON i.id = p.institution_id
JOIN membership_partner pa ON pa.id = i.partner_id
WHERE m.instance_id = %s AND m.start <= %s AND (m."end" IS NULL OR m."end" >= %s)
"""


def largest_instance():
    from instances.models import Instance

    active = Q(mandates__start__lte=ON_DATE) & (Q(mandates__end__isnull=True) | Q(mandates__end__gte=ON_DATE))
    return Instance.objects.annotate(n=Count("mandates", filter=active)).order_by("-n").first()


def best_of(fn, runs=15) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure() -> dict:
    from secretariat.distribution import build_distribution_list

    instance = largest_instance()
    with CaptureQueriesContext(connection) as ctx:
        entries = build_distribution_list(instance=instance, on_date=ON_DATE)
    queries = len(ctx.captured_queries)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(RAW, [instance.pk, ON_DATE, ON_DATE])
            return cursor.fetchall()

    raw_rows = len(raw())
    build_time = best_of(lambda: build_distribution_list(instance=instance, on_date=ON_DATE))
    raw_time = best_of(raw)
    return {"instance": instance.code, "entries": len(entries), "raw_rows": raw_rows, "queries": queries,
            "build_ms": build_time * 1000, "raw_ms": raw_time * 1000, "ratio": build_time / raw_time}


def main() -> int:
    old_name = connection.settings_dict["NAME"]
    create_database("distribution")
    try:
        results = {}
        for label, scale in (("1x", 1), ("10x", 10)):
            if scale == 10:
                generate_directory(9, tag="b")  # adds 9× to the 1× already there
            else:
                generate_directory(1, tag="a")
            results[label] = measure()
    finally:
        destroy_database(old_name)
    print(f"database: {connection.vendor}")
    print(f"{'':28}{'1x':>12}{'10x':>12}")
    for key, label in (("instance", "largest instance"), ("entries", "entries"), ("raw_rows", "raw SQL rows"),
                       ("queries", "SQL queries"), ("build_ms", "build (ms, median)"),
                       ("raw_ms", "raw SQL (ms, median)"), ("ratio", "build / raw SQL")):
        a, b = results["1x"][key], results["10x"][key]
        fmt = (lambda v: f"{v:12.2f}") if isinstance(a, float) else (lambda v: f"{v!s:>12}")
        print(f"{label:28}{fmt(a)}{fmt(b)}")
    equal = results["1x"]["queries"] == results["10x"]["queries"]
    ratio_ok = results["10x"]["ratio"] <= 3
    print(f"query count constant: {'yes' if equal else 'NO'}; ratio at 10x ≤ 3: {'yes' if ratio_ok else 'NO'}")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
