"""What apps above `meetings` do when an agenda proposal is decided, without `meetings` importing them.

A listener is a function `(*, item, agenda_updated: bool) -> None`, called inside the deciding transaction
once the item is saved; `agenda_updated` is true when an item accepted after convocation changed the agenda
that went out (the meeting's calendar SEQUENCE has risen). Listeners register from their `AppConfig.ready()`
and queue any e-mail through `core.queue`, so nothing is sent if the transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Callable

ProposalListener = Callable[..., None]
_listeners: list[ProposalListener] = []


def on_proposal_decided(listener: ProposalListener) -> ProposalListener:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def proposal_decided(*, item, agenda_updated: bool) -> None:
    for listener in _listeners:
        listener(item=item, agenda_updated=agenda_updated)
