"""What the secretariat does when an agenda proposal is decided (registered on `meetings.hooks`):
the proposer is told by e-mail (with the reason), and an item accepted after convocation goes out to every
invitee as an agenda update (same UID, the meeting's new SEQUENCE)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.queue import enqueue_on_commit
from meetings.hooks import on_proposal_decided
from secretariat.services import invitations_send_update

SEND_PROPOSAL_DECISION = "secretariat.tasks.send_proposal_decision"


@on_proposal_decided
def tell_the_proposer(*, item, agenda_updated: bool) -> None:
    if item.proposed_by_id is not None and item.proposed_by.email:
        enqueue_on_commit(SEND_PROPOSAL_DECISION, item.pk)


@on_proposal_decided
def send_the_updated_agenda(*, item, agenda_updated: bool) -> None:
    if agenda_updated:
        invitations_send_update(
            meeting=item.meeting, message=_("The agenda was updated: “%(item)s” was added.") % {"item": item.title})
