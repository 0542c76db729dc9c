"""Writes to the directory. Every mandate write goes through `validate_mandate` (rules M1–M9)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from instances.models import Instance, Troika
from membership import rules
from membership.models import Mandate, Partner, Person


def fact_from_mandate(m: Mandate, *, key=None, person: Person | None = None) -> rules.MandateFact:
    person = person or m.person
    partner = person.institution.partner
    return rules.MandateFact(
        key=m.pk if key is None else key,
        person_key=person.pk if person.pk is not None else person.email,
        person_name=person.full_name,
        function=person.function,
        partner_key=partner.pk,
        partner_name=partner.name,
        partner_type=partner.partner_type,
        un_coordinating=partner.un_coordinating,
        instance_key=m.instance_id,
        instance_code=m.instance.code,
        instance_kind=m.instance.kind,
        role=m.role,
        start=m.start,
        end=m.end,
        pairs_with_key=m.pairs_with_id,
        authority=m.authority,
        limits=m.limits,
    )


def one_un_strict() -> bool:
    """M4: the secretariat sets the One UN policy on the GEC instance."""
    return Instance.objects.filter(kind=Instance.Kind.GEC, one_un_policy=Instance.OneUNPolicy.STRICT).exists()


def _related_facts(facts: list[rules.MandateFact], exclude_pks: set) -> list[rules.MandateFact]:
    """Saved mandates that may conflict with `facts`: same partner, same person, or paired expert."""
    partner_ids = {f.partner_key for f in facts}
    person_ids = {f.person_key for f in facts if isinstance(f.person_key, int)}
    paired = {f.pairs_with_key for f in facts if f.pairs_with_key is not None}
    earliest = min(f.start for f in facts)
    ends = [f.end for f in facts]
    latest = None if any(e is None for e in ends) else max(ends)
    qs = (
        Mandate.objects.overlapping(earliest, latest)
        .filter(Q(person__institution__partner_id__in=partner_ids) | Q(person_id__in=person_ids))
        | Mandate.objects.filter(pk__in=paired)
    )
    qs = qs.exclude(pk__in=exclude_pks).select_related("person__institution__partner", "instance").distinct()
    return [fact_from_mandate(m) for m in qs]


def mandate_violations(mandate: Mandate, *, person: Person | None = None, lock: bool = False) -> list[rules.Violation]:
    """The hard-rule violations that saving `mandate` (new or edited) would cause.

    With lock=True (inside a transaction) the partner row is locked first, so two
    concurrent writes for the same partner are serialised and cannot both pass M2.
    """
    person = person or mandate.person
    if lock:
        Partner.objects.select_for_update().filter(pk=person.institution.partner_id).first()
    candidate = fact_from_mandate(mandate, key=mandate.pk or "new", person=person)
    others = _related_facts([candidate], exclude_pks={mandate.pk} if mandate.pk else set())
    return [v for v in rules.check_mandates([candidate, *others], one_un_strict=one_un_strict()) if candidate.key in v.keys]


def raise_for(violations: list[rules.Violation], field: str | None = None) -> None:
    if violations:
        messages = [str(v) for v in violations]
        raise ValidationError({field: messages} if field else messages)


def validate_mandate(mandate: Mandate, *, person: Person | None = None, lock: bool = False) -> None:
    raise_for(mandate_violations(mandate, person=person, lock=lock))


@transaction.atomic
def mandate_create(
    *,
    person: Person,
    instance: Instance,
    role: str,
    start: datetime.date,
    end: datetime.date | None = None,
    pairs_with: Mandate | None = None,
    authority: str = Mandate.Authority.FULL,
    limits: str = "",
) -> Mandate:
    mandate = Mandate(
        person=person, instance=instance, role=role, start=start, end=end,
        pairs_with=pairs_with, authority=authority, limits=limits,
    )
    mandate.full_clean()
    validate_mandate(mandate, lock=True)
    mandate.save()
    return mandate


@transaction.atomic
def mandate_update(*, mandate: Mandate, **fields) -> Mandate:
    for name, value in fields.items():
        setattr(mandate, name, value)
    mandate.full_clean()
    validate_mandate(mandate, lock=True)
    mandate.save()
    return mandate


def person_violations(person: Person) -> list[rules.Violation]:
    """Changing a person's function or institution re-checks their current and future mandates."""
    if person.pk is None:
        return []
    today = datetime.date.today()
    mandates = list(person.mandates.filter(Q(end__isnull=True) | Q(end__gte=today)).select_related("instance"))
    out = []
    for m in mandates:
        out.extend(v for v in mandate_violations(m, person=person) if v not in out)
    return out


def _partner_fact(p: Partner) -> rules.PartnerFact:
    return rules.PartnerFact(key=p.pk, name=p.name, partner_type=p.partner_type, un_coordinating=p.un_coordinating)


def troika_violations(troika: Troika) -> list[rules.Violation]:
    if not (troika.lead_id and troika.incoming_id and troika.outgoing_id):
        return []
    return rules.check_troika(
        troika.year, _partner_fact(troika.lead), _partner_fact(troika.incoming), _partner_fact(troika.outgoing)
    )


def partner_violations(partner: Partner) -> list[rules.Violation]:
    """A partner's type or UN coordination flag feeds M4, M5, M7 and T2: re-check what it holds."""
    if partner.pk is None:
        return []
    today = datetime.date.today()
    out = []
    for m in Mandate.objects.filter(person__institution__partner=partner).filter(
        Q(end__isnull=True) | Q(end__gte=today)
    ).select_related("person__institution", "instance"):
        m.person.institution.partner = partner  # the edited, unsaved values
        out.extend(v for v in mandate_violations(m) if v not in out)
    for troika in Troika.objects.filter(Q(lead=partner) | Q(incoming=partner) | Q(outgoing=partner)):
        for role in ("lead", "incoming", "outgoing"):
            if getattr(troika, f"{role}_id") == partner.pk:
                setattr(troika, role, partner)
        out.extend(troika_violations(troika))
    return out


@transaction.atomic
def troika_save(*, year: int, lead: Partner, incoming: Partner, outgoing: Partner) -> Troika:
    troika = Troika.objects.filter(year=year).first() or Troika(year=year)
    troika.lead, troika.incoming, troika.outgoing = lead, incoming, outgoing
    raise_for(troika_violations(troika))
    troika.full_clean()
    troika.save()
    return troika
