"""Admin forms of the directory: each one runs the representation rules (M1–M9, T1, T2) in clean().

A violation becomes a form error naming the rule, never an exception out of the view. The
admin validates and saves inside one transaction, so the partner lock taken here holds until
the row is written (M2 under concurrency).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.forms.models import BaseInlineFormSet, construct_instance

from core.addresses import same_address
from core.form_checks import harden_form_classes
from membership import identity, services
from membership.models import Mandate, Partner, Person


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


class MandateAdminForm(forms.ModelForm):
    """A mandate alone (the Mandate admin): checked against the saved directory."""

    check_alone = True  # inline forms are checked together by their formset instead

    class Meta:
        model = Mandate
        fields = ["person", "instance", "role", "pairs_with", "start", "end", "authority", "limits"]

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

    def clean(self):
        cleaned = super().clean()
        if self.check_alone and not self.errors:
            mandate = self.candidate()
            if mandate is not None:
                for violation in services.mandate_violations(mandate, lock=_in_transaction()):
                    self.add_error(None, str(violation))
        return cleaned


class InlineMandateForm(MandateAdminForm):
    check_alone = False


class MandateInlineFormSet(BaseInlineFormSet):
    """The mandates of one person or one instance, checked as a set: two new titulars added in one
    save are caught, and a mandate deleted in the same save no longer counts."""

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
            mandate = form.candidate()
            if mandate is not None:
                forms_.append(form)
                mandates.append(mandate)
        deleted = [f.instance.pk for f in self.deleted_forms if f.instance.pk]
        person = self.instance if isinstance(self.instance, Person) else None
        if person is not None and not person.institution_id:
            return  # the person form has the error
        violations = services.mandates_violations(mandates, person=person, lock=_in_transaction(),
                                                  deleted_pks=deleted)
        keys = [m.pk if m.pk else ("new", i) for i, m in enumerate(mandates)]
        unplaced = []
        for violation in violations:
            placed = False
            for key, form in zip(keys, forms_, strict=True):
                if key in violation.keys:
                    form.add_error(None, str(violation))
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
            for violation in services.person_violations(_unsaved_copy(self)):
                self.add_error(None, str(violation))
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
