"""The assiduity report's filter: a body, and a year or a date range."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from secretariat.reports.assiduity import FIELDS


class AssiduityFilterForm(forms.Form):
    instance = forms.ChoiceField(label=_("Body"))
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[(f, f) for f in FIELDS]
                             + [(f"-{f}", f"-{f}") for f in FIELDS])

    def __init__(self, *args, instances, **kwargs):
        super().__init__(*args, **kwargs)
        self.instances = {i.code: i for i in instances}
        self.fields["instance"].choices = [(i.code, f"{i.code} — {i.name}") for i in instances]

    def clean(self):
        data = super().clean()
        start, end, year = data.get("start"), data.get("end"), data.get("year")
        if start or end:
            if not (start and end):
                raise forms.ValidationError(_("Give both ends of the period, or a year."))
            if end < start:
                raise forms.ValidationError(_("The end of the period is before its start."))
            if (end - start).days > 10 * 366:
                raise forms.ValidationError(_("The period may not exceed ten years."))
        else:
            year = year or timezone.localdate().year
            data["start"], data["end"] = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        data["instance_obj"] = self.instances.get(data.get("instance"))
        return data
