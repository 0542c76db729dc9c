"""Who chairs a meeting (T3–T5 for GEC and GA, T7 for GT/GD)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from instances.models import Instance, Troika
from membership.models import Mandate

RULE_CODE = re.compile(r"\s*\((?:[ITMA]\d+(?:[–-][ITMA]?\d+)?)\)")


@dataclass(frozen=True)
class ChairResult:
    """The acting chair, or person=None when no one may chair under the rules."""

    person: object | None
    partner: object | None
    role: str | None  # a Troika.Role value, or "leader" / "co_lead" for a group
    reason: str
    rule: str

    @property
    def has_chair(self) -> bool:
        return self.person is not None

    @property
    def capacity(self) -> str:
        """In words, the capacity in which the chair presides (no rule code: partners read it)."""
        capacities = {
            Troika.Role.LEAD: _("lead of the year"),
            Troika.Role.INCOMING: _("deputy lead of the year, in the lead's absence"),
            Troika.Role.OUTGOING: _("outgoing lead, as interim"),
            "leader": _("group leader"),
            "co_lead": _("co-lead, in the leader's absence"),
        }
        return str(capacities.get(self.role, ""))

    @property
    def summary(self) -> str:
        """The one way every page, e-mail and PDF names the chair: "Elena Andersen (Banque mondiale, lead of
        the year)" — the name once, the partner and the capacity in brackets; or why nobody chairs, in words."""
        if self.person is None:
            return self.plain_reason
        partner = self.partner.name if self.partner is not None else ""
        inside = ", ".join(part for part in (partner, self.capacity) if part)
        name = getattr(self.person, "full_name", None) or str(self.person)
        return f"{name} ({inside})" if inside else name

    @property
    def plain_reason(self) -> str:
        """The reason without its rule code (recorded reasons carry one): the code stays in `rule`."""
        return RULE_CODE.sub("", str(self.reason)).strip()


@dataclass(frozen=True)
class TroikaSeats:
    """Who may chair a GEC or GA meeting before absences are known: the year's Troïka partners in the order of
    horizontal succession (T4), each with its titular in the instance (T5) or None. `found` is False when no
    Troïka is recorded for the year (T1). Read once, it answers for any set of absences."""

    year: int
    found: bool
    order: tuple[tuple[str, object, object | None], ...] = ()  # (Troïka role, partner, titular person)


def troika_seats(instance: Instance, on_date: datetime.date) -> TroikaSeats:
    """Two queries: the year's Troïka, then its partners' titulars in the instance with their partners."""
    troika = Troika.objects.filter(year=on_date.year).order_by().first()
    if troika is None:
        return TroikaSeats(year=on_date.year, found=False)
    members = [(Troika.Role.LEAD, troika.lead_id), (Troika.Role.INCOMING, troika.incoming_id),
               (Troika.Role.OUTGOING, troika.outgoing_id)]
    titulars = {
        m.person.institution.partner_id: m.person
        for m in Mandate.objects.active_on(on_date)
        .filter(instance=instance, role=Mandate.Role.TITULAR, person__institution__partner__in=[p for _r, p in members])
        .select_related("person__institution__partner").order_by("person__last_name", "start")
    }
    # A partner without a titular can never chair: it is not needed beyond its place in the order.
    order = tuple((role, titulars[pk].institution.partner if pk in titulars else None, titulars.get(pk))
                  for role, pk in members)
    return TroikaSeats(year=on_date.year, found=True, order=order)


def troika_seats_many(wanted) -> dict[tuple[int, datetime.date], TroikaSeats]:
    """`troika_seats` for many (instance, date) pairs in two queries whatever their number (list pages): the
    Troïkas of the years, then their partners' titulars in those instances, filtered by date here."""
    wanted = {(instance.pk, day): instance for instance, day in wanted}
    if not wanted:
        return {}
    troikas = {t.year: t for t in Troika.objects.filter(year__in={day.year for _pk, day in wanted}).order_by()}
    partner_ids = {pk for t in troikas.values() for pk in (t.lead_id, t.incoming_id, t.outgoing_id)}
    mandates = list(Mandate.objects.filter(instance_id__in={pk for pk, _day in wanted}, role=Mandate.Role.TITULAR,
                                           person__institution__partner__in=partner_ids)
                    .select_related("person__institution__partner").order_by("person__last_name", "start"))
    titulars = [(m.instance_id, m.start, m.end, m.person.institution.partner, m.person) for m in mandates]
    return troika_seats_from(wanted, troikas, titulars)


def troika_seats_from(wanted, troikas: dict, titulars: list) -> dict[tuple[int, datetime.date], TroikaSeats]:
    """`troika_seats_many` on what was read: `wanted` (instance id, date) pairs, `troikas` {year: Troïka} (at
    least those years), `titulars` (instance id, start, end, partner, person) of the titular mandates in those
    instances over those dates (at least those of the Troïkas' partners), ordered by the person's last name
    and the mandate's start."""
    out = {}
    for (instance_id, day) in wanted:
        troika = troikas.get(day.year)
        if troika is None:
            out[(instance_id, day)] = TroikaSeats(year=day.year, found=False)
            continue
        members = [(Troika.Role.LEAD, troika.lead_id), (Troika.Role.INCOMING, troika.incoming_id),
                   (Troika.Role.OUTGOING, troika.outgoing_id)]
        seated = {}
        for seat_instance, start, end, partner, person in titulars:
            if seat_instance == instance_id and start <= day and (end is None or end >= day):
                seated[partner.pk] = (partner, person)  # as troika_seats: the last in order
        out[(instance_id, day)] = TroikaSeats(year=day.year, found=True, order=tuple(
            (role, *seated.get(pk, (None, None))) for role, pk in members))
    return out


def acting_chair(instance: Instance, on_date: datetime.date, absent_person_ids=frozenset(),
                 seats: TroikaSeats | None = None) -> ChairResult:
    """`seats` (from `troika_seats`, same instance and date) saves reading the Troïka again for other absences."""
    absent = set(absent_person_ids)
    if instance.is_group:
        return _group_chair(instance, absent)
    return _troika_chair(instance, seats or troika_seats(instance, on_date), absent)


def _group_chair(instance: Instance, absent: set) -> ChairResult:
    """T7: the GT/GD leader chairs, seconded by the co-lead."""
    candidates = [
        ("leader", instance.leader_person, instance.leader_partner, _("group leader")),
        ("co_lead", instance.co_lead_person, instance.co_lead_partner, _("co-lead")),
    ]
    for role, person, partner, label in candidates:
        if person is not None and person.pk not in absent:
            if role == "leader":
                reason = _("%(partner)s, %(label)s, chairs (T7)")
            else:
                reason = _("%(partner)s, %(label)s, chairs in the leader's absence (T7)")
            name = partner.name if partner else person.institution.partner.name
            return ChairResult(person, partner, role, reason % {"partner": name, "label": label}, "T7")
    return ChairResult(None, None, None, _("Neither the leader nor the co-lead of the group is present (T7)."), "T7")


def _troika_chair(instance: Instance, seats: TroikaSeats, absent: set) -> ChairResult:
    """T3/T4: lead, then the deputy lead of the year, then the outgoing lead — partner to partner.

    T5: each Troïka partner is represented by its titular in this instance (GEC: head of
    cooperation; GA: ambassador). Succession never passes down to a partner's deputy.
    """

    if not seats.found:
        return ChairResult(None, None, None, _("No Troïka is recorded for %(year)s (T1).") % {"year": seats.year}, "T1")
    labels = {
        Troika.Role.LEAD: _("lead"),
        Troika.Role.INCOMING: _("deputy lead of the year"),
        Troika.Role.OUTGOING: _("outgoing lead"),
    }
    reasons = {
        Troika.Role.LEAD: _("%(partner)s, %(label)s, chairs (T3)"),
        Troika.Role.INCOMING: _("%(partner)s, %(label)s, chairs in the lead's absence (T4)"),
        Troika.Role.OUTGOING: _("%(partner)s, %(label)s, takes the interim (T4)"),
    }
    for role, partner, person in seats.order:
        if person is not None and person.pk not in absent:
            reason = reasons[role] % {"partner": partner.name, "label": labels[role]}
            return ChairResult(person, partner, role, reason, "T3" if role == Troika.Role.LEAD else "T4")
    return ChairResult(
        None, None, None,
        _("No member of the Troïka is present at the %(instance)s level: the meeting has no chair under the rules (T4).")
        % {"instance": instance.code},
        "T4",
    )
