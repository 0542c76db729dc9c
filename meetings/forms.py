"""Forms of the meeting workflow pages. They check shape only; the services check the rules."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, DateTimeField, Exists, F, IntegerField, OuterRef, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from core.converters import parse_id
from core.form_checks import harden_form_classes
from instances.models import Instance
from meetings import rules
from meetings.models import AgendaItem, Attendance, Document, Meeting, Referral
from meetings.services import validation
from membership.models import Partner, Person

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def dt_field(label, required=True, help_text=""):
    return forms.DateTimeField(label=label, required=required, widget=DateTimeLocalInput(),
                               input_formats=DATETIME_FORMATS, help_text=help_text)


def date_field(label, required=True):
    return forms.DateField(label=label, required=required, widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"])


class MeetingForm(forms.Form):
    instance = forms.ModelChoiceField(label=_("Instance"), queryset=Instance.objects.none())
    title = forms.CharField(label=_("Title"), max_length=250)
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices, initial=Meeting.Kind.ORDINARY)
    start = dt_field(_("Start"))
    end = dt_field(_("End"))
    place = forms.CharField(label=_("Place"), max_length=250, required=False)
    video_link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    proposal_deadline = dt_field(_("Deadline for proposing agenda items"), required=False)
    extraordinary_reason = forms.CharField(label=_("Why an extraordinary meeting is convened"), required=False,
                                           widget=forms.Textarea(attrs={"rows": 2}))
    with_government = forms.BooleanField(label=_("Dialogue meeting with the government (A6, A7)"), required=False)
    # Shown only when the start is in the past: the secretariat confirms it means it.
    confirm_past = forms.BooleanField(label=_("Yes, this meeting is in the past"), required=False,
                                      widget=forms.HiddenInput())

    def __init__(self, *args, instances=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instance"].queryset = instances if instances is not None else Instance.objects.none()
        if editing:
            del self.fields["confirm_past"]
            del self.fields["instance"]
            for name in ("start", "end"):
                self.fields[name].disabled = True
                self.fields[name].required = False
                self.fields[name].help_text = _("Change the date with “Reschedule”.")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The meeting must end after it starts."))
        if "confirm_past" in self.fields and start and start < timezone.now() and not data.get("confirm_past"):
            self.fields["confirm_past"].widget = forms.CheckboxInput()
            self.add_error("confirm_past", _("This meeting starts in the past. Tick the box to record it all the "
                                             "same (a meeting already held, entered afterwards)."))
        return data


class ScheduleForm(forms.Form):
    instance = forms.ModelChoiceField(label=_("Instance"), queryset=Instance.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, instances=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instance"].queryset = instances if instances is not None else Instance.objects.none()
        self.fields["year"].initial = timezone.localdate().year + 1


def category_choices(instance_kind: str):
    allowed = rules.CATEGORY_SCOPE.get(instance_kind, frozenset())
    return [(value, label) for value, label in AgendaItem.Category.choices if value in allowed]


class ScopedCategoryField(forms.ChoiceField):
    """Offers the instance's categories; a known category outside the scope gets the rule's message
    (A2, A4, A6) rather than a generic "invalid choice", as the services and the admin give it."""

    meeting: Meeting | None = None

    def for_meeting(self, meeting: Meeting) -> None:
        self.meeting = meeting
        self.choices = category_choices(meeting.instance.kind)

    def validate(self, value):
        if value and self.meeting is not None and value in AgendaItem.Category.values:
            forms.Field.validate(self, value)
            try:
                validation.check_category(self.meeting, value)
            except ValidationError as error:
                raise ValidationError(error.error_dict["category"]) from None
            return
        super().validate(value)


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    category = ScopedCategoryField(label=_("Category"))
    expected_outcome = forms.ChoiceField(label=_("Expected outcome"), choices=AgendaItem.Outcome.choices)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=600, initial=15)
    presenter_group = forms.ModelChoiceField(
        label=_("Presenting group (A5)"), required=False,
        queryset=Instance.objects.filter(kind__in=[Instance.Kind.GT, Instance.Kind.GD], is_active=True),
    )
    confidential = forms.BooleanField(label=_("Confidential"), required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].for_meeting(meeting)
        if not self.is_bound and "confidential" not in self.initial:
            self.initial["confidential"] = meeting.confidential_by_default


class ProposeItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    description = forms.CharField(label=_("Why this item"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    category = ScopedCategoryField(label=_("Category"))
    expected_outcome = forms.ChoiceField(label=_("Expected outcome"), choices=AgendaItem.Outcome.choices)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].for_meeting(meeting)


class DecideItemForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the item is rejected."))
        return data


class MoveItemForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    file = forms.FileField(label=_("File"))
    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), required=False, queryset=AgendaItem.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices, initial=Document.Kind.AGENDA)
    confidential = forms.BooleanField(label=_("Confidential"), required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.items.all()
        if not self.is_bound:
            self.initial.setdefault("confidential", meeting.confidential_by_default)


class RescheduleForm(forms.Form):
    start = dt_field(_("New start"))
    end = dt_field(_("New end"))
    place = forms.CharField(label=_("Place"), max_length=250, required=False)
    message = forms.CharField(label=_("Message to the invitees"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The meeting must end after it starts."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why the meeting is cancelled"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 10}))
    confidential = forms.BooleanField(label=_("Confidential"), required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    agenda_item = forms.ModelChoiceField(label=_("Agenda item"), required=False, queryset=AgendaItem.objects.none())

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.items.filter(status=AgendaItem.Status.ACCEPTED)


class PartnerPeopleSelect(forms.Select):
    """People's options carry their partner (data-partner), so the page shows only the chosen partner's."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-partner"] = instance.institution.partner_id
        return option


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person.full_name} ({person.institution.partner.name})"


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner_partner = forms.ModelChoiceField(label=_("Owner (partner)"), queryset=Partner.objects.order_by("name"))
    owner_person = OwnerField(label=_("Owner (person)"), required=False, widget=PartnerPeopleSelect(),
                              queryset=Person.objects.select_related("institution__partner")
                              .order_by("institution__partner__name", "last_name", "first_name"))
    due_date = date_field(_("Due date"))
    decision = forms.ModelChoiceField(label=_("Decision"), required=False, queryset=None)
    # Shown only when the due date is before the meeting: the action would be late at once.
    confirm_due_date = forms.BooleanField(label=_("Yes, this due date is before the meeting"), required=False,
                                          widget=forms.HiddenInput())

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["decision"].queryset = meeting.decisions.all()
        self.fields["owner_person"].widget.attrs["data-owner-of"] = self.add_prefix("owner_partner")
        # The meeting's invitees and their partners first (those the action is most likely for), then the rest.
        self.fields["owner_partner"].queryset = Partner.objects.annotate(
            invited=Exists(meeting.invitations.filter(person__institution__partner=OuterRef("pk")))
        ).order_by("-invited", "name")
        invited = Exists(meeting.invitations.filter(person=OuterRef("pk")))
        self.fields["owner_person"].queryset = (
            self.fields["owner_person"].queryset.annotate(invited=invited)
            .order_by("-invited", "institution__partner__name", "last_name", "first_name"))
        partner_id = self.data.get(self.add_prefix("owner_partner")) if self.is_bound else None
        if (partner_pk := parse_id(partner_id)) is not None:
            # Only the chosen partner's people (A ModelChoiceField then refuses anyone else).
            self.fields["owner_person"].queryset = self.fields["owner_person"].queryset.filter(
                institution__partner_id=partner_pk)

    def clean(self):
        data = super().clean()
        due = data.get("due_date")
        meeting_day = timezone.localtime(self.meeting.start).date()
        if due and due < meeting_day and not data.get("confirm_due_date"):
            self.fields["confirm_due_date"].widget = forms.CheckboxInput()
            self.add_error("confirm_due_date", _(
                "This due date is before the meeting (%(day)s): the action will show as late at once. Tick the "
                "box to confirm it.") % {"day": formats.date_format(meeting_day, "j F Y")})
        data.pop("confirm_due_date", None)
        return data


class ApproveMinutesForm(forms.Form):
    approved_at = forms.ModelChoiceField(label=_("Approved at the meeting of"), queryset=Meeting.objects.none())

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approved_at"].queryset = (
            Meeting.objects.filter(instance_id=meeting.instance_id, start__gt=meeting.start)
            .exclude(status=Meeting.Status.CANCELLED).order_by("start")
        )


class ActionFilterForm(forms.Form):
    """The register's filters; by default the page shows the actions due in the last twelve months or later."""

    ALL = "all"
    instance = forms.ModelChoiceField(label=_("Instance"), required=False, queryset=Instance.objects.all())
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=Partner.objects.all())
    state = forms.ChoiceField(label=_("State"), required=False, choices=[
        ("", _("all")), ("open", _("open")), ("late", _("late")), ("done", _("done"))])
    period = forms.ChoiceField(label=_("Period"), required=False, choices=[
        ("", _("due in the last twelve months or later")), (ALL, _("all, from the first action"))])

    def window(self, qs, today):
        """Keep the actions due from twelve months back unless every period was asked for."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("period") == self.ALL:
            return qs
        return qs.filter(due_date__gte=today - datetime.timedelta(days=365))


class MeetingFilterForm(forms.Form):
    """The meeting list's filters; by default the window is the coming meetings and the last twelve months."""

    ALL = "all"
    instance = forms.ModelChoiceField(label=_("Instance"), required=False, queryset=Instance.objects.all())
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("all"))] + Meeting.Status.choices)
    period = forms.ChoiceField(label=_("Period"), required=False, choices=[
        ("", _("coming and last twelve months")), (ALL, _("all, from the first meeting"))])
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def window(self, qs, now):
        """Filter `qs` (meetings) by the chosen instance, status and period (a year overrides the period)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("instance"):
            qs = qs.filter(instance=data["instance"])
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("year"):
            return qs.filter(start__year=data["year"])
        if data.get("period") != self.ALL:
            qs = qs.filter(start__gte=recent_window_start(now))
        return qs


def recent_window_start(now):
    """The start of the default window of the lists that grow with history: twelve months back."""
    return now - datetime.timedelta(days=365)


def _split_at_now(qs):
    now = timezone.now()
    return qs.annotate(
        is_past=Case(When(start__lt=now, then=Value(1)), default=Value(0), output_field=IntegerField()),
        past_start=Case(When(start__lt=now, then=F("start")), default=None, output_field=DateTimeField()),
    )


def past_first(qs):
    """Meetings from the latest past one backwards, then the coming ones soonest first."""
    return _split_at_now(qs).order_by("-is_past", F("past_start").desc(nulls_last=True), "start")


def upcoming_first(qs):
    """Coming meetings soonest first, then past ones latest first."""
    return _split_at_now(qs).order_by("is_past", F("past_start").desc(nulls_last=True), "start")


class ReferralForm(forms.Form):
    origin = forms.ChoiceField(label=_("Origin"), choices=Referral.Origin.choices)
    question = forms.CharField(label=_("Question"), max_length=300)
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    expected_outcome = forms.ChoiceField(label=_("Expected from the GA"), choices=AgendaItem.Outcome.choices,
                                         initial=AgendaItem.Outcome.ORIENTATION)
    requested_at_meeting = forms.ModelChoiceField(
        label=_("Requested at (GEC meeting)"), required=False, queryset=Meeting.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The latest past GEC meeting first (the question is usually asked at the meeting just held).
        self.fields["requested_at_meeting"].queryset = past_first(
            Meeting.objects.filter(instance__kind="GEC").exclude(status=Meeting.Status.CANCELLED)
            .select_related("instance"))


class ReferralScheduleForm(forms.Form):
    ga_meeting = forms.ModelChoiceField(label=_("GA meeting"), queryset=Meeting.objects.none())
    category = forms.ChoiceField(label=_("GA theme (for a question the GA took up itself)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The next GA meetings first, soonest first; any past one whose agenda is still open after them.
        self.fields["ga_meeting"].queryset = upcoming_first(
            Meeting.objects.filter(instance__kind="GA", status__in=rules.AGENDA_EDITABLE).select_related("instance"))
        self.fields["category"].choices = [("", "—")] + [
            (v, label) for v, label in AgendaItem.Category.choices if v in rules.GA_THEMES]


class ReferralConcludeForm(forms.Form):
    conclusion = forms.CharField(label=_("Conclusion of the GA"), widget=forms.Textarea(attrs={"rows": 4}))


ATTENDANCE_STATUSES = Attendance.Status.choices


def apply_validation_error(form: forms.Form, error: ValidationError, *, show_rule_ids: bool = True) -> None:
    """Show a service's refusal on the form: field errors on their field, the rest at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                for message in e.messages:
                    form.add_error(target, _strip(message, show_rule_ids))
    else:
        for message in error.messages:
            form.add_error(None, _strip(message, show_rule_ids))


def _strip(message: str, show_rule_ids: bool) -> str:
    """Rule IDs such as "(M2)" are shown to the secretariat; others read the sentence alone."""
    if show_rule_ids:
        return message

    return re.sub(r"\s*\((?:[AIMT]\d+(?:,\s*)?)+\)", "", message)


def error_messages(error: ValidationError, *, show_rule_ids: bool = True) -> list[str]:
    return [_strip(m, show_rule_ids) for m in error.messages]


# Titles, places and names go into e-mail headers and calendars: no control characters; dates within 1990–2100.
harden_form_classes(globals())
