"""Group activity: is each GT/GD still meeting at the rhythm it chose (I5)?

I5 leaves the periodicity to the group; the portal reads it from the group's schedule rule (monthly,
quarterly…). **Interpretation** (advisory): a group is past its rhythm when its last held meeting is older
than its interval plus one month of grace (a monthly group after two months), or, for a group that meets
"when needed" or never met, when it held no meeting in the last twelve months.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import ngettext

from instances.models import Instance
from meetings.models import Meeting

HELD = (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED)
PER_YEAR = {
    Instance.Periodicity.MONTHLY: 12,
    Instance.Periodicity.BIMONTHLY: 6,
    Instance.Periodicity.QUARTERLY: 4,
    Instance.Periodicity.SEMIANNUAL: 2,
    Instance.Periodicity.ANNUAL: 1,
    Instance.Periodicity.AD_HOC: None,
}
GRACE_MONTHS = 1


def months_between(earlier: datetime.date, later: datetime.date) -> int:
    """Whole months from `earlier` to `later` (7 from 10 April to 12 November)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


@dataclass
class GroupActivity:
    """One GT/GD: meetings held in the last twelve months against its rule, last meeting, leadership."""

    instance: Instance
    held_last_year: int
    expected_per_year: int | None
    last_meeting: datetime.date | None
    months_since: int | None
    overdue: bool

    @property
    def lead(self) -> str:
        return _who(self.instance.leader_person, self.instance.leader_partner)

    @property
    def co_lead(self) -> str:
        return _who(self.instance.co_lead_person, self.instance.co_lead_partner)

    @property
    def message(self) -> str:
        code = self.instance.code
        if self.months_since is None:
            return ngettext("%(group)s has held no meeting in the last %(months)d month.",
                            "%(group)s has held no meeting in the last %(months)d months.", 12) % {
                "group": code, "months": 12}
        return ngettext("%(group)s has not met for %(months)d month.",
                        "%(group)s has not met for %(months)d months.", self.months_since) % {
            "group": code, "months": self.months_since}


def _who(person, partner) -> str:
    if person is not None and partner is not None:
        return f"{person.full_name} ({partner.name})"
    return person.full_name if person is not None else (partner.name if partner is not None else "")


def _bounds(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """(a year ago, the end of today): the held meetings counted are those before the end of today, the
    recent ones since a year ago."""
    tz = timezone.get_current_timezone()
    return (datetime.datetime.combine(today - datetime.timedelta(days=365), datetime.time(), tz),
            datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(), tz))


def with_activity(instances, today: datetime.date):
    """The instances queryset annotated, in the same query, with `held_last` (the start of the last held
    meeting) and `held_recent` (held meetings in the last twelve months): what `group_activity` reads."""
    year_ago, until = _bounds(today)
    held = Meeting.objects.filter(instance=OuterRef("pk"), status__in=HELD, start__lt=until).order_by()
    return instances.annotate(
        held_last=Subquery(held.order_by("-start").values("start")[:1]),
        held_recent=Coalesce(Subquery(held.filter(start__gte=year_ago).values("instance")
                                      .annotate(n=Count("pk")).values("n")), 0))


def group_activity(today: datetime.date | None = None, *, instances=None) -> list[GroupActivity]:
    """Every active GT/GD, in two queries whatever their number; none when `instances` (every instance, with
    their leaders, read through `with_activity` for the same day) are given."""
    today = today or timezone.localdate()
    year_ago, until = _bounds(today)
    if instances is not None:
        groups = sorted((i for i in instances if i.is_active and i.kind in (Instance.Kind.GT, Instance.Kind.GD)),
                        key=lambda i: i.code)
        stats = {i.pk: {"last": i.held_last, "recent": i.held_recent} for i in groups if i.held_last is not None}
    else:
        groups = list(
            Instance.objects.filter(is_active=True, kind__in=[Instance.Kind.GT, Instance.Kind.GD])
            .select_related("leader_person", "leader_partner", "co_lead_person", "co_lead_partner")
            .order_by("code")
        )
        stats = {
            row["instance_id"]: row
            for row in Meeting.objects.filter(instance__in=groups, status__in=HELD, start__lt=until)
            .values("instance_id").annotate(last=Max("start"), recent=Count("pk", filter=Q(start__gte=year_ago)))
        }
    out = []
    for group in groups:
        row = stats.get(group.pk)
        last = timezone.localtime(row["last"]).date() if row else None
        months = months_between(last, today) if last else None
        per_year = PER_YEAR.get(group.periodicity)
        if last is None:
            overdue = True
        elif per_year:
            overdue = months > 12 // per_year + GRACE_MONTHS
        else:
            overdue = months >= 12
        out.append(GroupActivity(group, row["recent"] if row else 0, per_year, last, months, overdue))
    return out
