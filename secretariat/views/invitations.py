"""Distribution list review and sending the invitations (M10): generate, compare, confirm, send, follow."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetings.views._common import flash_refusal, meeting_for_manager, to_meeting
from membership.access import can_manage_instance
from secretariat import services as sec
from secretariat.models import Invitation
from secretariat.selectors import invitation_progress


@require_http_methods(["GET", "POST"])
def distribution(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    if request.method == "POST":
        try:
            sec.distribution_request_generation(meeting=meeting, by_user=request.user)
        except ValidationError as error:
            flash_refusal(request, error)
        else:
            messages.success(request, _("The distribution list is being generated from the mandates (M10)."))
        return redirect("secretariat:distribution", pk=meeting.pk)
    latest = sec.distribution_latest(meeting)
    previous = sec.distribution_previous(latest) if latest else None
    entries = list(latest.entries.select_related("person")) if latest else []
    diff = sec.distribution_diff(previous, latest) if latest and previous else None
    return render(request, "secretariat/invitations/distribution.html", {
        "meeting": meeting, "latest": latest, "previous": previous, "entries": entries, "diff": diff,
    })


@require_http_methods(["GET", "POST"])
def send_invitations(request, pk):
    """A confirmation page that says how many people will receive the invitation, then the sending."""
    meeting = meeting_for_manager(request.user, pk)
    latest = sec.distribution_latest(meeting)
    already = sec.invited_keys(meeting)
    recipients = [e for e in latest.entries.all() if e.key not in already] if latest else []
    if request.method == "POST":
        if latest is None:
            messages.error(request, _("Generate and review the distribution list first."))
            return to_meeting(meeting)
        try:
            count = sec.invitations_send(meeting=meeting, by_user=request.user)
        except ValidationError as error:
            flash_refusal(request, error)
            return to_meeting(meeting)
        messages.success(request, ngettext(
            "The meeting is convened: %(count)d invitation is being sent.",
            "The meeting is convened: %(count)d invitations are being sent.", count) % {"count": count})
        return to_meeting(meeting, "progress")
    return render(request, "secretariat/invitations/send_confirm.html", {
        "meeting": meeting, "latest": latest, "recipients": recipients,
        "can_send": meeting.status == "agenda_proposed",
        "to_count": sum(1 for e in recipients if e.recipient == "to"),
        "cc_count": sum(1 for e in recipients if e.recipient == "cc"),
    })


@require_GET
def progress_fragment(request, pk):
    """The sending progress of one meeting: polled by htmx, also a page of its own without JavaScript."""
    meeting = meeting_for_manager(request.user, pk)
    progress = invitation_progress([meeting.pk]).get(meeting.pk)
    template = "secretariat/invitations/_progress.html" if request.headers.get("HX-Request") else "secretariat/invitations/progress_page.html"
    return render(request, template, {"meeting": meeting, "progress": progress})


@require_GET
def failed_invitations(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    rows = list(Invitation.objects.filter(meeting=meeting, state="failed").order_by("name"))
    return render(request, "secretariat/invitations/failed.html", {"meeting": meeting, "rows": rows})


@require_POST
def invitation_retry(request, pk):
    invitation = get_object_or_404(Invitation.objects.select_related("meeting__instance"), pk=pk)
    if not can_manage_instance(request.user, invitation.meeting.instance):
        raise PermissionDenied
    try:
        sec.invitation_retry(invitation=invitation)
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(request, _("The invitation is being sent again."))

    return redirect("secretariat:failed", pk=invitation.meeting_id)
