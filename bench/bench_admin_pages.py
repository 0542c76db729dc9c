"""The directory's admin pages on the demo directory (35 partners, 15 groups, ~280 mandates), then with the
directory doubled by a second generation of mandates (ended ones and new members): time and SQL queries.

Needs nothing but the project (SQLite by default); set DATABASE_URL for PostgreSQL. Works in a throwaway
database. Pages are rendered as in production (no test instrumentation of templates), medians of
BENCH_ADMIN_REQUESTS (11) requests after a warm-up. Goal: every page under 0.5 s, the same number of queries in
both worlds. Prints one line per page and world, then `ok` or the pages that miss a goal.
"""

from __future__ import annotations

import datetime
import io
import os
import statistics
import sys
import time

import _bench_db  # noqa: F401  (sets Django up)
from _bench_db import create_database, destroy_database
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext, override_settings, teardown_test_environment

REQUESTS = int(os.environ.get("BENCH_ADMIN_REQUESTS", "11"))
GOAL_MS = 500


def pages() -> dict[str, str]:
    from django.urls import reverse

    from instances.models import Instance
    from membership.models import Mandate, Person

    def instance(code):
        return reverse("admin:instances_instance_change", args=[Instance.objects.get(code=code).pk])

    group = Instance.objects.filter(kind="GT").order_by("code").first()
    busiest = (Person.objects.filter(mandates__isnull=False).order_by("-mandates__start").first())
    return {
        "GEC instance": instance("GEC"),
        "GA instance": instance("GA"),
        f"{group.code} instance": instance(group.code),
        "person (mandate rows)": reverse("admin:membership_person_change", args=[busiest.pk]),
        "people list": reverse("admin:membership_person_changelist"),
        "mandates list": reverse("admin:membership_mandate_changelist"),
        "mandate": reverse("admin:membership_mandate_change", args=[Mandate.objects.order_by("pk").first().pk]),
    }


def double_the_directory() -> None:
    """Each seated person gets a predecessor whose mandate ended, and each partner a new GT expert: the
    mandates double, the pages' query counts must not move."""
    from instances.models import Instance
    from membership.models import Mandate, Person

    long_ago = datetime.date(2015, 1, 1)
    seated = list(Mandate.objects.select_related("person").filter(role__in=["titular", "deputy"]))
    people = Person.objects.bulk_create([
        Person(first_name="Ancien", last_name=m.person.last_name, email=f"ancien.{m.pk}@bench.example.org",
               email_key=f"ancien.{m.pk}@bench.example.org", function=m.person.function,
               institution_id=m.person.institution_id) for m in seated])
    Mandate.objects.bulk_create([
        Mandate(person=p, instance_id=m.instance_id, role=m.role, start=long_ago,
                end=datetime.date(2019, 12, 31)) for p, m in zip(people, seated, strict=True)])
    group = Instance.objects.filter(kind="GT").order_by("code").first()
    institutions = {m.person.institution_id for m in seated}
    experts = Person.objects.bulk_create([
        Person(first_name="Expert", last_name=f"Nouveau {k}", email=f"expert.{k}@bench.example.org",
               email_key=f"expert.{k}@bench.example.org", function="expert", institution_id=k)
        for k in institutions])
    Mandate.objects.bulk_create([Mandate(person=p, instance=group, role="expert", start=long_ago) for p in experts])


def measure(client) -> dict:
    out = {}
    for name, url in pages().items():
        client.get(url)  # warm-up: templates, session
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        out[name] = {"status": response.status_code, "ms": statistics.median(times),
                     "queries": len(queries.captured_queries), "kb": len(response.content) / 1024}
    return out


def main() -> int:
    old_name = connection.settings_dict["NAME"]
    create_database("admin_pages")
    # Templates render as in production: the test environment's instrumentation copies every context.
    teardown_test_environment()
    try:
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.test import Client

        from membership.models import Mandate

        call_command("load_demo", stdout=io.StringIO())
        admin = User.objects.create_superuser("bench-admin", "bench-admin@example.org", "bench-admin-password-1")
        client = Client()
        client.force_login(admin)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
        worlds = {}
        with override_settings(REQUIRE_2FA_FOR_STAFF=False, AXES_ENABLED=False, ALLOWED_HOSTS=["testserver"]):
            worlds[f"{Mandate.objects.count()} mandates"] = measure(client)
            double_the_directory()
            worlds[f"{Mandate.objects.count()} mandates"] = measure(client)
    finally:
        destroy_database(old_name)
    (small_name, small), (large_name, large) = worlds.items()
    print(f"{'page':<24} {small_name:>26} {large_name:>26}")
    misses = []
    for name in small:
        a, b = small[name], large[name]
        print(f"{name:<24} {a['ms']:8.1f} ms {a['queries']:3d} q {a['kb']:5.0f} KB"
              f" {b['ms']:8.1f} ms {b['queries']:3d} q {b['kb']:5.0f} KB")
        if a["status"] != 200 or b["status"] != 200:
            misses.append(f"{name}: status {a['status']}/{b['status']}")
        if a["queries"] != b["queries"]:
            misses.append(f"{name}: {a['queries']} → {b['queries']} queries")
        if max(a["ms"], b["ms"]) > GOAL_MS:
            misses.append(f"{name}: {max(a['ms'], b['ms']):.0f} ms (goal < {GOAL_MS} ms)")
    print("ok" if not misses else "goals missed: " + "; ".join(misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
