"""The admin's forms for meeting records run the same checks as the portal's services
(`meetings.services.validation`), so the admin shows the rule's message with its ID (A1–A6, A3, M3, M6, M8)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError

from meetings.models import AgendaItem, Attendance, Meeting
from meetings.services import representation_error, validation
from meetings.services._common import fail


def add_rule_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A rule's refusal on the form: on its field when the form shows it, at the top otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _run(form: forms.BaseForm, check, *args, **kwargs) -> None:
    try:
        check(*args, **kwargs)
    except ValidationError as error:
        add_rule_errors(form, error)


def _meeting_of(form: forms.BaseForm, parent: Meeting | None = None) -> Meeting | None:
    if parent is not None:
        return parent
    meeting = form.cleaned_data.get("meeting")
    if meeting is not None:
        return meeting
    try:
        return form.instance.meeting
    except (ObjectDoesNotExist, AttributeError):
        return None


def check_agenda_item_form(form: forms.BaseForm, parent: Meeting | None = None) -> None:
    meeting = _meeting_of(form, parent)
    data = form.cleaned_data
    if meeting is None or getattr(meeting, "instance_id", None) is None or not data.get("category"):
        return
    if form.has_changed() or form.instance.pk is None:
        _run(form, validation.check_agenda_open, meeting)
    item = AgendaItem(meeting=meeting, category=data["category"], presenter_group=data.get("presenter_group"))
    experts = list(data.get("topic_experts") or ())
    _run(form, validation.check_agenda_item, item, meeting, experts)


def _check_attendance(meeting: Meeting, person, status: str, represented_by) -> None:
    validation.check_register_open(meeting)
    if status == Attendance.Status.REPRESENTED and represented_by is not None and person is not None:
        message = representation_error(meeting, person, represented_by)
        if message:
            fail(message, "represented_by", code="not_representative")


def check_attendance_form(form: forms.BaseForm, parent: Meeting | None = None) -> None:
    meeting = _meeting_of(form, parent)
    data = form.cleaned_data
    if meeting is None or meeting.pk is None or not form.has_changed():
        return
    _run(form, _check_attendance, meeting, data.get("person"), data.get("status"), data.get("represented_by"))


def check_decision_form(form: forms.BaseForm, parent: Meeting | None = None) -> None:
    meeting = _meeting_of(form, parent)
    if meeting is None or meeting.pk is None:
        return
    if form.instance.pk is None:
        _run(form, validation.check_recordable, meeting)
    _run(form, validation.check_decision, meeting, form.cleaned_data.get("agenda_item"))


def check_action_form(form: forms.BaseForm, parent: Meeting | None = None) -> None:
    meeting = _meeting_of(form, parent)
    if meeting is None or meeting.pk is None:
        return
    data = form.cleaned_data
    if form.instance.pk is None:
        _run(form, validation.check_recordable, meeting)
    _run(form, validation.check_action, meeting, owner_partner=data.get("owner_partner"),
         owner_person=data.get("owner_person"), decision=data.get("decision"))


class RuleCheckedForm(forms.ModelForm):
    """A model form of the admin that runs its model's rule check after its own cleaning."""

    rule_check = None

    def clean(self):
        data = super().clean()
        if type(self).rule_check is not None:
            type(self).rule_check(self)
        return data


class AgendaItemAdminForm(RuleCheckedForm):
    rule_check = staticmethod(check_agenda_item_form)


class AttendanceAdminForm(RuleCheckedForm):
    rule_check = staticmethod(check_attendance_form)


class DecisionAdminForm(RuleCheckedForm):
    rule_check = staticmethod(check_decision_form)


class ActionItemAdminForm(RuleCheckedForm):
    rule_check = staticmethod(check_action_form)


class ReferralAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        _run(self, validation.check_referral_meetings, requested_at_meeting=data.get("requested_at_meeting"),
             ga_meeting=data.get("ga_meeting"), returned_to_meeting=data.get("returned_to_meeting"))
        return data


class RuleCheckedInlineFormSet(forms.BaseInlineFormSet):
    """An inline of the meeting's admin page: each row is checked against the meeting being saved."""

    rule_check = None

    def clean(self):
        super().clean()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            type(self).rule_check(form, self.instance)


def inline_formset(check):
    return type("CheckedInlineFormSet", (RuleCheckedInlineFormSet,), {"rule_check": staticmethod(check)})
