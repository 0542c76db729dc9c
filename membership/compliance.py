"""Advisory rules about the directory (DOMAIN.md M4, T7, M8, T1 real-world note) and mandates about to end.

The portal warns the secretariat and lets it decide: nothing here refuses a write. The whole
check reads a fixed handful of queries, whatever the size of the directory.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.french import long_date, of_name, with_article
from instances.models import Instance, Troika
from membership.models import Mandate, Partner, Person

WARNING, INFO = "warning", "info"
ENDING_WITHIN_DAYS = 60
EXPIRY = "EXPIRY"  # not a DOMAIN rule: a reminder to renew or replace a mandate


@dataclass(frozen=True)
class ComplianceWarning:
    """One advisory finding, with the object the secretariat should open to act on it."""

    rule: str
    message: str
    severity: str
    model: str  # "app_label.model_name"
    object_id: int | None
    url: str

    def __str__(self):
        return f"{self.message} ({self.tag})" if self.tag else self.message

    @property
    def tag(self) -> str:
        """The rule ID to show after the message: none for a reminder (no rule) or when the message cites it."""
        if self.rule == EXPIRY or f"({self.rule})" in self.message or f"{self.rule})" in self.message:
            return ""
        return self.rule


Warning = ComplianceWarning  # the name the callers use; shadows the builtin only in this module


def make_warning(rule: str, message: str, obj, severity: str = WARNING) -> ComplianceWarning:
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    return ComplianceWarning(rule, message, severity, meta.label_lower, obj.pk, url)


def directory_compliance(on_date: datetime.date | None = None, *, instances=None, seat_rows=None,
                         troikas=None) -> list[ComplianceWarning]:
    """The advisory warnings about the directory on `on_date` (default today), sorted by rule.

    Warnings about meetings (I4) are added by `meetings.compliance.compliance`, which the dashboard shows.
    The dashboard, which reads more than the warnings, passes what it has already read: every instance (with
    its leaders), the mandates as rows of `SEAT_COLUMNS` (at least those `seat_filter` selects; the others
    are left out here) and the Troïkas by year (at least `troika_years`); otherwise they are read here.
    """
    on_date = on_date or timezone.localdate()
    if instances is None:
        instances = Instance.objects.select_related("leader_partner", "leader_person", "co_lead_partner",
                                                    "co_lead_person")
    every_instance = {i.pk: i for i in instances}
    instances = [i for i in every_instance.values() if i.is_active]
    # The dashboard runs this on every visit: the directory's mandates as plain rows (no model objects), with
    # their instance from the dict above; no ordering (the warnings are sorted below).
    # In the same query, the mandates starting soon: a mandate ending soon whose successor is recorded is done.
    if seat_rows is None:
        seat_rows = Mandate.objects.filter(seat_filter(on_date)).order_by().values_list(*SEAT_COLUMNS)
    else:
        seat_rows = [row for row in seat_rows if seat_wanted(row[5], row[6], on_date)]
    rows = [_Seat(*row[:len(SEAT_COLUMNS)], instance=every_instance[row[1]]) for row in seat_rows]
    mandates = [m for m in rows if m.start <= on_date]
    upcoming = [m for m in rows if m.start > on_date]
    warnings = [
        *_one_un(instances, mandates),
        *_group_leadership(instances, mandates),
        *_experts_without_binome(mandates),
        *_deputies_without_titular(mandates),
        *_troika(on_date, troikas),
        *_ending_soon(mandates, upcoming, on_date),
    ]
    return sort_warnings(warnings)


def seat_filter(on_date: datetime.date) -> Q:
    """The mandates the checks read: those held on the day, and those starting within the reminder's reach."""
    upcoming_until = on_date + datetime.timedelta(days=ENDING_WITHIN_DAYS + 1)
    return (Q(start__lte=on_date, end__isnull=True) | Q(start__lte=on_date, end__gte=on_date)
            | Q(start__gt=on_date, start__lte=upcoming_until))


def seat_wanted(start: datetime.date, end: datetime.date | None, on_date: datetime.date) -> bool:
    """`seat_filter` for a row already read."""
    upcoming_until = on_date + datetime.timedelta(days=ENDING_WITHIN_DAYS + 1)
    return (start <= on_date and (end is None or end >= on_date)) or on_date < start <= upcoming_until


SEAT_COLUMNS = ("pk", "instance_id", "person_id", "role", "pairs_with_id", "start", "end", "person__first_name",
                 "person__last_name", "person__institution__partner__name",
                 "person__institution__partner__partner_type", "person__institution__partner__article")


@dataclass(frozen=True)
class _Seat:
    """An active mandate as the checks read it."""

    pk: int
    instance_id: int
    person_id: int
    role: str
    pairs_with_id: int | None
    start: datetime.date
    end: datetime.date | None
    first_name: str
    last_name: str
    partner_name: str
    partner_type: str
    partner_article: str
    instance: Instance

    @property
    def person_name(self) -> str:
        return Person.name_of(self.first_name, self.last_name)

    @property
    def role_label(self) -> str:
        return Mandate.Role(self.role).label


def _seat_warning(rule: str, message: str, seat: _Seat, severity: str = WARNING) -> ComplianceWarning:
    """A warning that opens the mandate in admin."""
    url = reverse("admin:membership_mandate_change", args=[seat.pk])
    return ComplianceWarning(rule, message, severity, Mandate._meta.label_lower, seat.pk, url)


def sort_warnings(warnings) -> list[ComplianceWarning]:
    return sorted(warnings, key=lambda w: (w.rule, w.message))


def _one_un(instances, mandates) -> list[ComplianceWarning]:
    """M4 (advisory policy): several UN agencies holding separate GEC seats."""
    gec = next((i for i in instances if i.kind == Instance.Kind.GEC), None)
    if gec is None or gec.one_un_policy == Instance.OneUNPolicy.STRICT:
        return []  # under the strict policy M4 is a hard rule, refused at write time
    agencies = sorted({
        m.partner_name for m in mandates if m.instance_id == gec.pk and m.partner_type == Partner.Type.UN_SYSTEM
    })
    if len(agencies) < 2:
        return []
    return [make_warning("M4", _("%(count)d UN agencies hold separate GEC seats (%(agencies)s): in the spirit of One "
                             "UN they should speak as one.") % {"count": len(agencies), "agencies": ", ".join(agencies)},
                     gec)]


def _group_leadership(instances, mandates) -> list[ComplianceWarning]:
    """T7: every GT/GD has a leader, and the people who lead it sit in it."""
    seated = {(m.instance_id, m.person_id) for m in mandates}
    out = []
    for group in instances:
        if not group.is_group:
            continue
        if group.leader_partner is None:
            out.append(make_warning("T7", _("%(group)s has no leader.") % {"group": group.code}, group))
        elif group.leader_person is None:
            out.append(make_warning("T7", _("%(group)s: %(partner)s leads the group but no person is designated to "
                                        "carry it.") % {"group": group.code, "partner": group.leader_partner.name},
                                group))
        for person, label in ((group.leader_person, _("leader")), (group.co_lead_person, _("co-lead"))):
            if person is not None and (group.pk, person.pk) not in seated:
                out.append(make_warning("T7", _("%(group)s: the %(role)s %(person)s holds no current mandate in the "
                                            "group.") % {"group": group.code, "role": label,
                                                         "person": person.full_name}, group))
    return out


def _experts_without_binome(mandates) -> list[ComplianceWarning]:
    """M8: each GT/GD expert is paired with a binôme able to take over."""
    paired = {m.pairs_with_id for m in mandates if m.role == Mandate.Role.BINOME}
    return [
        _seat_warning("M8", _("%(person)s (%(partner)s), expert in %(group)s, has no active binôme.")
                      % {"person": m.person_name, "partner": m.partner_name, "group": m.instance.code}, m)
        for m in mandates if m.role == Mandate.Role.EXPERT and m.pk not in paired
    ]


# From this day of the year the dashboard also checks next year's Troïka: January's GEC, convened in
# December, already takes its chair from it (T3), and the partners agree on it in the autumn.
NEXT_TROIKA_FROM = (9, 1)


def troika_years(on_date) -> list[int]:
    """The years whose Troïka T1's check reads: last year's, this year's, and next year's from the autumn."""
    year = on_date.year
    return [year - 1, year, year + 1] if (on_date.month, on_date.day) >= NEXT_TROIKA_FROM else [year - 1, year]


def _troika(on_date, troikas=None) -> list[ComplianceWarning]:
    """T1 (real-world note): two bilateral partners plus one multilateral, sliding every year; this year's
    Troïka, and next year's from the autumn. `troikas`: {year: Troïka with its partners}, when already read."""
    year = on_date.year
    years = troika_years(on_date)[1:]
    if troikas is None:
        troikas = {t.year: t for t in Troika.objects.filter(year__in=troika_years(on_date)).select_related(
            "lead", "incoming", "outgoing")}
    out = []
    for checked in years:
        current = troikas.get(checked)
        if current is None:
            # No object to point at: the Troïka changelist is where it is recorded.
            message = (_("No Troïka is recorded for %(year)d.") if checked == year else
                       _("No Troïka is recorded yet for %(year)d: January's GEC, convened in December, takes its "
                         "chair from it.")) % {"year": checked}
            out.append(ComplianceWarning("T1", message, WARNING, Troika._meta.label_lower, None,
                                         reverse("admin:instances_troika_changelist")))
            continue
        out.extend(make_warning("T1", message, current)
                   for message in troika_advisories(current, troikas.get(checked - 1)))
    return out


def troika_advisories(current: Troika, previous: Troika | None) -> list[str]:
    """T1's real-world note as sentences: two bilateral partners and one multilateral, sliding from `previous`
    (incoming → lead → outgoing). Shown on the dashboard and when the Troïka is saved in the admin."""
    year = current.year
    out = []
    partners = [p for _role, p in current.members()]
    bilateral = sum(p.partner_type == Partner.Type.BILATERAL for p in partners)
    if bilateral != 2:
        out.append(ngettext(
            "The Troïka %(year)d has %(count)d bilateral partner: since 2011 it has been two bilateral partners and "
            "one multilateral.",
            "The Troïka %(year)d has %(count)d bilateral partners: since 2011 it has been two bilateral partners and "
            "one multilateral.", bilateral) % {"year": year, "count": bilateral})
    if previous is not None:
        if current.lead_id != previous.incoming_id:
            out.append(_("The Troïka does not slide: the lead of %(year)d is %(lead)s, but the deputy "
                         "lead of %(last)d was %(incoming)s.")
                       % {"year": year, "lead": current.lead.name, "last": year - 1,
                          "incoming": previous.incoming.name})
        if current.outgoing_id != previous.lead_id:
            out.append(_("The Troïka does not slide: the outgoing lead of %(year)d is %(outgoing)s, "
                         "but the lead of %(last)d was %(lead)s.")
                       % {"year": year, "outgoing": current.outgoing.name, "last": year - 1,
                          "lead": previous.lead.name})
    return out


def _deputies_without_titular(mandates) -> list[ComplianceWarning]:
    """M3 (and M6 in the GA): a deputy decides in the titular's absence, so the partner has a titular."""
    titulars = {(m.instance_id, m.partner_name) for m in mandates if m.role == Mandate.Role.TITULAR}
    return [
        _seat_warning("M3", _("%(person)s is the deputy %(of_partner)s in the %(instance)s, but %(partner)s has no "
                              "titular there: the deputy stands in for a titular (M3).")
                      % {"person": m.person_name, "of_partner": of_name(m.partner_name, article=m.partner_article),
                         "partner": with_article(m.partner_name, article=m.partner_article),
                         "instance": m.instance.code}, m)
        for m in mandates
        if m.role == Mandate.Role.DEPUTY and m.instance.kind in (Instance.Kind.GEC, Instance.Kind.GA)
        and (m.instance_id, m.partner_name) not in titulars
    ]


def _succeeded(ending, upcoming) -> set[int]:
    """Mandates ending soon whose successor is already recorded: the same seat (instance, role, partner)
    taken by a mandate starting after them and no later than the day after they end."""
    starts = defaultdict(list)
    for m in upcoming:
        starts[(m.instance_id, m.role, m.partner_name)].append(m.start)
    return {m.pk for m in ending
            if any(m.end < s <= m.end + datetime.timedelta(days=1)
                   for s in starts.get((m.instance_id, m.role, m.partner_name), ()))}


def _ending_soon(mandates, upcoming, on_date) -> list[ComplianceWarning]:
    """Mandates ending within ENDING_WITHIN_DAYS whose successor is not recorded yet."""
    limit = on_date + datetime.timedelta(days=ENDING_WITHIN_DAYS)
    succeeded = _succeeded([m for m in mandates if m.end is not None and m.end <= limit], upcoming)
    by_day = defaultdict(list)
    for m in mandates:
        if m.end is not None and m.end <= limit and m.pk not in succeeded:
            by_day[m.end].append(m)
    return [
        _seat_warning(EXPIRY, _("The mandate %(of_person)s (%(partner)s, %(role)s) in %(instance)s ends on %(end)s.")
                      % {"of_person": of_name(m.person_name), "partner": m.partner_name, "role": m.role_label,
                         "instance": m.instance.code, "end": long_date(m.end)}, m, INFO)
        for day in sorted(by_day) for m in by_day[day]
    ]
