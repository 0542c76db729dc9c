"""Rescheduling and cancelling a meeting: the meeting changes and every invitee is told (an update or a
cancellation with the same calendar UID and a higher SEQUENCE)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from meetings.forms import CancelForm, RescheduleForm, apply_validation_error
from meetings.views._common import meeting_for_manager, to_meeting
from membership.roles import is_secretariat
from secretariat.services import meeting_cancel_and_notify, meeting_reschedule_and_notify


@require_http_methods(["GET", "POST"])
def meeting_reschedule(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    form = RescheduleForm(request.POST or None, initial={"start": meeting.start, "end": meeting.end,
                                                         "place": meeting.place})
    invited = meeting.invitations.count()  # people: one invitation each
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _meeting, count = meeting_reschedule_and_notify(
                meeting=meeting, start=data["start"], end=data["end"], place=data["place"], message=data["message"])
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=is_secretariat(request.user))
        else:
            messages.success(request, ngettext(
                "The meeting was rescheduled; %(count)d update is being sent.",
                "The meeting was rescheduled; %(count)d updates are being sent.", count) % {"count": count})
            return to_meeting(meeting)
    return render(request, "meetings/confirm_form.html", {
        "form": form, "meeting": meeting, "title": _("Reschedule the meeting"), "invited": invited,
        "button": _("Reschedule and notify"),
    })


@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    form = CancelForm(request.POST or None)
    invited = meeting.invitations.count()  # people: one invitation each
    if request.method == "POST" and form.is_valid():
        try:
            _meeting, count = meeting_cancel_and_notify(meeting=meeting, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=is_secretariat(request.user))
        else:
            messages.success(request, ngettext(
                "The meeting was cancelled; %(count)d cancellation is being sent.",
                "The meeting was cancelled; %(count)d cancellations are being sent.", count) % {"count": count})
            return to_meeting(meeting)
    return render(request, "meetings/confirm_form.html", {
        "form": form, "meeting": meeting, "title": _("Cancel the meeting"), "invited": invited,
        "button": _("Cancel the meeting and notify"), "danger": True,
    })
