"""Every advisory warning the secretariat sees: the directory's (membership.compliance) and the meetings' (I4)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from instances.models import Instance
from meetings.schedule import GA_MAX, GA_MIN, ga_meeting_count
from membership.compliance import ComplianceWarning, directory_compliance, make_warning, sort_warnings


def compliance(on_date: datetime.date | None = None, *, instances=None, seat_rows=None, troikas=None,
               ga_count=None) -> list[ComplianceWarning]:
    """Every advisory warning on `on_date` (default today), sorted by rule.

    The dashboard passes what it has already read (see `directory_compliance`; `instances`: every instance,
    `ga_count`: `ga_meeting_count` of the year); otherwise each is read here."""
    on_date = on_date or timezone.localdate()
    if instances is None:
        directory = directory_compliance(on_date)
        ga_instances = list(Instance.objects.filter(is_active=True, kind=Instance.Kind.GA))
    else:
        directory = directory_compliance(on_date, instances=instances, seat_rows=seat_rows, troikas=troikas)
        ga_instances = [i for i in instances if i.is_active and i.kind == Instance.Kind.GA]
    return sort_warnings([*directory, *ga_meetings_warnings(ga_instances, on_date, ga_count)])


def ga_moment(on_date: datetime.date) -> datetime.datetime:
    """From when I4 counts a GA meeting still to come, seen from the given day (a past draft does not
    silence I4): now for today, else the day's midnight."""
    return timezone.now() if on_date == timezone.localdate() else datetime.datetime.combine(
        on_date, datetime.time(0, 0), tzinfo=timezone.get_current_timezone())


def ga_meetings_warnings(instances, on_date, count: int | None = None) -> list[ComplianceWarning]:
    """I4: the GA meets twice a year, more when needed, without multiplying meetings."""
    ga = next((i for i in instances if i.kind == Instance.Kind.GA), None)
    if ga is None:
        return []
    # Held or still to come, seen from the given day (a past draft does not silence I4).
    if count is None:
        count = ga_meeting_count(on_date.year, ga_moment(on_date))
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
