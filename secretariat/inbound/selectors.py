"""Reads of the inbound mailbox for the secretariat's pages (a constant number of queries)."""

from __future__ import annotations

from membership.models import Person
from secretariat.inbound.models import InboundMessage

_RELATED = ("invitation", "meeting__instance")


def mailbox_to_handle(limit: int = 200) -> list[InboundMessage]:
    """COUNTER proposals, written replies, refused and unmatched messages the secretariat has not dealt with."""
    return list(InboundMessage.objects.filter(needs_attention=True, handled_at__isnull=True)
                .select_related(*_RELATED).order_by("-received_at", "-pk")[:limit])


def mailbox_recent(limit: int = 50) -> list[InboundMessage]:
    return list(InboundMessage.objects.select_related(*_RELATED).order_by("-received_at", "-pk")[:limit])


def failed_addresses(limit: int = 50) -> list[Person]:
    """People whose address bounced permanently ("adresse en échec"), most recent first."""
    return list(Person.objects.filter(email_failed_at__isnull=False).select_related("institution__partner")
                .order_by("-email_failed_at", "pk")[:limit])


def mailbox_to_handle_count() -> int:
    return InboundMessage.objects.filter(needs_attention=True, handled_at__isnull=True).count()
