"""The audit pages: the secretariat and admins read the history of the directory and meetings."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.form_checks import harden_form_classes
from membership.access import can_view_audit
from ptf_portal.audit import AUDITED, audit_page


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(label=_("Records"), choices=[(k, a.title) for k, a in AUDITED.items()], initial="meeting")
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    object_id = forms.IntegerField(label=_("Object number"), required=False, min_value=1, max_value=2**62)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


@require_GET
def audit_list(request):
    if not can_view_audit(request.user):
        raise PermissionDenied
    data = request.GET.copy()
    data.setdefault("model", "meeting")
    form = AuditFilterForm(data)
    page = entries = None
    if form.is_valid():
        page, entries = audit_page(
            key=form.cleaned_data["model"],
            page_number=request.GET.get("page", 1),
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            object_id=form.cleaned_data["object_id"],
        )
    query = data.copy()
    query.pop("page", None)
    return render(
        request, "audit/list.html",
        {"form": form, "page": page, "entries": entries, "query": query.urlencode()},
    )


harden_form_classes(globals())  # dates of the filter within 1990–2100
