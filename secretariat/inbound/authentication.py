"""Whether a message really comes from the domain of its From address: the only proof a calendar reply has.

A From line is text anyone writes. A reply is *authenticated* when, and only when, one of these holds:

1. **DKIM, verified here** (dkimpy): a `DKIM-Signature` whose signing domain `d=` is the From domain or a
   parent of it (relaxed alignment, as DMARC), without a body-length limit `l=`, verifies against the public key
   published in DNS (`INBOUND_DKIM_TIMEOUT` seconds per lookup).
2. **The secretariat's own mail server says so**: the topmost `Authentication-Results` header (RFC 8601) whose
   authserv-id is in `INBOUND_TRUSTED_AUTHSERV_IDS` shows `dmarc=pass` for the From domain, or a `dkim=pass`
   whose `header.d` is aligned with it. Headers of any other authserv-id are ignored, and so is every header
   with a trusted id *below* that topmost one: a receiving server adds its header on top of those the sender
   wrote, so a sender can place a header with the trusted id only underneath the server's own; counting only the
   first one keeps a forged `dmarc=pass` written by the sender from outvoting the server's `dmarc=fail`. (A
   server whose several filters each add a header with the same id, such as OpenDKIM then OpenDMARC, is read by
   its topmost one only; the DKIM check above covers the signature the lower one reported.)

A message with more than one From header is never authenticated: DKIM signs one of them, readers show another.
Nothing here touches the database; the DNS function is injectable (tests serve their own keys).
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable
from dataclasses import dataclass

import authres
import dkim
from dkim.util import InvalidTagValueList, parse_tag_value

from core.addresses import InvalidAddress, normalise_domain


@dataclass(frozen=True)
class Authentication:
    """The verdict: `verified`, by which `method` (`dkim` or `authentication-results`), for which domain; else
    `reason`, a code rendered for the secretariat (`no_from`, `several_from`, `no_proof`, `bad_signature`…)."""

    verified: bool
    method: str = ""
    domain: str = ""
    reason: str = ""

    @property
    def label(self) -> str:
        """Short text stored with the message: `dkim:aecid.example`, `authentication-results:mx.example`."""
        return f"{self.method}:{self.domain}" if self.verified else ""


def from_domain(address: str) -> str:
    """The domain of an address in its ASCII form (IDNA), as DKIM's `d=` and DMARC's `header.from` write it."""
    if "@" not in (address or ""):
        return ""
    try:
        return normalise_domain(address.rpartition("@")[2])
    except InvalidAddress:
        return ""


def aligned(signing_domain: str, domain: str) -> bool:
    """`d=` equal to the From domain or a parent of it with at least two labels (relaxed alignment)."""
    signing_domain = (signing_domain or "").strip().rstrip(".").lower()
    if not signing_domain or not domain or "." not in signing_domain:
        return False
    return domain == signing_domain or domain.endswith("." + signing_domain)


_FIRST_TOKEN = re.compile(r"^\s*(?:\([^)]*\)\s*)*([^\s;()]+)")


def _authserv_id(value: str) -> str:
    """The first token of an A-R value, read lexically: a header too broken to parse still says whose it is."""
    match = _FIRST_TOKEN.match(value or "")
    return match.group(1).lower() if match else ""


def _property(result, ptype: str, name: str) -> str:
    for prop in result.properties:
        if (prop.type or "").lower() == ptype and (prop.name or "").lower() == name:
            return str(prop.value or "")
    return ""


def _by_results(values: list[str], domain: str, trusted: frozenset[str]) -> Authentication | None:
    """Read the topmost A-R header with a trusted authserv-id, and only that one."""
    for value in values:
        unfolded = " ".join(str(value).split())
        authserv_id = _authserv_id(unfolded)
        if authserv_id not in trusted:
            continue
        try:
            header = authres.all_features().parse_value(unfolded)
        except Exception:  # authres raises its own SyntaxError and others on hostile text
            return Authentication(False, reason="results_unreadable")
        if (header.authserv_id or "").lower() != authserv_id:
            return Authentication(False, reason="results_unreadable")
        for result in header.results:
            method, outcome = (result.method or "").lower(), (result.result or "").lower()
            if outcome != "pass":
                continue
            if method == "dmarc":
                stated = from_domain("x@" + _property(result, "header", "from")) if _property(
                    result, "header", "from") else domain
                if stated == domain:
                    return Authentication(True, "authentication-results", authserv_id)
            if method == "dkim":
                signer = _property(result, "header", "d") or from_domain(_property(result, "header", "i"))
                if aligned(signer, domain):
                    return Authentication(True, "authentication-results", authserv_id)
        return Authentication(False, reason="results_fail")
    return None


def _by_dkim(raw: bytes, message, domain: str, dnsfunc: Callable | None, timeout: int) -> Authentication | None:
    signatures = message.get_all("DKIM-Signature") or []
    if not signatures:
        return None
    verifier = dkim.DKIM(raw, minkey=1024, timeout=timeout)
    reason = "signature_not_aligned"
    for index, value in enumerate(signatures):
        try:
            tags = parse_tag_value(" ".join(str(value).split()).encode("utf-8", "replace"))
        except (InvalidTagValueList, ValueError):
            continue
        signer = tags.get(b"d", b"").decode("ascii", "replace")
        if not aligned(signer, domain):
            continue
        signed = {h.strip().lower() for h in tags.get(b"h", b"").split(b":")}
        if b"from" not in signed:  # RFC 6376 §5.4: a signature that leaves the From out proves nothing about it
            reason = "bad_signature"
            continue
        if b"l" in tags:  # a body-length limit lets anyone append a part after what was signed
            reason = "signature_partial"
            continue
        try:
            kwargs = {"dnsfunc": dnsfunc} if dnsfunc is not None else {}
            ok = verifier.verify(idx=index, **kwargs)
        except dkim.DnsTimeoutError:
            reason = "dns_error"
            continue
        except Exception:  # dkimpy raises several kinds on broken or hostile signatures
            ok = False
        if ok:
            return Authentication(True, "dkim", signer.lower())
        reason = "bad_signature"
    return Authentication(False, reason=reason)


def authenticate(raw: bytes, *, sender: str, trusted_ids, dnsfunc: Callable | None = None,
                 timeout: int = 5) -> Authentication:
    """Whether `raw` is authenticated as coming from the domain of its From address (`sender`, already read)."""
    domain = from_domain(sender)
    if not domain:
        return Authentication(False, reason="no_from")
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if len(message.get_all("From") or []) != 1:
        return Authentication(False, reason="several_from")
    trusted = frozenset(i.strip().lower() for i in trusted_ids or () if i.strip())
    found = _by_results(message.get_all("Authentication-Results") or [], domain, trusted) if trusted else None
    if found is not None and found.verified:
        return found
    signed = _by_dkim(raw, message, domain, dnsfunc, timeout)
    if signed is not None and signed.verified:
        return signed
    if signed is not None:
        return signed
    return found or Authentication(False, reason="no_proof")
