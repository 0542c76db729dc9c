"""Every advisory warning the secretariat sees: the directory's (membership.compliance) and the meetings' (I4)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from instances.models import Instance
from meetings.schedule import GA_MAX, GA_MIN, ga_meeting_count
from membership.compliance import ComplianceWarning, directory_compliance, make_warning, sort_warnings


def compliance(on_date: datetime.date | None = None) -> list[ComplianceWarning]:
    """Every advisory warning on `on_date` (default today), sorted by rule."""
    on_date = on_date or timezone.localdate()
    instances = list(Instance.objects.filter(is_active=True, kind=Instance.Kind.GA))
    return sort_warnings([*directory_compliance(on_date), *ga_meetings_warnings(instances, on_date)])


def ga_meetings_warnings(instances, on_date) -> list[ComplianceWarning]:
    """I4: the GA meets twice a year, more when needed, without multiplying meetings."""
    ga = next((i for i in instances if i.kind == Instance.Kind.GA), None)
    if ga is None:
        return []
    # Held or still to come, seen from the given day (a past draft does not silence I4).
    moment = timezone.now() if on_date == timezone.localdate() else datetime.datetime.combine(
        on_date, datetime.time(0, 0), tzinfo=timezone.get_current_timezone())
    count = ga_meeting_count(on_date.year, moment)
    values = {"count": count, "year": on_date.year}
    if count < GA_MIN:
        return [make_warning("I4", ngettext(
            "The GA has %(count)d meeting scheduled in %(year)d: it should meet at least twice a year.",
            "The GA has %(count)d meetings scheduled in %(year)d: it should meet at least twice a year.",
            count) % values, ga)]
    if count > GA_MAX:
        return [make_warning("I4", _("The GA has %(count)d meetings scheduled in %(year)d: avoid multiplying GA "
                                 "meetings.") % values, ga)]
    return []
