"""One pass over a form class's declared fields: single-line text refuses control characters, free text keeps
its line breaks but refuses the rest, and dates stay within the sane range (core.dates)."""

from __future__ import annotations

from django import forms

from core.dates import validate_sane_date
from core.text import validate_multi_line, validate_single_line


def harden_fields(fields) -> None:
    for field in fields.values():
        if isinstance(field, forms.CharField):
            multi_line = isinstance(field.widget, forms.Textarea)
            check = validate_multi_line if multi_line else validate_single_line
            if check not in field.validators:
                field.validators.append(check)
        if isinstance(field, forms.DateField | forms.DateTimeField) and validate_sane_date not in field.validators:
            field.validators.append(validate_sane_date)


def harden_form_classes(namespace: dict) -> None:
    """Every form class of a module (its `globals()`): the checks go onto the declared fields once."""
    for value in list(namespace.values()):
        if isinstance(value, type) and issubclass(value, forms.BaseForm) and hasattr(value, "base_fields"):
            harden_fields(value.base_fields)
