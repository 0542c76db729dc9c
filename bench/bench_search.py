"""The search at ten years: p95 of a two-word query against the same query as plain `icontains`.

A world shaped like ten years of history (≈ 1,700 meetings, 15,000 agenda items, 30,000 invitations, 4,000
actions, decisions, minutes; French text drawn from the portal's vocabulary) is written with bulk_create in a
throwaway PostgreSQL database — `seed_history --years 10` writes the same through every service and takes tens
of minutes — then indexed by the production function (`search.indexing.reindex_all`, timed). Each query is
run N times for the SEG (no access filter) and for a GEC member (the access policy's filter):

    full text: search.selectors.search — facets (one aggregate), COUNT, the first page of 20 with ranks and
               headlines: what the results page reads;
    icontains: the same words, each `title__icontains | body__icontains` on the same rows and access filter,
               COUNT and the first 20 by date (no accents folded, no stems, no rank).

    DATABASE_URL=postgres://… .venv/bin/python bench/bench_search.py
    BENCH_SEARCH_RUNS=50 BENCH_SEARCH_SCALE=1.0 …
    BENCH_SEARCH_KEEP=1 …    keeps the database; BENCH_SEARCH_REUSE=1 … measures again on it

Goal (README, "Benchmarks"): p95 ≤ 150 ms for the full-text page at ten years.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import sys
import time

from _bench_db import create_database, destroy_database, generate_directory
from django.db import connection

RUNS = int(os.environ.get("BENCH_SEARCH_RUNS", "40"))
SCALE = float(os.environ.get("BENCH_SEARCH_SCALE", "1.0"))
GOAL_P95_MS = 150
KEEP = os.environ.get("BENCH_SEARCH_KEEP") == "1"  # keep the database (bench_search_<db>) for a later REUSE
REUSE = os.environ.get("BENCH_SEARCH_REUSE") == "1"  # measure again on the kept database, without building it
REUSED = {key: "?" for key in ("meetings", "items", "minutes", "decisions", "actions", "invitations")}
QUERIES = ["financement santé", "élections 2024", "sécurité alimentaire"]

WORDS = ("financement financements appui budgétaire santé éducation élections électoral processus décentralisation "
         "sécurité alimentaire nutrition eau assainissement genre jeunesse emploi agriculture élevage pêche "
         "environnement climat résilience gouvernance réforme finances publiques dette revue sectorielle "
         "dialogue politique coordination efficacité aide partenaires gouvernement ministère plan stratégie "
         "mission conjointe rapport note synthèse calendrier revue annuelle programme projet indicateurs suivi "
         "évaluation humanitaire réfugiés déplacés paix réconciliation droits humains justice transition "
         "énergie solaire infrastructures routes transport numérique statistiques recensement protection "
         "sociale femmes enfants vaccination paludisme hôpitaux écoles enseignants formation").split()


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def build_world(rng: random.Random) -> dict:
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from instances.models import Instance
    from meetings.models import ActionItem, AgendaItem, Decision, Meeting, Minutes
    from membership.models import Mandate, Partner, Person
    from membership.roles import SECRETARIAT_GROUP
    from secretariat.models import Invitation

    generate_directory(1, tag="s")
    gec, ga = Instance.objects.get(code="GEC"), Instance.objects.get(code="GA")
    groups = list(Instance.objects.filter(kind="GT"))
    people = list(Person.objects.all())
    partners = list(Partner.objects.all())
    today = timezone.localdate()
    first_year = today.year - 9
    n_meetings = int(1700 * SCALE)
    bodies = [gec] * 120 + [ga] * 40
    bodies += [groups[i % len(groups)] for i in range(max(0, n_meetings - len(bodies)))]
    rng.shuffle(bodies)  # every body meets every year
    meetings = []
    for i, instance in enumerate(bodies[:n_meetings]):
        day = datetime.date(first_year, 1, 1) + datetime.timedelta(days=int(i * 3650 / n_meetings))
        start = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 9, 0))
        status = "minutes_approved" if day < today else "convened"
        meetings.append(Meeting(instance=instance, title=f"{instance.code} — {day:%m/%Y} {sentence(rng, 3)}",
                                start=start, end=start + datetime.timedelta(hours=2), status=status,
                                place="Bamako"))
    meetings = Meeting.objects.bulk_create(meetings, batch_size=2000)
    categories = {"GEC": "policy_dialogue", "GA": "security", "GT": "sector_dialogue", "GD": "cross_cutting"}
    items, decisions, minutes = [], [], []
    per_meeting_items = int(round(15000 / max(1, n_meetings)))
    for meeting in meetings:
        kind = meeting.instance.kind
        for k in range(per_meeting_items):
            items.append(AgendaItem(meeting=meeting, order=k, title=sentence(rng, 5), description=sentence(rng, 25),
                                    category=categories[kind], confidential=kind == "GA" and k == 0))
        minutes.append(Minutes(meeting=meeting, text=" ".join(sentence(rng, 20) for _ in range(15)),
                               confidential=kind == "GA"))
        decisions.extend(Decision(meeting=meeting, text=sentence(rng, 20)) for _ in range(2))
    AgendaItem.objects.bulk_create(items, batch_size=5000)
    Minutes.objects.bulk_create(minutes, batch_size=2000)
    decisions = Decision.objects.bulk_create(decisions, batch_size=5000)
    actions = [ActionItem(meeting=d.meeting, decision=d, title=sentence(rng, 8), owner_partner=rng.choice(partners),
                          due_date=d.meeting.start.date() + datetime.timedelta(days=30),
                          state="done" if rng.random() < 0.7 else "open")
               for d in (rng.choice(decisions) for _ in range(int(4000 * SCALE)))]
    ActionItem.objects.bulk_create(actions, batch_size=5000)
    members_of = {}
    for mandate in Mandate.objects.all():
        members_of.setdefault(mandate.instance_id, []).append(mandate.person_id)
    invitations, per_meeting = [], int(round(30000 / max(1, n_meetings)))
    by_pk = {p.pk: p for p in people}
    for meeting in meetings:
        for person_id in members_of.get(meeting.instance_id, [])[:per_meeting]:
            person = by_pk[person_id]
            invitations.append(Invitation(meeting=meeting, person=person, email=person.email, name=person.full_name))
    Invitation.objects.bulk_create(invitations, batch_size=5000)
    seg = User.objects.create_user("bench-seg", "bench-seg@example.org", "x")
    seg.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    member = User.objects.create_user("bench-gec", "bench-gec@example.org", "x")
    gec_person = Person.objects.filter(mandates__instance=gec, mandates__role="titular").first()
    Person.objects.filter(pk=gec_person.pk).update(user=member)
    return {"meetings": len(meetings), "items": len(items), "minutes": len(minutes), "decisions": len(decisions),
            "actions": len(actions), "invitations": len(invitations), "users": {"SEG": seg, "GEC member": member}}


def _fresh_user(user):
    from django.contrib.auth.models import User

    return User.objects.get(pk=user.pk)  # the role facts are read once per request user, as in a request


def full_text(user, q):
    from django.core.paginator import Paginator

    from search.selectors import search

    results = search(_fresh_user(user), q)  # the facets: one aggregate query
    paginator = Paginator(results.ids, 20)
    paginator.__dict__["count"] = results.count  # as core.paging.paginate(count=…): no COUNT query
    page = paginator.get_page(1)
    rows = results.entries(page.object_list)  # the page's ids by rank, then its 20 rows with their headlines
    return page.paginator.count, rows


def icontains(user, q):
    from django.db.models import F, Q

    from meetings.models import Meeting
    from membership.access import search_entry_scope
    from search.models import SearchEntry

    user = _fresh_user(user)
    rows = SearchEntry.objects.filter(search_entry_scope(user, meetings=Meeting.objects))
    for word in q.split():
        rows = rows.filter(Q(title__icontains=word) | Q(body__icontains=word))
    count = rows.count()
    first = list(rows.select_related("meeting__instance", "instance").order_by(F("date").desc(nulls_last=True))[:20])
    return count, first


def timed(fn, user, q) -> tuple[list[float], int]:
    fn(user, q)  # warm-up
    times, found = [], 0
    for _ in range(RUNS):
        started = time.perf_counter()
        found, _rows = fn(user, q)
        times.append((time.perf_counter() - started) * 1000)
    return times, found


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]


def main() -> int:
    if connection.vendor != "postgresql":
        print("bench_search needs PostgreSQL: export DATABASE_URL=postgres://…", file=sys.stderr)
        return 0
    old_name = connection.settings_dict["NAME"]
    bench_name = f"bench_search_{old_name}"
    if REUSE:
        connection.close()
        connection.settings_dict["NAME"] = bench_name
    else:
        create_database("search")
    try:
        from django.contrib.auth.models import User

        from search.indexing import reindex_all
        from search.models import SearchEntry

        if REUSE:
            world = {"users": {"SEG": User.objects.get(username="bench-seg"),
                               "GEC member": User.objects.get(username="bench-gec")}, **REUSED}
            built = indexed = 0.0
        else:
            rng = random.Random(29)
            started = time.monotonic()
            world = build_world(rng)
            built = time.monotonic() - started
            started = time.monotonic()
            reindex_all()
            indexed = time.monotonic() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a database in use
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('search_searchentry'))")
            size = cursor.fetchone()[0]
        print(f"world: {world['meetings']} meetings, {world['items']} agenda items, {world['minutes']} minutes, "
              f"{world['decisions']} decisions, {world['actions']} actions, {world['invitations']} invitations "
              f"(built in {built:.0f} s)")
        print(f"index: {SearchEntry.objects.count()} entries, {size}, rebuilt by reindex_all in {indexed:.1f} s")
        print(f"\n{'query':24} {'reader':11} {'method':10} {'found':>6} {'median ms':>10} {'p95 ms':>8}")
        worst = 0.0
        for q in QUERIES:
            for reader, user in world["users"].items():
                for method, fn in (("full text", full_text), ("icontains", icontains)):
                    times, found = timed(fn, user, q)
                    value = p95(times)
                    if method == "full text":
                        worst = max(worst, value)
                    print(f"{q:24} {reader:11} {method:10} {found:>6} {statistics.median(times):>10.1f} "
                          f"{value:>8.1f}")
        verdict = "OK" if worst <= GOAL_P95_MS else "ABOVE GOAL"
        print(f"\nworst full-text p95: {worst:.1f} ms (goal ≤ {GOAL_P95_MS} ms): {verdict}")
        return 0
    finally:
        if not (KEEP or REUSE):
            destroy_database(old_name)


if __name__ == "__main__":
    sys.exit(main())
