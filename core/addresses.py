"""One normalisation of e-mail addresses for the whole portal.

An address proves nothing about who holds it, so every place that matches one (login, invitations, activation,
password reset, the importer, inbound mail) compares the same two forms, computed here and nowhere else:

- ``normalise_address``: the form stored and shown. Unicode NFC, surrounding space removed, the domain encoded
  to ASCII with IDNA (UTS #46) and lower-cased; the local part kept as typed (RFC 5321 leaves its case to the
  receiving server).
- ``address_key``: the form compared. The normalised address with its local part case-folded (``str.casefold``),
  so that ``Aissata.Keita@Enabel.example`` and ``aissata.keita@enabel.example`` are one address, while the
  dotless ``ı`` stays distinct from ``i`` (a database's case-insensitive comparison folds ``ı`` to ``I``, Python's
  casefold does not) and ``malı.example`` stays distinct from ``mali.example`` (IDNA gives it an ``xn--`` label).

Never compare addresses with ``iexact`` or ``lower()``: compare keys.

Two domains can be distinct and still look alike (``ptf-malı`` and ``ptf-mali``, a Cyrillic ``а`` for a Latin
``a``). ``domain_skeleton`` is the Unicode TR 39 skeleton of a domain (two domains are confusable when their
skeletons are equal and their ASCII forms are not), and ``mixed_script_labels`` names the labels that mix
scripts. Both read the Unicode data that confusable-homoglyphs ships (``confusables.txt`` and ``Scripts.txt``).
"""

from __future__ import annotations

import functools
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

import idna
from confusable_homoglyphs import categories as unicode_scripts
from confusable_homoglyphs import confusables as unicode_confusables


class InvalidAddress(ValueError):
    """The text is not an address this portal can normalise."""


def _split(raw: str) -> tuple[str, str]:
    text = unicodedata.normalize("NFC", str(raw or "").strip())
    local, sep, domain = text.rpartition("@")
    if not sep or not local or not domain:
        raise InvalidAddress(raw)
    return local, domain


def normalise_domain(domain: str) -> str:
    """The domain in its ASCII form, lower-cased (``Ptf-Malı.example`` → ``xn--ptf-mal-...example``)."""
    domain = unicodedata.normalize("NFC", domain.strip().rstrip("."))
    if domain.isascii():
        return domain.lower()
    try:
        return idna.encode(domain, uts46=True).decode("ascii").lower()
    except idna.IDNAError as exc:
        raise InvalidAddress(domain) from exc


def normalise_address(raw: str) -> str:
    """The stored form of an address: NFC, domain IDNA-encoded and lower-cased, local part as typed."""
    local, domain = _split(raw)
    return f"{local}@{normalise_domain(domain)}"


def address_key(raw: str) -> str:
    """The compared form: the normalised address with its local part case-folded."""
    local, domain = _split(raw)
    return f"{local.casefold()}@{normalise_domain(domain)}"


def address_key_or_empty(raw: str | None) -> str:
    """``address_key`` for text that may be empty or malformed (then ``""``, which matches nothing)."""
    try:
        return address_key(raw or "")
    except InvalidAddress:
        return ""


def same_address(a: str | None, b: str | None) -> bool:
    """Whether two addresses are one, by their keys; an empty or malformed address equals nothing."""
    key = address_key_or_empty(a)
    return bool(key) and key == address_key_or_empty(b)


def display_domain(domain: str) -> str:
    """The domain as a person reads it (Unicode), for messages; the ASCII form when it cannot be decoded."""
    try:
        return idna.decode(domain)
    except idna.IDNAError:
        return domain


# -- look-alike domains (Unicode TR 39) -------------------------------------------------------------------

# Scripts every label may use besides its own (digits, hyphen, combining marks), and the mixtures that are one
# writing system (TR 39's "highly restrictive" level: Japanese, Chinese with Bopomofo, Korean).
NEUTRAL_SCRIPTS = {"COMMON", "INHERITED"}
ONE_WRITING_SYSTEM = [{"HAN", "HIRAGANA", "KATAKANA"}, {"HAN", "BOPOMOFO"}, {"HAN", "HANGUL"}]
_DIRECTION_MARKS = str.maketrans("", "", "\u200e\u200f")


@functools.cache
def _prototypes() -> dict[str, str]:
    """Each confusable character → its TR 39 prototype.

    confusable-homoglyphs stores every line ``source ; prototype`` of confusables.txt as an edge in both
    directions. A prototype is never itself a source (TR 39 skeletons are idempotent), so each connected
    group is a star around its prototype: the member with the most edges, or in a pair the multi-character
    string (``m`` → ``rn``), else either one (both map to it, which is all a comparison needs).
    """
    edges: dict[str, set[str]] = defaultdict(set)
    for source, entries in unicode_confusables.confusables_data.items():
        source = source.translate(_DIRECTION_MARKS)
        for entry in entries:
            target = entry["c"].translate(_DIRECTION_MARKS)
            if target and target != source:
                edges[source].add(target)
                edges[target].add(source)
    prototypes: dict[str, str] = {}
    seen: set[str] = set()
    for start in sorted(edges):
        if start in seen:
            continue
        group, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node in group:
                continue
            group.add(node)
            stack.extend(edges[node] - group)
        seen |= group
        centre = max(group, key=lambda n: (len(edges[n]), len(n), n.isascii(), -ord(n[0])))
        for node in group:
            if len(node) == 1 and node != centre:
                prototypes[node] = centre
    return prototypes


def skeleton(text: str) -> str:
    """The TR 39 skeleton: NFD, each character replaced by its prototype, NFD again."""
    prototypes = _prototypes()
    mapped = "".join(prototypes.get(char, char) for char in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def domain_skeleton(domain: str) -> str:
    """The skeleton of a domain as a person reads it (Unicode, lower case), whatever form it is given in."""
    return skeleton(display_domain(normalise_domain(domain)).casefold())


def mixed_script_labels(domain: str) -> list[tuple[str, list[str]]]:
    """The labels of a domain that mix scripts, each with its scripts (``[("ptf-mаli", ["CYRILLIC", "LATIN"])]``)."""
    out = []
    for label in display_domain(normalise_domain(domain)).split("."):
        scripts = unicode_scripts.unique_aliases(label) - NEUTRAL_SCRIPTS
        if len(scripts) > 1 and not any(scripts <= allowed for allowed in ONE_WRITING_SYSTEM):
            out.append((label, sorted(scripts)))
    return out


class DomainIndex:
    """Known domains by skeleton, to find the one a new domain looks like in one dictionary look-up."""

    def __init__(self, domains: Iterable[str] = ()):
        self._by_skeleton: dict[str, set[str]] = defaultdict(set)
        for domain in domains:
            self.add(domain)

    def add(self, domain: str) -> None:
        try:
            ascii_form = normalise_domain(domain)
        except InvalidAddress:
            return
        self._by_skeleton[domain_skeleton(ascii_form)].add(ascii_form)

    def lookalike(self, domain: str) -> str | None:
        """A known domain that looks like `domain` without being it (its ASCII form), or None."""
        ascii_form = normalise_domain(domain)
        others = self._by_skeleton.get(domain_skeleton(ascii_form), set()) - {ascii_form}
        return min(others) if others else None


def confusable_domain(domain: str, known: Iterable[str]) -> str | None:
    """A domain of `known` that looks like `domain` without being it (its ASCII form), or None."""
    return DomainIndex(known).lookalike(domain)


def domain_of(address: str) -> str:
    """The normalised domain of an address (``InvalidAddress`` when it has none)."""
    return normalise_domain(_split(address)[1])
