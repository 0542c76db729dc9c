"""Builders of import files for the importer's tests: rows as dicts, written as CSV or .xlsx."""

import csv
import datetime
import io

from membership.importer import GROUP_OPTIONAL, GROUP_REQUIRED, MEMBER_OPTIONAL, MEMBER_REQUIRED, TROIKA_REQUIRED

MEMBER_COLUMNS = MEMBER_REQUIRED + MEMBER_OPTIONAL
GROUP_COLUMNS = GROUP_REQUIRED + GROUP_OPTIONAL
TROIKA_COLUMNS = TROIKA_REQUIRED
START = "2024-01-01"


def member(email, *, partner="France", partner_type="bilateral", institution="AFD", function="head_of_cooperation",
           instance="GEC", role="titular", **extra):
    """One member row; names derive from the e-mail so rows of one person agree by default."""
    local = email.split("@")[0]
    row = {
        "partner": partner, "partner_type": partner_type, "institution": institution, "institution_acronym": "",
        "un_coordinating": "no", "last_name": local.capitalize(), "first_name": "Ann", "email": email,
        "function": function, "instance": instance, "role": role, "pair_email": "", "start": START, "end": "",
        "authority": "full", "limits": "", "language": "fr",
    }
    row.update(extra)
    return row


def group(code, *, kind="GT", leader="France", co_lead="", **extra):
    row = {"code": code, "kind": kind, "name_fr": f"Groupe {code}", "name_en": f"Group {code}", "sector": "santé",
           "leader": leader, "co_lead": co_lead, "secretariat": "dedicated", "periodicity": "monthly"}
    row.update(extra)
    return row


def troika(year, lead, incoming, outgoing):
    return {"year": str(year), "lead": lead, "incoming": incoming, "outgoing": outgoing}


def write_csv(path, rows, columns, *, delimiter=",", bom=False):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    return path


def write_xlsx(path, rows, columns):
    """Like Excel: dates as real date cells, everything else as text."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column, "")
            if column in ("start", "end") and value:
                value = datetime.date.fromisoformat(value)
            cells.append(value if value != "" else None)
        sheet.append(cells)
    workbook.save(path)
    return path


def directory(n_partners=3, experts_per_group=1, groups=("GT-SANTE",), prefix=""):
    """A small valid directory: per bilateral partner a GEC titular and deputy, an ambassador in the GA,
    and in each group an expert with a binôme."""
    members = []
    for p in range(n_partners):
        name, inst = f"{prefix}Country{p}", f"Agency{p}"
        members.append(member(f"head{p}@{prefix.lower()}c{p}.org", partner=name, institution=inst))
        members.append(member(f"dep{p}@{prefix.lower()}c{p}.org", partner=name, institution=inst, role="deputy", function="other"))
        members.append(member(f"amb{p}@{prefix.lower()}c{p}.org", partner=name, institution=f"Embassy{p}", function="ambassador",
                              instance="GA"))
        for code in groups:
            for e in range(experts_per_group):
                expert = f"exp{e}-{code.lower()}@{prefix.lower()}c{p}.org"
                members.append(member(expert, partner=name, institution=inst, function="expert", instance=code,
                                      role="expert"))
                members.append(member(f"bin{e}-{code.lower()}@{prefix.lower()}c{p}.org", partner=name, institution=inst,
                                      function="expert", instance=code, role="binome", pair_email=expert))
    return members
