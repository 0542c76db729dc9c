"""The search's query and filters, read from the query string (GET, bookmarkable); a bad filter is ignored
with a message, never an error page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import MAX_YEAR, MIN_YEAR
from instances.models import Instance
from search.models import SearchEntry
from search.selectors import Filters


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=1000)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("all kinds"))] + SearchEntry.Kind.choices)
    body = forms.ModelChoiceField(label=_("Body or group"), required=False, empty_label=_("all bodies and groups"),
                                  queryset=Instance.objects.order_by("kind", "code"))
    year = forms.IntegerField(label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    state = forms.ChoiceField(label=_("Actions"), required=False, choices=[
        ("", _("all")), ("open", _("open")), ("late", _("late")), ("done", _("done"))])

    def query(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("q", "") if "q" in self.cleaned_data else (self.data.get("q") or "")[:1000]

    def filters(self) -> Filters:
        """The valid filters (an invalid one is left out; the page says which)."""
        self.is_valid()
        data = self.cleaned_data
        body = data.get("body")
        return Filters(body=body.pk if body else None, year=data.get("year"), date_from=data.get("date_from"),
                       date_to=data.get("date_to"), kind=data.get("kind") or None, state=data.get("state") or None)
