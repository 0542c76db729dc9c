"""Signing domains for the tests: RSA keys made here, messages signed with dkimpy, public keys served through
dkimpy's injectable DNS function (`Domains.dns`) as each domain's DNS would."""

from __future__ import annotations

import base64

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SELECTOR = b"portal-test"


class Domains:
    """Private keys of the signing domains, and the DNS that publishes their public halves."""

    def __init__(self):
        self.keys: dict[str, bytes] = {}
        self.records: dict[str, bytes] = {}
        self.lookups: list[str] = []

    def key_for(self, domain: str) -> bytes:
        if domain not in self.keys:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            self.keys[domain] = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption())
            public = key.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
            self.records[f"{SELECTOR.decode()}._domainkey.{domain}."] = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
        return self.keys[domain]

    def sign(self, raw: bytes, domain: str, **options) -> bytes:
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        signature = dkim.sign(raw, SELECTOR, domain.encode(), self.key_for(domain),
                              include_headers=[b"from", b"to", b"subject", b"date", b"message-id", b"content-type"],
                              **options)
        return signature + raw

    def dns(self, name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        self.lookups.append(name)
        return self.records.get(name)
