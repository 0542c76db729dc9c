"""Shared set-up for the benchmarks: Django, a throwaway database, a synthetic directory."""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptf_portal.settings")
os.environ.setdefault("AXES_ENABLED", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

LONG_AGO = datetime.date(2000, 1, 1)


def create_database(label: str) -> None:
    """A fresh database (test_<label>…) so a benchmark never touches real data."""
    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = f"bench_{label}_{connection.settings_dict['NAME']}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def destroy_database(old_name: str | None = None) -> None:
    connection.creation.destroy_test_db(old_name or connection.settings_dict["NAME"], verbosity=0)


def generate_directory(scale: int, *, tag: str = "") -> dict:
    """A directory shaped like the demo's, `scale` times over: partners of the three types, each with
    GEC and GA titular + deputy, and experts with binômes in 8 thematic groups. bulk_create throughout."""
    from instances.models import Instance
    from membership.models import Institution, Mandate, Partner, Person

    gec = Instance.objects.get(code="GEC")
    ga = Instance.objects.get(code="GA")
    groups = []
    for g in range(8):
        code = f"GT-{tag}{scale}-{g}"
        groups.append(Instance.objects.get_or_create(code=code, defaults=dict(
            kind="GT", name_fr=code, name_en=code, secretariat="dedicated"))[0])
    shapes = [("bilateral", 24), ("multilateral", 6), ("un_system", 6)]
    partners = []
    for partner_type, count in shapes:
        for i in range(count * scale):
            partners.append(Partner(name=f"{partner_type}-{tag}{scale}-{i:05d}", partner_type=partner_type))
    partners = Partner.objects.bulk_create(partners)
    if not Partner.objects.filter(un_coordinating=True).exists():
        Partner.objects.filter(pk=next(p.pk for p in partners if p.partner_type == "un_system")).update(
            un_coordinating=True)
    institutions = Institution.objects.bulk_create(
        [Institution(partner=p, name=f"Agency of {p.name}", acronym=p.name[:10]) for p in partners])
    people, seats = [], []
    for inst in institutions:
        for n in range(4 + 2 * 2):  # GEC titular, deputy; GA titular, deputy; 2 groups × (expert, binôme)
            people.append(Person(first_name=f"P{n}", last_name=inst.name, email=f"{n}.{inst.pk}.{tag}{scale}@x.org",
                                 function="head_of_cooperation", institution=inst))
    for person in people:
        person.email_key = Person.key_of(person.email)  # bulk_create skips save(), which keeps the key
    people = Person.objects.bulk_create(people)
    for k in range(len(institutions)):
        mine = people[k * 8:(k + 1) * 8]
        seats += [Mandate(person=mine[0], instance=gec, role="titular", start=LONG_AGO),
                  Mandate(person=mine[1], instance=gec, role="deputy", start=LONG_AGO),
                  Mandate(person=mine[2], instance=ga, role="titular", start=LONG_AGO),
                  Mandate(person=mine[3], instance=ga, role="deputy", start=LONG_AGO)]
    Mandate.objects.bulk_create(seats)
    experts = Mandate.objects.bulk_create([
        Mandate(person=people[k * 8 + 4 + 2 * j], instance=groups[(k + j) % 8], role="expert", start=LONG_AGO)
        for k in range(len(institutions)) for j in range(2)
    ])
    Mandate.objects.bulk_create([
        Mandate(person=people[k * 8 + 5 + 2 * j], instance=groups[(k + j) % 8], role="binome",
                pairs_with=experts[k * 2 + j], start=LONG_AGO)
        for k in range(len(institutions)) for j in range(2)
    ])
    return {"partners": len(partners), "people": len(people), "groups": groups}
