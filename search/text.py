"""Text helpers of the search: accent folding, the query's words, a safe highlighter, a language guess."""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Private-use characters mark a highlight in PostgreSQL's headline; they never survive into the index.
MARK_START, MARK_STOP = "\ue000", "\ue001"
MAX_QUERY_CHARS = 200
MAX_TERMS = 12
WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without accents ("Élections" → "elections"): the form both sides of a SQLite match take."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def plain_text(text: str) -> str:
    """The folded words of a text separated by single spaces: what SQLite's containment search reads (an
    address "a.b@x.org" reads "a b x org", as the query's words do)."""
    return " " + " ".join(WORD.findall(fold(text))) + " "


def clean(text: str) -> str:
    """Text as it is indexed: no control characters, no highlight marks."""
    return "".join(ch if (ch.isprintable() or ch in "\n\t") and ch not in (MARK_START, MARK_STOP) else " "
                   for ch in text or "")


def clean_query(raw: str) -> str:
    """The query as typed, bounded and without control characters (a bookmarked URL never fails)."""
    text = "".join(ch if ch.isprintable() else " " for ch in (raw or "")[: MAX_QUERY_CHARS * 2])
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def parse_terms(query: str) -> tuple[list[str], list[str], list[str]]:
    """The SQLite path's reading of the web syntax: (words or phrases to find, words or phrases to exclude,
    words to highlight). "a b" is a phrase, -word excludes; unbalanced quotes close at the end."""
    include, exclude = [], []
    for match in re.finditer(r'(-?)"([^"]*)"?|(-?)(\S+)', query):
        negative = bool(match.group(1) or match.group(3))
        phrase = match.group(2) if match.group(2) is not None else match.group(4)
        words = WORD.findall(fold(phrase))
        if not words:
            continue
        term = " ".join(words)
        (exclude if negative else include).append(term)
    include, exclude = include[:MAX_TERMS], exclude[:MAX_TERMS]
    return include, exclude, [word for term in include for word in term.split()]


def highlight(text: str, words: list[str], *, length: int = 240) -> SafeString:
    """An escaped excerpt of `text` around the first matching word, matches wrapped in <mark>."""
    text = " ".join((text or "").split())
    folded = fold(text)
    if len(folded) != len(text):  # some characters fold into several: no highlight rather than a wrong one
        return mark_safe(escape(text[:length]))  # noqa: S308 — escaped
    spans = []
    for word in {w for w in words if w}:
        for found in re.finditer(r"\b" + re.escape(word), folded):
            spans.append((found.start(), found.end()))
    spans.sort()
    start = 0
    if spans:
        start = max(0, spans[0][0] - length // 3)
    end = min(len(text), start + length)
    out, position = [], start
    for span_start, span_end in spans:
        if span_start < position or span_end > end:
            continue
        out.append(escape(text[position:span_start]))
        out.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    out.append(escape(text[position:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 — every piece escaped


def headline_html(headline: str) -> SafeString:
    """PostgreSQL's headline, escaped, with its marks turned into <mark>."""
    html = escape(headline or "").replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 — escaped before the marks were added


_ENGLISH = frozenset("the and of to in is for that with on are this be by from".split())
_FRENCH = frozenset("le la les et des du de en est pour que une dans sur au aux par qui".split())


def guess_language(text: str) -> str:
    """"en" when a text reads as English rather than French (stop words of a sample), else "fr"."""
    words = WORD.findall((text or "")[:5000].lower())
    english = sum(1 for w in words if w in _ENGLISH)
    french = sum(1 for w in words if w in _FRENCH)
    return "en" if english > 2 * french and english >= 5 else "fr"
