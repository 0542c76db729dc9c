"""Meetings: list, create, a year's schedule, the meeting page, and the life-cycle actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.converters import parse_id
from core.paging import paginate
from meetings import rules, services
from meetings.forms import (
    AgendaItemForm,
    ApproveMinutesForm,
    MeetingFilterForm,
    MeetingForm,
    ProposeItemForm,
    ScheduleForm,
    apply_validation_error,
)
from meetings.models import Document, Meeting
from meetings.panels import meeting_panels
from meetings.schedule import ga_meeting_count_warnings, generate_year, schedule_outcome
from meetings.selectors import meeting_page
from meetings.views._common import (
    flash_refusal,
    meeting_for_manager,
    to_meeting,
)
from membership.access import (
    can_manage_instance,
    can_propose_item,
    can_view_confidential,
    can_view_document,
    can_view_meeting,
    can_view_referral,
    invited_scope,
    managed_instances,
    meeting_scope,
    needs_clearance,
)
from membership.roles import is_secretariat, person_id_of, person_of


def _visible_meetings(user):
    """The meetings the user may open (membership.access's one rule), newest first.

    The invitee's part of the rule is asked meeting by meeting (a semi-join on the invitation of that meeting
    to that person), not as a join of every invitation ever sent followed by a DISTINCT: the window of dates
    the list applies then reads only its own meetings, whatever the years behind."""
    qs = Meeting.objects.select_related("instance").order_by("-start")
    if is_secretariat(user):
        return qs
    scope = meeting_scope(user, with_invitations=False)
    person_id = person_id_of(user)
    if person_id is not None:
        scope |= Exists(Meeting.objects.filter(invited_scope(person_id), pk=OuterRef("pk")))
    return qs.filter(scope)


@require_GET
def meeting_list(request):
    """The meetings a user may see: by default the coming ones and the last twelve months, a page at a time;
    older ones through the period or the year (which meetings are visible is `_visible_meetings`' business)."""
    form = MeetingFilterForm(request.GET or None)
    page = paginate(request, form.window(_visible_meetings(request.user), timezone.now()))
    can_create = managed_instances(request.user).exists()
    return render(request, "meetings/list.html", {"form": form, "meetings": page, "page": page,
                                                  "can_create": can_create})


def _instances_or_403(user):
    instances = managed_instances(user)
    if not instances.exists():
        raise PermissionDenied
    return instances


@require_http_methods(["GET", "POST"])
def meeting_create(request):
    instances = _instances_or_403(request.user)
    initial = {}
    if (instance := parse_id(request.GET.get("instance"))) is not None:
        initial["instance"] = instance
    form = MeetingForm(request.POST or None, instances=instances, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                instance=data["instance"], title=data["title"], start=data["start"], end=data["end"],
                kind=data["kind"], place=data["place"], video_link=data["video_link"],
                extraordinary_reason=data["extraordinary_reason"], proposal_deadline=data["proposal_deadline"],
                with_government=data["with_government"], created_by=request.user,
            )
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=is_secretariat(request.user))
        else:
            messages.success(request, _("The meeting was created. Now build its agenda."))
            return to_meeting(meeting)
    return render(request, "meetings/form.html", {"form": form, "title": _("New meeting")})


@require_http_methods(["GET", "POST"])
def schedule_generate(request):
    instances = _instances_or_403(request.user)
    form = ScheduleForm(request.POST or None, instances=instances)
    if request.method == "POST" and form.is_valid():
        instance, year = form.cleaned_data["instance"], form.cleaned_data["year"]
        try:
            created = generate_year(instance=instance, year=year, created_by=request.user)
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=is_secretariat(request.user))
        else:
            for level, sentence in schedule_outcome(created, instance=instance, year=year):
                messages.add_message(request, messages.SUCCESS if level == "success" else messages.INFO, sentence)
            if instance.kind == "GA":
                for warning in ga_meeting_count_warnings(year):
                    messages.warning(request, warning)
            return redirect(f"{redirect('meetings:list').url}?instance={instance.pk}")
    return render(request, "meetings/form.html", {
        "form": form, "title": _("Generate a year's schedule"),
        "intro": _("Ordinary meetings are created from each instance's rule (weekday, week of the month, time). "
                   "Dates that already have a meeting, and dates already past, are skipped."),
    })


@require_GET
def meeting_detail(request, pk):
    page = meeting_page(pk)
    meeting = page.meeting
    user = request.user
    if not can_view_meeting(user, meeting):
        raise PermissionDenied
    manage = can_manage_instance(user, meeting.instance)
    cleared = manage or can_view_confidential(user, meeting)
    items = page.items if cleared else [i for i in page.items if not i.confidential]
    for item in items:
        item.visible_documents = [d for d in item.document_list if cleared or not needs_clearance(meeting, d.confidential)]
    documents = [d for d in page.documents if cleared or not needs_clearance(meeting, d.confidential)]
    minutes = page.minutes if page.minutes and (cleared or not needs_clearance(meeting, page.minutes.confidential)) \
        else None
    editable = meeting.status in rules.AGENDA_EDITABLE
    proposals_open = rules.proposals_open(meeting.status, meeting.start, meeting.proposal_deadline, timezone.now())
    person_id = person_id_of(user)
    my_proposals = [i for i in page.items if person_id is not None and i.proposed_by_id == person_id]
    context = {
        "page": page, "meeting": meeting, "manage": manage, "cleared": cleared, "editable": editable,
        "accepted": [i for i in items if i.status == "accepted"],
        "proposed": [i for i in items if i.status == "proposed"] if manage else [],
        "rejected": [i for i in items if i.status == "rejected"] if manage else [],
        "documents": documents, "minutes": minutes,
        "records_visible": cleared or not needs_clearance(meeting, False),
        "can_propose": proposals_open and not manage and can_propose_item(user, meeting),
        "proposals_open": proposals_open,
        "proposals_until": rules.proposal_deadline(meeting.start, meeting.proposal_deadline),
        "my_proposals": my_proposals,
        "decidable": meeting.status in rules.PROPOSALS_DECIDABLE,
        "show_rule_ids": is_secretariat(user),
        "panels": meeting_panels(meeting=meeting, user=user, manage=manage),
        "referrals": [r for r in page.referrals if can_view_referral(user, r)],
    }
    if manage:
        context["item_form"] = AgendaItemForm(meeting=meeting) if editable else None
    return render(request, "meetings/detail.html", context)


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    fields = ("title", "kind", "place", "video_link", "proposal_deadline", "extraordinary_reason", "with_government")
    initial = {name: getattr(meeting, name) for name in fields}
    initial.update(start=meeting.start, end=meeting.end)
    form = MeetingForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, **{name: form.cleaned_data[name] for name in fields})
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=is_secretariat(request.user))
        else:
            messages.success(request, _("The meeting was updated."))
            return to_meeting(meeting)
    return render(request, "meetings/form.html", {"form": form, "title": _("Edit the meeting"), "meeting": meeting})


@require_POST
def meeting_propose_agenda(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    try:
        services.meeting_propose_agenda(meeting=meeting)
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(request, _("The agenda is proposed. Generate the distribution list, then send the invitations."))
    return to_meeting(meeting)


@require_POST
def meeting_mark_held(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    try:
        services.meeting_mark_held(meeting=meeting)
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(request, _("The meeting is marked as held; its chair is recorded."))
    return to_meeting(meeting)


@require_http_methods(["GET", "POST"])
def meeting_approve_minutes(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    form = ApproveMinutesForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_approve_minutes(meeting=meeting, approved_at=form.cleaned_data["approved_at"])
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=is_secretariat(request.user))
        else:
            messages.success(request, _("The minutes are approved."))
            return to_meeting(meeting)
    return render(request, "meetings/form.html", {"form": form, "title": _("Approve the minutes"), "meeting": meeting})


@require_GET
def document_download(request, pk):
    """The only way to a document's bytes: checked on the document, sent as an attachment."""
    document = get_object_or_404(Document.objects.select_related("meeting__instance"), pk=pk)
    if not can_view_document(request.user, document):
        raise PermissionDenied
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("The file of this document is missing."))
    return FileResponse(handle, as_attachment=True, filename=document.filename, content_type=document.content_type)


@require_http_methods(["GET", "POST"])
def item_propose(request, pk):
    """A member proposes an agenda item before the deadline; the secretariat or the leader decides."""
    meeting = get_object_or_404(Meeting.objects.select_related("instance"), pk=pk)
    if not can_view_meeting(request.user, meeting) or not can_propose_item(request.user, meeting):
        raise PermissionDenied
    if not rules.proposals_open(meeting.status, meeting.start, meeting.proposal_deadline, timezone.now()):
        messages.error(request, _("Proposals for this meeting are closed."))
        return to_meeting(meeting)
    person = person_of(request.user)
    form = ProposeItemForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        if person is None:
            form.add_error(None, _("Your account is not linked to a person of the directory."))
        else:
            try:
                services.agenda_item_propose(meeting=meeting, proposer=person, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error, show_rule_ids=is_secretariat(request.user))
            else:
                messages.success(request, _("Your proposal was sent; you will see here whether it is accepted, "
                                            "and receive an e-mail when it is decided."))
                return to_meeting(meeting)
    return render(request, "meetings/form.html", {
        "form": form, "title": _("Propose an agenda item"), "meeting": meeting,
        "intro": _("Proposals are open until %(deadline)s, even after the convocation; the secretariat (or the group's "
                   "leader) accepts or rejects them, and you receive an e-mail either way.") % {
            "deadline": formats.date_format(timezone.localtime(
                rules.proposal_deadline(meeting.start, meeting.proposal_deadline)), "j F Y, H:i")},
    })
