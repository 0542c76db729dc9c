"""Counters in the shared cache for throttles: how many times a key was hit in a window.

The key is hashed (it may hold an address or a login), so nothing personal is written to the cache's keys.
With CACHE_URL set, every process counts in the same Redis; without it each process counts alone.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def cache_key(scope: str, key: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return f"ptf:{scope}:{digest}"


def hit(scope: str, key: str, window: int) -> int:
    """Count one more hit of `key` and return the count within the window (which starts at the first hit)."""
    name = cache_key(scope, key)
    cache.add(name, 0, window)
    try:
        return cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, window)
        return 1
