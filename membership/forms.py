"""Admin forms of the directory: each one runs the representation rules (M1–M9, T1, T2) in clean().

A violation becomes a form error naming the rule, never an exception out of the view. The
admin validates and saves inside one transaction, so the partner lock taken here holds until
the row is written (M2 under concurrency).
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.forms.models import BaseInlineFormSet, construct_instance

from core.addresses import same_address
from core.form_checks import harden_form_classes
from membership import identity, services
from membership.models import Institution, Mandate, Partner, Person


def _in_transaction() -> bool:
    return not transaction.get_autocommit()


def _related_or_none(obj, name):
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


def _unsaved_copy(form: forms.ModelForm):
    """The edited object as the form would save it, without touching `form.instance`."""
    model = form._meta.model
    copy = model(pk=form.instance.pk)
    for field in model._meta.concrete_fields:
        if field.name not in form.cleaned_data and not field.primary_key:
            setattr(copy, field.attname, getattr(form.instance, field.attname))
    return construct_instance(form, copy, form._meta.fields, form._meta.exclude)


def person_label(person: Person) -> str:
    """ "Ada Diallo — AFD (France)": the name, the institution and its partner (two "Ada Diallo" told apart)."""
    return f"{person.full_name} — {person.institution}"


def mandate_label(mandate: Mandate) -> str:
    """ "Ada Diallo — GT-SANTE (expert) — France": a mandate as the binôme picker names it."""
    return f"{mandate} — {mandate.person.institution.partner.name}"


def label_people_in_full(form: forms.BaseForm, *names: str) -> None:
    """The person pickers' chosen option says who the person is, as their search results do."""
    for name in names:
        field = form.fields.get(name)
        if field is not None and getattr(field, "queryset", None) is not None:
            if field.queryset.model is Person:
                field.queryset = field.queryset.select_related("institution__partner")
                field.label_from_instance = person_label
            elif field.queryset.model is Mandate:
                field.queryset = field.queryset.select_related("person__institution__partner", "instance")
                field.label_from_instance = mandate_label


class RuleFirstForm(forms.ModelForm):
    """A form whose rule messages (with their DOMAIN.md IDs) stand instead of the model's constraint messages.

    When `clean()` refused the object on a rule (`refused_on_rule`), the constraints that say the same in
    general terms are not validated again: the form is invalid already, and a person reads the rule once.
    """

    refused_on_rule = False

    def _post_clean(self):
        if not self.refused_on_rule:
            return super()._post_clean()
        # Django 5.2 validates constraints inside full_clean(); silence them for this one pass only.
        self.instance.validate_constraints = lambda *args, **kwargs: None
        try:
            return super()._post_clean()
        finally:
            del self.instance.validate_constraints


class MandateAdminForm(RuleFirstForm):
    """A mandate alone (the Mandate admin): checked against the saved directory."""

    check_alone = True  # inline forms are checked together by their formset instead

    class Meta:
        model = Mandate
        fields = ["person", "instance", "role", "pairs_with", "start", "end", "authority", "limits"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_people_in_full(self, "person", "pairs_with")

    def candidate(self) -> Mandate | None:
        """The unsaved mandate, or None when a field the rules need is missing (already a field error)."""
        mandate = Mandate(pk=self.instance.pk)
        for name in ("person", "instance"):  # an inline's parent is not a form field
            value = self.cleaned_data.get(name) or _related_or_none(self.instance, name)
            if value is None:
                return None
            setattr(mandate, name, value)
        mandate = construct_instance(self, mandate, self._meta.fields, [*(self._meta.exclude or []), "person",
                                                                          "instance"])
        person = mandate.person
        if not (mandate.start and mandate.role and mandate.instance.kind and person.institution_id):
            return None
        return mandate

    def candidate_for_rules(self) -> Mandate | None:
        """The candidate when the rules can judge it: not when its own fields are wrong (the model says so on the
        field, with the dates: "La fin (01/02/2027) précède le début (01/03/2027)")."""
        mandate = self.candidate()
        if mandate is None or (mandate.end is not None and mandate.end < mandate.start):
            return None
        return mandate

    def add_violations(self, violations) -> None:
        """Rule messages replace the model's generic constraint messages: only the rule's is shown."""
        for violation in violations:
            if violation.rule == "M9":
                continue  # said on the "limits" field by Mandate.clean()
            self.add_error(None, str(violation))
            self.refused_on_rule = True

    def clean(self):
        cleaned = super().clean()
        if self.check_alone and not self.errors:
            mandate = self.candidate_for_rules()
            if mandate is not None:
                self.add_violations(services.mandate_violations(mandate, lock=_in_transaction()))
        return cleaned


class InlineMandateForm(MandateAdminForm):
    check_alone = False


def _label_already_loaded(form: forms.ModelForm, name: str) -> None:
    """Let an autocomplete widget show the selected object the inline's queryset already loaded, instead of
    querying it again for every row (60 rows on the GEC's page were 60 queries)."""
    field = form.fields.get(name)
    widget = getattr(field, "widget", None)
    widget = getattr(widget, "widget", widget)  # inside the admin's RelatedFieldWidgetWrapper
    if not isinstance(widget, AutocompleteSelect) or not form.instance.pk:
        return
    if not form.instance._meta.get_field(name).is_cached(form.instance):
        return
    related = getattr(form.instance, name)
    if related is None:
        return
    known, label, original = str(related.pk), field.label_from_instance(related), widget.optgroups

    def optgroups(html_name, value, attr=None):
        if [str(v) for v in value if str(v) not in field.empty_values] != [known]:
            return original(html_name, value, attr)
        options = [] if widget.is_required else [widget.create_option(html_name, "", "", False, 0)]
        options.append(widget.create_option(html_name, related.pk, label, {known}, len(options)))
        return [(None, options, 0)]

    widget.optgroups = optgroups


class MandateInlineFormSet(BaseInlineFormSet):
    """The mandates of one person or one instance, checked as a set: two new titulars added in one
    save are caught, and a mandate deleted in the same save no longer counts."""

    text_row = None  # set by an inline that shows saved rows as text (membership.admin_inlines)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.text_row is not None and form.instance.pk:
            # Shown as text: what is posted back for the row is its id, its parent and the deletion box.
            for name, field in form.fields.items():
                if name not in ("id", "DELETE", self.fk.name):
                    field.disabled = True
            form.saved_row = self.text_row(form)
            return form
        for name in ("person", "pairs_with"):
            _label_already_loaded(form, name)
        return form

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        forms_, mandates = [], []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # an empty extra row
            if form.instance.pk is not None and not form.has_changed():
                continue  # unchanged: counted from the database
            mandate = form.candidate_for_rules()
            if mandate is not None:
                forms_.append(form)
                mandates.append(mandate)
        deleted, refusals = [], []
        for form in self.deleted_forms:
            if not form.instance.pk:
                continue
            refusal = services.mandate_deletion_refusal(form.instance)
            if refusal:  # mandates are ended, not deleted
                refusals.append(refusal)
            else:
                deleted.append(form.instance.pk)
        if refusals:  # a form marked for deletion does not show its own errors: said above the rows
            raise forms.ValidationError(refusals)
        person = self.instance if isinstance(self.instance, Person) else None
        if person is not None and not person.institution_id:
            return  # the person form has the error
        violations = services.mandates_violations(mandates, person=person, lock=_in_transaction(),
                                                  deleted_pks=deleted)
        keys = [m.pk if m.pk else ("new", i) for i, m in enumerate(mandates)]
        unplaced = []
        for violation in violations:
            placed = False
            if violation.rule == "M9" and any(key in violation.keys for key in keys):
                continue  # said on the "limits" field by Mandate.clean()
            for key, form in zip(keys, forms_, strict=True):
                if key in violation.keys:
                    form.add_error(None, str(violation))
                    form.refused_on_rule = True
                    placed = True
            if not placed:
                unplaced.append(str(violation))
        if unplaced:
            raise forms.ValidationError(unplaced)


class PersonAdminForm(forms.ModelForm):
    """A change of function or institution re-checks the person's current mandates (M1, M2, M5, M7)."""

    class Meta:
        model = Person
        fields = ["last_name", "first_name", "email", "function", "institution", "language", "user"]

    def clean_email(self):
        """A new address must not pass for another (membership.identity); its holder is checked by Person.clean."""
        email = self.cleaned_data["email"]
        if not (self.instance.pk and same_address(self.instance.email, email)):
            problem = identity.lookalike_problem(email, identity.known_domains(exclude_person_pk=self.instance.pk))
            if problem:
                raise forms.ValidationError(problem, code="lookalike_address")
        return email

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.instance.pk is not None:
            for violation in services.person_violations(_unsaved_copy(self), lock=_in_transaction()):
                self.add_error(None, str(violation))
        return cleaned


class InstitutionAdminForm(forms.ModelForm):
    """Moving an institution to another partner moves its people: their seats, binômes and groups are re-checked."""

    class Meta:
        model = Institution
        fields = ["partner", "name", "acronym"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.instance.pk is not None:
            for violation in services.institution_violations(_unsaved_copy(self), lock=_in_transaction()):
                self.add_error("partner", str(violation))
        return cleaned


class PartnerAdminForm(forms.ModelForm):
    """A change of type or UN coordination re-checks what the partner holds (M4, M5, M7, T2)."""

    class Meta:
        model = Partner
        fields = ["name", "article", "partner_type", "un_coordinating"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.instance.pk is not None:
            for violation in services.partner_violations(_unsaved_copy(self)):
                self.add_error(None, str(violation))
        return cleaned


# Names go into e-mail headers and calendars: no control characters; dates within 1990–2100.
harden_form_classes(globals())
