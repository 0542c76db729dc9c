"""Typed readers for environment variables.

A bad value stops start-up with one line naming the variable (SystemExit
prints its message and exits 1), rather than a traceback or a silent default.
"""

import math
import os
import zlib
import zoneinfo
from collections import Counter
from urllib.parse import urlparse

import environ

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def _fail(name: str, message: str):
    raise SystemExit(f"Configuration error: {name}: {message}")


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    _fail(name, f"expected a boolean (1/0, true/false, yes/no), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        _fail(name, f"expected an integer, got {raw!r}")


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        _fail(name, f"expected a number, got {raw!r}")


# Values published in this repository or its history: whoever reads the code could forge signed links with them.
KNOWN_SECRET_KEYS = {
    "change-me-to-a-long-random-string-of-at-least-50-characters",
    "dev-only-insecure-key-do-not-use-in-production",
}
SECRET_KEY_MIN_LENGTH = 50
# What `secrets.token_urlsafe(50)` gives is about 370 bits by this estimate, Django's own generator about 240.
SECRET_KEY_MIN_ENTROPY_BITS = 128
KEY_GENERATOR_COMMAND = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def secret_key_problem(key: str | None) -> str | None:
    """Why a SECRET_KEY is unfit for production (None when it is fit)."""
    if not key:
        return "required when DEBUG is off"
    if key in KNOWN_SECRET_KEYS or key.startswith("django-insecure-"):
        return "this is a published example key"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"shorter than {SECRET_KEY_MIN_LENGTH} characters"
    bits = secret_key_entropy_bits(key)
    if bits < SECRET_KEY_MIN_ENTROPY_BITS:
        return f"too predictable (about {bits:.0f} bits of entropy, at least {SECRET_KEY_MIN_ENTROPY_BITS} needed)"
    return None


def secret_key_entropy_bits(key: str) -> float:
    """A cautious estimate of a key's entropy, in bits.

    Shannon's entropy of the key's characters (bits per character, from their frequencies) times the number
    of characters that carry new information: the length the key compresses to (zlib, less its fixed
    overhead), so that a repeated pattern counts once. "ab" × 40 gives 1 bit × 80; "abcdefghij" × 5 gives
    3.3 bits but compresses to about a dozen characters, so about 40 bits.
    """
    if not key:
        return 0.0
    data = key.encode("utf-8", "surrogatepass")
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    overhead = len(zlib.compress(b"", 9))
    novel = min(len(key), max(1, len(zlib.compress(data, 9)) - overhead))
    return per_char * novel


def env_secret_key(name: str, debug: bool, development_key: str) -> str:
    """The key that signs sessions and RSVP links: with DEBUG off, a strong one or no start at all."""
    key = os.environ.get(name, "")
    if debug:
        return key or development_key
    problem = secret_key_problem(key)
    if problem:
        _fail(name, f"{problem}; generate one with: {KEY_GENERATOR_COMMAND}")
    return key


def env_admins(name: str) -> list[tuple[str, str]]:
    """`Name <address>, address, …` → Django's ADMINS (who receives server-error reports)."""
    admins = []
    for item in env_list(name, []):
        if "<" in item and item.endswith(">"):
            label, address = item[:-1].split("<", 1)
            label, address = label.strip(), address.strip()
        else:
            label = address = item
        if "@" not in address:
            _fail(name, f"expected e-mail addresses (Name <address>, …), got {item!r}")
        admins.append((label or address, address))
    return admins


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DB_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


def env_database(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    scheme = urlparse(raw).scheme
    if scheme not in DB_SCHEMES:
        _fail(name, f"expected postgres://… or sqlite:///…, got {raw!r}")
    try:
        return environ.Env.db_url_config(raw)
    except Exception as exc:  # environ raises several types for malformed URLs
        _fail(name, f"cannot parse {raw!r}: {exc}")


def env_url(name: str, schemes: set[str]) -> str | None:
    raw = os.environ.get(name)
    if not raw:
        return None
    if urlparse(raw).scheme not in schemes:
        _fail(name, f"expected a URL with scheme {'/'.join(sorted(schemes))}, got {raw!r}")
    return raw


def env_email(name: str, default: str) -> str:
    raw = os.environ.get(name) or default
    if "@" not in raw:
        _fail(name, f"expected an e-mail address, got {raw!r}")
    return raw


def env_timezone(name: str, default: str) -> str:
    raw = os.environ.get(name) or default
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        _fail(name, f"unknown time zone {raw!r}")
    return raw


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = (os.environ.get(name) or default).strip().lower()
    if value not in choices:
        _fail(name, f"expected one of {', '.join(sorted(choices))}, got {value!r}")
    return value
