"""What every meeting page needs: loading with permission checks, and turning refusals into messages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect

from meetings.forms import error_messages
from meetings.models import AgendaItem, Meeting
from membership.access import can_manage_instance, can_view_meeting
from membership.roles import is_secretariat


def meeting_for_manager(user, pk) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("instance"), pk=pk)
    if not can_manage_instance(user, meeting.instance):
        raise PermissionDenied
    return meeting


def meeting_for_viewer(user, pk) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("instance"), pk=pk)
    if not can_view_meeting(user, meeting):
        raise PermissionDenied
    return meeting


def item_for_manager(user, meeting_pk, item_pk) -> AgendaItem:
    meeting = meeting_for_manager(user, meeting_pk)
    item = get_object_or_404(AgendaItem.objects.select_related("meeting__instance"), pk=item_pk, meeting=meeting)
    return item


def flash_refusal(request, error: ValidationError) -> None:
    for message in error_messages(error, show_rule_ids=is_secretariat(request.user)):
        messages.error(request, message)


def to_meeting(meeting, anchor: str = ""):
    response = redirect("meetings:detail", pk=meeting.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response

