"""Meeting documents as PDF, assiduity per partner and group activity: permission-checked pages and downloads."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.csv_export import csv_text
from meetings.models import Meeting
from membership.access import (
    can_manage_instance,
    can_view_confidential,
    can_view_meeting,
    can_view_minutes,
    managed_instances,
)
from membership.roles import is_secretariat
from secretariat.reports import pdf
from secretariat.reports.activity import group_activity as group_activity_rows
from secretariat.reports.assiduity import FIELDS
from secretariat.reports.assiduity import assiduity as assiduity_report
from secretariat.reports.chart import bar_chart
from secretariat.reports.forms import AssiduityFilterForm


def _meeting(pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("instance", "minutes"), pk=pk)


def _pdf_response(meeting: Meeting, kind: str, *, cleared: bool, request=None) -> HttpResponse:
    try:
        body, name = pdf.meeting_pdf(meeting, kind, cleared=cleared)
    except pdf.DocumentTooLarge as refusal:
        # Nothing rendered: the reader is told why, in their language (422: the request was understood).
        return render(request, "secretariat/reports/too_large.html",
                      {"message": refusal.message(), "meeting_url": reverse("meetings:detail", args=[meeting.pk])}, status=422)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = pdf.content_disposition(name)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def convocation(request, pk: int):
    """Whoever may read the meeting; confidential items and documents only for the cleared (A4)."""
    meeting = _meeting(pk)
    if not can_view_meeting(request.user, meeting):
        raise PermissionDenied
    return _pdf_response(meeting, pdf.CONVOCATION, cleared=can_view_confidential(request.user, meeting),
                         request=request)


@require_GET
def attendance_sheet(request, pk: int):
    """The sheet lists every expected person: for those who run the meeting."""
    meeting = _meeting(pk)
    if not can_manage_instance(request.user, meeting.instance):
        raise PermissionDenied
    return _pdf_response(meeting, pdf.ATTENDANCE, cleared=True, request=request)


@require_GET
def minutes(request, pk: int):
    """The minutes of the meeting, for those who may read them (A4); 404 until they are written."""
    meeting = _meeting(pk)
    if not can_view_meeting(request.user, meeting):
        raise PermissionDenied
    try:
        record = meeting.minutes
    except Meeting.minutes.RelatedObjectDoesNotExist:
        raise Http404(_("The minutes of this meeting have not been written yet."))
    if not can_view_minutes(request.user, record):
        raise PermissionDenied
    return _pdf_response(meeting, pdf.MINUTES, cleared=can_view_confidential(request.user, meeting),
                         request=request)


def _assiduity_form(request):
    instances = list(managed_instances(request.user).order_by("kind", "code"))
    if not instances:
        raise PermissionDenied
    data = request.GET.copy()
    data.setdefault("instance", instances[0].code)
    form = AssiduityFilterForm(data, instances=instances)
    report = None
    if form.is_valid():
        instance = form.cleaned_data["instance_obj"]
        if not can_manage_instance(request.user, instance):
            raise PermissionDenied
        sort = form.cleaned_data.get("sort") or "partner"
        report = assiduity_report(instance, form.cleaned_data["start"], form.cleaned_data["end"],
                                  sort=sort.lstrip("-"), descending=sort.startswith("-"))
    return form, report


@require_GET
def assiduity(request):
    """A body's assiduity per partner over a year or a period: for those who manage the body."""
    form, report = _assiduity_form(request)
    status = 200 if report is not None else 400
    sort = request.GET.get("sort", "partner")
    headers = [{"key": key, "sort": key if sort != key else f"-{key}", "active": sort.lstrip("-") == key}
               for key in FIELDS]
    return render(request, "secretariat/reports/assiduity.html", {
        "form": form, "report": report, "headers": headers, "query": request.GET.urlencode(),
        "chart": bar_chart(report.rows) if report else "",
    }, status=status)


@require_GET
def assiduity_csv(request):
    form, report = _assiduity_form(request)
    if report is None:
        return HttpResponse(" ".join(str(e) for errors in form.errors.values() for e in errors),
                            status=400, content_type="text/plain; charset=utf-8")
    rows = ([row.as_dict()[key] for key in FIELDS] for row in report.rows)
    response = HttpResponse(csv_text(FIELDS, rows), content_type="text/csv; charset=utf-8")
    name = _("%(start)s %(end)s %(body)s - attendance record.csv") % {
        "start": report.start.isoformat(), "end": report.end.isoformat(), "body": report.instance.code}
    response["Content-Disposition"] = pdf.content_disposition(name)
    return response


@require_GET
def group_activity(request):
    """Every GT/GD against its rhythm (I5): for the secretariat."""
    if not is_secretariat(request.user):
        raise PermissionDenied
    return render(request, "secretariat/reports/group_activity.html", {"groups": group_activity_rows()})
