"""The dashboard of those who run meetings, and the partner representatives' space ("my invitations")."""

from __future__ import annotations

import calendar
import datetime
import logging
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.dates import parse_month
from meetings import rules
from meetings.compliance import compliance
from meetings.forms import recent_window_start
from meetings.models import ActionItem, AgendaItem, Meeting
from membership.access import managed_instances
from membership.roles import is_secretariat, person_id_of, person_of
from secretariat.answers import answer_record, delegation_options_for
from secretariat.dashboard import secretariat_dashboard
from secretariat.dashboard_panels import dashboard_panels
from secretariat.models import CalendarFeedToken, Invitation
from secretariat.reports.dashboard import dashboard_reports
from secretariat.selectors import chairs_by_meeting, invitation_progress, personal_invitations, rsvp_summary

logger = logging.getLogger(__name__)
OPEN_STATUSES = [Meeting.Status.DRAFT, Meeting.Status.AGENDA_PROPOSED, Meeting.Status.CONVENED]


def _month(request) -> tuple[datetime.date, str]:
    today = timezone.localdate()
    raw = request.GET.get("month", "")
    if not raw:
        return today.replace(day=1), ""
    first = parse_month(raw)  # None outside 1990–2100: the month arithmetic below must not overflow
    if first is not None:
        return first, ""
    return today.replace(day=1), _("“%(value)s” is not a month (use YYYY-MM); showing this month.") % {"value": raw}


def month_calendar(first: datetime.date, meetings) -> list[list[dict]]:
    by_day = defaultdict(list)
    for meeting in meetings:
        by_day[timezone.localtime(meeting.start).date()].append(meeting)
    today = timezone.localdate()
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    return [[{"date": d, "other": d.month != first.month, "today": d == today, "meetings": by_day.get(d, [])}
             for d in week] for week in weeks]


def _compliance_warnings(**read):
    """The advisory warnings (meetings.compliance); a failure there must not take the dashboard down."""
    try:
        return compliance(**read)
    except Exception:
        logger.exception("compliance warnings failed")
        return [{"rule": "—", "severity": "error", "url": "",
                 "message": _("The compliance check failed; the error is in the server log.")}]


def _dashboard_scope(user):
    """(is SEG, the groups the user manages, the meetings filter); only managers have a dashboard."""
    secretariat = is_secretariat(user)
    instances = list(managed_instances(user))
    if not secretariat and not instances:
        raise PermissionDenied
    return secretariat, instances, Q() if secretariat else Q(instance__in=instances)


@require_GET
def dashboard(request):
    """All instances for the SEG (`_secretariat_dashboard`); their own groups for a GT/GD leader."""
    first, month_error = _month(request)
    if month_error:
        messages.warning(request, month_error)
    last = (first + datetime.timedelta(days=32)).replace(day=1)
    if is_secretariat(request.user):
        return _secretariat_dashboard(request, first, last)
    secretariat, instances, scope = _dashboard_scope(request.user)
    now = timezone.now()
    tz = timezone.get_current_timezone()
    month_meetings = list(
        Meeting.objects.filter(scope, start__gte=datetime.datetime.combine(first, datetime.time(), tz),
                               start__lt=datetime.datetime.combine(last, datetime.time(), tz))
        .select_related("instance").order_by("start")
    )
    has_agenda = AgendaItem.objects.filter(meeting=OuterRef("pk"), status=AgendaItem.Status.ACCEPTED)
    upcoming = list(
        Meeting.objects.filter(scope, start__gte=now).exclude(status=Meeting.Status.CANCELLED)
        .select_related("instance").annotate(has_agenda=Exists(has_agenda)).order_by("start")[:40]
    )
    attention = [m for m in upcoming if not m.has_agenda or m.status in (Meeting.Status.DRAFT,
                                                                          Meeting.Status.AGENDA_PROPOSED)]
    convened_ids = [m.pk for m in upcoming if m.status == Meeting.Status.CONVENED]
    progress = invitation_progress(convened_ids)
    rsvps = rsvp_summary(convened_ids)
    convening = _with_chairs([(m, progress.get(m.pk), rsvps.get(m.pk)) for m in upcoming if m.pk in progress])
    open_actions = ActionItem.objects.filter(scope_actions(secretariat, instances), state=ActionItem.State.OPEN)
    # The card shows the first fifteen; how many are late is counted by the database, whatever their number.
    actions = list(open_actions.select_related("meeting__instance", "owner_partner", "owner_person")
                   .order_by("due_date", "pk")[:16])
    late_count = open_actions.filter(due_date__lt=timezone.localdate()).count()
    prev_month = (first - datetime.timedelta(days=1)).replace(day=1)
    return render(request, "secretariat/portal/dashboard.html", {
        "secretariat": secretariat, "instances": instances, "upcoming": upcoming, "attention": attention,
        "convening": convening, "actions": actions, "late_count": late_count,
        "weeks": month_calendar(first, month_meetings), "month": first,
        "prev_month": prev_month.strftime("%Y-%m"), "next_month": last.strftime("%Y-%m"),
        "warnings": None, "failed_addresses": None, "mailbox_to_handle": 0, "reports": None,
        "panels": dashboard_panels(user=request.user, instances=instances, secretariat=False),
        "polling": any(p and not p["done"] for _m, p, _r in convening),
    })


def _secretariat_dashboard(request, first: datetime.date, last: datetime.date):
    """The SEG's dashboard: the same page, its panels read together (`secretariat.dashboard`)."""
    read = secretariat_dashboard(first, last)
    upcoming = read.upcoming
    attention = [m for m in upcoming if not m.has_agenda or m.status in (Meeting.Status.DRAFT,
                                                                          Meeting.Status.AGENDA_PROPOSED)]
    convening = [(m, read.progress.get(m.pk), read.rsvps.get(m.pk)) for m in upcoming if m.pk in read.progress]
    chairs = chairs_by_meeting([m for m, _p, _r in convening], read.chairs)
    for m, _p, _r in convening:
        m.foreseen_chair = chairs[m.pk]
    prev_month = (first - datetime.timedelta(days=1)).replace(day=1)
    return render(request, "secretariat/portal/dashboard.html", {
        "secretariat": True, "instances": read.managed, "upcoming": upcoming, "attention": attention,
        "convening": convening, "actions": read.actions, "late_count": read.late_count,
        "weeks": month_calendar(first, read.month_meetings), "month": first,
        "prev_month": prev_month.strftime("%Y-%m"), "next_month": last.strftime("%Y-%m"),
        "warnings": _compliance_warnings(instances=read.instances, seat_rows=read.seat_rows, troikas=read.troikas,
                                         ga_count=read.ga_count),
        "failed_addresses": read.failed_addresses,
        "mailbox_to_handle": read.mailbox_to_handle,
        "reports": dashboard_reports(facts=read.reports),
        "panels": dashboard_panels(user=request.user, instances=read.managed, secretariat=True),
        "polling": any(p and not p["done"] for _m, p, _r in convening),
    })


def _with_chairs(convening: list) -> list:
    """Each convened meeting with the chair every other place names (`meeting_chair`), read for all at once."""
    chairs = chairs_by_meeting([m for m, _p, _r in convening])
    for m, _p, _r in convening:
        m.foreseen_chair = chairs[m.pk]
    return convening


def scope_actions(secretariat: bool, instances) -> Q:
    return Q() if secretariat else Q(meeting__instance__in=instances)


@require_GET
def dashboard_progress(request):
    """The dashboard's sending-progress panel alone, for htmx polling (and a plain page without it)."""
    secretariat, instances, scope = _dashboard_scope(request.user)
    upcoming = list(Meeting.objects.filter(scope, start__gte=timezone.now(), status=Meeting.Status.CONVENED)
                    .select_related("instance").order_by("start")[:40])
    progress = invitation_progress([m.pk for m in upcoming])
    rsvps = rsvp_summary([m.pk for m in upcoming])
    convening = _with_chairs([(m, progress.get(m.pk), rsvps.get(m.pk)) for m in upcoming if m.pk in progress])
    polling = any(p and not p["done"] for _m, p, _r in convening)
    template = ("secretariat/portal/_convening.html" if request.headers.get("HX-Request")
                else "secretariat/portal/convening_page.html")
    return render(request, template, {"convening": convening, "polling": polling})


@require_GET
def my_invitations(request):
    """The coming invitations and those of the last twelve months; `?period=all` shows every past one."""
    person_id = person_id_of(request.user)
    now = timezone.now()
    everything = request.GET.get("period") == "all"
    since = None if everything else recent_window_start(now)
    rows = personal_invitations(person_id, since=since) if person_id is not None else []
    upcoming = [i for i in rows if i.meeting.end >= now]
    # Delegations and proposals are rare: they are fetched for the rows that have some, if any.
    prefetch_related_objects([i for i in rows if i.delegated_to_id], "delegated_to")
    prefetch_related_objects([i for i in rows if i.delegated_from_id], "delegated_from")
    delegation_options_for(upcoming)
    proposals = {}
    proposed_to = [i.meeting_id for i in upcoming if i.has_proposals]  # shown for meetings to come only
    if proposed_to:
        for item in AgendaItem.objects.filter(proposed_by_id=person_id, meeting_id__in=proposed_to):
            proposals.setdefault(item.meeting_id, []).append(item)
    for invitation in rows:
        m = invitation.meeting
        invitation.proposals_open = rules.proposals_open(m.status, m.start, m.proposal_deadline, now)
        invitation.proposals_until = rules.proposal_deadline(m.start, m.proposal_deadline)
        invitation.my_proposals = proposals.get(invitation.meeting_id, [])
    past = [i for i in rows if i.meeting.end < now][::-1]
    return render(request, "secretariat/portal/my_invitations.html",
                  {"has_person": person_id is not None, "upcoming": upcoming, "past": past, "everything": everything})


@require_POST
def my_rsvp(request, pk):
    """The logged-in twin of the e-mail's RSVP links: answer or delegate one's own invitation."""
    person = person_of(request.user)
    invitation = get_object_or_404(Invitation.objects.select_related("meeting__instance"), pk=pk)
    if person is None or invitation.person_id != person.pk:
        raise PermissionDenied
    answer = request.POST.get("answer", "")
    try:
        outcome = answer_record(invitation=invitation, answer=answer, channel=Invitation.Channel.PORTAL)
        messages.success(request, outcome.detail)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("secretariat:my_invitations")


def _feed_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("secretariat:calendar_feed", args=[token]))


@require_http_methods(["GET", "POST"])
def my_calendar(request):
    """The secret calendar feed URL, created on first view; POST with `renew` replaces a leaked secret."""
    person = person_of(request.user)
    token = None
    if person is not None:
        token, _created = CalendarFeedToken.objects.get_or_create(person=person)
        if request.method == "POST" and "renew" in request.POST:
            token.delete()
            token = CalendarFeedToken.objects.create(person=person)
    url = _feed_url(request, token.token) if token else ""
    return render(request, "secretariat/portal/my_calendar.html", {"person": person, "token": token, "url": url})
