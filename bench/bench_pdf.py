"""Time to produce a meeting's PDFs for a GEC of 60 invitees (30 partners × titular + deputy) and 20 items.

Needs nothing but the project (SQLite by default) and Pango (see README). Works in a throwaway database.
Prints, for each document, the median of 3 runs split into data + HTML and WeasyPrint, with pages and size.
"""

from __future__ import annotations

import datetime
import io
import statistics
import time
from zoneinfo import ZoneInfo

import _bench_db  # noqa: F401  (sets Django up)
from _bench_db import LONG_AGO, create_database, destroy_database

PARTNERS = 30
ITEMS = 20
RUNS = 3


def build():
    from instances.models import Instance
    from meetings import services as meeting_services
    from membership.models import Institution, Mandate, Partner, Person
    from secretariat import services as secretariat_services

    gec = Instance.objects.get(code="GEC")
    vowels = ["Agence", "Ambassade", "Office", "Institut", "Union", "Entraide"]
    for n in range(PARTNERS):
        partner = Partner.objects.create(name=f"{vowels[n % 6]} {n:02d} — coopération", partner_type="bilateral")
        institution = Institution.objects.create(partner=partner, name=f"Délégation {n:02d}", acronym=f"D{n:02d}")
        for role, first in (("titular", "Élise"), ("deputy", "Ousmane")):
            person = Person.objects.create(first_name=first, last_name=f"Aïssata-{n:02d}-{role}", email=f"{role}{n}@x.org",
                                           function="head_of_cooperation", institution=institution)
            Mandate.objects.bulk_create([Mandate(person=person, instance=gec, role=role, start=LONG_AGO)])
    start = datetime.datetime(2026, 12, 19, 9, 0, tzinfo=ZoneInfo("Africa/Bamako"))
    meeting = meeting_services.meeting_create(instance=gec, title="Réunion ordinaire de décembre", start=start,
                                              end=start + datetime.timedelta(hours=4), place="Bamako")
    for n in range(ITEMS):
        meeting_services.agenda_item_add(meeting=meeting, title=f"Point {n + 1} : appui budgétaire et réformes",
                                         description="Présentation, échanges et orientations du groupe. " * 3,
                                         category="policy_dialogue", expected_outcome="orientation",
                                         duration_minutes=10)
    meeting_services.meeting_propose_agenda(meeting=meeting)
    meeting_services.meeting_convene(meeting=meeting)
    secretariat_services.distribution_generate(meeting=meeting)
    meeting_services.minutes_save(meeting=meeting, text="Compte rendu de la séance.\n\n" * 20)
    return meeting


def measure(meeting) -> list[tuple]:
    from pypdf import PdfReader

    from secretariat.reports import pdf

    rows = []
    for kind in pdf.KINDS:
        html_times, pdf_times = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            html = pdf.meeting_document_html(meeting, kind, cleared=True)
            middle = time.perf_counter()
            body = pdf.html_to_pdf(html)
            html_times.append(middle - started)
            pdf_times.append(time.perf_counter() - middle)
        pages = len(PdfReader(io.BytesIO(body)).pages)
        rows.append((kind, statistics.median(html_times), statistics.median(pdf_times), pages, len(body)))
    return rows


def main() -> None:
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    create_database("pdf")
    try:
        meeting = build()
        measure(meeting)  # warm-up: the first run loads the fonts
        rows = measure(meeting)
    finally:
        destroy_database(old_name)
    print(f"{PARTNERS * 2} invitees, {ITEMS} agenda items; median of {RUNS} runs after one warm-up")
    print(f"{'document':<12} {'data+HTML':>10} {'WeasyPrint':>11} {'total':>8} {'pages':>6} {'size':>9}")
    for kind, html_s, pdf_s, pages, size in rows:
        print(f"{kind:<12} {html_s * 1000:>8.0f}ms {pdf_s * 1000:>9.0f}ms {(html_s + pdf_s):>7.2f}s {pages:>6} "
              f"{size / 1024:>7.1f}KB")


if __name__ == "__main__":
    main()
