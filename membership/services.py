"""Writes to the directory. Every mandate write goes through `validate_mandate` (rules M1–M9)."""

from __future__ import annotations

import datetime
from dataclasses import replace as dataclass_replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.addresses import normalise_address
from core.french import numeric_date, of_name, to_name, with_article
from instances.models import Instance, Troika
from instances.permissions import sync_permissions_led_by
from instances.services import instance_set_leadership
from membership import rules
from membership.models import Institution, Mandate, Partner, Person


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
        partner_article=partner.article,
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
    facts: list[rules.MandateFact], exclude_pks: set, *, person: Person | None = None, partner: Partner | None = None,
    partner_of_person: dict | None = None,
) -> list[rules.MandateFact]:
    """Saved mandates that may conflict with `facts`: same partner, same person, paired expert, or a binôme
    paired with one of them (M8 is checked on the binôme, so an edit of the expert must see it).

    `person` / `partner` (edited, unsaved) replace the saved values wherever they appear, so a
    rule comparing two mandates (M7) sees the same person or partner on both sides; `partner_of_person`
    ({person pk: Partner}) moves people to another partner (an institution changing partner).
    """
    partner_of_person = partner_of_person or {}
    partner_ids = {f.partner_key for f in facts}
    person_ids = {f.person_key for f in facts if isinstance(f.person_key, int)}
    paired = {f.pairs_with_key for f in facts if isinstance(f.pairs_with_key, int)}
    saved_keys = {f.key for f in facts if isinstance(f.key, int)}
    earliest = min(f.start for f in facts)
    ends = [f.end for f in facts]
    latest = None if any(e is None for e in ends) else max(ends)
    qs = (
        Mandate.objects.overlapping(earliest, latest)
        .filter(Q(person__institution__partner_id__in=partner_ids) | Q(person_id__in=person_ids))
        | Mandate.objects.filter(pk__in=paired)
        | Mandate.objects.filter(pairs_with_id__in=saved_keys)
    )
    qs = qs.exclude(pk__in=exclude_pks).select_related("person__institution__partner", "instance").distinct()
    out = []
    for m in qs:
        p = person if person is not None and m.person_id == person.pk else None
        partner_now = partner if partner is not None and (p or m.person).institution.partner_id == partner.pk else None
        partner_now = partner_of_person.get(m.person_id, partner_now)
        out.append(fact_from_mandate(m, person=p, partner=partner_now))
    return out


def _violations_among(
    candidates: list[rules.MandateFact], *, exclude_pks: set, person: Person | None = None,
    partner: Partner | None = None, partner_of_person: dict | None = None,
) -> list[rules.Violation]:
    """Hard-rule violations that involve at least one of `candidates`, against the saved directory."""
    if not candidates:
        return []
    others = _related_facts(candidates, exclude_pks, person=person, partner=partner,
                            partner_of_person=partner_of_person)
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


def _leadership_violations(people: list[Person], partner_of_person: dict) -> list[rules.Violation]:
    """T7 across records: a leader or co-lead moved to another partner no longer carries their group's partner."""
    moved = {p.pk: p for p in people if p.pk in partner_of_person}
    if not moved:
        return []
    out = []
    groups = Instance.objects.filter(Q(leader_person_id__in=moved) | Q(co_lead_person_id__in=moved)).select_related(
        "leader_partner", "co_lead_partner").order_by("code")
    for group in groups:
        for person_id, partner, label in ((group.leader_person_id, group.leader_partner, _("leader")),
                                          (group.co_lead_person_id, group.co_lead_partner, _("co-lead"))):
            if person_id not in moved or partner is None:
                continue
            now = partner_of_person[person_id]
            if now.pk != partner.pk:
                out.append(rules.Violation("T7", _(
                    "%(person)s is the %(role)s of %(group)s for %(partner)s and would belong %(to_now)s: designate "
                    "another %(role)s of %(group)s first.") % {
                    "person": moved[person_id].full_name, "role": label, "group": group.code,
                    "partner": with_article(partner.name, article=partner.article),
                    "to_now": to_name(now.name, article=now.article)}))
    return out


def person_violations(person: Person, *, lock: bool = False) -> list[rules.Violation]:
    """Changing a person's function or institution re-checks their current and future mandates, the binômes
    paired with them (M8) and the groups they lead (T7)."""
    if person.pk is None:
        return []
    if lock:
        saved_partner = Person.objects.filter(pk=person.pk).values_list("institution__partner_id", flat=True).first()
        for partner_id in sorted({saved_partner, person.institution.partner_id} - {None}):
            lock_partner(partner_id)
    mandates = list(_current_and_future(person.mandates.all()).select_related("instance"))
    candidates = [fact_from_mandate(m, person=person) for m in mandates]
    out = _violations_among(candidates, exclude_pks={m.pk for m in mandates}, person=person)
    out.extend(_leadership_violations([person], {person.pk: person.institution.partner}))
    return out


@transaction.atomic
def person_update(*, person: Person, **fields) -> Person:
    """Edit a person: a change of institution or function is refused when it would break a rule of their
    mandates, of the binômes paired with them (M8) or of the groups they lead (T7)."""
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    raise_for(person_violations(person, lock=True))
    person.save()
    return person


def institution_violations(institution: Institution, *, lock: bool = False) -> list[rules.Violation]:
    """An institution moved to another partner moves its people: their seats (M2, M6, M7), the binômes paired
    with them (M8) and the groups they lead (T7) are re-checked as if they belonged to the new partner."""
    if institution.pk is None:
        return []
    saved = Institution.objects.filter(pk=institution.pk).values_list("partner_id", flat=True).first()
    if saved == institution.partner_id:
        return []
    if lock:
        for partner_id in sorted({saved, institution.partner_id} - {None}):
            lock_partner(partner_id)
    partner = institution.partner
    people = list(institution.people.all())
    moved = {p.pk: partner for p in people}
    mandates = list(_current_and_future(Mandate.objects.filter(person__institution=institution))
                    .select_related("person", "instance"))
    candidates = [fact_from_mandate(m, partner=partner) for m in mandates]
    out = _violations_among(candidates, exclude_pks={m.pk for m in mandates}, partner_of_person=moved)
    out.extend(_leadership_violations(people, moved))
    return out


@transaction.atomic
def institution_update(*, institution: Institution, **fields) -> Institution:
    for name, value in fields.items():
        setattr(institution, name, value)
    institution.full_clean()
    raise_for(institution_violations(institution, lock=True))
    institution.save()
    return institution


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
def partner_update(*, partner: Partner, **fields) -> Partner:
    """Edit a partner: a change of type or UN coordination is refused when it would break what the partner
    holds (M4, M5, M7) or a Troïka it sits in (T2)."""
    lock_partner(partner.pk)
    for name, value in fields.items():
        setattr(partner, name, value)
    partner.full_clean()
    raise_for(partner_violations(partner))
    partner.save()
    return partner


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


# --- ending, deleting and replacing mandates -------------------------------------------------------------


def mandate_recorded_on(mandate: Mandate) -> datetime.date | None:
    """The day the mandate was entered in the directory (its history's creation row), if known."""
    created = mandate.history.filter(history_type="+").order_by("history_date").values_list(
        "history_date", flat=True).first()
    return timezone.localdate(created) if created is not None else None


def mandate_deletion_refusal(mandate: Mandate, *, today: datetime.date | None = None) -> str | None:
    """Why the mandate may not be deleted, or None when it may.

    Mandates are ended, not deleted: a mandate is the record of who held a seat, which invitations,
    attendance and access were decided on. Only a mandate entered by mistake may be deleted, that is
    one recorded today (the same day, whatever its dates), and only when no binôme pairs with it (M8).
    """
    today = today or timezone.localdate()
    binomes = [str(b.person) for b in mandate.binomes.select_related("person")]
    if binomes:
        return _("The mandate %(of_who)s in %(instance)s cannot be deleted: %(binomes)s pairs with it as binôme "
                 "(M8). End it instead, or pair the binôme with another expert first.") % {
            "of_who": of_name(mandate.person.full_name), "instance": mandate.instance.code, "binomes": ", ".join(binomes)}
    if mandate_recorded_on(mandate) != today:
        return _("The mandate %(of_who)s in %(instance)s has been in the directory since before today: a mandate "
                 "is ended, not deleted. Use “End the mandate”.") % {
            "of_who": of_name(mandate.person.full_name), "instance": mandate.instance.code}
    return None


@transaction.atomic
def mandate_delete(*, mandate: Mandate) -> None:
    """Delete a mandate entered by mistake today (see `mandate_deletion_refusal`)."""
    mandate = Mandate.objects.select_for_update().select_related("person", "instance").get(pk=mandate.pk)
    refusal = mandate_deletion_refusal(mandate)
    if refusal:
        raise ValidationError(refusal)
    mandate.delete()


@transaction.atomic
def mandate_end(*, mandate: Mandate, end: datetime.date) -> Mandate:
    """End a mandate on `end` (inclusive: the person holds the seat that whole day)."""
    return mandate_update(mandate=mandate, end=end)


@transaction.atomic
def mandate_replace(
    *,
    mandate: Mandate,
    on: datetime.date,
    successor: Person | None = None,
    new_person: dict | None = None,
    transfer_binomes: bool = True,
    transfer_leadership: bool = True,
) -> Mandate:
    """The successor takes the seat on `on`: the mandate ends the day before (end dates are inclusive), a new
    one of the same instance, role and authority starts that day (until the old planned end, if any).

    `successor` is an existing person, or `new_person` the fields of one to create (first_name, last_name,
    email, institution, function, language). With `transfer_binomes` the binômes paired with the old mandate
    pair with the new one (M8); with `transfer_leadership` the group the predecessor leads or co-leads is
    carried by the successor (T7). The rules run once on the result; any violation refuses the whole change.
    """
    mandate = Mandate.objects.select_for_update().select_related("person__institution__partner", "instance").get(
        pk=mandate.pk)
    errors: dict[str, list[str]] = {}
    if on <= mandate.start:
        errors.setdefault("on", []).append(
            _("The change must come after the start of the mandate (%(start)s).") % {
                "start": numeric_date(mandate.start)})
    elif mandate.end is not None and mandate.end < on - datetime.timedelta(days=1):
        errors.setdefault("on", []).append(
            _("The mandate already ended on %(end)s: record the successor as a new mandate.") % {
                "end": numeric_date(mandate.end)})
    if successor is None and not new_person:
        errors.setdefault("successor", []).append(_("Choose the successor, or enter a new person."))
    if errors:
        raise ValidationError(errors)
    if successor is None:
        successor = Person(**new_person)
        successor.full_clean()
        successor.save()
    if successor.pk == mandate.person_id:
        raise ValidationError({"successor": [_("The successor must be another person than %(who)s.") % {
            "who": mandate.person.full_name}]})
    for partner_id in sorted({mandate.person.institution.partner_id, successor.institution.partner_id}):
        lock_partner(partner_id)
    old_end = mandate.end
    mandate.end = on - datetime.timedelta(days=1)
    new = Mandate(person=successor, instance=mandate.instance, role=mandate.role, start=on, end=old_end,
                  pairs_with=mandate.pairs_with, authority=mandate.authority, limits=mandate.limits)
    mandate.full_clean()
    new.full_clean(exclude=["pairs_with"] if mandate.pairs_with_id else None)
    binomes = []
    if transfer_binomes:
        binomes = list(_current_and_future(mandate.binomes.all()).filter(Q(end__isnull=True) | Q(end__gte=on))
                       .select_related("person__institution__partner", "instance"))
    # The rules see the result as a whole: the old mandate ended, the new one, and the binômes re-paired.
    candidates = [mandate, new]
    for b in binomes:
        b.pairs_with = new
    facts = [fact_from_mandate(mandate), fact_from_mandate(new, key="new")]
    facts += [dataclass_replace(fact_from_mandate(b), pairs_with_key="new") for b in binomes]
    raise_for(_violations_among(facts, exclude_pks={m.pk for m in candidates if m.pk} | {b.pk for b in binomes}))
    mandate.save()
    new.save()
    for b in binomes:
        b.pairs_with = new
        b.save(update_fields=["pairs_with"])
    if transfer_leadership and mandate.instance.is_group:
        group = mandate.instance
        changes = {}
        if group.leader_person_id == mandate.person_id:
            changes["leader_person"] = successor
        if group.co_lead_person_id == mandate.person_id:
            changes["co_lead_person"] = successor
        if changes:
            leadership = {name: getattr(group, name) for name in
                          ("leader_partner", "leader_person", "co_lead_partner", "co_lead_person")}
            leadership.update(changes)
            instance_set_leadership(instance=group, **leadership)
    return new
