"""A directory shaped like the real one for the account tests: 30 partners, accented names, fr and en.

Each partner has a GEC titular and deputy (60 GEC members); a few ambassadors sit in the GA; one person
per partner 0–2 is a former member whose mandate ended long ago. Written as the secretariat's CSV and
loaded with `manage.py import_directory`, as a real deployment does.
"""

from __future__ import annotations

import unicodedata

from django.core.management import call_command

from membership.importer import import_directory
from tests.membership.import_factories import GROUP_COLUMNS, MEMBER_COLUMNS, TROIKA_COLUMNS, group, member, write_csv

PARTNERS = [
    ("Allemagne", "bilateral"), ("Autriche", "bilateral"), ("Belgique", "bilateral"), ("Canada", "bilateral"),
    ("Danemark", "bilateral"), ("Espagne", "bilateral"), ("États-Unis", "bilateral"), ("Finlande", "bilateral"),
    ("France", "bilateral"), ("Irlande", "bilateral"), ("Italie", "bilateral"), ("Japon", "bilateral"),
    ("Luxembourg", "bilateral"), ("Norvège", "bilateral"), ("Pays-Bas", "bilateral"), ("Royaume-Uni", "bilateral"),
    ("Suède", "bilateral"), ("Suisse", "bilateral"), ("Émirats arabes unis", "bilateral"), ("Inde", "bilateral"),
    ("Union européenne", "multilateral"), ("Banque mondiale", "multilateral"),
    ("Banque africaine de développement", "multilateral"), ("Fonds monétaire international", "multilateral"),
    ("Organisation internationale de la Francophonie", "multilateral"),
    ("PNUD", "un_system"), ("UNICEF", "un_system"), ("OMS", "un_system"), ("FAO", "un_system"),
    ("ONU Femmes", "un_system"),
]
FIRST = ["Aïssata", "Éloïse", "Ousmane", "Ingrid", "Amadou", "Élodie", "Oumar", "Astrid", "Ibrahim", "Anaïs",
         "Émile", "Inès", "Awa", "Ólafur", "Yacouba"]
LAST = ["Ouédraogo", "Maïga", "Ériksson", "Aït-Ahmed", "Diarra", "Østergaard", "Iglesias", "Traoré", "Akerlund",
        "Coulibaly", "Ó Briain", "Sanogo", "Économou", "Keïta", "Ubaldi"]
START = "2024-01-01"


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c if c.isalnum() else "-" for c in plain).strip("-")


def realistic_members() -> list[dict]:
    rows = []
    for n, (partner, kind) in enumerate(PARTNERS):
        domain = f"{_slug(partner)}.example.org"
        institution = {"bilateral": f"Coopération — {partner}", "multilateral": f"Délégation {partner}",
                       "un_system": f"{partner} Mali"}[kind]
        extra = {"partner_type": kind, "institution": institution,
                 "un_coordinating": "yes" if partner == "PNUD" else "no"}
        head = "head_of_cooperation" if kind == "bilateral" else "resident_representative"

        def person(k, n=n, domain=domain, **fields):
            first, last = FIRST[(n + k) % len(FIRST)], LAST[(n * 2 + k) % len(LAST)]
            return {"first_name": first, "last_name": last, "language": "fr" if (n + k) % 3 else "en",
                    "email": f"{_slug(first)}.{_slug(last)}.{k}@{domain}", **fields}

        titular = person(0)
        rows.append(member(titular.pop("email"), partner=partner, function=head, **extra, **titular))
        deputy = person(1)
        rows.append(member(deputy.pop("email"), partner=partner, function="other", role="deputy", **extra, **deputy))
        if kind == "bilateral" and n < 6:
            ambassador = person(2)
            rows.append(member(ambassador.pop("email"), partner=partner, function="ambassador", instance="GA",
                               **{**extra, "institution": f"Ambassade — {partner}"}, **ambassador))
        if n in (0, 2):  # GT-SANTE: an expert and their binôme (Allemagne leads the group)
            expert, binome = person(4, function="expert"), person(5, function="expert")
            rows.append(member(expert["email"], partner=partner, instance="GT-SANTE", role="expert", **extra,
                               **{k: v for k, v in expert.items() if k != "email"}))
            rows.append(member(binome.pop("email"), partner=partner, instance="GT-SANTE", role="binome",
                               pair_email=expert["email"], **extra, **binome))
        if n < 3:  # a former GEC deputy whose mandate ended long ago
            former = person(3)
            rows.append(member(former.pop("email"), partner=partner, function="other", role="deputy",
                               start="2022-01-01", end="2023-06-30", **extra, **former))
    return rows


def import_realistic_directory(tmp_path) -> list[dict]:
    """Write the members CSV and load it with the importer's command, as the secretariat would."""
    rows = realistic_members()
    path = write_csv(tmp_path / "annuaire.csv", rows, MEMBER_COLUMNS)
    groups = write_csv(tmp_path / "groupes.csv", [group("GT-SANTE", leader="Allemagne", name_fr="GT Santé",
                                                        name_en="Health WG")], GROUP_COLUMNS)
    call_command("import_directory", str(path), "--groups", str(groups))
    return rows


GROUPS = ["GT-SANTE"] + [f"GT-{n:02d}" for n in range(1, 12)] + [f"GD-{n:02d}" for n in range(1, 4)]


def realistic_directory():
    """30 partners, 15 groups, ~275 rows: each group has seven partners with an expert and a binôme."""
    members = realistic_members()
    groups = []
    for g, code in enumerate(GROUPS[1:], start=1):
        partners = [(g * 3 + k) % 20 for k in range(7)]  # bilateral partners: no One UN question
        for k, p in enumerate(partners):
            partner = PARTNERS[p][0]
            expert = f"expert.{code.lower()}.{k}@{p}.example.org"
            common = {"partner": partner, "institution": f"Coopération — {partner}", "function": "expert",
                      "instance": code}
            members.append(member(expert, role="expert", first_name="Ibrahim", last_name=f"Maïga-{g}-{k}", **common))
            members.append(member(f"binome.{code.lower()}.{k}@{p}.example.org", role="binome", pair_email=expert,
                                  first_name="Éloïse", last_name=f"Østergaard-{g}-{k}", **common))
        groups.append(group(code, kind=code[:2], leader=PARTNERS[partners[0]][0], name_fr=f"Groupe {g}",
                            name_en=f"Group {g}"))
    groups.insert(0, group("GT-SANTE", leader="Allemagne", name_fr="GT Santé", name_en="Health WG"))
    troika = [{"year": "2026", "lead": "France", "incoming": "Allemagne", "outgoing": "PNUD"}]
    return members, groups, troika


def import_realistic_directory_with_groups(tmp_path) -> list[dict]:
    """The directory of the admin's walk (30 partners, 15 groups, ~275 mandates), loaded through the importer."""
    members, groups, troika = realistic_directory()
    result = import_directory(members=write_csv(tmp_path / "membres.csv", members, MEMBER_COLUMNS),
                              groups=write_csv(tmp_path / "groupes.csv", groups, GROUP_COLUMNS),
                              troika=write_csv(tmp_path / "troika.csv", troika, TROIKA_COLUMNS))
    assert not result.errors, result.errors
    return members
