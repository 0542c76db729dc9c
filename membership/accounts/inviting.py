"""The entry point that invites: records invitations and queues their e-mails after commit.

Views, the `invite_people` command and the Secretariat page come here; the Celery task then calls
`services.invitation_send` (kept apart so that tasks and services do not import each other).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.queue import enqueue_on_commit
from membership.accounts import services
from membership.accounts.tasks import send_account_invitation
from membership.models import Mandate, Person


@dataclass
class InviteResult:
    invited: list[Person] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason → count

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped.values())


@transaction.atomic
def people_invite(*, people, by_user=None, dry_run: bool = False) -> InviteResult:
    """Invite each person who may get an account; skip those already active, disabled, without mandate or e-mail."""
    active = Mandate.objects.active_on(timezone.localdate()).filter(person=OuterRef("pk"))
    queryset = (
        Person.objects.filter(pk__in=[p.pk for p in people] if isinstance(people, list) else people.values("pk"))
        .annotate(has_active_mandate=Exists(active))
        .select_related("user")
        .order_by("last_name", "first_name", "pk")
    )
    result = InviteResult()
    for person in queryset:
        reason = services.skip_reason(person, has_active_mandate=person.has_active_mandate)
        if reason is not None:
            result.skipped[reason] += 1
            continue
        result.invited.append(person)
        if not dry_run:
            invitation = services.invitation_open(person=person, by_user=by_user)
            enqueue_on_commit(send_account_invitation, invitation.pk)
    return result


@transaction.atomic
def secretariat_member_add(*, email: str, first_name: str, last_name: str, by_user):
    user, invitation = services.secretariat_member_add(email=email, first_name=first_name, last_name=last_name,
                                                       by_user=by_user)
    if invitation is not None:
        enqueue_on_commit(send_account_invitation, invitation.pk)
    return user, invitation


@transaction.atomic
def secretariat_member_reinvite(*, user, by_user):
    invitation = services.invitation_open(user=user, by_user=by_user)
    enqueue_on_commit(send_account_invitation, invitation.pk)
    return invitation
