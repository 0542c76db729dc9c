"""The secrets of invitation links: random, shown once in the e-mail, stored only as a SHA-256 digest."""

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
