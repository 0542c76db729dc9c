"""What the reports add to the SEG dashboard: the year's GEC assiduity, absent partners, idle groups."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from instances.models import Instance
from secretariat.reports.activity import group_activity
from secretariat.reports.assiduity import absent_streaks, assiduity, year_range
from secretariat.reports.chart import bar_chart


def dashboard_reports(today: datetime.date | None = None) -> dict:
    """{"gec": the GEC's assiduity this year, "alerts": [{"rule", "message", "url"}], "groups": idle groups}."""
    today = today or timezone.localdate()
    instances = list(Instance.objects.filter(is_active=True).order_by("kind", "code"))
    gec = next((i for i in instances if i.kind == Instance.Kind.GEC), None)
    report = assiduity(gec, *year_range(today.year), sort="rate") if gec else None
    last = settings.ASSIDUITY_ABSENT_ALERT
    alerts = []
    for instance, partner in absent_streaks(instances, last, today):
        url = reverse("secretariat:assiduity") + f"?instance={instance.code}"
        alerts.append({"rule": "", "url": url, "message": ngettext(
            "%(partner)s has been absent from the last %(count)d meeting of the %(body)s.",
            "%(partner)s has been absent from the last %(count)d meetings of the %(body)s.", last)
            % {"partner": partner, "count": last, "body": instance.code}})
    idle = [g for g in group_activity(today) if g.overdue]
    for group in idle:
        alerts.append({"rule": "I5", "url": reverse("secretariat:group_activity"), "message": group.message})
    return {"gec": report, "alerts": alerts, "idle_groups": idle,
            "chart": bar_chart(report.rows) if report else "",
            "title": _("Attendance record of the GEC in %(year)d") % {"year": today.year}}
