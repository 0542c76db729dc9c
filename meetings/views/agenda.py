"""Building the agenda: add, edit, move, remove, accept or reject proposals, attach documents (A1)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.converters import parse_id
from meetings import services
from meetings.forms import AgendaItemForm, DecideItemForm, DocumentForm, MoveItemForm, apply_validation_error
from meetings.views._common import flash_refusal, item_for_manager, meeting_for_manager, to_meeting
from membership.roles import is_secretariat

ITEM_FIELDS = ("title", "description", "category", "expected_outcome", "duration_minutes", "presenter_group",
               "confidential")


@require_http_methods(["GET", "POST"])
def item_add(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    form = AgendaItemForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_add(meeting=meeting, **{f: form.cleaned_data[f] for f in ITEM_FIELDS})
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=is_secretariat(request.user))
        else:
            messages.success(request, _("The item was added to the agenda."))
            return to_meeting(meeting, "agenda")
    return render(request, "meetings/form.html", {"form": form, "title": _("Add an agenda item"), "meeting": meeting})


@require_http_methods(["GET", "POST"])
def item_edit(request, pk, item_pk):
    item = item_for_manager(request.user, pk, item_pk)
    meeting = item.meeting
    initial = {f: getattr(item, f) for f in ITEM_FIELDS}
    form = AgendaItemForm(request.POST or None, meeting=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(item=item, **{f: form.cleaned_data[f] for f in ITEM_FIELDS})
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=is_secretariat(request.user))
        else:
            messages.success(request, _("The item was updated."))
            return to_meeting(meeting, f"item-{item.pk}")
    return render(request, "meetings/form.html", {"form": form, "title": _("Edit an agenda item"), "meeting": meeting})


@require_POST
def item_move(request, pk, item_pk):
    """Up/down buttons: plain forms, so reordering works without JavaScript."""
    item = item_for_manager(request.user, pk, item_pk)
    meeting = item.meeting
    form = MoveItemForm(request.POST)
    if form.is_valid():
        ids = list(meeting.items.order_by("order", "pk").values_list("pk", flat=True))
        index = ids.index(item.pk)
        other = index - 1 if form.cleaned_data["direction"] == "up" else index + 1
        if 0 <= other < len(ids):
            ids[index], ids[other] = ids[other], ids[index]
            try:
                services.agenda_reorder(meeting=meeting, item_ids=ids)
            except ValidationError as error:
                flash_refusal(request, error)
    else:
        messages.error(request, _("Unknown direction."))
    return to_meeting(meeting, f"item-{item.pk}")


@require_POST
def item_remove(request, pk, item_pk):
    item = item_for_manager(request.user, pk, item_pk)
    meeting = item.meeting
    try:
        services.agenda_item_remove(item=item)
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(request, _("The item was removed from the agenda."))
    return to_meeting(meeting, "agenda")


@require_POST
def item_decide(request, pk, item_pk):
    item = item_for_manager(request.user, pk, item_pk)
    meeting = item.meeting
    form = DecideItemForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return to_meeting(meeting, f"item-{item.pk}")
    try:
        if form.cleaned_data["decision"] == "accept":
            services.agenda_item_accept(item=item, reason=form.cleaned_data["reason"])
            if meeting.status == "convened":
                messages.success(request, _("The proposed item was accepted; the invitees receive the updated agenda."))
            else:
                messages.success(request, _("The proposed item was accepted."))
        else:
            services.agenda_item_reject(item=item, reason=form.cleaned_data["reason"])
            messages.success(request, _("The proposed item was rejected."))
    except ValidationError as error:
        flash_refusal(request, error)
    return to_meeting(meeting, "agenda")


@require_http_methods(["GET", "POST"])
def document_add(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    initial = {}
    if (item := parse_id(request.GET.get("item"))) is not None:
        initial["agenda_item"] = item
    form = DocumentForm(request.POST or None, request.FILES or None, meeting=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_attach(
                meeting=meeting, uploaded_file=data["file"], title=data["title"], agenda_item=data["agenda_item"],
                kind=data["kind"], uploaded_by=request.user, confidential=data["confidential"],
            )
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=is_secretariat(request.user))
        else:
            messages.success(request, _("The document was attached."))
            return to_meeting(meeting, "documents")
    return render(request, "meetings/form.html", {
        "form": form, "title": _("Attach a document"), "meeting": meeting, "multipart": True,
    })
