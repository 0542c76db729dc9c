"""What the reports add to the SEG dashboard: the year's GEC assiduity, absent partners, idle groups."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from instances.models import Instance
from secretariat.reports.activity import group_activity
from secretariat.reports.assiduity import absent_streaks, assiduity, year_range
from secretariat.reports.chart import bar_chart


@dataclass(frozen=True)
class ReportFacts:
    """What the reports read, when the dashboard has read it with the rest of the page: every instance
    (`activity.with_activity`, with their leaders), the GEC's held meetings of the year (by start), the held
    meetings that may make a streak of absences (latest first: at least each active body's last
    `ASSIDUITY_ABSENT_ALERT` with a register within `STREAK_REACH_DAYS`), and the outcomes of both."""

    instances: list
    gec_year: list
    streak_candidates: list
    outcomes: dict


def dashboard_reports(today: datetime.date | None = None, *, facts: ReportFacts | None = None) -> dict:
    """{"gec": the GEC's assiduity this year, "alerts": [{"rule", "message", "url"}], "groups": idle groups}."""
    today = today or timezone.localdate()
    if facts is None:
        instances = list(Instance.objects.filter(is_active=True).order_by("kind", "code"))
    else:
        instances = sorted((i for i in facts.instances if i.is_active), key=lambda i: (i.kind, i.code))
    gec = next((i for i in instances if i.kind == Instance.Kind.GEC), None)
    if gec is None:
        report = None
    elif facts is None:
        report = assiduity(gec, *year_range(today.year), sort="rate")
    else:
        report = assiduity(gec, *year_range(today.year), sort="rate", meetings=facts.gec_year,
                           outcomes={m.pk: facts.outcomes[m.pk] for m in facts.gec_year if m.pk in facts.outcomes})
    last = settings.ASSIDUITY_ABSENT_ALERT
    alerts = []
    streaks = (absent_streaks(instances, last, today) if facts is None else
               absent_streaks(instances, last, today, candidates=facts.streak_candidates, outcomes=facts.outcomes))
    for instance, partner in streaks:
        url = reverse("secretariat:assiduity") + f"?instance={instance.code}"
        alerts.append({"rule": "", "url": url, "message": ngettext(
            "%(partner)s has been absent from the last %(count)d meeting of the %(body)s.",
            "%(partner)s has been absent from the last %(count)d meetings of the %(body)s.", last)
            % {"partner": partner, "count": last, "body": instance.code}})
    idle = [g for g in group_activity(today, instances=None if facts is None else facts.instances) if g.overdue]
    for group in idle:
        alerts.append({"rule": "I5", "url": reverse("secretariat:group_activity"), "message": group.message})
    return {"gec": report, "alerts": alerts, "idle_groups": idle,
            "chart": bar_chart(report.rows) if report else "",
            "title": _("Attendance record of the GEC in %(year)d") % {"year": today.year}}
