"""Writes to the directory. Every mandate write goes through `validate_mandate` (rules M1–M9)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.addresses import normalise_address
from instances.models import Instance, Troika
from instances.permissions import sync_permissions_led_by
from membership import rules
from membership.models import Mandate, Partner, Person


def fact_from_mandate(
    m: Mandate, *, key=None, person: Person | None = None, partner: Partner | None = None
) -> rules.MandateFact:
    """The rules' view of a mandate; `person` / `partner` stand for edited, unsaved values."""
    person = person or m.person
    partner = partner or person.institution.partner
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


def _related_facts(
    facts: list[rules.MandateFact], exclude_pks: set, *, person: Person | None = None, partner: Partner | None = None
) -> list[rules.MandateFact]:
    """Saved mandates that may conflict with `facts`: same partner, same person, or paired expert.

    `person` / `partner` (edited, unsaved) replace the saved values wherever they appear, so a
    rule comparing two mandates (M7) sees the same person or partner on both sides.
    """
    partner_ids = {f.partner_key for f in facts}
    person_ids = {f.person_key for f in facts if isinstance(f.person_key, int)}
    paired = {f.pairs_with_key for f in facts if isinstance(f.pairs_with_key, int)}
    earliest = min(f.start for f in facts)
    ends = [f.end for f in facts]
    latest = None if any(e is None for e in ends) else max(ends)
    qs = (
        Mandate.objects.overlapping(earliest, latest)
        .filter(Q(person__institution__partner_id__in=partner_ids) | Q(person_id__in=person_ids))
        | Mandate.objects.filter(pk__in=paired)
    )
    qs = qs.exclude(pk__in=exclude_pks).select_related("person__institution__partner", "instance").distinct()
    out = []
    for m in qs:
        p = person if person is not None and m.person_id == person.pk else None
        partner_now = partner if partner is not None and (p or m.person).institution.partner_id == partner.pk else None
        out.append(fact_from_mandate(m, person=p, partner=partner_now))
    return out


def _violations_among(
    candidates: list[rules.MandateFact], *, exclude_pks: set, person: Person | None = None,
    partner: Partner | None = None,
) -> list[rules.Violation]:
    """Hard-rule violations that involve at least one of `candidates`, against the saved directory."""
    if not candidates:
        return []
    others = _related_facts(candidates, exclude_pks, person=person, partner=partner)
    keys = {c.key for c in candidates}
    out: list[rules.Violation] = []
    for v in rules.check_mandates([*candidates, *others], one_un_strict=one_un_strict()):
        if keys.intersection(v.keys) and v not in out:
            out.append(v)
    return out


def lock_partner(partner_id) -> None:
    """Serialise the writes that count one partner's seats (M2, M6): callers must be in a transaction."""
    Partner.objects.select_for_update().filter(pk=partner_id).first()


def mandate_violations(mandate: Mandate, *, person: Person | None = None, lock: bool = False) -> list[rules.Violation]:
    """The hard-rule violations that saving `mandate` (new or edited) would cause.

    With lock=True (inside a transaction) the partner row is locked first, so two
    concurrent writes for the same partner are serialised and cannot both pass M2.
    """
    person = person or mandate.person
    if lock:
        lock_partner(person.institution.partner_id)
    candidate = fact_from_mandate(mandate, key=mandate.pk or "new", person=person)
    return _violations_among([candidate], exclude_pks={mandate.pk} if mandate.pk else set(), person=person)


def mandates_violations(
    mandates: list[Mandate], *, person: Person | None = None, lock: bool = False, deleted_pks=()
) -> list[rules.Violation]:
    """The violations that saving several mandates together would cause (an admin inline formset).

    Unsaved mandates get the keys ("new", 0), ("new", 1)… by their position; `deleted_pks` are
    mandates deleted in the same save, which no longer count.
    """
    if not mandates:
        return []
    if lock:
        for partner_id in sorted({(person or m.person).institution.partner_id for m in mandates}):
            lock_partner(partner_id)
    candidates = [
        fact_from_mandate(m, key=m.pk if m.pk else ("new", i), person=person or m.person)
        for i, m in enumerate(mandates)
    ]
    exclude = {m.pk for m in mandates if m.pk} | set(deleted_pks)
    return _violations_among(candidates, exclude_pks=exclude, person=person)


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


def _current_and_future(qs):
    today = datetime.date.today()
    return qs.filter(Q(end__isnull=True) | Q(end__gte=today))


def person_violations(person: Person) -> list[rules.Violation]:
    """Changing a person's function or institution re-checks their current and future mandates."""
    if person.pk is None:
        return []
    mandates = list(_current_and_future(person.mandates.all()).select_related("instance"))
    candidates = [fact_from_mandate(m, person=person) for m in mandates]
    return _violations_among(candidates, exclude_pks={m.pk for m in mandates}, person=person)


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
    mandates = list(
        _current_and_future(Mandate.objects.filter(person__institution__partner=partner))
        .select_related("person__institution", "instance")
    )
    candidates = [fact_from_mandate(m, partner=partner) for m in mandates]
    out = _violations_among(candidates, exclude_pks={m.pk for m in mandates}, partner=partner)
    for troika in Troika.objects.filter(Q(lead=partner) | Q(incoming=partner) | Q(outgoing=partner)).select_related(
        "lead", "incoming", "outgoing"
    ):
        for role in ("lead", "incoming", "outgoing"):
            if getattr(troika, f"{role}_id") == partner.pk:
                setattr(troika, role, partner)
        out.extend(v for v in troika_violations(troika) if v not in out)
    return out


@transaction.atomic
def troika_save(*, year: int, lead: Partner, incoming: Partner, outgoing: Partner) -> Troika:
    troika = Troika.objects.filter(year=year).first() or Troika(year=year)
    troika.lead, troika.incoming, troika.outgoing = lead, incoming, outgoing
    raise_for(troika_violations(troika))
    troika.full_clean()
    troika.save()
    return troika


@transaction.atomic
def person_mark_email_failed(*, person: Person, diagnostic: str, at=None) -> Person:
    """A message to the person's address bounced permanently: the directory and the dashboard say so."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.email_failed_at = at or timezone.now()
    person.email_failure = diagnostic[:2000]
    person.save(update_fields=["email_failed_at", "email_failure"])
    return person


@transaction.atomic
def person_clear_email_failure(*, person: Person) -> Person:
    """The address was corrected or proved to work again."""
    Person.objects.filter(pk=person.pk).update(email_failed_at=None, email_failure="")
    person.refresh_from_db(fields=["email_failed_at", "email_failure"])
    return person


def person_account_changed(*, person: Person, previous_user_id: int | None = None) -> None:
    """THE one place where leadership follows a person's login account (T7): the groups the person leads or
    co-leads give `manage_meetings` to their current, active account and take it from any other.

    Every path that links, unlinks, disables or enables an account ends here: `person_link_account`
    (activation, admin person page, demo data), the admin user page, `account_enable`, the lapse of accounts.
    `previous_user_id` is the account the person had before, whose grants must go.
    """
    sync_permissions_led_by(person)
    if previous_user_id and previous_user_id != person.user_id:
        # The old account may also be another person's now: re-sync that person's groups too.
        for other in Person.objects.filter(user_id=previous_user_id).exclude(pk=person.pk):
            sync_permissions_led_by(other)


@transaction.atomic
def person_link_account(*, person: Person, user, reason: str = "") -> Person:
    """Link a login account to a person (or unlink it with `user=None`) and move the leadership with it."""
    previous = Person.objects.filter(pk=person.pk).values_list("user_id", flat=True).first()
    person.user = user
    if reason:
        person._change_reason = reason
    person.save(update_fields=["user"])
    person_account_changed(person=person, previous_user_id=previous)
    return person


@transaction.atomic
def person_create(*, first_name: str, last_name: str, email: str, function: str, institution,
                  language: str = Person.Language.FR) -> Person:
    """A new person of the directory, outside the importer (the history generator's newcomers, for one)."""
    person = Person(first_name=first_name, last_name=last_name, email=normalise_address(email), function=function,
                    institution=institution, language=language)
    person.full_clean()
    person.save()
    return person
