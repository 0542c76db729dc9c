"""Questions between the GEC and the GA (A3): list, new, one referral's page with its next step."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.converters import parse_id
from core.french import of_name
from core.paging import paginate
from meetings import services
from meetings.forms import (
    ReferralConcludeForm,
    ReferralForm,
    ReferralScheduleForm,
    apply_validation_error,
    recent_window_start,
)
from meetings.models import ActionItem, Decision, Meeting, Referral
from meetings.selectors import referral_get, referral_list
from membership.access import (
    can_list_referrals,
    can_manage_referrals,
    can_view_meeting,
    can_view_referral,
    referral_scope,
    referral_sight,
    sees_referral_ga_side,
)


def _require_political_access(user) -> bool:
    """Referrals concern the GEC and the GA: the SEG manages them (True); their members read them (False)."""
    if not can_list_referrals(user):
        raise PermissionDenied
    return can_manage_referrals(user)


@require_GET
def referral_index(request):
    manage = _require_political_access(request.user)
    state = request.GET.get("state", "")
    if state not in Referral.State.values:
        state = ""
    everything = request.GET.get("period") == "all"
    referrals = referral_list(state=state or None).filter(referral_scope(request.user))
    if not everything:
        referrals = referrals.filter(referral_window(timezone.now()))
    page = paginate(request, referrals)
    return render(request, "meetings/referrals.html", {
        "referrals": page, "page": page, "manage": manage, "state": state, "states": Referral.State.choices,
        "ga_side": sees_referral_ga_side(request.user), "everything": everything,
    })


def referral_window(now) -> Q:
    """The referrals listed by default: those still under way (not yet returned to the GEC), and those
    created or concluded in the last twelve months; `?period=all` lists every one."""
    since = recent_window_start(now)
    return ~Q(state=Referral.State.RETURNED) | Q(created_at__gte=since) | Q(concluded_at__gte=since)


def _prefill(query) -> dict:
    """"Refer to the GA" from a GEC meeting, one of its decisions or actions: the question starts from it (A3)."""
    initial = {"origin": Referral.Origin.GEC}
    source, meeting = None, None
    for key, model in (("decision", Decision), ("action", ActionItem)):
        if (pk := parse_id(query.get(key))) is not None:
            source = model.objects.select_related("meeting__instance").filter(pk=pk).first()
            meeting = source.meeting if source is not None else None
            break
    else:
        if (pk := parse_id(query.get("meeting"))) is not None:
            meeting = Meeting.objects.select_related("instance").filter(pk=pk).first()
    if meeting is None or meeting.instance.kind != "GEC":
        return initial
    initial["requested_at_meeting"] = meeting.pk
    if isinstance(source, Decision):
        initial["question"] = source.text[:300]
    elif isinstance(source, ActionItem):
        initial["question"] = source.title[:300]
        initial["details"] = _("Action %(of_partner)s due on %(date)s.") % {
            "of_partner": of_name(source.owner_partner.name, article=source.owner_partner.article), "date": formats.date_format(source.due_date, "j F Y")}
    return initial


@require_http_methods(["GET", "POST"])
def referral_new(request):
    if not _require_political_access(request.user):
        raise PermissionDenied
    form = ReferralForm(request.POST or None, initial=_prefill(request.GET))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        origin = data.pop("origin")
        try:
            if origin == Referral.Origin.SELF:
                data.pop("requested_at_meeting")
                referral = services.referral_self_seize(**data)
            else:
                referral = services.referral_request(**data)
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=True)
        else:
            messages.success(request, _("The question is recorded."))
            return redirect("meetings:referral", pk=referral.pk)
    return render(request, "meetings/form.html", {"form": form, "title": _("New referral to the GA")})


@require_http_methods(["GET", "POST"])
def referral_detail(request, pk):
    manage = _require_political_access(request.user)
    referral = referral_get(pk)
    if not can_view_referral(request.user, referral):
        raise PermissionDenied  # A4: a question the GA took up itself stays on the GA side until it returns
    schedule_form = ReferralScheduleForm(prefix="s")
    conclude_form = ReferralConcludeForm(prefix="c")
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "schedule":
                schedule_form = ReferralScheduleForm(request.POST, prefix="s")
                if schedule_form.is_valid():
                    services.referral_schedule(referral=referral, ga_meeting=schedule_form.cleaned_data["ga_meeting"],
                                               category=schedule_form.cleaned_data["category"] or None)
                    messages.success(request, _("The question is on the GA meeting's agenda."))
                    return redirect("meetings:referral", pk=referral.pk)
            elif action == "conclude":
                conclude_form = ReferralConcludeForm(request.POST, prefix="c")
                if conclude_form.is_valid():
                    services.referral_conclude(referral=referral, conclusion=conclude_form.cleaned_data["conclusion"])
                    messages.success(request, _("The conclusion is recorded; it goes to the next GEC agenda (A3)."))
                    return redirect("meetings:referral", pk=referral.pk)
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            target = schedule_form if action == "schedule" else conclude_form
            apply_validation_error(target, error, show_rule_ids=True)
    return render(request, "meetings/referral.html", {
        "referral": referral, "manage": manage, "schedule_form": schedule_form, "conclude_form": conclude_form,
        "sight": referral_sight(request.user, referral),
        # A meeting is a link only for a reader who may open it (membership.access's one rule), else its name.
        "opens": {m.pk for m in (referral.requested_at_meeting, referral.ga_meeting, referral.returned_to_meeting)
                  if m is not None and can_view_meeting(request.user, m)},
    })
