"""Text checks shared by forms and the importer: control characters have no place in names and titles.

A title with a line break cannot go into an e-mail Subject header; NUL breaks PostgreSQL. Single-line fields
(titles, places, names) refuse every control character, line breaks included, and the invisible characters
that change how a line reads without showing themselves: bidirectional embeddings, overrides and isolates
(U+202A–U+202E, U+2066–U+2069), which reorder a Subject so that "fdp.exe" reads "exe.pdf", and zero-width
characters and direction marks (U+200B–U+200F). Multi-line text (details, messages) keeps its line breaks
and tabs but refuses the other control characters.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
CONTROL = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
# Zero-width characters and direction marks, bidirectional embeddings/overrides, bidirectional isolates.
INVISIBLE = r"\u200b-\u200f\u202a-\u202e\u2066-\u2069"
SINGLE_LINE_FORBIDDEN = re.compile(f"[{CONTROL}{INVISIBLE}]")
INVISIBLE_CHARACTERS = re.compile(f"[{INVISIBLE}]")
# The same without tab, line feed and carriage return.
MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(text: str, *, single_line: bool = True) -> bool:
    pattern = SINGLE_LINE_FORBIDDEN if single_line else MULTI_LINE_FORBIDDEN
    return bool(text) and pattern.search(text) is not None


def strip_control_characters(text: str) -> str:
    return SINGLE_LINE_FORBIDDEN.sub("", text)


def validate_single_line(value) -> None:
    """Form and model validator: no line break, tab, NUL or other control character, nothing invisible."""
    if isinstance(value, str) and INVISIBLE_CHARACTERS.search(value):
        raise ValidationError(
            _("This field cannot contain invisible control characters (zero-width or text-direction characters)."),
            code="invisible_character",
        )
    if isinstance(value, str) and has_control_characters(value, single_line=True):
        raise ValidationError(
            _("This field cannot contain a line break, a tab or another control character."),
            code="control_character",
        )


def validate_multi_line(value) -> None:
    """Form validator for free text: line breaks are fine, NUL and other control characters are not."""
    if isinstance(value, str) and has_control_characters(value, single_line=False):
        raise ValidationError(_("This text contains a control character; retype it."), code="control_character")
