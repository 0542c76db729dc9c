from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.forms import dt_field
from procedures.models import Procedure, ProcedureAnswer


class ProcedureForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(label=_("Text put to the members"), widget=forms.Textarea(attrs={"rows": 10}),
                           max_length=50000)
    mode = forms.ChoiceField(label=_("Mode"), choices=Procedure.Mode.choices,
                             help_text=_("Silence: adopted unless a seat objects by the deadline. Approval: adopted "
                                         "if no seat objects, at least one approves and the quorum of seats "
                                         "answered."))
    deadline = dt_field(_("Deadline (Bamako time)"), help_text=_("Five working days by default."))
    attachment = forms.FileField(label=_("Attachment (optional)"), required=False)


class ExtendForm(forms.Form):
    deadline = dt_field(_("New deadline (Bamako time)"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why it is withdrawn"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label=_("Answer"), choices=ProcedureAnswer.Answer.choices,
                               widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason (required for an objection)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def clean(self):
        data = super().clean()
        if data.get("answer") == ProcedureAnswer.Answer.OBJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("An objection states its reason."))
        return data
