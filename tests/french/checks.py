"""What a French reader must not meet: English catalogue strings, raw choice codes, "de" before a vowel."""

from __future__ import annotations

import gettext
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils import translation

PROJECT_APPS = ("core", "ptf_portal", "instances", "membership", "meetings", "secretariat")
BLOCK = {"p", "div", "td", "th", "tr", "li", "ul", "ol", "table", "br", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd",
         "option", "section", "header", "footer", "nav", "main", "form", "label", "button", "select", "textarea",
         "fieldset", "legend", "caption", "thead", "tbody", "article", "aside", "summary", "details", "hr", "title"}
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# English msgids that are also French words or names of things kept in English on purpose.
HOMOGRAPHS = {"Minutes", "minutes", "Place", "place", "Contact", "contact", "Message", "message", "Total", "total",
              "Documents", "Type", "type", "Instance", "instance", "Code", "code", "Question", "question",
              "Sector", "Note", "note", "Agenda", "Calendar", "Status", "Actions", "Action", "action", "Date", "date",
              "Format", "format", "Source", "source", "Secretariat", "Partner", "Expert", "expert", "Role", "Titular",
              "Position", "Option", "option", "Points", "Article", "article", "Science", "Session", "session",
              "Information", "information", "Décision", "Organisation", "organisation", "Mission", "mission",
              "Direction", "direction", "Service", "service", "Description", "description", "Sections"}
VOWEL = "AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜaeiouyàâäéèêëîïôöùûü"
BAD_ELISION = re.compile(rf"(?<![\w'’-])(?:(?:[Dd]e|[Qq]ue|[Ll]e|[Ll]a)\s+[{VOWEL}]\w*|[Dd]e\s+les?\b)")
BAD_CONTRACTION = re.compile(r"(?<![\w'’-])[Àà]\s+les?\b(?!\s+\w+(?:er|ir|re)\b)")  # "à les consulter": a pronoun
# "7 Déc. 2026", "7 Décembre": French months are lower case (Django's "M" format capitalises them).
MONTHS = ("Janv", "Févr", "Fév", "Mars", "Avr", "Mai", "Juin", "Juil", "Août", "Sept", "Oct", "Nov", "Déc", "Jan",
          "Janvier", "Février", "Avril", "Juillet", "Septembre", "Octobre", "Novembre", "Décembre")
CAPITAL_MONTH = re.compile(rf"\d[\s\u00a0\u202f]+(?:{'|'.join(MONTHS)})\b")
# "Africa/Bamako", "(Europe/Paris)": a reader is told "heure de Bamako" (core.french.zone_name).
TIME_ZONE_ID = re.compile(r"(?<![\w/.-])(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)"
                          r"/[A-Z][A-Za-z_+-]+")
# Rule IDs (DOMAIN.md: I1…, M2…, T4…, A3…) are for the SEG and the audit; partners read the rule in words.
RULE_ID = re.compile(r"(?<![\w/.#-])[AIMT](?:10|[1-9])(?![\w/-])")
# "invitation expirée expirée": a word said twice.
REPEATED_WORD = re.compile(r"(?<![\w'’-])(?!(?:nous|vous)\b)([^\W\d_]{4,})[ \u00a0]+\1(?![\w'’-])",
                           re.IGNORECASE)  # "vous vous connectez" is French


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    """The text a reader sees, block by block. What an element marks as written in another language than the
    document's (`<button lang="en">English</button>` on a French page) is not the document's text: left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.language = None  # the document's, from <html lang>
        self.open: list[tuple[str, bool]] = []  # (tag, written in another language)

    def _foreign(self) -> bool:
        return any(foreign for _, foreign in self.open)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or "").lower()
        if tag == "html":
            self.language = lang[:2] or None
        foreign = bool(lang and self.language and tag != "html" and lang[:2] != self.language)
        if tag not in VOID:
            self.open.append((tag, foreign))
        if tag in ("script", "style", "template"):
            self.hidden += 1
        if tag in BLOCK:
            self.parts.append("\n")
        if foreign or self._foreign():
            return
        for name in SHOWN_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(f"\n{attrs[name]}\n")
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(f"\n{attrs['value']}\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden = max(0, self.hidden - 1)
        if tag in BLOCK:
            self.parts.append("\n")
        if any(open_tag == tag for open_tag, _ in self.open):
            while self.open and self.open.pop()[0] != tag:
                pass

    def handle_data(self, data):
        if not self.hidden and not self._foreign():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "".join(parser.parts)


@cache
def _catalog() -> dict:
    path = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog


@cache
def french_words() -> frozenset[str]:
    """Every word the French catalogue itself uses: an English word that is also one ("file" in "chef de file",
    "page", "invitation") proves nothing."""
    words = set()
    for translated in _catalog().values():
        words.update(w.lower() for w in re.findall(r"[^\W\d_]+", translated))
    return frozenset(words)


@cache
def english_msgids() -> tuple[re.Pattern, ...]:
    """The project's msgids that French translates differently, as whole-phrase patterns."""
    catalog = _catalog()
    patterns = []
    for key, translated in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04")[-1]
        if not msgid or msgid == translated or msgid in HOMOGRAPHS:
            continue
        # Placeholders split the message; each literal piece of some length must not appear.
        for piece in re.split(r"%\([^)]*\)[sdf]|%[sdf]|\{[^}]*\}", msgid):
            piece = piece.strip(" .,:;!?()«»“”\"'—-\n")
            if len(piece) < 4 or piece in HOMOGRAPHS or piece.lower() == translated.lower():
                continue
            if not re.search(r"[a-z]", piece):
                continue  # acronyms, rule IDs
            if " " not in piece and piece.lower() in french_words():
                continue
            patterns.append((piece, re.compile(rf"(?<![\w'’/-]){re.escape(piece)}(?![\w'’/-])")))
    # Longest first, so a report names the whole sentence rather than a word of it.
    patterns.sort(key=lambda p: -len(p[0]))
    return tuple(p for _, p in patterns)


@cache
def choice_codes() -> dict[str, str]:
    """Every model choice code that differs from its label, in lower-case identifier form: code -> model.field."""
    codes = {}
    with translation.override("fr"):
        _collect_codes(codes)
    return codes


def _collect_codes(codes: dict) -> None:
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "choices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]{2,}", value) and value != str(label) \
                        and value not in french_words():
                    codes.setdefault(value, f"{model.__name__}.{field.name}")


def problems(text: str, *, extra_codes: dict | None = None) -> list[str]:
    """The offending pieces of a French text, each with what is wrong."""
    found = []
    seen = set()
    for pattern in english_msgids():
        for match in pattern.finditer(text):
            if not any(match.start() >= a and match.end() <= b for a, b in seen):
                seen.add((match.start(), match.end()))
                found.append(f"English {match.group(0)!r}: {_context(text, match)}")
    codes = {**choice_codes(), **(extra_codes or {})}
    for code, where in codes.items():
        for match in re.finditer(rf"(?<![\w/.=#:-]){re.escape(code)}(?![\w/.=-])", text):
            found.append(f"code {code!r} ({where}): {_context(text, match)}")
    for match in BAD_ELISION.finditer(text):
        found.append(f"missing elision/contraction: {_context(text, match)}")
    for match in BAD_CONTRACTION.finditer(text):
        found.append(f"missing contraction (au/aux): {_context(text, match)}")
    for match in CAPITAL_MONTH.finditer(text):
        found.append(f"capitalised month: {_context(text, match)}")
    for match in TIME_ZONE_ID.finditer(text):
        found.append(f"time zone identifier: {_context(text, match)}")
    for match in REPEATED_WORD.finditer(text):
        found.append(f"word repeated: {_context(text, match)}")
    return found


def _context(text: str, match: re.Match) -> str:
    start, end = max(0, match.start() - 30), min(len(text), match.end() + 30)
    return "…" + " ".join(text[start:end].split()) + "…"


def rule_ids(text: str) -> list[str]:
    """Rule IDs shown to a reader who is not the SEG (partners' pages, invitations, printed documents)."""
    return [f"rule ID {m.group(0)}: {_context(text, m)}" for m in RULE_ID.finditer(text)]


# -- English: no French left in what an English reader receives --------------------------------------------------

FRENCH_MONTHS = ("janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov", "déc", "janvier",
                 "février", "avril", "juillet", "septembre", "octobre", "novembre", "décembre")
FRENCH_DATE = re.compile(rf"\d[\s\u00a0\u202f]+(?:{'|'.join(FRENCH_MONTHS)})\b\.?", re.IGNORECASE)
FRENCH_TIME = re.compile(r"\b\d{1,2}[\s\u00a0\u202f]h[\s\u00a0\u202f]\d{2}\b")  # "9 h 00" (English: "09:00")
FRENCH_PUNCTUATION = re.compile(r"[ \u00a0\u202f][:;!?](?=\s|$)|[«»]")  # "Lieu : …", « … »
FRENCH_PHRASES = re.compile(r"\bheure de \w+|\b(?:du|des|aux?) (?:[A-Z]\w+)|\bde (?:la|l'|l’)\s*[A-Z]\w+"
                            r"|\b[dl]['’][AEIOUÉÈÎÔ]\w+")


@cache
def french_msgstrs() -> tuple[re.Pattern, ...]:
    """The pieces of the French catalogue that an English text would show if a string escaped its language:
    several words long, so a name or a title typed in French (the directory's data) is not mistaken for one."""
    patterns = []
    for key, translated in _catalog().items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid or not translated or msgid == translated:
            continue
        for piece in re.split(r"%\([^)]*\)[sdf]|%[sdf]|\{[^}]*\}", translated):
            piece = piece.strip(" .,:;!?()«»“”\"'—-\n\u202f\u00a0")
            if piece.count(" ") < 2 or len(piece) < 12 or piece in msgid:
                continue
            patterns.append((piece, re.compile(rf"(?<![\w'’/-]){re.escape(piece)}(?![\w'’/-])")))
    patterns.sort(key=lambda p: -len(p[0]))
    return tuple(p for _, p in patterns)


def english_problems(text: str, *, french_data: tuple[str, ...] = ()) -> list[str]:
    """What a reader of an English text must not meet: French catalogue phrases, "heure de Bamako", French dates
    and times, French spacing and quotes, a time-zone identifier, "None". `french_data` are names and titles typed
    in French (the directory, meeting titles): they stay as written and are left out of the check."""
    for data in sorted(french_data, key=len, reverse=True):
        text = text.replace(data, "…")
    found = []
    seen = set()
    for pattern in french_msgstrs():
        for match in pattern.finditer(text):
            if not any(match.start() >= a and match.end() <= b for a, b in seen):
                seen.add((match.start(), match.end()))
                found.append(f"French {match.group(0)!r}: {_context(text, match)}")
    for name, pattern in (("French date", FRENCH_DATE), ("French time", FRENCH_TIME),
                          ("French punctuation", FRENCH_PUNCTUATION), ("French phrase", FRENCH_PHRASES),
                          ("time zone identifier", TIME_ZONE_ID), ("None", re.compile(r"\bNone\b"))):
        for match in pattern.finditer(text):
            found.append(f"{name}: {_context(text, match)}")
    return found
