"""The SEG dashboard reads its panels together (secretariat/dashboard.py): the same warnings, reports, meetings,
actions, sending progress, answers and foreseen chairs as each panel's own read (kept as the ORM twins below:
the dashboard as it was before), in at most ten queries whatever the years of history."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.compliance import compliance
from meetings.models import ActionItem, AgendaItem, Meeting
from membership.models import Person
from ptf_portal.history import seed_history
from secretariat.inbound.selectors import failed_addresses, mailbox_to_handle_count
from secretariat.reports.dashboard import dashboard_reports
from secretariat.selectors import chairs_by_meeting, invitation_progress, rsvp_summary
from tests.portal.test_history import _seg_client, small_directory  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

DASHBOARD_QUERIES = 10  # with the session and the user's roles


def _as_before(first: datetime.date, last: datetime.date) -> dict:
    """The SEG dashboard's reads as they were, each panel on its own (the ORM twins)."""
    now = timezone.now()
    tz = timezone.get_current_timezone()
    month = list(Meeting.objects.filter(start__gte=datetime.datetime.combine(first, datetime.time(), tz),
                                        start__lt=datetime.datetime.combine(last, datetime.time(), tz))
                 .order_by("start"))
    has_agenda = AgendaItem.objects.filter(meeting=OuterRef("pk"), status=AgendaItem.Status.ACCEPTED)
    upcoming = list(Meeting.objects.filter(start__gte=now).exclude(status=Meeting.Status.CANCELLED)
                    .select_related("instance").annotate(has_agenda=Exists(has_agenda)).order_by("start")[:40])
    convened_ids = [m.pk for m in upcoming if m.status == Meeting.Status.CONVENED]
    progress = invitation_progress(convened_ids)
    open_actions = ActionItem.objects.filter(state=ActionItem.State.OPEN)
    return {
        "month": [m.pk for m in month],
        "upcoming": [(m.pk, m.has_agenda) for m in upcoming],
        "progress": progress,
        "rsvps": rsvp_summary(convened_ids),
        "chairs": {pk: (c, c.summary) for pk, c in chairs_by_meeting([m for m in upcoming if m.pk in progress]).items()},
        "actions": [a.pk for a in open_actions.order_by("due_date", "pk")[:16]],
        "late_count": open_actions.filter(due_date__lt=timezone.localdate()).count(),
        "warnings": compliance(),
        "failed_addresses": failed_addresses(),
        "mailbox_to_handle": mailbox_to_handle_count(),
        "reports": dashboard_reports(),
    }


def _as_now(client, month: str = "") -> tuple[dict, int]:
    url = reverse("secretariat:dashboard") + (f"?month={month}" if month else "")
    client.get(url)  # warm: the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    c = response.context
    return {
        "month": [m.pk for week in c["weeks"] for day in week if not day["other"] for m in day["meetings"]],
        "upcoming": [(m.pk, m.has_agenda) for m in c["upcoming"]],
        "progress": {m.pk: p for m, p, _r in c["convening"]},
        "rsvps": {m.pk: r for m, _p, r in c["convening"] if r is not None},
        "chairs": {m.pk: (m.foreseen_chair, m.foreseen_chair.summary) for m, _p, _r in c["convening"]},
        "actions": [a.pk for a in c["actions"]],
        "late_count": c["late_count"],
        "warnings": c["warnings"],
        "failed_addresses": c["failed_addresses"],
        "mailbox_to_handle": c["mailbox_to_handle"],
        "reports": c["reports"],
    }, len(queries.captured_queries)


def _compare(client, month: datetime.date | None = None) -> int:
    first = month or timezone.localdate().replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1)
    now, queries = _as_now(client, first.strftime("%Y-%m") if month else "")
    before = _as_before(first, last)
    for key, value in before.items():
        assert now[key] == value, key
    return queries


@pytest.mark.usefixtures("small_directory")
def test_dashboard_shows_what_each_panel_read_alone_in_ten_queries_at_one_and_three_years():
    seed_history(years=3, seed=11)
    # A failed address, and the warnings a rotating directory gives (mandates ending, binômes, the Troïka…).
    Person.objects.filter(pk=Person.objects.order_by("pk").values("pk")[:1]).update(email_failed_at=timezone.now())
    seg = _seg_client()
    before = _as_before(timezone.localdate().replace(day=1), timezone.localdate() + datetime.timedelta(days=40))
    # The world gives each panel something to compare.
    assert before["warnings"] and before["failed_addresses"] and before["late_count"] > 0
    assert before["reports"]["gec"].rows and before["progress"] and before["chairs"]
    three_years = _compare(seg)
    old_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=800)
    assert _compare(seg, old_month.replace(day=1)) <= DASHBOARD_QUERIES
    # The world of one year: the meetings of the two years before it go (with what hangs on them).
    Meeting.objects.filter(start__lt=timezone.now() - datetime.timedelta(days=365)).delete()
    one_year = _compare(seg)
    assert three_years == one_year <= DASHBOARD_QUERIES
