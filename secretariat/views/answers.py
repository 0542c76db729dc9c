"""The answers roster of a meeting ("Réponses"): who is coming, who chairs, who is silent; its CSV download;
and the secretariat recording an answer on someone's behalf (given by phone or by message)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.converters import parse_id
from meetings.views._common import flash_refusal, meeting_for_manager
from membership.roles import is_secretariat
from secretariat import selectors
from secretariat.answers import answer_record
from secretariat.exports import answers_for_people_as_csv
from secretariat.inbound.models import InboundMessage
from secretariat.models import Invitation

FILTERS = {
    "none": lambda row: row.answer == Invitation.Rsvp.NONE,
    "declined": lambda row: row.answer == Invitation.Rsvp.DECLINED,
    "delegated": lambda row: row.answer == Invitation.Rsvp.DELEGATED or bool(row.delegated_from),
    "failed": lambda row: row.delivery in ("failed", "bounced"),
    "uncovered": lambda row: row.seat_returned,
}
FILTER_LABELS = {"none": gettext_lazy("No answer"), "declined": gettext_lazy("Declined"),
                 "delegated": gettext_lazy("Delegated"), "failed": gettext_lazy("Not delivered"),
                 "uncovered": gettext_lazy("Seat not covered")}
ON_BEHALF_ANSWERS = [
    (Invitation.Rsvp.ATTENDING, gettext_lazy("attending")),
    (Invitation.Rsvp.DECLINED, gettext_lazy("declined")),
    (Invitation.Rsvp.TENTATIVE, gettext_lazy("tentative")),
    (Invitation.Rsvp.DELEGATED, gettext_lazy("delegated to the deputy (binôme)")),
]


class AnswerOnBehalfForm(forms.Form):
    """An answer given to the secretariat by phone or by message, recorded with who took it."""

    invitation = forms.TypedChoiceField(label=gettext_lazy("Invitee"), coerce=int)
    answer = forms.ChoiceField(label=gettext_lazy("Answer"), choices=ON_BEHALF_ANSWERS)
    note = forms.CharField(label=gettext_lazy("How it was given"), max_length=500, required=False,
                           widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. by phone, 12 March")}))

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitation"].choices = [("", "—")] + [
            (row.invitation_id, f"{row.name} ({row.partner})" if row.partner else row.name) for row in rows]


@require_GET
def roster(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    context = selectors.answers_overview(meeting)
    shown = request.GET.get("show", "")
    if shown in FILTERS:
        keep = FILTERS[shown]
        context["groups"] = [g for g in (selectors.PartnerAnswers(g.partner, [r for r in g.rows if keep(r)])
                                         for g in context["groups"]) if g.rows]
    else:
        shown = ""
    source = _inbound_source(request, meeting)
    initial = {"invitation": source.invitation_id} if source is not None and source.invitation_id else {}
    context.update(meeting=meeting, shown=shown, filters=FILTER_LABELS, inbound=source,
                   form=AnswerOnBehalfForm(rows=context["rows"], initial=initial))
    return render(request, "secretariat/answers/roster.html", context)


def _inbound_source(request, meeting):
    """The message of "Courrier entrant" an answer is recorded from (`?inbound=`), shown beside the form with its
    person preselected: only the secretariat reads the mailbox, and only a message about this meeting."""
    pk = parse_id(request.GET.get("inbound"))
    if pk is None or not is_secretariat(request.user):
        return None
    return InboundMessage.objects.filter(pk=pk, meeting=meeting).first()


def _filename(meeting) -> str:
    return f"answers-{meeting.instance.code}-{meeting.start:%Y%m%d}-{slugify(meeting.title)[:40]}.csv"


@require_GET
def roster_csv(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    response = HttpResponse(answers_for_people_as_csv(selectors.meeting_answers(meeting)),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(meeting)}"'
    return response


@require_POST
def record_on_behalf(request, pk):
    meeting = meeting_for_manager(request.user, pk)
    rows = selectors.meeting_answers(meeting)
    form = AnswerOnBehalfForm(request.POST, rows=rows)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, _("%(field)s: %(error)s") % {"field": label, "error": error} if label else error)
        return redirect("secretariat:answers", pk=meeting.pk)
    invitation = Invitation.objects.get(pk=form.cleaned_data["invitation"], meeting=meeting)
    try:
        outcome = answer_record(invitation=invitation, answer=form.cleaned_data["answer"],
                                channel=Invitation.Channel.SECRETARIAT, by_user=request.user,
                                note=form.cleaned_data["note"])
    except ValidationError as error:
        flash_refusal(request, error)
    else:
        messages.success(request, _("For %(name)s: %(detail)s") % {"name": invitation.name, "detail": outcome.detail})
    return redirect("secretariat:answers", pk=meeting.pk)
