"""Import the directory from the secretariat's spreadsheets.

`import_directory(members=..., groups=..., troika=...)` reads the files, checks every
row and the representation rules (M1–M9, T1, T2) over the imported mandates together
with the saved ones, and writes everything in one transaction, or nothing at all when
a single error is found. Every error is kept, in the form `FILE:LINE: COLUMN: message (RULE)`.

Reads and writes are in bulk (one query per model, whatever the number of rows), so
the secretariat can load thousands of rows at once (see bench/bench_import.py).

Leaders: the groups file names the leader and co-lead *partners*. The person who
carries the leadership (T7) is kept if they are still an active expert of that partner
in the group; otherwise it is the partner's only active expert in the group; when the
partner has none or several, it is left empty for the secretariat to pick in the admin.

Re-importing is idempotent: a mandate is identified by (person e-mail, instance, role,
start), a person by e-mail, an institution by partner and name, a group by code, a
Troïka by year. Records that are not in the files are left as they are.

E-mail addresses are compared by their key (core.addresses: NFC, IDNA domain, case-folded), never by
the database's case-insensitive match. A row whose address is, in another case or form, the address of a
person of another name is refused with that person named (one address per person, whatever its case); a
new address whose domain mixes scripts or looks like a domain already known is refused (membership.identity).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sqlite3
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core import french_names
from core.addresses import InvalidAddress, address_key, address_key_or_empty, domain_of, normalise_address
from core.dates import MAX_YEAR, MIN_YEAR, in_range
from instances.models import Instance, Troika
from instances.permissions import sync_leader_permissions
from membership import identity as addresses_policy
from membership import rules, services
from membership.import_files import Row, Table, file_name, read_table, workbook_sheets
from membership.models import Institution, Mandate, Partner, Person
from membership.signals import records_written

MEMBER_REQUIRED = ["partner", "partner_type", "institution", "last_name", "first_name", "email", "function",
                   "instance", "role", "start"]
MEMBER_OPTIONAL = ["institution_acronym", "un_coordinating", "partner_article", "pair_email", "end", "authority", "limits",
                   "language"]
GROUP_REQUIRED = ["code", "kind", "name_fr", "name_en", "secretariat"]
GROUP_OPTIONAL = ["sector", "leader", "co_lead", "periodicity"]
TROIKA_REQUIRED = ["year", "lead", "incoming", "outgoing"]

MAX_LENGTHS = {
    "partner": 200, "institution": 200, "institution_acronym": 40, "last_name": 100, "first_name": 100,
    "email": 254, "pair_email": 254, "code": 40, "name_fr": 200, "name_en": 200, "sector": 200,
}
YES = {"yes", "oui", "y", "o", "true", "1"}
NO = {"no", "non", "n", "false", "0", ""}
TROIKA_ROLES = ("lead", "incoming", "outgoing")


@dataclass(frozen=True)
class ImportProblem:
    """One error, pointing at the cell to fix."""

    file: str
    line: int
    column: str
    message: str
    rule: str = ""

    def __str__(self):
        text = f"{self.file}:{self.line}: {self.column}: {self.message}"
        return f"{text} ({self.rule})" if self.rule else text


@dataclass
class ImportResult:
    errors: list[ImportProblem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    # Partners whose French article neither the file nor the table of names (core/french_names.py) gives:
    # "de X" may then read wrong until the SEG sets it (admin, Partner's "French article").
    unplaced: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        return f"created={self.created} updated={self.updated} unchanged={self.unchanged}"


@dataclass
class _Spec:
    """The values a file gives for one record, and the first line that gave them."""

    table: Table
    line: int
    values: dict
    columns: dict  # field name -> column name, to point at conflicts


def import_directory(*, members, groups=None, troika=None, dry_run: bool = False, change_reason: str | None = None,
                     user=None, changes: list | None = None) -> ImportResult:
    """Validate and import the directory files (paths or named file objects). Nothing is written on error.

    A workbook given alone as `members` whose sheets are named as WORKBOOK_SHEETS says is read whole: its
    groups and Troïka sheets count as the groups and Troïka files. `changes`, when given, receives one
    RecordChange per record created or updated (with a dry run: what the import would do).
    """
    if change_reason is None:
        names = [os.path.basename(file_name(f)) for f in (members, groups, troika) if f is not None]
        change_reason = ("import_directory " + " ".join(names))[:100]  # the history column's length
    importer = _Importer(change_reason=change_reason, user=user)
    importer.changes = changes
    return importer.run(members, groups, troika, dry_run)


@dataclass
class RecordChange:
    """One record the import creates or updates: the model instance and, for an update, field: (old, new)."""

    model: type
    obj: object
    created: bool
    fields: dict = field(default_factory=dict)


class _Importer:
    def __init__(self, *, change_reason: str, user):
        self.change_reason = change_reason
        self.user = user
        self.result = ImportResult()
        self.partners: dict[str, _Spec] = {}
        self.partner_articles: dict[str, tuple[str, int]] = {}  # name -> (French article, first line giving it)
        self.institutions: dict[tuple[str, str], _Spec] = {}
        self.persons: dict[str, _Spec] = {}  # by address key
        self.addresses: dict[str, str] = {}  # address key -> the address as the file first gives it (normalised)
        self.groups: dict[str, _Spec] = {}
        self.mandates: dict[tuple, _Spec] = {}
        self.troikas: dict[int, _Spec] = {}
        self._ruled: set[tuple] = set()
        self.changes: list | None = None

    # -- errors ---------------------------------------------------------------------------------

    def error(self, table: Table, line: int, column: str, message: str, rule: str = "") -> None:
        problem = ImportProblem(table.name, line, column, message, rule)
        if rule and (table.name, line, column, rule) in self._ruled:
            return  # a rule found by the row check and again by the rules module
        self._ruled.add((table.name, line, column, rule))
        self.result.errors.append(problem)

    # -- the whole run --------------------------------------------------------------------------

    def run(self, members, groups, troika, dry_run: bool) -> ImportResult:
        self.result.dry_run = dry_run
        sheets = workbook_sheets(members) if groups is None and troika is None else {}
        if sheets.get("groups"):
            groups = members
        if sheets.get("troika"):
            troika = members
        tables = {
            "members": read_table(members, required=MEMBER_REQUIRED, optional=MEMBER_OPTIONAL,
                                  sheet=sheets.get("members")),
            "groups": read_table(groups, required=GROUP_REQUIRED, optional=GROUP_OPTIONAL,
                                 sheet=sheets.get("groups")) if groups else None,
            "troika": read_table(troika, required=TROIKA_REQUIRED, optional=[],
                                 sheet=sheets.get("troika")) if troika else None,
        }
        for table in filter(None, tables.values()):
            for line, column, message in table.problems:
                self.error(table, line, column, message)
        if self.result.errors:
            return self.result
        with transaction.atomic():
            self._load(tables)
            if tables["groups"]:
                self._parse_groups(tables["groups"])
            self._parse_members(tables["members"])
            self._check_un_coordinating()
            self._resolve_pairs()
            self._check_rules()
            if tables["groups"]:
                self._resolve_group_leaders()
            if tables["troika"]:
                self._parse_troikas(tables["troika"])
            self.result.errors.sort(key=lambda e: (e.file != tables["members"].name, e.file, e.line))
            if self.result.errors:
                return self.result
            try:
                self._write()
            except (DatabaseError, ValidationError) as exc:
                transaction.set_rollback(True)
                self.result.created = self.result.updated = self.result.unchanged = 0
                self.error(tables["members"], 1, "-", _("the database refused the import: %(error)s") % {"error": exc})
                return self.result
            if dry_run:
                transaction.set_rollback(True)
        return self.result

    # -- bulk reads: one query per model --------------------------------------------------------

    def _load(self, tables) -> None:
        member_rows = tables["members"].rows
        partner_names = {r.get("partner") for r in member_rows}
        for key in ("groups", "troika"):
            if tables[key]:
                cols = ("leader", "co_lead") if key == "groups" else TROIKA_ROLES
                partner_names |= {r.get(c) for r in tables[key].rows for c in cols}
        partner_names.discard("")
        emails = {address_key_or_empty(r.get("email")) for r in member_rows}
        emails |= {address_key_or_empty(r.get("pair_email")) for r in member_rows}
        emails.discard("")
        codes = {r.get("instance") for r in member_rows}
        if tables["groups"]:
            codes |= {r.get("code") for r in tables["groups"].rows}

        # Locking the partners serialises this import with mandate_create/update (M2 counts).
        self.db_partners = {
            p.name: p
            for p in Partner.objects.select_for_update().filter(Q(name__in=partner_names) | Q(un_coordinating=True))
        }
        self.db_institutions = {
            (i.partner.name, i.name): i
            for i in Institution.objects.select_related("partner").filter(partner__name__in=partner_names)
        }
        self.db_persons = {
            p.email_key: p
            for p in Person.objects.select_related("institution__partner").filter(email_key__in=emails)
        }
        self.domains = addresses_policy.known_domains()
        self.db_instances = {
            i.code: i for i in Instance.objects.filter(Q(code__in=codes) | Q(kind__in=[Instance.Kind.GEC,
                                                                                         Instance.Kind.GA]))
        }
        years = {int(r.get("year")) for r in tables["troika"].rows if r.get("year").isdigit()} if tables["troika"] else set()
        self.db_troikas = {t.year: t for t in Troika.objects.filter(year__in=years)} if years else {}
        self.one_un_strict = services.one_un_strict()
        self._mandate_query = (partner_names, emails)

    def _load_mandates(self) -> None:
        """The saved mandates the rules must see: same partners, same people, over the imported period."""
        partner_names, emails = self._mandate_query
        today = datetime.date.today()
        starts = [s.values["start"] for s in self.mandates.values()] + [today]
        ends = [s.values["end"] for s in self.mandates.values()] + [today]
        latest = None if any(e is None for e in ends) else max(ends)
        qs = (
            Mandate.objects.overlapping(min(starts), latest)
            .filter(Q(person__email_key__in=emails) | Q(person__institution__partner__name__in=partner_names))
            .select_related("person__institution__partner", "instance", "pairs_with__person", "pairs_with__instance")
        )
        self.db_mandates = {_mandate_identity(m): m for m in qs}
        # Everyone already in the directory that this import may point at (leaders, pairs).
        self.known_people = {_person_key(m.person): m.person for m in self.db_mandates.values()} | self.db_persons

    # -- value checks ---------------------------------------------------------------------------

    def _text(self, table: Table, row: Row, column: str, *, required: bool = False) -> str | None:
        value = row.get(column)
        if required and not value:
            self.error(table, row.line, column, _("a value is required"))
            return None
        limit = MAX_LENGTHS.get(column)
        if limit and len(value) > limit:
            self.error(table, row.line, column, _("too long (at most %(limit)d characters)") % {"limit": limit})
            return None
        return value

    def _choice(self, table: Table, row: Row, column: str, choices, *, default: str | None = None) -> str | None:
        value = row.get(column)
        if not value and default is not None:
            return default
        if value not in choices:
            self.error(table, row.line, column, _("“%(value)s” is not one of: %(choices)s")
                       % {"value": value, "choices": ", ".join(choices)})
            return None
        return value

    def _partner_article(self, table: Table, row: Row, partner: str | None) -> None:
        """The optional French article (le, la, les, l'); an empty cell leaves the partner's article as it is."""
        value = row.get("partner_article").strip().lower().replace("\u2019", "'")
        if not value or not partner:
            return
        if value not in Partner.Article.values:
            self.error(table, row.line, "partner_article", _("“%(value)s” is not one of: %(choices)s")
                       % {"value": value, "choices": "le, la, les, l'"})
            return
        given = self.partner_articles.setdefault(partner, (value, row.line))
        if given[0] != value:
            self.error(table, row.line, "partner_article", _("%(what)s: “%(value)s” conflicts with line %(line)d "
                                                             "(“%(other)s”)")
                       % {"what": partner, "value": value, "line": given[1], "other": given[0]})

    def _email(self, table: Table, row: Row, column: str, *, required: bool = True) -> str | None:
        value = self._text(table, row, column, required=required)
        if not value:
            return None if value is None else ""
        try:
            validate_email(value)
            key = address_key(value)
        except (ValidationError, InvalidAddress):
            self.error(table, row.line, column, _("“%(value)s” is not a valid e-mail address") % {"value": value})
            return None
        self.addresses.setdefault(key, normalise_address(value))
        return key

    def _date(self, table: Table, row: Row, column: str, *, required: bool) -> datetime.date | None | bool:
        """A date (YYYY-MM-DD, or DD/MM/YYYY as French Excel writes it); False when invalid."""
        value = row.get(column)
        if not value:
            if required:
                self.error(table, row.line, column, _("a value is required"))
                return False
            return None
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                parsed = datetime.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
            if not in_range(parsed):
                self.error(table, row.line, column, _("“%(value)s” is outside %(first)d–%(last)d")
                           % {"value": value, "first": MIN_YEAR, "last": MAX_YEAR})
                return False
            return parsed
        self.error(table, row.line, column, _("“%(value)s” is not a date (expected YYYY-MM-DD or DD/MM/YYYY)")
                   % {"value": value})
        return False

    def _agree(self, spec: _Spec, table: Table, row: Row, values: dict, columns: dict, what: str) -> None:
        """Rows describing the same record must give it the same values."""
        for name, value in values.items():
            if spec.values.get(name) != value:
                column = columns[name]
                self.error(table, row.line, column, _("%(what)s: “%(value)s” conflicts with line %(line)d "
                                                      "(“%(other)s”)")
                           % {"what": what, "value": _display(value), "line": spec.line,
                              "other": _display(spec.values.get(name))})

    # -- groups ---------------------------------------------------------------------------------

    def _parse_groups(self, table: Table) -> None:
        for row in table.rows:
            errors = len(self.result.errors)
            code = self._text(table, row, "code", required=True)
            if code:
                try:
                    validate_slug(code)
                except ValidationError:
                    self.error(table, row.line, "code", _("a code is made of letters, digits and hyphens"))
                existing = self.db_instances.get(code)
                if code in ("GEC", "GA") or (existing and not existing.is_group):
                    self.error(table, row.line, "code", _("%(code)s is not a thematic or dialogue group")
                               % {"code": code})
                if code in self.groups:
                    self.error(table, row.line, "code", _("the group %(code)s is already on line %(line)d")
                               % {"code": code, "line": self.groups[code].line})
            values = {
                "code": code,
                "kind": self._choice(table, row, "kind", [Instance.Kind.GT, Instance.Kind.GD]),
                "name_fr": self._text(table, row, "name_fr", required=True),
                "name_en": self._text(table, row, "name_en", required=True),
                "sector": self._text(table, row, "sector"),
                "secretariat": self._choice(table, row, "secretariat", Instance.Secretariat.values),
                "periodicity": self._choice(table, row, "periodicity", Instance.Periodicity.values,
                                            default=Instance.Periodicity.MONTHLY),
                "leader": row.get("leader"),
                "co_lead": row.get("co_lead"),
            }
            if values["leader"] and values["leader"] == values["co_lead"]:
                self.error(table, row.line, "co_lead", _("the co-lead must be another partner than the leader"))
            if len(self.result.errors) == errors:
                self.groups[code] = _Spec(table, row.line, values, {})

    def _instance_kind(self, code: str) -> str | None:
        if code in self.groups:
            return self.groups[code].values["kind"]
        existing = self.db_instances.get(code)
        return existing.kind if existing else None

    # -- members --------------------------------------------------------------------------------

    def _parse_members(self, table: Table) -> None:
        for row in table.rows:
            self._parse_member_row(table, row)
        self._load_mandates()

    def _parse_member_row(self, table: Table, row: Row) -> None:
        """Each record a row describes is kept when its own columns are valid, so conflicts still show."""
        before = len(self.result.errors)
        partner = self._text(table, row, "partner", required=True)
        partner_values = {
            "partner_type": self._choice(table, row, "partner_type", Partner.Type.values),
            "un_coordinating": self._yes_no(table, row, "un_coordinating"),
        }
        if partner_values["un_coordinating"] and partner_values["partner_type"] not in (None, Partner.Type.UN_SYSTEM):
            self.error(table, row.line, "un_coordinating", _("only a UN system partner can be the coordinating agency"))
        self._partner_article(table, row, partner)
        partner_ok = len(self.result.errors) == before
        if partner_ok:
            self._merge(table, row, self.partners, partner, partner_values,
                        {"partner_type": "partner_type", "un_coordinating": "un_coordinating"}, partner)
        mark = len(self.result.errors)
        institution = self._text(table, row, "institution", required=True)
        acronym = self._text(table, row, "institution_acronym")
        institution_ok = partner_ok and len(self.result.errors) == mark
        if institution_ok:
            self._merge(table, row, self.institutions, (partner, institution), {"acronym": acronym},
                        {"acronym": "institution_acronym"}, institution)
        mark = len(self.result.errors)
        email = self._email(table, row, "email")
        person_values = {
            "last_name": self._text(table, row, "last_name", required=True),
            "first_name": self._text(table, row, "first_name", required=True),
            "function": self._choice(table, row, "function", Person.Function.values),
            "language": self._choice(table, row, "language", Person.Language.values, default=Person.Language.FR),
            "partner": partner,
            "institution": institution,
        }
        if email:
            self._check_address(table, row, email, person_values)
        if institution_ok and len(self.result.errors) == mark:
            self._merge(table, row, self.persons, email, person_values, {k: k for k in person_values},
                        self.addresses[email])
        mandate = self._parse_mandate(table, row)
        if len(self.result.errors) > before or mandate is None:
            return
        identity = (email, mandate.pop("code"), mandate.pop("role"), mandate["start"])
        if identity in self.mandates:
            self.error(table, row.line, "start", _("the same mandate (e-mail, instance, role, start) is already on "
                                                   "line %(line)d") % {"line": self.mandates[identity].line})
            return
        self.mandates[identity] = _Spec(table, row.line, mandate, {})

    def _check_address(self, table: Table, row: Row, key: str, person: dict) -> None:
        """The address of a person of another name in another case, or a look-alike of a known domain: refused."""
        holder = self.db_persons.get(key)
        typed = normalise_address(row.get("email"))
        if holder is not None:
            same_name = (holder.first_name, holder.last_name) == (person["first_name"], person["last_name"])
            if holder.email != typed and not same_name:
                self.error(table, row.line, "email", Person.address_taken_message(holder))
            return
        if key in self.persons:
            return  # the same new address on an earlier line: checked there
        problem = addresses_policy.lookalike_problem(typed, self.domains)
        if problem:
            self.error(table, row.line, "email", problem)
        else:
            self.domains.add(domain_of(typed))  # a later line may not bring its look-alike either

    def _parse_mandate(self, table: Table, row: Row) -> dict | None:
        code = row.get("instance")
        kind = self._instance_kind(code) if code else None
        if not code:
            self.error(table, row.line, "instance", _("a value is required"))
        elif kind is None:
            self.error(table, row.line, "instance", _("unknown instance “%(code)s”: GEC, GA or a group code of the "
                                                      "groups file or of the directory") % {"code": code})
        role = self._choice(table, row, "role", Mandate.Role.values)
        start = self._date(table, row, "start", required=True)
        end = self._date(table, row, "end", required=False)
        if start and end and end < start:
            self.error(table, row.line, "end", _("the end (%(end)s) is before the start (%(start)s)")
                       % {"end": end, "start": start})
        pair_email = self._email(table, row, "pair_email", required=False)
        if role == Mandate.Role.BINOME and pair_email == "":
            self.error(table, row.line, "pair_email", _("a binôme names the e-mail of the expert it pairs with"),
                       "M8")
        elif role and role != Mandate.Role.BINOME and pair_email:
            self.error(table, row.line, "pair_email", _("only a binôme pairs with an expert"), "M8")
        authority = self._choice(table, row, "authority", Mandate.Authority.values, default=Mandate.Authority.FULL)
        limits = row.get("limits")
        if authority == Mandate.Authority.LIMITED and not limits:
            self.error(table, row.line, "limits", _("a limited mandate must state its limits"), "M9")
        if None in (kind, role, authority, pair_email) or start is False or end is False:
            return None
        return {"code": code, "role": role, "start": start, "end": end, "authority": authority, "limits": limits,
                "pair_email": pair_email, "kind": kind}

    def _yes_no(self, table: Table, row: Row, column: str) -> bool | None:
        value = row.get(column).lower()
        if value in YES:
            return True
        if value in NO:
            return False
        self.error(table, row.line, column, _("“%(value)s” is not yes or no") % {"value": row.get(column)})
        return None

    def _merge(self, table, row, specs: dict, key, values: dict, columns: dict, label: str) -> None:
        spec = specs.get(key)
        if spec is None:
            specs[key] = _Spec(table, row.line, values, columns)
        else:
            self._agree(spec, table, row, values, columns, label)

    def _check_un_coordinating(self) -> None:
        claimed = [(name, spec) for name, spec in self.partners.items() if spec.values["un_coordinating"]]
        saved = [name for name, p in self.db_partners.items() if p.un_coordinating and name not in self.partners]
        holders = [name for name, _spec in claimed] + saved
        if len(holders) > 1:
            for name, spec in claimed:
                others = ", ".join(h for h in holders if h != name)
                self.error(spec.table, spec.line, "un_coordinating",
                           _("only one partner can be the UN coordinating agency (also claimed by %(others)s)")
                           % {"others": others})

    # -- binômes and the representation rules ---------------------------------------------------

    def _resolve_pairs(self) -> None:
        experts: dict[tuple[str, str], list[tuple]] = {}
        for identity in list(self.mandates) + list(self.db_mandates):
            email, code, role, _start = identity
            if role == Mandate.Role.EXPERT:
                experts.setdefault((email, code), []).append(identity)
        for identity, spec in self.mandates.items():
            spec.values["pairs_with"] = None
            if identity[2] != Mandate.Role.BINOME:
                continue
            pair_email, code = spec.values["pair_email"], identity[1]
            candidates = sorted(set(experts.get((pair_email, code), [])), key=lambda i: i[3])
            if not candidates:
                self.error(spec.table, spec.line, "pair_email", _("%(email)s holds no expert mandate in %(code)s")
                           % {"email": pair_email, "code": code}, "M8")
                continue
            overlapping = [c for c in candidates if self._dates(c)[0] <= (spec.values["end"] or datetime.date.max)
                           and (self._dates(c)[1] or datetime.date.max) >= identity[3]]
            spec.values["pairs_with"] = (overlapping or candidates)[-1]

    def _dates(self, identity: tuple) -> tuple[datetime.date, datetime.date | None]:
        if identity in self.mandates:
            return identity[3], self.mandates[identity].values["end"]
        m = self.db_mandates[identity]
        return m.start, m.end

    def _partner_state(self, name: str) -> tuple[str, bool]:
        if name in self.partners:
            v = self.partners[name].values
            return v["partner_type"], v["un_coordinating"]
        p = self.db_partners.get(name)
        return (p.partner_type, p.un_coordinating) if p else (Partner.Type.BILATERAL, False)

    def _facts(self) -> list[rules.MandateFact]:
        facts = []
        for identity, spec in self.mandates.items():
            email, code, role, start = identity
            person = self.persons[email].values
            partner_type, coordinating = self._partner_state(person["partner"])
            facts.append(rules.MandateFact(
                key=identity, person_key=email, person_name=f"{person['first_name']} {person['last_name']}",
                function=person["function"], partner_key=person["partner"], partner_name=person["partner"],
                partner_type=partner_type, un_coordinating=coordinating, instance_key=code, instance_code=code,
                instance_kind=spec.values["kind"], role=role, start=start, end=spec.values["end"],
                pairs_with_key=spec.values["pairs_with"], authority=spec.values["authority"],
                limits=spec.values["limits"],
            ))
        for identity, m in self.db_mandates.items():
            if identity in self.mandates:
                continue  # the file's version replaces the saved one
            email, code = identity[0], identity[1]
            if email in self.persons:
                person = self.persons[email].values
                name, function, partner = f"{person['first_name']} {person['last_name']}", person["function"], \
                    person["partner"]
            else:
                name, function, partner = m.person.full_name, m.person.function, m.person.institution.partner.name
            partner_type, coordinating = self._partner_state(partner)
            if partner not in self.partners and partner not in self.db_partners:
                partner_type, coordinating = m.person.institution.partner.partner_type, \
                    m.person.institution.partner.un_coordinating
            kind = self.groups[code].values["kind"] if code in self.groups else m.instance.kind
            facts.append(rules.MandateFact(
                key=identity, person_key=email, person_name=name, function=function, partner_key=partner,
                partner_name=partner, partner_type=partner_type, un_coordinating=coordinating, instance_key=code,
                instance_code=code, instance_kind=kind, role=m.role, start=m.start, end=m.end,
                pairs_with_key=_mandate_identity(m.pairs_with) if m.pairs_with_id else None,
                authority=m.authority, limits=m.limits,
            ))
        return facts

    def _check_rules(self) -> None:
        self.facts = self._facts()
        by_key = {f.key: f for f in self.facts}
        for violation in rules.check_mandates(self.facts, one_un_strict=self.one_un_strict):
            mine = sorted((k for k in violation.keys if k in self.mandates), key=lambda k: self.mandates[k].line)
            if not mine:
                continue  # already in the directory before this import
            spec = self.mandates[mine[-1]]
            message = violation.message
            if len(mine) > 1:
                message = _("%(message)s (with line %(line)d)") % {"message": message,
                                                                    "line": self.mandates[mine[0]].line}
            self.error(spec.table, spec.line, _violation_column(violation.rule, by_key[mine[-1]]), message,
                       violation.rule)

    def _resolve_group_leaders(self) -> None:
        """Leader partners must exist; the leader person is chosen as the module docstring says."""
        today = datetime.date.today()
        for code, spec in self.groups.items():
            existing = self.db_instances.get(code)
            for column in ("leader", "co_lead"):
                partner = spec.values[column]
                spec.values[f"{column}_person"] = None
                if not partner:
                    continue
                if partner not in self.partners and partner not in self.db_partners:
                    self.error(spec.table, spec.line, column, _("unknown partner “%(name)s”") % {"name": partner})
                    continue
                experts = {
                    f.person_key for f in self.facts
                    if f.instance_key == code and f.role == Mandate.Role.EXPERT and f.partner_key == partner
                    and f.start <= today and (f.end is None or f.end >= today)
                }
                current_id = getattr(existing, f"{column}_person_id", None) if existing else None
                current = next((e for e, p in self.known_people.items() if p.pk == current_id), None)
                if current_id is not None and current in experts:
                    spec.values[f"{column}_person"] = current
                elif len(experts) == 1:
                    spec.values[f"{column}_person"] = next(iter(experts))

    # -- Troïka ---------------------------------------------------------------------------------

    def _parse_troikas(self, table: Table) -> None:
        for row in table.rows:
            errors = len(self.result.errors)
            year = row.get("year")
            if not (year.isdigit() and 1990 <= int(year) <= 2100):
                self.error(table, row.line, "year", _("“%(value)s” is not a year") % {"value": year})
            elif int(year) in self.troikas:
                self.error(table, row.line, "year", _("the Troïka %(year)s is already on line %(line)d")
                           % {"year": year, "line": self.troikas[int(year)].line})
            facts = {}
            for column in TROIKA_ROLES:
                name = row.get(column)
                if not name:
                    self.error(table, row.line, column, _("a value is required"))
                elif name not in self.partners and name not in self.db_partners:
                    self.error(table, row.line, column, _("unknown partner “%(name)s”") % {"name": name})
                else:
                    partner_type, coordinating = self._partner_state(name)
                    facts[column] = rules.PartnerFact(key=name, name=name, partner_type=partner_type,
                                                      un_coordinating=coordinating)
            if len(self.result.errors) > errors:
                continue
            t2_columns = [c for c in TROIKA_ROLES
                          if facts[c].partner_type == Partner.Type.UN_SYSTEM and not facts[c].un_coordinating]
            for violation in rules.check_troika(int(year), *(facts[c] for c in TROIKA_ROLES)):
                column = t2_columns.pop(0) if violation.rule == "T2" and t2_columns else "incoming"
                self.error(table, row.line, column, violation.message, violation.rule)
            self.troikas[int(year)] = _Spec(table, row.line, {c: row.get(c) for c in TROIKA_ROLES}, {})

    # -- bulk writes ----------------------------------------------------------------------------

    def _write(self) -> None:
        leadership_before = {
            code: (i.leader_person_id, i.co_lead_person_id) for code, i in self.db_instances.items()
        }
        with _sqlite_full_batches():
            partners = self._upsert(Partner, [
                (self.db_partners.get(name), {"name": name, **spec.values, **self._article_of(name)})
                for name, spec in self.partners.items()
            ])
            partner_ids = {p.name: p.pk for p in self.db_partners.values()} | {p.name: p.pk for p in partners}
            institutions = self._upsert(Institution, [
                (self.db_institutions.get(key), {"partner_id": partner_ids[key[0]], "name": key[1], **spec.values})
                for key, spec in self.institutions.items()
            ])
            institution_ids = {key: i.pk for key, i in zip(self.institutions, institutions, strict=True)}
            persons = self._upsert(Person, [
                (self.db_persons.get(email), {
                    "email": self.db_persons[email].email if email in self.db_persons else self.addresses[email],
                    "email_key": email,
                    "last_name": v["last_name"], "first_name": v["first_name"], "function": v["function"],
                    "language": v["language"], "institution_id": institution_ids[(v["partner"], v["institution"])],
                })
                for email, spec in self.persons.items() for v in [spec.values]
            ])
            person_ids = {email: p.pk for email, p in self.known_people.items()}
            person_ids |= {email: p.pk for email, p in zip(self.persons, persons, strict=True)}
            groups = self._upsert(Instance, [
                (self.db_instances.get(code), self._group_values(spec.values, partner_ids, person_ids))
                for code, spec in self.groups.items()
            ])
            instance_ids = {i.code: i.pk for i in self.db_instances.values()} | {g.code: g.pk for g in groups}
            self._write_mandates(person_ids, instance_ids)
            self._upsert(Troika, [
                (self.db_troikas.get(year), {f"{c}_id": partner_ids[spec.values[c]] for c in TROIKA_ROLES}
                 | {"year": year})
                for year, spec in self.troikas.items()
            ])
        people = {p.pk: p for p in self.known_people.values()} | {p.pk: p for p in persons}
        for group in groups:
            if leadership_before.get(group.code) != (group.leader_person_id, group.co_lead_person_id):
                # Hand over the people already in memory: no query per group to read them again.
                group.leader_person = people.get(group.leader_person_id)
                group.co_lead_person = people.get(group.co_lead_person_id)
                sync_leader_permissions(group)

    def _group_values(self, v: dict, partner_ids: dict, person_ids: dict) -> dict:
        return {
            "code": v["code"], "kind": v["kind"], "name_fr": v["name_fr"], "name_en": v["name_en"],
            "sector": v["sector"], "secretariat": v["secretariat"], "periodicity": v["periodicity"],
            "leader_partner_id": partner_ids.get(v["leader"]), "co_lead_partner_id": partner_ids.get(v["co_lead"]),
            "leader_person_id": person_ids.get(v["leader_person"]),
            "co_lead_person_id": person_ids.get(v["co_lead_person"]),
        }

    def _write_mandates(self, person_ids: dict, instance_ids: dict) -> None:
        saved: dict[tuple, Mandate] = dict(self.db_mandates)
        # Experts first, so that the binômes created with them can point at their ids.
        for phase in (False, True):
            items, identities = [], []
            for identity, spec in self.mandates.items():
                if (identity[2] == Mandate.Role.BINOME) != phase:
                    continue
                pair = spec.values["pairs_with"]
                items.append((self.db_mandates.get(identity), {
                    "person_id": person_ids[identity[0]], "instance_id": instance_ids[identity[1]],
                    "role": identity[2], "start": identity[3], "end": spec.values["end"],
                    "authority": spec.values["authority"], "limits": spec.values["limits"],
                    "pairs_with_id": saved[pair].pk if pair else None,
                }))
                identities.append(identity)
            saved.update(zip(identities, self._upsert(Mandate, items), strict=True))

    def _article_of(self, name: str) -> dict:
        """The article a row gave; otherwise the saved one, or the table of names' (reporting the names it lacks)."""
        if name in self.partner_articles:
            return {"article": self.partner_articles[name][0]}
        saved = self.db_partners.get(name)
        if saved is not None and saved.article:
            return {}
        if french_names.known(name):
            return {"article": french_names.article_for(name)}
        self.result.unplaced.append(name)
        return {} if saved is not None else {"article": Partner.Article.NONE}

    def _upsert(self, model, items: list[tuple]) -> list:
        """Create the new records and update the changed ones, in bulk and with their history."""
        objects, to_create, to_update, changed_fields = [], [], [], set()
        for existing, values in items:
            if existing is None:
                obj = model(**values)
                to_create.append(obj)
                if self.changes is not None:
                    self.changes.append(RecordChange(model, obj, True))
            else:
                obj = existing
                changed = [name for name, value in values.items() if getattr(obj, name) != value]
                if changed and self.changes is not None:
                    self.changes.append(RecordChange(model, obj, False,
                                                     {n: (getattr(obj, n), values[n]) for n in changed}))
                for name in changed:
                    setattr(obj, name, values[name])
                if changed:
                    to_update.append(obj)
                    changed_fields.update(changed)
                else:
                    self.result.unchanged += 1
            objects.append(obj)
        if to_create:
            self._bulk_create(model, to_create)
            self.result.created += len(to_create)
        if to_update:
            fields = [name[:-3] if name.endswith("_id") else name for name in sorted(changed_fields)]
            self._bulk_update(model, to_update, fields)
            self.result.updated += len(to_update)
        if to_create or to_update:
            records_written.send(sender=type(self), model=model, pks=[o.pk for o in to_create + to_update])
        return objects


    def _bulk_create(self, model, objs: list) -> None:
        bulk_create_with_history(objs, model, default_user=self.user, default_change_reason=self.change_reason)

    def _bulk_update(self, model, objs: list, fields: list[str]) -> None:
        bulk_update_with_history(objs, model, fields=fields, default_user=self.user,
                                 default_change_reason=self.change_reason)


def _person_key(person: Person) -> str:
    # A later duplicate left without a key by the migration that introduced keys still has one for the import.
    return person.email_key or address_key_or_empty(person.email) or person.email


def _mandate_identity(m: Mandate) -> tuple:
    return (_person_key(m.person), m.instance.code, m.role, m.start)


def _display(value) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "" if value is None else str(value)


def _violation_column(rule: str, fact: rules.MandateFact) -> str:
    """The column a reader should look at for a broken rule."""
    if rule == "M9":
        return "limits"
    if rule == "M8":
        return "pair_email" if fact.role == rules.BINOME else "role"
    if rule in ("M4", "M5") and fact.partner_type == rules.UN_SYSTEM and not fact.un_coordinating:
        return "instance"
    if rule in ("M1", "M5"):
        return "function"
    if rule == "M7":
        return "instance"
    return "role"


@contextlib.contextmanager
def _sqlite_full_batches():
    """Let bulk writes use SQLite's real variable limit, not Django's historical 999.

    Django < 6 splits SQLite bulk inserts every 999 parameters, so the number of
    queries grew with the rows; SQLite ≥ 3.32 accepts 32766 variables per statement.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()

    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    features = connection.features
    had_own = "max_query_params" in vars(features)
    previous = features.max_query_params
    features.max_query_params = max(previous, limit)
    try:
        yield
    finally:
        if had_own:
            features.max_query_params = previous
        else:
            del features.max_query_params
