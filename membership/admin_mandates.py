"""Admin pages that end and replace a mandate in one step, and refuse deleting one that has been in force.

Mandates are ended, not deleted (see `membership.services.mandate_deletion_refusal`); a replacement is one
form and one service call (`membership.services.mandate_replace`), so the rules run once on the result.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.converters import parse_id
from core.csv_export import csv_text
from core.french import numeric_date, of_name, with_article
from core.templatetags.french import colon, field_title, field_value
from instances.models import Instance
from membership import services
from membership.forms import mandate_label, person_label
from membership.models import Institution, Mandate, Person

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MandateEndForm(forms.Form):
    end = forms.DateField(
        label=gettext_lazy("Last day of the mandate"), widget=DATE_INPUT,
        help_text=gettext_lazy("Inclusive: the person holds the seat that whole day; a successor starts the next day."),
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person.full_name} — {person.institution}"


class MandateReplaceForm(forms.Form):
    """The successor (an existing person of the partner, or a new one) and the date of change."""

    on = forms.DateField(
        label=gettext_lazy("Date of change"), widget=DATE_INPUT,
        help_text=gettext_lazy("The successor's first day. The mandate ends the day before: an end date is "
                               "inclusive."),
    )
    successor = PersonChoiceField(queryset=Person.objects.none(), required=False,
                                  label=gettext_lazy("Successor (a person already in the directory)"))
    first_name = forms.CharField(label=gettext_lazy("first name"), max_length=100, required=False)
    last_name = forms.CharField(label=gettext_lazy("last name"), max_length=100, required=False)
    email = forms.EmailField(label=gettext_lazy("e-mail"), required=False)
    institution = forms.ModelChoiceField(queryset=Institution.objects.none(), required=False,
                                         label=gettext_lazy("institution"))
    function = forms.ChoiceField(label=gettext_lazy("function"), choices=[("", "—"), *Person.Function.choices],
                                 required=False)
    language = forms.ChoiceField(label=gettext_lazy("language"), choices=Person.Language.choices,
                                 initial=Person.Language.FR, required=False)
    transfer_binomes = forms.BooleanField(required=False, initial=True,
                                          label=gettext_lazy("The binômes paired with this mandate pair with the "
                                                             "successor's"))
    transfer_leadership = forms.BooleanField(required=False, initial=True,
                                             label=gettext_lazy("The successor carries the group's leadership held by "
                                                                "the predecessor"))

    NEW_PERSON = ("first_name", "last_name", "email", "institution", "function")

    def __init__(self, *args, mandate: Mandate, **kwargs):
        super().__init__(*args, **kwargs)
        partner = mandate.person.institution.partner
        self.fields["successor"].queryset = (
            Person.objects.filter(institution__partner=partner).exclude(pk=mandate.person_id)
            .select_related("institution__partner"))
        self.fields["institution"].queryset = Institution.objects.filter(partner=partner).select_related("partner")

    def clean(self):
        cleaned = super().clean()
        typed = [name for name in self.NEW_PERSON if cleaned.get(name)]
        if cleaned.get("successor") and typed:
            raise ValidationError(_("Choose an existing person or enter a new one, not both."))
        if not cleaned.get("successor"):
            if not typed:
                self.add_error("successor", _("Choose the successor, or enter a new person below."))
            for name in self.NEW_PERSON:
                if typed and not cleaned.get(name):
                    self.add_error(name, _("Needed for a new person."))
        return cleaned

    def new_person(self) -> dict | None:
        if self.cleaned_data.get("successor"):
            return None
        return {name: self.cleaned_data[name] for name in (*self.NEW_PERSON, "language")} | {
            "language": self.cleaned_data.get("language") or Person.Language.FR}


def _add_service_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def delete_selected_mandates(modeladmin, request, queryset):
    """Django's "delete selected", refused as a whole when one of the mandates has been in force."""
    refusals = [r for m in queryset.select_related("person", "instance")
                if (r := services.mandate_deletion_refusal(m))]
    if refusals:
        for refusal in refusals[:10]:
            modeladmin.message_user(request, refusal, messages.ERROR)
        return None
    return delete_selected(modeladmin, request, queryset)


delete_selected_mandates.short_description = gettext_lazy("Delete selected mandates entered by mistake today")


class MandateLifecycleAdminMixin:
    """For the Mandate admin: "End the mandate" and "Replace" pages; deletion only of a mistake of the day."""

    change_form_template = "admin/membership/mandate/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<id:pk>/end/", view(self.end_view), name="membership_mandate_end"),
            path("<id:pk>/replace/", view(self.replace_view), name="membership_mandate_replace"),
            *super().get_urls(),
        ]

    def get_search_results(self, request, queryset, search_term):
        """The binôme picker (autocomplete of `pairs_with`) offers only experts' mandates in force or to come (M8)."""
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "pairs_with" and request.GET.get("model_name") == "mandate":
            today = timezone.localdate()
            queryset = queryset.filter(role=Mandate.Role.EXPERT).exclude(end__lt=today)
        return queryset, distinct

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (delete_selected_mandates, "delete_selected",
                                          delete_selected_mandates.short_description)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        mandate = self.get_object(request, object_id)
        if mandate is not None:
            refusal = services.mandate_deletion_refusal(mandate)
            if refusal:
                self.message_user(request, refusal, messages.ERROR)
                return redirect("admin:membership_mandate_end", mandate.pk)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        services.mandate_delete(mandate=obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in deputy_warnings([obj]):
            self.message_user(request, warning, messages.WARNING)

    def _mandate_for_change(self, request, pk) -> Mandate:
        mandate = get_object_or_404(Mandate.objects.select_related("person__institution__partner", "instance"), pk=pk)
        if not self.has_change_permission(request, mandate):
            raise PermissionDenied
        return mandate

    def _render(self, request, template, mandate, form, title, **context):
        return TemplateResponse(request, template, {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": mandate,
            "mandate": mandate, "form": form, "title": title, **context,
        })

    def end_view(self, request, pk):
        mandate = self._mandate_for_change(request, pk)
        form = MandateEndForm(request.POST or None, initial={"end": mandate.end or timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                services.mandate_end(mandate=mandate, end=form.cleaned_data["end"])
            except ValidationError as error:
                mandate.refresh_from_db()
                _add_service_errors(form, error)
            else:
                self.message_user(request, _("The mandate of %(who)s in %(instance)s ends on %(end)s.") % {
                    "who": mandate.person.full_name, "instance": mandate.instance.code,
                    "end": numeric_date(mandate.end)}, messages.SUCCESS)
                return redirect("admin:membership_mandate_change", mandate.pk)
        return self._render(request, "admin/membership/mandate/end.html", mandate, form, _("End the mandate"))

    def replace_view(self, request, pk):
        mandate = self._mandate_for_change(request, pk)
        today = timezone.localdate()
        default_on = mandate.end + datetime.timedelta(days=1) if mandate.end and mandate.end >= today else today
        form = MandateReplaceForm(request.POST or None, mandate=mandate, initial={"on": default_on})
        if request.method == "POST" and form.is_valid():
            try:
                new = services.mandate_replace(
                    mandate=mandate, on=form.cleaned_data["on"], successor=form.cleaned_data["successor"],
                    new_person=form.new_person(), transfer_binomes=form.cleaned_data["transfer_binomes"],
                    transfer_leadership=form.cleaned_data["transfer_leadership"])
            except ValidationError as error:
                mandate.refresh_from_db()
                _add_service_errors(form, error)
            else:
                self.message_user(request, _("%(new)s replaces %(old)s in %(instance)s from %(on)s; the mandate of "
                                             "%(old)s ends on %(end)s.") % {
                    "new": new.person.full_name, "old": mandate.person.full_name, "instance": mandate.instance.code,
                    "on": numeric_date(new.start),
                    "end": numeric_date(new.start - datetime.timedelta(days=1))}, messages.SUCCESS)
                return redirect("admin:membership_mandate_change", new.pk)
        group = mandate.instance
        leads = [label for person_id, label in ((group.leader_person_id, _("leader")),
                                                (group.co_lead_person_id, _("co-lead")))
                 if group.is_group and person_id == mandate.person_id]
        binomes = list(mandate.binomes.select_related("person"))
        return self._render(request, "admin/membership/mandate/replace.html", mandate, form,
                            _("Replace %(who)s") % {"who": mandate.person.full_name}, binomes=binomes, leads=leads)


def lifecycle_links(mandate: Mandate) -> str:
    """Links from a mandate row of the person and instance pages to its "End" and "Replace" pages."""
    if not mandate.pk:
        return ""
    return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>',
                       reverse("admin:membership_mandate_end", args=[mandate.pk]), _("End"),
                       reverse("admin:membership_mandate_replace", args=[mandate.pk]), _("Replace"))


def deputy_warnings(mandates) -> list[str]:
    """M3 (advisory on saving): a GEC or GA deputy whose partner has no titular there on the deputy's start."""
    out = []
    for m in mandates:
        if m.role != Mandate.Role.DEPUTY or m.instance.kind not in ("GEC", "GA"):
            continue
        day = max(m.start, timezone.localdate()) if m.end is None or m.end >= timezone.localdate() else m.start
        partner = m.person.institution.partner
        if not Mandate.objects.active_on(day).filter(instance=m.instance, role=Mandate.Role.TITULAR,
                                                     person__institution__partner=partner).exists():
            out.append(_("%(person)s is the deputy %(of_partner)s in the %(instance)s on %(day)s, but %(partner)s has "
                         "no titular there: the deputy stands in for a titular (M3).") % {
                "person": m.person.full_name, "of_partner": of_name(partner.name, article=partner.article),
                "partner": with_article(partner.name, article=partner.article), "instance": m.instance.code,
                "day": numeric_date(day)})
    return out


class MandateWarningsMixin:
    """Advisories shown after saving mandates inline (the person's and the instance's pages)."""

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Mandate:
            saved = [f.instance for f in formset.forms if f.instance.pk and f.has_changed()
                     and f not in formset.deleted_forms]
            for warning in deputy_warnings(saved):
                self.message_user(request, warning, messages.WARNING)


# --- a person's history tells their mandates' changes in words ---------------------------------------------------

HISTORY_FIELDS = ("role", "pairs_with", "start", "end", "authority", "limits", "person")


def mandate_history_lines(person: Person, limit: int = 200) -> list[dict]:
    """The changes of the person's mandates (made on their page or elsewhere), newest first, as sentences:
    "Mandat GEC — fin : 31 déc. 2026". Values read as a person reads them (labels, names, dates written out)."""
    history = Mandate.history.model
    records = list(history.objects.filter(person_id=person.pk).select_related("history_user")
                   .order_by("-history_date", "-history_id")[:limit])
    codes = dict(Mandate.objects.filter(pk__in={r.id for r in records}).values_list("pk", "instance__code"))
    previous_of = {}
    by_mandate: dict[int, list] = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        by_mandate.setdefault(record.id, []).append(record)
    for rows in by_mandate.values():
        for before, after in zip(rows, rows[1:], strict=False):
            previous_of[after.history_id] = before
    lines = []
    for record in records:
        code = codes.get(record.id)
        subject = _("Mandate %(instance)s") % {"instance": code} if code else _("Mandate (deleted)")
        if record.history_type == "+":
            details = [_("created (%(role)s, start: %(start)s)") % {
                "role": Mandate.Role(record.role).label, "start": field_value(record, "start", record.start)}]
        elif record.history_type == "-":
            details = [_("deleted")]
        else:
            before = previous_of.get(record.history_id) or record.prev_record
            if before is None:
                continue
            delta = record.diff_against(before, included_fields=list(HISTORY_FIELDS))
            details = [f"{field_title(record, c.field)}{colon()} {field_value(record, c.field, c.new)}"
                       for c in delta.changes]
            if not details:
                continue  # saved unchanged: no line saying nothing
        lines.append({"date": record.history_date, "user": record.history_user,
                      "text": f"{subject} — {', '.join(str(d) for d in details)}"})
    return lines


# The pickers' narrowing script, after the admin's jQuery (the pages of people, mandates and instances).
PICKERS_JS = ["admin/js/vendor/jquery/jquery.js", "admin/js/jquery.init.js", "membership/js/pickers.js"]


class PersonHistoryMixin:
    """The person's page saves no blank history row, and its history lists their mandates' changes in words."""

    object_history_template = "admin/membership/person/object_history.html"

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # only the mandate rows changed: their own history says so, the person's gets no empty row
        super().save_model(request, obj, form, change)

    def history_view(self, request, object_id, extra_context=None):
        person = Person.objects.filter(pk=object_id).first()
        lines = mandate_history_lines(person) if person is not None else []
        return super().history_view(request, object_id, {**(extra_context or {}), "mandate_history": lines})


# --- pickers that say who is who ---------------------------------------------------------------------------------


class DirectoryAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete, with the partner and the institution beside a person's name (two "Ada
    Diallo" are told apart) and the partner beside a mandate (the binôme picker); the leader's, co-lead's and
    binôme pickers narrowed by the partner the form has chosen."""

    def get_queryset(self):
        queryset = super().get_queryset()
        partner = self.forwarded_partner()
        if queryset.model is Person:
            if partner is not None and self.source_field.name in ("leader_person", "co_lead_person"):
                queryset = queryset.filter(institution__partner_id=partner)
            return queryset.select_related("institution__partner")
        if queryset.model is Mandate:
            if self.source_field.name == "pairs_with":
                if partner is not None:  # a binôme pairs with an expert of its own partner (M8)
                    queryset = queryset.filter(person__institution__partner_id=partner)
                if (instance := parse_id(self.request.GET.get("forward_instance"))) is not None:
                    queryset = queryset.filter(instance_id=instance)
            return queryset.select_related("person__institution__partner", "instance")
        return queryset

    def forwarded_partner(self) -> int | None:
        """The partner the form has already chosen (membership/static/membership/js/pickers.js sends it): given
        directly (a group's leader), or as the row's person or the person's institution (a binôme)."""
        get = self.request.GET
        if (partner := parse_id(get.get("forward_partner"))) is not None:
            return partner
        if (person := parse_id(get.get("forward_person"))) is not None:
            return Person.objects.filter(pk=person).values_list("institution__partner_id", flat=True).first()
        if (institution := parse_id(get.get("forward_institution"))) is not None:
            return Institution.objects.filter(pk=institution).values_list("partner_id", flat=True).first()
        return None

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Person):
            result["text"] = person_label(obj)
        elif isinstance(obj, Mandate):
            result["text"] = mandate_label(obj)
        return result


def directory_autocomplete_view(request):
    return DirectoryAutocompleteJsonView.as_view(admin_site=admin.site)(request)


# --- finding people: by the instances where they hold a mandate today; exporting the list -------------------------


class ActiveMandateFilter(admin.SimpleListFilter):
    """ "Par instance", counting only mandates in force today: "GEC" lists today's GEC members, not its alumni."""

    title = gettext_lazy("active mandate in")
    parameter_name = "active_in"

    def lookups(self, request, model_admin):
        return [("any", _("any instance")), ("none", _("none")),
                *[(str(pk), code) for pk, code in Instance.objects.order_by("kind", "code").values_list("pk", "code")]]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        active = Mandate.objects.active_on(timezone.localdate())
        if value == "any":
            return queryset.filter(pk__in=active.values("person_id"))
        if value == "none":
            return queryset.exclude(pk__in=active.values("person_id"))
        if (instance_pk := parse_id(value)) is not None:
            return queryset.filter(pk__in=active.filter(instance_id=instance_pk).values("person_id"))
        return queryset


@admin.action(description=gettext_lazy("Export the selected people (CSV)"))
def export_people_csv(modeladmin, request, queryset):
    """The people shown (select all to take every page), with partner, institution and today's mandates."""
    today = timezone.localdate()
    people = queryset.select_related("institution__partner").prefetch_related(
        Prefetch("mandates", queryset=Mandate.objects.active_on(today).select_related("instance"), to_attr="now"))
    header = [_("last name"), _("first name"), _("e-mail"), _("function"), _("partner"), _("institution"),
              _("language"), _("active mandates")]
    rows = ([p.last_name, p.first_name, p.email, p.get_function_display(), p.institution.partner.name,
             p.institution.name, p.get_language_display(),
             "; ".join(f"{m.instance.code} ({m.get_role_display()})" for m in p.now)] for p in people)
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response
