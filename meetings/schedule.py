"""A year of ordinary meetings from each instance's rule (I3–I5), and the I4 advisory count for the GA."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from instances.models import Instance
from meetings.models import Meeting
from meetings.services import meeting_create

BAMAKO = ZoneInfo("Africa/Bamako")
# Months of the ordinary meetings for each periodicity, spread evenly from January.
MONTHS = {
    Instance.Periodicity.MONTHLY: list(range(1, 13)),
    Instance.Periodicity.BIMONTHLY: [1, 3, 5, 7, 9, 11],
    Instance.Periodicity.QUARTERLY: [1, 4, 7, 10],
    Instance.Periodicity.SEMIANNUAL: [1, 7],
    Instance.Periodicity.ANNUAL: [1],
    Instance.Periodicity.AD_HOC: [],
}
GA_MIN, GA_MAX = 2, 4


def nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    """The n-th (1–4) given weekday (0 = Monday) of a month; always exists since every month has 28+ days."""
    first = datetime.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + datetime.timedelta(days=offset + 7 * (n - 1))


def planned_dates(instance: Instance, year: int) -> list[datetime.date]:
    return [
        nth_weekday(year, month, instance.meeting_weekday, instance.meeting_week_of_month)
        for month in MONTHS.get(instance.periodicity, [])
    ]


class ScheduleResult(list):
    """The meetings created, and how many planned dates were skipped: already past, or already with a meeting
    of the instance (`planned` is the number of dates the instance's rule gives for the year)."""

    def __init__(self, created=(), skipped_past: int = 0, already_held: int = 0, planned: int | None = None):
        super().__init__(created)
        self.skipped_past = skipped_past
        self.already_held = already_held
        self.planned = len(self) + skipped_past + already_held if planned is None else planned


def schedule_outcome(result: ScheduleResult, *, instance: Instance, year: int) -> list[tuple[str, str]]:
    """[(level, sentence)]: what generating the year really did, and when nothing was created, why and what the
    secretariat can do instead — in the active language."""
    out = []
    if result:
        out.append(("success", ngettext("%(count)d meeting was created.", "%(count)d meetings were created.",
                                        len(result)) % {"count": len(result)}))
    elif result.planned == 0:
        out.append(("info", _("No meeting was created: %(instance)s has no periodicity that plans ordinary "
                              "meetings. Create its meetings one by one (“New meeting”).")
                    % {"instance": instance.code}))
    elif result.already_held == 0:
        out.append(("info", _("No meeting was created for %(year)d: the dates its rule plans are all past. Add "
                              "the meetings still needed one by one (“New meeting”), or convene an extraordinary "
                              "meeting.") % {"year": year}))
    elif result.skipped_past == 0:
        out.append(("info", _("No meeting was created: every date planned for %(year)d already has its meeting.")
                    % {"year": year}))
    else:
        out.append(("info", _("No meeting was created for %(year)d: the planned dates are either past or already "
                              "have their meeting. Add any other meeting by hand (“New meeting”), or convene an "
                              "extraordinary meeting.") % {"year": year}))
    if result.skipped_past:
        out.append(("info", ngettext("%(count)d date already past was skipped.",
                                     "%(count)d dates already past were skipped.",
                                     result.skipped_past) % {"count": result.skipped_past}))
    if result.already_held and result:
        out.append(("info", ngettext("%(count)d date already had its meeting.",
                                     "%(count)d dates already had their meeting.",
                                     result.already_held) % {"count": result.already_held}))
    return out


@transaction.atomic
def generate_year(*, instance: Instance, year: int, created_by=None,
                  now: datetime.datetime | None = None) -> ScheduleResult:
    """Create the year's ordinary meetings, skipping any date that already has a meeting of the instance
    and any date already past (counted in `skipped_past`); a year entirely past is refused.

    Each meeting's proposals close `instance.proposal_days_before` days before it (A1).
    Running it twice creates nothing new; the instance row is locked so two runs cannot both create.
    """

    now = now or timezone.now()
    if year < now.astimezone(BAMAKO).year:
        raise ValidationError(_("%(year)d is over: no meeting can be scheduled in a past year.") % {"year": year},
                              code="past_year")
    instance = Instance.objects.select_for_update().get(pk=instance.pk)
    start_of_year = datetime.datetime(year, 1, 1, tzinfo=BAMAKO)
    end_of_year = datetime.datetime(year + 1, 1, 1, tzinfo=BAMAKO)
    taken = {
        start.astimezone(BAMAKO).date()
        for start in Meeting.objects.filter(instance=instance, start__gte=start_of_year, start__lt=end_of_year)
        .values_list("start", flat=True)
    }
    duration = datetime.timedelta(minutes=instance.meeting_duration_minutes)
    notice = datetime.timedelta(days=instance.proposal_days_before)
    created, skipped_past, already_held = [], 0, 0
    dates = planned_dates(instance, year)
    for day in dates:
        if day in taken:
            already_held += 1
            continue
        start = datetime.datetime.combine(day, instance.meeting_time, tzinfo=BAMAKO)
        if start <= now:
            skipped_past += 1
            continue
        title = _("%(instance)s ordinary meeting — %(month)s") % {
            "instance": instance.code, "month": formats.date_format(day, "F Y"),
        }
        deadline = max(start - notice, now) if notice else None
        created.append(meeting_create(instance=instance, title=title, start=start, end=start + duration,
                                      proposal_deadline=deadline, created_by=created_by))
    return ScheduleResult(created, skipped_past, already_held, planned=len(dates))


# A past meeting counts once it was convened (it took place, or waits to be marked held); a past draft or
# proposed agenda never became a meeting.
TOOK_PLACE = (Meeting.Status.CONVENED, Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED)


def ga_meeting_count(year: int, now: datetime.datetime | None = None) -> int:
    """The GA meetings of a year (Bamako time) held or still to come, cancelled ones and past drafts aside (I4)."""
    now = now or timezone.now()
    start_of_year = datetime.datetime(year, 1, 1, tzinfo=BAMAKO)
    end_of_year = datetime.datetime(year + 1, 1, 1, tzinfo=BAMAKO)
    return (
        Meeting.objects.filter(instance__kind=Instance.Kind.GA, start__gte=start_of_year, start__lt=end_of_year)
        .exclude(status=Meeting.Status.CANCELLED)
        .filter(Q(start__gte=now) | Q(status__in=TOOK_PLACE))
        .count()
    )


def ga_meeting_count_warnings(year: int, now: datetime.datetime | None = None) -> list[str]:
    """I4 (advisory): the GA meets twice a year and more when needed, without multiplying meetings."""
    count = ga_meeting_count(year, now)
    if count < GA_MIN:
        return [ngettext("Only %(count)s GA meeting is planned in %(year)s; the GA meets at least twice a year (I4).",
                         "Only %(count)s GA meetings are planned in %(year)s; the GA meets at least twice a year (I4).",
                         count) % {"count": count, "year": year}]
    if count > GA_MAX:
        return [_("%(count)s GA meetings are planned in %(year)s; the GA should avoid multiplying meetings (I4).")
                % {"count": count, "year": year}]
    return []


__all__ = ["ScheduleResult", "generate_year", "ga_meeting_count", "ga_meeting_count_warnings", "nth_weekday", "planned_dates"]
