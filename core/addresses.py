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
"""

from __future__ import annotations

import unicodedata

import idna


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
