"""Advisory rules about the directory (DOMAIN.md M4, T7, M8, T1 real-world note) and mandates about to end.

The portal warns the secretariat and lets it decide: nothing here refuses a write. The whole
check reads a fixed handful of queries, whatever the size of the directory.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.french import long_date, of_name
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


def directory_compliance(on_date: datetime.date | None = None) -> list[ComplianceWarning]:
    """The advisory warnings about the directory on `on_date` (default today), sorted by rule.

    Warnings about meetings (I4) are added by `meetings.compliance.compliance`, which the dashboard shows.
    """
    on_date = on_date or timezone.localdate()
    every_instance = {i.pk: i for i in Instance.objects.select_related(
        "leader_partner", "leader_person", "co_lead_partner", "co_lead_person")}
    instances = [i for i in every_instance.values() if i.is_active]
    # The dashboard runs this on every visit: the directory's mandates as plain rows (no model objects), with
    # their instance from the dict above; no ordering (the warnings are sorted below).
    mandates = [
        _Seat(*row, instance=every_instance[row[1]])
        for row in Mandate.objects.active_on(on_date).order_by().values_list(*_SEAT_COLUMNS)
    ]
    warnings = [
        *_one_un(instances, mandates),
        *_group_leadership(instances, mandates),
        *_experts_without_binome(mandates),
        *_troika(on_date),
        *_ending_soon(mandates, on_date),
    ]
    return sort_warnings(warnings)


_SEAT_COLUMNS = ("pk", "instance_id", "person_id", "role", "pairs_with_id", "end", "person__first_name",
                 "person__last_name", "person__institution__partner__name",
                 "person__institution__partner__partner_type")


@dataclass(frozen=True)
class _Seat:
    """An active mandate as the checks read it."""

    pk: int
    instance_id: int
    person_id: int
    role: str
    pairs_with_id: int | None
    end: datetime.date | None
    first_name: str
    last_name: str
    partner_name: str
    partner_type: str
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


def _troika(on_date) -> list[ComplianceWarning]:
    """T1 (real-world note): two bilateral partners plus one multilateral, sliding every year."""
    year = on_date.year
    troikas = {t.year: t for t in Troika.objects.filter(year__in=[year - 1, year]).select_related(
        "lead", "incoming", "outgoing")}
    current, previous = troikas.get(year), troikas.get(year - 1)
    if current is None:
        # No object to point at: the Troïka changelist is where it is recorded.
        return [ComplianceWarning("T1", _("No Troïka is recorded for %(year)d.") % {"year": year}, WARNING,
                                  Troika._meta.label_lower, None, reverse("admin:instances_troika_changelist"))]
    out = []
    partners = [p for _role, p in current.members()]
    bilateral = sum(p.partner_type == Partner.Type.BILATERAL for p in partners)
    if bilateral != 2:
        out.append(make_warning("T1", ngettext(
            "The Troïka %(year)d has %(count)d bilateral partner: since 2011 it has been two bilateral partners and "
            "one multilateral.",
            "The Troïka %(year)d has %(count)d bilateral partners: since 2011 it has been two bilateral partners and "
            "one multilateral.", bilateral) % {"year": year, "count": bilateral}, current))
    if previous is not None:
        if current.lead_id != previous.incoming_id:
            out.append(make_warning("T1", _("The Troïka does not slide: the lead of %(year)d is %(lead)s, but the deputy "
                                        "lead of %(last)d was %(incoming)s.")
                                % {"year": year, "lead": current.lead.name, "last": year - 1,
                                   "incoming": previous.incoming.name}, current))
        if current.outgoing_id != previous.lead_id:
            out.append(make_warning("T1", _("The Troïka does not slide: the outgoing lead of %(year)d is %(outgoing)s, "
                                        "but the lead of %(last)d was %(lead)s.")
                                % {"year": year, "outgoing": current.outgoing.name, "last": year - 1,
                                   "lead": previous.lead.name}, current))
    return out


def _ending_soon(mandates, on_date) -> list[ComplianceWarning]:
    limit = on_date + datetime.timedelta(days=ENDING_WITHIN_DAYS)
    by_day = defaultdict(list)
    for m in mandates:
        if m.end is not None and m.end <= limit:
            by_day[m.end].append(m)
    return [
        _seat_warning(EXPIRY, _("The mandate %(of_person)s (%(partner)s, %(role)s) in %(instance)s ends on %(end)s.")
                      % {"of_person": of_name(m.person_name), "partner": m.partner_name, "role": m.role_label,
                         "instance": m.instance.code, "end": long_date(m.end)}, m, INFO)
        for day in sorted(by_day) for m in by_day[day]
    ]
