"""RSVP pages (no login: the signed link authenticates), list downloads, and the personal calendar feed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from meetings.forms import recent_window_start
from meetings.models import Meeting, Minutes
from membership.access import can_manage_instance, can_view_minutes, invited_scope
from secretariat import answers, services
from secretariat.distribution import build_distribution_list
from secretariat.exports import rows_as_vcard, rows_for_people_as_csv, snapshot_rows
from secretariat.ics import feed_calendar
from secretariat.models import CalendarFeedToken, Invitation
from secretariat.rsvp import RsvpLinkError, invitation_for_token

ANSWERS = {value: value for value in answers.ANSWERS}


def _link_error(request, error: RsvpLinkError):
    expired = error.reason == "expired"
    message = (
        _("This answer link has expired. Please ask the secretariat for a new invitation.") if expired
        else _("This answer link is not valid: it may have been altered or cut. Use the link of your e-mail, "
               "or contact the secretariat.")
    )
    return render(request, "secretariat/rsvp/error.html", {"message": message}, status=410 if expired else 400)


CLOSED_STATUSES = (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED, Meeting.Status.CANCELLED)


def _closed(request, invitation):
    """A held, past or cancelled meeting: what was answered, and the approved minutes for those who may read
    them (signed in), instead of answer buttons that could only be refused."""
    meeting = invitation.meeting
    minutes = None
    if meeting.status == Meeting.Status.MINUTES_APPROVED and request.user.is_authenticated:
        minutes = Minutes.objects.filter(meeting=meeting).select_related("meeting__instance").first()
        if minutes is not None and not can_view_minutes(request.user, minutes):
            minutes = None
    return render(request, "secretariat/rsvp/closed.html", {
        "invitation": invitation, "meeting": meeting, "start": timezone.localtime(meeting.start),
        "minutes": minutes}, status=400 if request.method == "POST" else 200)


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def rsvp(request, token: str):
    """GET only shows the question (mail scanners follow links); POST records the answer."""
    try:
        invitation = invitation_for_token(token)
    except RsvpLinkError as error:
        return _link_error(request, error)
    meeting = invitation.meeting
    if meeting.status in CLOSED_STATUSES or meeting.end < timezone.now():
        return _closed(request, invitation)
    options = answers.delegation_options(invitation)
    delegate = options.candidates[0].person if options.possible else None
    context = {"invitation": invitation, "meeting": meeting, "delegate": delegate,
               "delegation": options,
               "start": timezone.localtime(meeting.start),
               "preselected": request.GET.get("answer", "")}
    if request.method != "POST":
        return render(request, "secretariat/rsvp/confirm.html", context)
    answer = ANSWERS.get(request.POST.get("answer", ""))
    try:
        if answer is None:
            raise ValidationError(_("Choose one of the answers."))
        answers.answer_record(invitation=invitation, answer=answer, channel=Invitation.Channel.LINK)
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "secretariat/rsvp/confirm.html", context, status=400)
    invitation.refresh_from_db()
    context.update(invitation=invitation, delegate=invitation.delegated_to)
    return render(request, "secretariat/rsvp/done.html", context)


def _managed_meeting(request, meeting_id: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("instance"), pk=meeting_id)
    if not can_manage_instance(request.user, meeting.instance):
        raise PermissionDenied
    return meeting


def _meeting_rows(meeting: Meeting) -> list[dict]:
    """The latest stored snapshot, or the list as it would be generated now."""
    snapshot = services.distribution_latest(meeting)
    if snapshot is not None:
        return snapshot_rows(snapshot)
    entries = build_distribution_list(instance=meeting.instance, on_date=services.meeting_date(meeting),
                                      meeting=meeting)
    return [e.as_row() for e in entries]


def _filename(meeting: Meeting, ext: str) -> str:
    return f"distribution-{meeting.instance.code}-{meeting.start:%Y%m%d}-{slugify(meeting.title)[:40]}.{ext}"


@require_GET
def distribution_csv(request, meeting_id: int):
    meeting = _managed_meeting(request, meeting_id)
    response = HttpResponse(rows_for_people_as_csv(_meeting_rows(meeting)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(meeting, "csv")}"'
    return response


@require_GET
def distribution_vcard(request, meeting_id: int):
    meeting = _managed_meeting(request, meeting_id)
    response = HttpResponse(rows_as_vcard(_meeting_rows(meeting)), content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(meeting, "vcf")}"'
    return response


# `?history=all` on a calendar feed's URL: every meeting since the first, not the last twelve months only.
FEED_HISTORY_PARAMETER = "history"


@login_not_required
@require_http_methods(["GET", "HEAD"])  # some calendar clients ask HEAD before subscribing
def calendar_feed(request, token: str):
    """The person's invited meetings of the last twelve months and all those to come (`?history=all`: every
    meeting since the first); the secret in the URL is the only credential."""
    feed = CalendarFeedToken.objects.select_related("person").filter(token=token).first()
    if feed is None:
        raise Http404
    meetings = (
        Meeting.objects.filter(invited_scope(feed.person_id))  # membership.access's rule: each of them opens
        .select_related("instance").distinct().order_by("start")
    )
    if request.GET.get(FEED_HISTORY_PARAMETER) != "all":
        meetings = meetings.filter(end__gte=recent_window_start(timezone.now()))
    body = feed_calendar(meetings, name=_("PTF meetings — %(name)s") % {"name": feed.person.full_name})
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
