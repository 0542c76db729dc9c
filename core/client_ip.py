"""The real client address, for the login lockout, the throttles and the security log.

Behind TRUSTED_PROXY_COUNT reverse proxies, each appends the address it received the request from to
X-Forwarded-For; the entry written by the outermost trusted proxy is the client. Anything to its left was
written by the client and is ignored. Without trusted proxies the header is ignored altogether (a client could
write it), and REMOTE_ADDR is the client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote  # the request did not come through every proxy: trust only the socket
    candidate = forwarded[-count]
    return candidate if _valid(candidate) else remote
