"""The representation rules (DOMAIN.md M1–M9, T1, T2), in one place.

Pure functions over plain facts: no ORM access, so the admin, the importer (which
checks thousands of rows at once) and the web pages all run the very same code.
`membership.services` turns database rows and forms into facts and calls these.
A rule that is *advisory* in DOMAIN.md is not here but in `membership.compliance`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.utils.translation import gettext as _

from core.french import numeric_date, of_name, with_article

GEC, GA, GT, GD = "GEC", "GA", "GT", "GD"
TITULAR, DEPUTY, EXPERT, BINOME = "titular", "deputy", "expert", "binome"
BILATERAL, MULTILATERAL, UN_SYSTEM = "bilateral", "multilateral", "un_system"
AMBASSADOR, HEAD_OF_COOPERATION, RESIDENT_REPRESENTATIVE = "ambassador", "head_of_cooperation", "resident_representative"

# M1: who may be a GEC titular.
GEC_TITULAR_FUNCTIONS = {HEAD_OF_COOPERATION, RESIDENT_REPRESENTATIVE}
# M5: who may be a GA titular, by partner type.
GA_TITULAR_FUNCTIONS = {
    BILATERAL: {AMBASSADOR},
    MULTILATERAL: {RESIDENT_REPRESENTATIVE, AMBASSADOR},
    UN_SYSTEM: {RESIDENT_REPRESENTATIVE},
}
POLITICAL_ROLES = {TITULAR, DEPUTY}
GROUP_ROLES = {EXPERT, BINOME}


@dataclass(frozen=True)
class MandateFact:
    """What the rules need to know of one mandate (saved, edited or about to be imported)."""

    key: object
    person_key: object
    person_name: str
    function: str
    partner_key: object
    partner_name: str
    partner_type: str
    un_coordinating: bool
    instance_key: object
    instance_code: str
    instance_kind: str
    role: str
    start: datetime.date
    end: datetime.date | None = None
    pairs_with_key: object | None = None
    authority: str = "full"
    limits: str = ""
    partner_article: str = ""

    @property
    def partner_label(self) -> str:
        """The partner as a sentence's subject: "la France", "les Pays-Bas" in French."""
        return with_article(self.partner_name, article=self.partner_article)

    def overlaps(self, other: MandateFact) -> bool:
        """Two mandates count together only while both are active (open ends run forever)."""
        return (other.end is None or self.start <= other.end) and (self.end is None or other.start <= self.end)


@dataclass(frozen=True)
class Violation:
    """A broken rule: its ID, a sentence in the active language, and the mandates involved."""

    rule: str
    message: str
    keys: tuple = field(default_factory=tuple)

    def __str__(self):
        return f"{self.message} ({self.rule})"


def check_mandates(facts: list[MandateFact], *, one_un_strict: bool = False) -> list[Violation]:
    """Every hard representation rule over a set of mandates; returns all violations found."""
    violations: list[Violation] = []
    by_key = {f.key: f for f in facts}
    for fact in facts:
        violations.extend(_check_single(fact, by_key, one_un_strict))
    violations.extend(_check_seat_counts(facts))
    violations.extend(_check_same_person_twice(facts))
    violations.extend(_check_m7_bilateral_in_both(facts))
    return violations


def _check_single(f: MandateFact, by_key: dict, one_un_strict: bool) -> list[Violation]:
    out = []
    who = f"{f.person_name} ({f.partner_name})"
    if f.instance_kind in (GEC, GA) and f.role not in POLITICAL_ROLES:
        rule = "M2" if f.instance_kind == GEC else "M6"
        out.append(Violation(rule, _("%(who)s: in the %(instance)s a partner sits only as titular or deputy.")
                             % {"who": who, "instance": f.instance_code}, (f.key,)))
    if f.instance_kind in (GT, GD) and f.role not in GROUP_ROLES:
        out.append(Violation("M8", _("%(who)s: in a thematic or dialogue group members are experts or binômes.")
                             % {"who": who}, (f.key,)))
    if f.instance_kind == GEC and f.role == TITULAR and f.function not in GEC_TITULAR_FUNCTIONS:
        out.append(Violation("M1", _("%(who)s cannot be GEC titular: the titular must be a head of cooperation "
                                     "or a resident representative.") % {"who": who}, (f.key,)))
    if f.instance_kind == GEC and one_un_strict and f.partner_type == UN_SYSTEM and not f.un_coordinating:
        out.append(Violation("M4", _("%(who)s: under the strict One UN policy only the coordinating agency "
                                     "represents the UN system in the GEC.") % {"who": who}, (f.key,)))
    if f.instance_kind == GA:
        if f.partner_type == UN_SYSTEM and not f.un_coordinating:
            out.append(Violation("M5", _("%(who)s: in the GA the UN system is represented only by the "
                                         "coordinating agency.") % {"who": who}, (f.key,)))
        if f.role == TITULAR and f.function not in GA_TITULAR_FUNCTIONS.get(f.partner_type, set()):
            out.append(Violation("M5", _("%(who)s cannot be GA titular: the titular must be the ambassador, or the "
                                         "resident representative of a multilateral partner.") % {"who": who},
                                 (f.key,)))
    if f.role == BINOME:
        expert = by_key.get(f.pairs_with_key)
        if expert is None or expert.role != EXPERT:
            out.append(Violation("M8", _("%(who)s: a binôme must pair with an expert's mandate.") % {"who": who},
                                 (f.key,)))
        elif expert.instance_key != f.instance_key or expert.partner_key != f.partner_key:
            out.append(Violation("M8", _("%(who)s: a binôme pairs with an expert of the same partner in the same "
                                         "group (%(expert)s is not).") % {"who": who, "expert": expert.person_name},
                                 (f.key, expert.key)))
        elif expert.person_key == f.person_key:
            out.append(Violation("M8", _("%(who)s cannot be their own binôme.") % {"who": who}, (f.key,)))
        elif not expert.overlaps(f):
            out.append(Violation("M8", _("%(who)s: a binôme must be active while the expert it pairs with "
                                         "(%(expert)s) is.") % {"who": who, "expert": expert.person_name},
                                 (f.key, expert.key)))
    elif f.pairs_with_key is not None:
        out.append(Violation("M8", _("%(who)s: only a binôme pairs with another mandate.") % {"who": who}, (f.key,)))
    if f.authority == "limited" and not (f.limits or "").strip():
        out.append(Violation("M9", _("%(who)s: a limited mandate must state its limits.") % {"who": who}, (f.key,)))
    return out


def overlap_and_fix(a: MandateFact, b: MandateFact) -> str:
    """The days two mandates share and how to part them: the earlier one ends the day before the later starts.

    An end date is inclusive: a mandate ending on 31/12 and one starting on 1/1 do not overlap.
    """
    first, second = sorted((a, b), key=lambda f: (f.start, str(f.key)))
    start = second.start
    ends = [e for e in (a.end, b.end) if e is not None]
    end = min(ends) if ends else None
    if end is None:
        days = _("from %(start)s onwards") % {"start": numeric_date(start)}
    elif end == start:
        days = _("on %(day)s") % {"day": numeric_date(start)}
    else:
        days = _("from %(start)s to %(end)s") % {"start": numeric_date(start), "end": numeric_date(end)}
    if first.start < second.start:
        fix = _("end the mandate %(of_who)s on %(day)s (an end date is inclusive)") % {
            "of_who": of_name(first.person_name), "day": numeric_date(second.start - datetime.timedelta(days=1))}
    else:
        fix = _("end one of them or move the other's start")
    return _("they overlap %(days)s: %(fix)s") % {"days": days, "fix": fix}


def _check_seat_counts(facts: list[MandateFact]) -> list[Violation]:
    """M2 (GEC) and M6 (GA): one titular and one deputy per partner at any time."""
    groups = defaultdict(list)
    for f in facts:
        if f.instance_kind in (GEC, GA) and f.role in POLITICAL_ROLES:
            groups[(f.instance_key, f.partner_key, f.role)].append(f)
    out = []
    for group in groups.values():
        for a, b in combinations(group, 2):
            if a.overlaps(b) and a.person_key != b.person_key:
                rule = "M2" if a.instance_kind == GEC else "M6"
                values = {"partner": a.partner_label, "instance": a.instance_code, "a": a.person_name,
                          "b": b.person_name, "overlap": overlap_and_fix(a, b)}
                if a.role == TITULAR:
                    message = _("%(partner)s would have two titular members in the %(instance)s at the same time, "
                                "%(a)s and %(b)s; %(overlap)s.") % values
                else:
                    message = _("%(partner)s would have two deputy members in the %(instance)s at the same time, "
                                "%(a)s and %(b)s; %(overlap)s.") % values
                out.append(Violation(rule, message[:1].upper() + message[1:], (a.key, b.key)))
    return out


def _check_same_person_twice(facts: list[MandateFact]) -> list[Violation]:
    groups = defaultdict(list)
    for f in facts:
        groups[(f.person_key, f.instance_key)].append(f)
    out = []
    for group in groups.values():
        for a, b in combinations(group, 2):
            if a.overlaps(b):
                rule = {GEC: "M2", GA: "M6"}.get(a.instance_kind, "M8")
                out.append(Violation(rule, _("%(who)s would hold two seats in the %(instance)s at the same time; "
                                             "%(overlap)s.")
                                     % {"who": a.person_name, "instance": a.instance_code,
                                        "overlap": overlap_and_fix(a, b)}, (a.key, b.key)))
    return out


def _check_m7_bilateral_in_both(facts: list[MandateFact]) -> list[Violation]:
    """M7: only multilateral partners belong to both GEC and GA; a bilateral person sits in one."""
    groups = defaultdict(list)
    for f in facts:
        if f.partner_type == BILATERAL and f.role in POLITICAL_ROLES and f.instance_kind in (GEC, GA):
            groups[f.person_key].append(f)
    out = []
    for group in groups.values():
        for a, b in combinations(group, 2):
            if a.instance_kind != b.instance_kind and a.overlaps(b):
                out.append(Violation("M7", _("%(who)s (%(partner)s, bilateral) cannot sit in both the GEC and the GA "
                                             "at the same time.") % {"who": a.person_name, "partner": a.partner_name},
                                     (a.key, b.key)))
    return out


@dataclass(frozen=True)
class PartnerFact:
    key: object
    name: str
    partner_type: str
    un_coordinating: bool


def check_troika(year: int, lead: PartnerFact, incoming: PartnerFact, outgoing: PartnerFact) -> list[Violation]:
    """T1: three distinct partners; T2: for the UN system only the coordinating agency."""
    out = []
    keys = [lead.key, incoming.key, outgoing.key]
    if len(set(keys)) < 3:
        out.append(Violation("T1", _("The Troïka %(year)s needs three different partners (lead, deputy lead of the "
                                     "year, outgoing lead).") % {"year": year}))
    for p in (lead, incoming, outgoing):
        if p.partner_type == UN_SYSTEM and not p.un_coordinating:
            out.append(Violation("T2", _("%(partner)s cannot be in the Troïka: for the UN system only the "
                                         "coordinating agency can.") % {"partner": p.name}))
    return out


# --- who may stand in for whom (M3, M6, M8) -------------------------------------------------------------


@dataclass(frozen=True)
class SeatFact:
    """One active mandate in one instance, as far as standing in for someone is concerned."""

    key: object
    person_key: object
    partner_key: object
    role: str
    pairs_with_key: object | None = None
    start: object = None  # the mandate's start: the first criterion of the stand-ins' order


def stand_in_order(seat: SeatFact) -> tuple:
    """The order of possible stand-ins, the first of whom takes a delegated seat: the earliest mandate start,
    then the mandate's id. Explicit so that every path (the prepared seat rows, the ORM) picks the same one when
    two tie (two binômes of one expert with the same start and last name)."""
    return (seat.start is None, seat.start or 0, seat.key)


def representation_rule(instance_kind: str) -> str:
    """The rule that says who stands in for an absent member: M3 (GEC), M6 (GA), M8 (GT/GD)."""
    return {GEC: "M3", GA: "M6"}.get(instance_kind, "M8")


def stand_ins(instance_kind: str, principal_seats: list[SeatFact], seats: list[SeatFact]) -> list[SeatFact]:
    """The seats that may take over the principal's: the partner's deputy for a titular (M3, M6), the binôme
    paired with an expert (M8), in `stand_in_order`. Deputies and binômes have no one to pass their seat on to."""
    principals = {s.person_key for s in principal_seats}
    if instance_kind in (GT, GD):
        experts = {s.key for s in principal_seats if s.role == EXPERT}
        found = [s for s in seats if s.role == BINOME and s.pairs_with_key in experts]
    else:
        partners = {s.partner_key for s in principal_seats if s.role == TITULAR}
        found = [s for s in seats if s.role == DEPUTY and s.partner_key in partners]
    return sorted((s for s in found if s.person_key not in principals), key=stand_in_order)


def may_pass_on_seat(instance_kind: str, principal_seats: list[SeatFact]) -> bool:
    """Only a titular (GEC, GA) or an expert (GT, GD) holds a seat that can be delegated."""
    wanted = EXPERT if instance_kind in (GT, GD) else TITULAR
    return any(s.role == wanted for s in principal_seats)


# --- who speaks for a seat in a written procedure (M2, M3, M6, M8) --------------------------------------


def seat_principal_role(instance_kind: str) -> str:
    """The role that holds a partner's voice in its own right: the titular (GEC, GA), the expert (GT, GD)."""
    return EXPERT if instance_kind in (GT, GD) else TITULAR


def seat_stand_in_role(instance_kind: str) -> str:
    """The role that takes the voice over: the deputy (M3, M6), the binôme (M8)."""
    return BINOME if instance_kind in (GT, GD) else DEPUTY


@dataclass(frozen=True)
class Speaker:
    """Whether a person may give the seat's answer, and the rule that says so or refuses it."""

    allowed: bool
    rule: str
    as_stand_in: bool = False


def seat_speaker(instance_kind: str, *, person_key, principal_key, stand_in_key, delegated: bool,
                 principal_absent: bool) -> Speaker:
    """One voice per partner (M2, M6, M8): the titular (expert) speaks; the deputy (binôme) speaks when the
    titular has delegated the seat or is marked absent (M3, M6, M8). Nobody else speaks for the partner."""
    rule = representation_rule(instance_kind)
    if person_key is not None and person_key == principal_key:
        return Speaker(True, rule)
    if person_key is not None and person_key == stand_in_key:
        if delegated or principal_absent or principal_key is None:
            return Speaker(True, rule, as_stand_in=True)
        return Speaker(False, rule, as_stand_in=True)
    return Speaker(False, {GEC: "M2", GA: "M6"}.get(instance_kind, "M8"))
