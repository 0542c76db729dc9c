"""A group leader's "Mes groupes": the GT/GD they lead, each with its next meeting and a way to create one."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from instances.models import Instance
from meetings.models import Meeting
from membership.roles import managed_group_ids


@require_GET
def my_groups(request):
    """The active groups the account leads or co-leads (the SEG's reach over every instance is its dashboard)."""
    groups = list(Instance.objects.filter(pk__in=managed_group_ids(request.user)).order_by("code"))
    # One query for every group's coming meetings; the first of each is its next one.
    upcoming = (Meeting.objects.filter(instance__in=groups, end__gte=timezone.now())
                .exclude(status=Meeting.Status.CANCELLED).order_by("start"))
    next_of: dict[int, Meeting] = {}
    for meeting in upcoming:
        next_of.setdefault(meeting.instance_id, meeting)
    rows = [(group, next_of.get(group.pk)) for group in groups]
    return render(request, "meetings/my_groups.html", {"rows": rows})
