"""Text checks shared by forms and the importer: control characters have no place in names and titles.

A title with a line break cannot go into an e-mail Subject header; NUL breaks PostgreSQL. Single-line fields
(titles, places, names) refuse every control character, line breaks included; multi-line text (details,
messages) keeps its line breaks and tabs but refuses the rest.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same without tab, line feed and carriage return.
MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(text: str, *, single_line: bool = True) -> bool:
    pattern = SINGLE_LINE_FORBIDDEN if single_line else MULTI_LINE_FORBIDDEN
    return bool(text) and pattern.search(text) is not None


def strip_control_characters(text: str) -> str:
    return SINGLE_LINE_FORBIDDEN.sub("", text)


def validate_single_line(value) -> None:
    """Form and model validator: no line break, tab, NUL or other control character."""
    if isinstance(value, str) and has_control_characters(value, single_line=True):
        raise ValidationError(
            _("This field cannot contain a line break, a tab or another control character."),
            code="control_character",
        )


def validate_multi_line(value) -> None:
    """Form validator for free text: line breaks are fine, NUL and other control characters are not."""
    if isinstance(value, str) and has_control_characters(value, single_line=False):
        raise ValidationError(_("This text contains a control character; retype it."), code="control_character")
