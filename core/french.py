"""French text helpers: "de" + a name with contraction and elision, typography, dates written out.

No domain import: callers pass plain names and articles (the partner's `article` field stores one of
ARTICLES). Every helper takes an optional `language`; without it the active language decides, so the
same call writes "de l'Allemagne" on a French page and "of Germany"… "of Allemagne" on an English one
(names are stored once, in the partner's own spelling).
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone, translation

from core.french_names import article_for

LE, LA, LES, L_ELIDED, NONE = "le", "la", "les", "l'", ""
ARTICLES = (LE, LA, LES, L_ELIDED, NONE)

NNBSP = "\u202f"  # narrow no-break space: before ; : ! ? and inside « »
NBSP = "\u00a0"  # no-break space: between a number and its unit ("9 h 00")

VOWELS = "aeiouyàâäéèêëîïôöùûüÿœæ"
# Names that start with a mute h and so elide ("d'Haïti"); an aspirated h does not ("de Hongrie").
MUTE_H = ("haïti", "honduras")

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")
MONTH_ABBR_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")
MONTH_ABBR_EN = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")


def _french(language: str | None) -> bool:
    return (language or translation.get_language() or "fr").split("-")[0] == "fr"


def starts_with_vowel_sound(word: str) -> bool:
    """True when French elides before this word: a vowel (accents included) or a mute h."""
    word = word.strip().lower()
    return bool(word) and (word[0] in VOWELS or word.startswith(MUTE_H))


def elide(word: str, following: str) -> str:
    """`word` + `following` with French elision: elide("que", "expert") == "qu'expert"; "de", "le", "la", "je"…"""
    following = following.strip()
    if word.lower() in ("de", "que", "le", "la", "je", "ne", "me", "te", "se", "lorsque", "puisque") and \
            starts_with_vowel_sound(following):
        return f"{word[:-1]}'{following}"
    return f"{word} {following}"


def with_article(name: str, *, article: str = NONE, language: str | None = None) -> str:
    """The name as a French sentence needs it: "le Canada", "la France", "les Pays-Bas", "l'Allemagne".
    Without an article, the table of country and organisation names gives it (core/french_names.py)."""
    article = article or article_for(name)
    if not _french(language) or not article:
        return name
    if article == L_ELIDED:
        return f"l'{name}"
    return f"{article} {name}"


def of_name(name: str, *, article: str = NONE, language: str | None = None) -> str:
    """ "de" + name: "du Canada", "de la France", "des Pays-Bas", "de l'Allemagne", "d'ONU Femmes",
    "de Mme Traoré"; in English plain "of X"."""
    if not _french(language):
        return f"of {name}"
    article = article or article_for(name)
    if article == LE:
        return f"du {name}"
    if article == LES:
        return f"des {name}"
    if article in (LA, L_ELIDED):
        return f"de {with_article(name, article=article, language='fr')}"
    return elide("de", name)


def from_name(name: str, *, article: str = NONE, language: str | None = None) -> str:
    """ "de" + name where English says "from": "Réponse écrite d'Ingrid Coulibaly" / "Written reply from Ingrid
    Coulibaly" (French "de" is both "of" and "from")."""
    if not _french(language):
        return f"from {name}"
    return of_name(name, article=article, language="fr")


def to_name(name: str, *, article: str = NONE, language: str | None = None) -> str:
    """ "à" + name: "au Canada", "à la France", "aux Pays-Bas", "à l'Allemagne", "à ONU Femmes"; English "to X"."""
    if not _french(language):
        return f"to {name}"
    article = article or article_for(name)
    if article == LE:
        return f"au {name}"
    if article == LES:
        return f"aux {name}"
    return f"à {with_article(name, article=article, language='fr')}"


_BEFORE_HIGH_PUNCTUATION = re.compile(r"[ \u00a0\u202f]*([;:!?])(?=\s|$|[\"»)])")


def typography(text: str, *, language: str | None = None) -> str:
    """French punctuation spacing: a narrow no-break space before ; : ! ? (not inside URLs or times)."""
    if not _french(language):
        return text
    return _BEFORE_HIGH_PUNCTUATION.sub(lambda m: NNBSP + m.group(1), text)


def label(text: str, *, language: str | None = None) -> str:
    """A label followed by its colon: "Lieu :" in French (narrow no-break space), "Place:" in English."""
    return f"{text}{NNBSP}:" if _french(language) else f"{text}:"


def quoted(text: str, *, language: str | None = None) -> str:
    """« text » in French (narrow no-break spaces inside), “text” in English."""
    return f"«{NNBSP}{text}{NNBSP}»" if _french(language) else f"“{text}”"


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def long_date(value: datetime.date, *, language: str | None = None) -> str:
    """ "19 décembre 2026", "1er janvier 2027"; "19 December 2026" in English."""
    value = _local(value)
    if _french(language):
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {MONTHS_FR[value.month - 1]} {value.year}"
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


def time_of_day(value: datetime.datetime | datetime.time, *, language: str | None = None) -> str:
    """ "9 h 00" in French (no-break spaces), "9:00" in English."""
    value = _local(value)
    if _french(language):
        return f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}"
    return f"{value.hour}:{value.minute:02d}"


def long_datetime(value: datetime.datetime, *, language: str | None = None) -> str:
    """ "19 décembre 2026 à 9 h 00" (in the current time zone); "19 December 2026 at 9:00" in English."""
    value = _local(value)
    if _french(language):
        return f"{long_date(value, language='fr')} à {time_of_day(value, language='fr')}"
    return f"{long_date(value, language='en')} at {time_of_day(value, language='en')}"


def month_abbr(month: int, *, language: str | None = None) -> str:
    """An abbreviation no reader confuses with another month: "juin", "juil.", "déc." (lower case in French)."""
    return (MONTH_ABBR_FR if _french(language) else MONTH_ABBR_EN)[month - 1]


def short_date(value: datetime.date, *, language: str | None = None) -> str:
    """ "19 déc. 2026"; "19 Dec. 2026" in English."""
    value = _local(value)
    return f"{value.day} {month_abbr(value.month, language=language)} {value.year}"


def zone_name(zone: str, *, language: str | None = None) -> str:
    """A time zone as a reader names it: "heure de Bamako", "heure d'Abidjan"; "Bamako time" in English. Never the
    identifier ("Africa/Bamako")."""
    city = str(zone).rsplit("/", 1)[-1].replace("_", " ")
    if _french(language):
        return "heure " + of_name(city, language="fr")
    return f"{city} time"


def numeric_date(value: datetime.date, *, language: str | None = None) -> str:
    """ "31/12/2026" in French; "31 Dec 2026" in English, where 12/07 would be read as 7 December."""
    value = _local(value)
    if _french(language):
        return value.strftime("%d/%m/%Y")
    return f"{value.day} {MONTHS_EN[value.month - 1][:3]} {value.year}"
