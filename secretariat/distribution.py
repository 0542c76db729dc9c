"""The distribution list of a meeting, generated from the mandates active on its date (M10).

Who is on it, and why:
- GEC (M2): each member partner's titular ("to") and deputy ("cc"). M4, One UN: under the advisory
  policy every UN agency's seat is listed (the reason says so); under the strict policy only the
  coordinating agency's people.
- GA (M5, M6): titular ("to") and deputy ("cc"); the UN system only through the coordinating agency
  (M5); the topic experts invited for an accepted agenda item ("to", M6).
- GT/GD (M8, T7): every expert ("to") and binôme ("cc"), the leader and the co-lead ("to"); for a
  dialogue meeting with the government, the group's government interlocutors as external participants
  ("to", A6/A7).
- Any instance: the presenters of accepted items ("to", A5).
- T5, parallelism of forms: each Troïka partner of the meeting's year is represented at the instance's
  level — its titular in the GEC or the GA, its expert in a GT/GD. **Decision**: this never adds
  someone who holds no seat in the instance (a Troïka partner that is not a member of a group is not
  pulled into it); it adds the T5 reason to the seat that carries it, so the list shows the bridge.

One person appears once: reasons merge, "to" wins over "cc", the highest role is kept. Ordered by
partner then role. The number of SQL queries does not depend on the size of the directory.
"""

from __future__ import annotations

import datetime
from collections import namedtuple
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch
from django.utils.translation import gettext

from instances.models import GovernmentInterlocutor, Troika
from meetings.models import AgendaItem
from meetings.services import meeting_presenters
from membership.models import Mandate, Person
from secretariat.reasons import render_reasons

TO, CC = "to", "cc"
ROLE_ORDER = [
    "titular", "deputy", "leader", "co_lead", "expert", "binome", "topic_expert", "presenter", "interlocutor",
    "delegate",
]
ROLE_RANK = {role: rank for rank, role in enumerate(ROLE_ORDER)}
ROW_KEYS = ("email", "name", "partner", "partner_type", "institution", "instance", "role", "recipient", "reason",
            "rule")

_MANDATE_FIELDS = (
    "role", "person_id", "person__email", "person__first_name", "person__last_name", "person__language",
    "person__institution__name", "person__institution__acronym", "person__institution__partner_id",
    "person__institution__partner__name", "person__institution__partner__partner_type",
    "person__institution__partner__un_coordinating", "person__institution__partner__article",
)
MandateRow = namedtuple("MandateRow", [
    "role", "person_id", "email", "first_name", "last_name", "language", "institution_name", "institution_acronym",
    "partner_id", "partner", "partner_type", "un_coordinating", "partner_article",
])


@dataclass(slots=True)
class Entry:
    """One recipient: who, from which partner, as what, and every rule that put them there (M10)."""

    key: str
    person_id: int | None
    email: str
    name: str
    language: str
    partner: str
    partner_type: str
    institution: str
    instance: str
    role: str
    recipient: str
    reasons: list[dict] = field(default_factory=list)

    @property
    def rule(self) -> str:
        rules = []
        for reason in self.reasons:
            if reason["rule"] not in rules:
                rules.append(reason["rule"])
        return ", ".join(rules)

    @property
    def reason(self) -> str:
        return render_reasons(self.reasons)

    def as_row(self) -> dict:
        return {key: getattr(self, key) for key in ROW_KEYS}

    def sort_key(self):
        return (self.partner, ROLE_RANK.get(self.role, len(ROLE_RANK)), self.name)


def _reason(rule: str, code: str, **params) -> dict:
    return {"rule": rule, "code": code, "params": params}


class _Builder:
    def __init__(self, instance):
        self.instance = instance
        self.entries: dict[str, Entry] = {}

    def add_mandate(self, m: MandateRow, recipient: str, reason: dict) -> None:
        """The hot path (one call per seat): an Entry straight from the row when the person is new."""
        key = f"p{m.person_id}"
        if key in self.entries:
            self.add(_info_from_mandate(m), m.role, recipient, reason)
            return
        self.entries[key] = Entry(
            key, m.person_id, m.email, f"{m.first_name} {m.last_name}", m.language, m.partner, m.partner_type,
            m.institution_acronym or m.institution_name, self.instance.code, m.role, recipient, [reason],
        )

    def add(self, info: dict, role: str, recipient: str, reason: dict) -> None:
        key = f"p{info['person_id']}" if info["person_id"] else info["email"].lower()
        entry = self.entries.get(key)
        if entry is None:
            self.entries[key] = Entry(key=key, instance=self.instance.code, role=role, recipient=recipient,
                                      reasons=[reason], **info)
            return
        if recipient == TO:
            entry.recipient = TO
        if ROLE_RANK.get(role, 99) < ROLE_RANK.get(entry.role, 99):
            entry.role = role
        if reason not in entry.reasons:
            entry.reasons.append(reason)

    def add_reason(self, key: str, reason: dict) -> None:
        entry = self.entries.get(key)
        if entry is not None and reason not in entry.reasons:
            entry.reasons.append(reason)

    def result(self) -> list[Entry]:
        return sorted(self.entries.values(), key=Entry.sort_key)


def _info_from_mandate(m: MandateRow) -> dict:
    return {
        "person_id": m.person_id,
        "email": m.email,
        "name": f"{m.first_name} {m.last_name}",
        "language": m.language,
        "partner": m.partner,
        "partner_type": m.partner_type,
        "institution": m.institution_acronym or m.institution_name,
    }


def person_info(person) -> dict:
    """The entry fields of a Person loaded with institution__partner."""
    partner = person.institution.partner
    return {
        "person_id": person.pk,
        "email": person.email,
        "name": person.full_name,
        "language": person.language,
        "partner": partner.name,
        "partner_type": partner.partner_type,
        "institution": person.institution.acronym or person.institution.name,
    }


def active_mandates(instance, on_date: datetime.date) -> list[MandateRow]:
    """M10: the mandates active on the date, as plain rows (one query).

    The ORM writes the SQL; the rows are read straight from the cursor, which skips the per-row
    conversion layer: this list is the hot path of the largest instance (see bench_distribution.py).
    """


    qs = Mandate.objects.active_on(on_date).filter(instance=instance).order_by().values_list(*_MANDATE_FIELDS)
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [MandateRow._make(row) for row in cursor.fetchall()]


def build_distribution_list(*, instance, on_date: datetime.date, meeting=None) -> list:
    """Every recipient of the instance's meeting on `on_date` (see the module docstring for the rules)."""
    b = _Builder(instance)
    mandates = active_mandates(instance, on_date)
    code = instance.code
    if instance.kind == "GEC":
        _gec(b, instance, mandates)
    elif instance.kind == "GA":
        _ga(b, instance, mandates)
    else:
        _group(b, instance, mandates, meeting)
    if meeting is not None:
        _meeting_items(b, instance, meeting)
    for year, *partner_ids in Troika.objects.filter(year=on_date.year).values_list(
            "year", "lead_id", "incoming_id", "outgoing_id"):
        seat_role = "expert" if instance.is_group else "titular"
        by_partner = {m.partner_id: m for m in mandates if m.role == seat_role}
        for role, partner_id in zip(("lead", "incoming", "outgoing"), partner_ids, strict=True):
            m = by_partner.get(partner_id)
            if m is not None:
                b.add_reason(f"p{m.person_id}", _reason("T5", "troika", partner=m.partner, partner_article=m.partner_article, troika_role=role,
                                                           year=year, instance=code))
    return b.result()


def _political_seats(b: _Builder, instance, mandates: list[MandateRow], deputy_rule: str, titular_rule: str) -> None:
    for m in mandates:
        if m.role == "titular":
            b.add_mandate(m, TO, _reason(titular_rule, "titular", instance=instance.code, partner=m.partner, partner_article=m.partner_article))
        elif m.role == "deputy":
            b.add_mandate(m, CC, _reason(deputy_rule, "deputy", instance=instance.code, partner=m.partner, partner_article=m.partner_article))


def _gec(b: _Builder, instance, mandates: list[MandateRow]) -> None:
    strict = instance.one_un_policy == "strict"
    kept = []
    for m in mandates:
        un = m.partner_type == "un_system"
        coordinating = m.un_coordinating
        if un and strict and not coordinating:
            continue  # M4 strict: the UN system is one partner, from the coordinating agency
        kept.append(m)
    _political_seats(b, instance, kept, "M2", "M2")
    for m in kept:
        if m.partner_type == "un_system" and m.role in ("titular", "deputy"):
            code = "un_coordinating" if m.un_coordinating else "un_separate_seat"
            b.add_reason(f"p{m.person_id}", _reason("M4", code, instance=instance.code))


def _ga(b: _Builder, instance, mandates: list[MandateRow]) -> None:
    kept = [
        m for m in mandates
        if m.partner_type != "un_system"
        or m.un_coordinating
    ]  # M5: the UN system only through the coordinating agency
    _political_seats(b, instance, kept, "M6", "M5")
    for m in kept:
        if m.partner_type == "un_system" and m.role in ("titular", "deputy"):
            b.add_reason(f"p{m.person_id}", _reason("M5", "un_coordinating", instance=instance.code))


def _group(b: _Builder, instance, mandates: list[MandateRow], meeting) -> None:
    for m in mandates:
        if m.role == "expert":
            b.add_mandate(m, TO, _reason("M8", "expert", instance=instance.code, partner=m.partner, partner_article=m.partner_article))
        elif m.role == "binome":
            b.add_mandate(m, CC, _reason("M8", "binome", instance=instance.code, partner=m.partner, partner_article=m.partner_article))
    leader_ids = {instance.leader_person_id: "leader", instance.co_lead_person_id: "co_lead"}
    leader_ids.pop(None, None)
    if leader_ids:
        for person in Person.objects.select_related("institution__partner").filter(pk__in=leader_ids):
            role = leader_ids[person.pk]
            b.add(person_info(person), role, TO, _reason("T7", role, instance=instance.code))
    if meeting is not None and meeting.with_government:
        government = gettext("Government of Mali")
        for interlocutor in GovernmentInterlocutor.objects.filter(instance=instance):
            info = {
                "person_id": None, "email": interlocutor.email, "name": interlocutor.name, "language": "fr",
                "partner": government, "partner_type": "government", "institution": interlocutor.function,
            }
            b.add(info, "interlocutor", TO, _reason("A7", "interlocutor", instance=instance.code))


def _meeting_items(b: _Builder, instance, meeting) -> None:
    items = list(
        AgendaItem.objects.filter(meeting=meeting, status=AgendaItem.Status.ACCEPTED)
        .select_related(
            "presenter_person__institution__partner",
            "presenter_group__leader_person__institution__partner",
            "presenter_group__co_lead_person__institution__partner",
        )
        .prefetch_related(Prefetch("topic_experts", queryset=Person.objects.select_related("institution__partner")))
    )
    if instance.kind == "GA":
        for item in items:
            for person in item.topic_experts.all():
                b.add(person_info(person), "topic_expert", TO, _reason("M6", "topic_expert", item=item.title))
    for person, sentence in meeting_presenters(meeting, items=items):
        sentence = str(sentence).removesuffix(" (A5)")
        b.add(person_info(person), "presenter", TO, {"rule": "A5", "code": "text", "params": {"text": sentence}})
