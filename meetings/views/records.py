"""During and after the meeting: attendance and the acting chair, minutes, decisions, actions (T3–T7)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.csv_export import csv_text
from core.paging import paginate
from meetings import services
from meetings.forms import ActionFilterForm, ActionForm, DecisionForm, MinutesForm, apply_validation_error
from meetings.models import ActionItem, Attendance, Decision, Minutes
from meetings.selectors import meeting_page
from meetings.services._common import meeting_day
from meetings.views._common import flash_refusal, meeting_for_manager, to_meeting
from membership.access import active_instance_ids, can_manage_instance, managed_instances
from membership.models import Mandate
from membership.roles import is_secretariat


class StandInField(forms.TypedChoiceField):
    """Offers only those who may stand in (M3, M6, M8), yet accepts anyone on the register: the service then
    refuses someone else with the rule's own reason rather than a bare "invalid choice"."""

    known: frozenset = frozenset()

    def valid_value(self, value):
        return str(value) in self.known or super().valid_value(value)


class AttendanceLineForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Attendance.Status.choices)
    represented_by = StandInField(label=gettext_lazy("Represented by"), required=False, coerce=int,
                                  empty_value=None)


ROLE_RANK = {Mandate.Role.TITULAR: 0, Mandate.Role.EXPERT: 0, Mandate.Role.DEPUTY: 1, Mandate.Role.BINOME: 1}


def _mandates(meeting):
    """The instance's mandates active on the meeting's date (one query)."""
    return list(Mandate.objects.active_on(meeting_day(meeting)).filter(instance=meeting.instance).select_related(
        "person__institution__partner"))


def _expected_people(meeting, mandates):
    """Everyone holding a mandate in the instance on the meeting's date, plus the group's leaders."""
    people = {m.person_id: m.person for m in mandates}
    for person in (meeting.instance.leader_person, meeting.instance.co_lead_person):
        if person is not None:
            people.setdefault(person.pk, person)
    return people


@require_http_methods(["GET", "POST"])
def attendance(request, pk):
    """The register, grouped by partner and prepared from the invitations' answers (intentions, then facts)."""
    meeting = meeting_for_manager(request.user, pk)
    mandates = _mandates(meeting)
    people = _expected_people(meeting, mandates)
    stand_ins = services.stand_ins_by_person(meeting, mandates)
    errors = []
    if request.method == "POST" and "initialise" in request.POST:
        try:
            services.attendance_initialise(meeting=meeting, people=list(people.values()),
                                           expected=services.expected_from_answers(meeting), stand_ins=stand_ins)
        except ValidationError as error:
            flash_refusal(request, error)
        return _redirect_self(meeting)
    if request.method == "POST" and "confirm_expected" in request.POST:
        try:
            count = services.attendance_confirm_expected(meeting=meeting)
        except ValidationError as error:
            flash_refusal(request, error)
        else:
            messages.success(request, ngettext("%(count)d line confirmed as announced.",
                                               "%(count)d lines confirmed as announced.", count) % {"count": count})
        return _redirect_self(meeting)
    lines = list(meeting.attendance.select_related("person__institution__partner", "represented_by"))
    roles = {m.person_id: m.role for m in mandates}
    lines.sort(key=lambda line: (line.person.institution.partner.name, ROLE_RANK.get(roles.get(line.person_id), 2),
                                 line.person.last_name, line.person.first_name))
    for line in lines:
        people.setdefault(line.person_id, line.person)
    known = frozenset(str(pk) for pk in people)
    rows = []
    for line in lines:
        form = AttendanceLineForm(request.POST or None, prefix=f"p{line.person_id}",
                                  initial={"status": line.status, "represented_by": line.represented_by_id})
        # Only those who may stand in for this person (M3, M6, M8): a few names, not the whole directory.
        allowed = list(stand_ins.get(line.person_id, []))
        if line.represented_by is not None and line.represented_by not in allowed:
            allowed.append(line.represented_by)
        form.fields["represented_by"].choices = [("", "—")] + [(p.pk, str(p)) for p in allowed]
        form.fields["represented_by"].known = known
        rows.append((line, form))
    if request.method == "POST":
        if all(form.is_valid() for _line, form in rows):
            try:
                with transaction.atomic():
                    for line, form in rows:
                        rep_id = form.cleaned_data["represented_by"]
                        if (form.cleaned_data["status"], rep_id) == (line.status, line.represented_by_id):
                            continue
                        try:
                            services.attendance_record(
                                meeting=meeting, person=line.person, status=form.cleaned_data["status"],
                                represented_by=people.get(rep_id) if rep_id else None)
                        except ValidationError as error:
                            apply_validation_error(form, error, show_rule_ids=is_secretariat(request.user))
                            errors.append(line)
                    if errors:
                        raise ValidationError("rollback")
            except ValidationError:
                pass
            if not errors:
                messages.success(request, _("The attendance register was saved."))
                return _redirect_self(meeting)
    chair = services.current_acting_chair(meeting, lines)
    represented, members = services.represented_partners(meeting, lines)
    return render(request, "meetings/attendance.html", {
        "meeting": meeting, "rows": rows, "chair": chair, "represented": represented, "members": members,
        "has_errors": bool(errors), "unconfirmed": sum(1 for line in lines if not line.confirmed),
    })


def _redirect_self(meeting):
    return redirect("meetings:attendance", pk=meeting.pk)


@require_http_methods(["GET", "POST"])
def records(request, pk):
    """Minutes, decisions and actions of one meeting, each form posting here with its own button."""
    meeting = meeting_for_manager(request.user, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    minutes_form = MinutesForm(initial={"text": minutes.text if minutes else "",
                                        "confidential": minutes.confidential if minutes else meeting.confidential_by_default})
    decision_form = DecisionForm(meeting=meeting)
    action_form = ActionForm(meeting=meeting)
    if request.method == "POST":
        which = request.POST.get("form")
        show = is_secretariat(request.user)
        if which == "minutes":
            minutes_form = MinutesForm(request.POST)
            if minutes_form.is_valid():
                try:
                    services.minutes_save(meeting=meeting, **minutes_form.cleaned_data)
                except ValidationError as error:
                    apply_validation_error(minutes_form, error, show_rule_ids=show)
                else:
                    messages.success(request, _("The minutes were saved."))
                    return _to_records(meeting)
        elif which == "decision":
            decision_form = DecisionForm(request.POST, meeting=meeting)
            if decision_form.is_valid():
                try:
                    services.decision_add(meeting=meeting, **decision_form.cleaned_data)
                except ValidationError as error:
                    apply_validation_error(decision_form, error, show_rule_ids=show)
                else:
                    messages.success(request, _("The decision was recorded."))
                    return _to_records(meeting)
        elif which == "action":
            action_form = ActionForm(request.POST, meeting=meeting)
            if action_form.is_valid():
                try:
                    services.action_add(meeting=meeting, **action_form.cleaned_data)
                except ValidationError as error:
                    apply_validation_error(action_form, error, show_rule_ids=show)
                else:
                    messages.success(request, _("The action was recorded."))
                    return _to_records(meeting)
        else:
            messages.error(request, _("Unknown form."))
    page = meeting_page(meeting.pk)
    return render(request, "meetings/records.html", {
        "meeting": page.meeting, "page": page, "minutes_form": minutes_form, "decision_form": decision_form,
        "action_form": action_form,
        # A3: the secretariat refers a question of a GEC meeting to the GA from its decisions and actions.
        "refer_to_ga": meeting.instance.kind == "GEC" and is_secretariat(request.user),
    })


def _to_records(meeting):
    return redirect("meetings:records", pk=meeting.pk)


@require_POST
def action_done(request, pk):
    action = get_object_or_404(ActionItem.objects.select_related("meeting__instance"), pk=pk)
    if not can_manage_instance(request.user, action.meeting.instance):
        raise PermissionDenied
    try:
        services.action_mark_done(action=action)
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(request, _("The action is marked as done."))
    next_url = request.POST.get("next", "")

    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return to_meeting(action.meeting, "actions")


def _register_rows(request, *, windowed: bool):
    """The filter form and the actions this user may see under its filters (a queryset, not yet read).

    The page is `windowed` (actions due from twelve months back, unless every period is asked for), so it weighs
    the same in year ten as in year one; the CSV export gives every row of the other filters.
    """
    form = ActionFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    actions = services.action_register(instance=data.get("instance"), owner_partner=data.get("owner"),
                                       state=data.get("state") or None)
    if windowed:
        actions = form.window(actions, timezone.localdate())
    user = request.user
    if not is_secretariat(user):
        visible = set(managed_instances(user).values_list("pk", flat=True)) | active_instance_ids(user)
        actions = actions.filter(meeting__instance_id__in=visible)
    return form, actions


@require_GET
def action_register(request):
    """The action register across meetings, filterable by instance, owner and state, a page at a time."""
    form, actions = _register_rows(request, windowed=True)
    managed = set(managed_instances(request.user).values_list("pk", flat=True))
    page = paginate(request, actions)
    for action in page:
        action.can_close = action.meeting.instance_id in managed and action.state == ActionItem.State.OPEN
    return render(request, "meetings/actions.html", {"form": form, "actions": page, "page": page})


ACTION_CSV_HEADER = ("instance", "meeting_date", "action", "owner_partner", "owner_person", "due_date", "state",
                     "late", "done_at")


@require_GET
def action_register_csv(request):
    """The whole register under the same filters, every row (the page shows fifty at a time)."""
    _form, actions = _register_rows(request, windowed=False)
    today = timezone.localdate()
    rows = (
        (a.meeting.instance.code, timezone.localtime(a.meeting.start).date().isoformat(), a.title,
         a.owner_partner.name, str(a.owner_person or ""), a.due_date.isoformat(), a.state,
         "yes" if a.state == ActionItem.State.OPEN and a.due_date < today else "no",
         timezone.localtime(a.done_at).isoformat(timespec="minutes") if a.done_at else "")
        for a in actions.iterator(chunk_size=2000)
    )
    response = HttpResponse(csv_text(ACTION_CSV_HEADER, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="actions.csv"'
    return response


@require_GET
def decision_register(request):
    """The decisions register: the decisions of the bodies the user sits in or manages, taken at a meeting or by
    written procedure, the latest first, a page at a time (A4: GA decisions only to GA members and the SEG)."""
    decisions = Decision.objects.select_related("body", "meeting").order_by("-decided_on", "-pk")
    if not is_secretariat(request.user):
        visible = set(managed_instances(request.user).values_list("pk", flat=True)) | active_instance_ids(request.user)
        decisions = decisions.filter(body_id__in=visible)
    page = paginate(request, decisions)
    # A decision taken by written procedure is written by the portal in the register's language of record.
    return render(request, "meetings/decisions.html", {"decisions": page, "page": page,
                                                       "record_language": settings.LANGUAGE_CODE})
