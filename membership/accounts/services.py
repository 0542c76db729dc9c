"""Writes to portal accounts. Views, the `invite_people` command and the Celery tasks all come here.

E-mails are sent by a task queued by name after commit (`core.queue`), so this module never imports the tasks.

Security events go to the `ptf.security` log and to AccountEvent (the audit page); a link's token is
never written to either.

An address is not an identity (core.addresses, README "Security"): a link opens the account it was made for,
or a new one, or an existing account only when that account is ordinary, unlinked, never used and has
exactly the person's address by its key. Changing who a login belongs to (the person it is linked to, its
e-mail) is recorded, logged and told to the address the login had before. Disabling an account ends its
sessions.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from core import french
from core.addresses import normalise_address
from core.queue import enqueue_on_commit, publish
from instances.models import Instance, InstanceUserObjectPermission
from membership.accounts.emails import invitation_message, login_change_notice
from membership.accounts.models import AccountEvent, AccountInvitation
from membership.accounts.selectors import accounts_with_address, privileged_lookalikes
from membership.accounts.tokens import new_token, token_digest
from membership.models import Mandate, Person
from membership.roles import SECRETARIAT_GROUP
from membership.services import person_account_changed, person_link_account

security_log = logging.getLogger("ptf.security")
User = get_user_model()
SEND_INVITATION_TASK = "membership.accounts.tasks.send_account_invitation"


class SkipReason:
    ACTIVE = "active"
    DISABLED = "disabled"
    NO_MANDATE = "no_mandate"
    NO_EMAIL = "no_email"


def event_record(*, kind: str, person: Person | None = None, user=None, by=None, reason: str = "",
                 since: datetime.date | None = None) -> AccountEvent:
    event = AccountEvent(kind=kind, at=timezone.now(), person=person, user=user, by=by, reason=reason, since=since)
    event.full_clean()
    if by is not None:
        event._history_user = by
    if reason:
        event._change_reason = reason
    event.save()
    return event


def has_open_account(user) -> bool:
    return user is not None and user.is_active and user.has_usable_password()


def skip_reason(person: Person, *, has_active_mandate: bool) -> str | None:
    """Why an invitation is not sent to this person, or None: already active, disabled, no mandate, no e-mail."""
    user = person.user
    if user is not None and not user.is_active:
        return SkipReason.DISABLED
    if has_open_account(user):
        return SkipReason.ACTIVE
    if not has_active_mandate:
        return SkipReason.NO_MANDATE
    if not (person.email or "").strip():
        return SkipReason.NO_EMAIL
    return None


def invitation_open(*, person: Person | None = None, user=None, by_user=None) -> AccountInvitation:
    """A new invitation (its link is minted when sent); re-inviting replaces the open one."""
    now = timezone.now()
    if person is not None:
        AccountInvitation.objects.filter(person=person, used_at__isnull=True, replaced_at__isnull=True).update(
            replaced_at=now)
    else:
        AccountInvitation.objects.filter(user=user, used_at__isnull=True, replaced_at__isnull=True).update(
            replaced_at=now)
    if person is not None:
        user = person.user  # the account the link is made for (None: a new one), and the only one it opens
    invitation = AccountInvitation(person=person, user=user, created_at=now, created_by=by_user)
    invitation.full_clean(exclude=["token_hash"])
    invitation.save()
    return invitation


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
    if not dry_run:
        # Two secretaries inviting the same people at once: the second waits, then replaces the first's links.
        queryset = queryset.select_for_update(of=("self",))
    result = InviteResult()
    for person in queryset:
        reason = skip_reason(person, has_active_mandate=person.has_active_mandate)
        if reason is not None:
            result.skipped[reason] += 1
            continue
        result.invited.append(person)
        if not dry_run:
            invitation = invitation_open(person=person, by_user=by_user)
            enqueue_on_commit(SEND_INVITATION_TASK, invitation.pk)
    return result


@transaction.atomic
def secretariat_member_reinvite(*, user, by_user):
    invitation = invitation_open(user=user, by_user=by_user)
    enqueue_on_commit(SEND_INVITATION_TASK, invitation.pk)
    return invitation


def invitations_requeue(*, older_than_seconds: int = 300) -> int:
    """Publish again the open invitations whose e-mail never left (broker down at commit, retries exhausted)."""
    before = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    ids = list(AccountInvitation.objects.filter(sent_at__isnull=True, used_at__isnull=True, replaced_at__isnull=True,
                                                created_at__lt=before).values_list("pk", flat=True))
    return sum(1 for pk in ids if publish(SEND_INVITATION_TASK, pk))


def invitation_send(*, invitation_id: int) -> str:
    """Mint the link, store its digest and send the e-mail in the person's language, all or nothing.

    Safe to run twice: a row already sent, used or replaced is left alone.
    """
    with transaction.atomic():
        invitation = (
            AccountInvitation.objects.select_for_update(of=("self",))
            .select_related("person", "user")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.sent_at is not None or not invitation.is_open:
            return "skipped"
        token = new_token()
        now = timezone.now()
        invitation.token_hash = token_digest(token)
        invitation.sent_at = now
        invitation.expires_at = now + datetime.timedelta(days=settings.ACCOUNT_INVITATION_DAYS)
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
        message = invitation_message(invitation, token)
        event_record(kind=AccountEvent.Kind.INVITED, person=invitation.person, user=invitation.user,
                     by=invitation.created_by)
        # Sending inside the transaction: if the server refuses, no row says "sent" and the task retries.
        message.send()
    security_log.info("account invitation sent invitation=%s to=%s", invitation.pk, message.to[0])
    return "sent"


def invitation_by_token(token: str) -> AccountInvitation | None:
    """The open, unexpired invitation of this link, or None (unknown, altered, used, replaced or expired)."""
    if not token or len(token) > 200:
        return None
    invitation = (
        AccountInvitation.objects.select_related("person__institution__partner", "user")
        .filter(token_hash=token_digest(token), used_at__isnull=True, replaced_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.expires_at is None or invitation.expires_at <= timezone.now():
        return None
    return invitation


class AccountLinkRefused(ValidationError):
    """A link may not open the account found by the person's address (`account`), or the address passes for
    a privileged account's."""

    def __init__(self, *, account, reason: str):
        super().__init__(_("This link is no longer valid."), code="account_link_refused")
        self.account = account
        self.reason = reason


def linkable(user) -> bool:
    """An existing account a person's link may take over: ordinary, unlinked, never used, no second factor."""
    return (
        user.is_active and not user.is_superuser and not user.is_staff
        and not user.groups.exists() and not user.user_permissions.exists()
        and getattr(user, "person", None) is None
        and user.last_login is None and not user.has_usable_password()
        and not any(True for _device in devices_for_user(user, confirmed=None))
    )


def account_for(person: Person):
    """The login account a person's link opens: theirs, or a new one (unsaved), or an existing account that
    has exactly their address by its key and is `linkable`. Anything else is refused (AccountLinkRefused):
    an account someone uses, or one of the secretariat, staff or a superuser, is never handed to a link, and an
    address that only looks like a privileged account's (TR 39 skeleton) opens nothing."""
    if person.user_id:
        return person.user
    lookalikes = privileged_lookalikes(person.email)
    if lookalikes:
        raise AccountLinkRefused(account=lookalikes[0], reason="lookalike-of-privileged-account")
    existing = accounts_with_address(person.email)
    if len(existing) == 1 and linkable(existing[0]):
        return existing[0]
    if existing:
        raise AccountLinkRefused(account=existing[0], reason="address-of-another-account")
    return User(username=_free_username(person.email), email=normalise_address(person.email),
                first_name=person.first_name[:150], last_name=person.last_name[:150])


def invitation_account(invitation: AccountInvitation, *, person: Person | None = None):
    """The account this link opens: the one it was made for (or, made for none, the one `account_for` gives).

    If the person's login changed since the link was sent (the admin linked another account), the link opens
    nothing: it was not made for that account."""
    person = person if person is not None else invitation.person
    if person is None:
        return invitation.user
    if person.user_id != invitation.user_id:
        raise AccountLinkRefused(account=person.user or invitation.user, reason="not-the-account-it-was-made-for")
    return account_for(person)


def _free_username(email: str) -> str:
    base = email.strip().lower()[:140]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def invitation_accept(*, invitation: AccountInvitation, password: str):
    """Open the account: set the chosen password, link it to the Person, close the link. Returns the user.

    A refused take-over (AccountLinkRefused) changes nothing but is recorded and logged, then raised.
    """
    try:
        return _invitation_accept(invitation=invitation, password=password)
    except AccountLinkRefused as refused:
        account_link_refused(invitation=invitation, refused=refused)
        raise


def account_link_refused(*, invitation: AccountInvitation, refused: AccountLinkRefused) -> None:
    event_record(kind=AccountEvent.Kind.LINK_REFUSED, person=invitation.person, user=refused.account,
                 reason=refused.reason)
    security_log.warning("account link refused invitation=%s person=%s account=%s reason=%s", invitation.pk,
                         invitation.person_id, refused.account.get_username(), refused.reason)


@transaction.atomic
def _invitation_accept(*, invitation: AccountInvitation, password: str):
    invitation = AccountInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open or invitation.expires_at is None or invitation.expires_at <= timezone.now():
        raise ValidationError(_("This link is no longer valid."))
    person = Person.objects.select_for_update().get(pk=invitation.person_id) if invitation.person_id else None
    user = invitation_account(invitation, person=person)
    if not user.is_active:
        # A disabled account is given back by the SEG ("enable again"), never by an old link.
        raise ValidationError(_("This link is no longer valid."))
    existing = user.pk is not None
    if existing:
        user = User.objects.select_for_update().get(pk=user.pk)  # the checks above, again under a lock
        if person is not None and person.user_id != user.pk and not linkable(user):
            raise AccountLinkRefused(account=user, reason="account-changed-meanwhile")
    # Never the e-mail of an existing account: a new account takes the person's address, an existing one has it.
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if person is not None and person.user_id != user.pk:
        person_link_account(person=person, user=user, reason="account activated")
        if existing:
            login_linked(person=person, previous_user=None, user=user, by=user)
    elif person is not None:
        person_account_changed(person=person)  # linked before (by the SEG): the leadership follows all the same
    invitation.used_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["used_at", "user"])
    event_record(kind=AccountEvent.Kind.ACTIVATED, person=person, user=user, by=user)
    security_log.info("account activated user=%s", user.get_username())
    return user


def sessions_end(*, user) -> int:
    """Delete every session of this account (database and cache): a disabled account's cookie never works again,
    even once the account is enabled again. Returns how many were deleted."""
    engine = import_module(settings.SESSION_ENGINE)
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            keys.append(session.session_key)
    for key in keys:
        engine.SessionStore(session_key=key).delete(key)
    if keys:
        security_log.info("sessions ended user=%s count=%d", user.get_username(), len(keys))
    return len(keys)


@transaction.atomic
def account_disable(*, user, by_user, reason: str = "", already_saved: bool = False):
    """Disable an account (the admin's user page and any other path): it can no longer sign in, its open links
    are closed and its sessions end. `already_saved` when a form has just written `is_active=False`."""
    if not already_saved:
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            return locked
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        user = locked
    person = Person.objects.filter(user=user).first()
    AccountInvitation.objects.filter(Q(user=user) | Q(person=person) if person else Q(user=user),
                                     used_at__isnull=True, replaced_at__isnull=True).update(replaced_at=timezone.now())
    event_record(kind=AccountEvent.Kind.DISABLED, person=person, user=user, by=by_user, reason=reason)
    if person is not None:
        person_account_changed(person=person)  # a disabled leader no longer manages the group (T7)
    security_log.info("account disabled user=%s by=%s", user.get_username(),
                      by_user.get_username() if by_user is not None else "-")
    transaction.on_commit(lambda: sessions_end(user=user))
    return user


# -- who a login belongs to ---------------------------------------------------------------------------------

def _notify(*, to: str, language: str | None, by, change) -> None:
    """E-mail the notice after commit (Django's e-mail layer); a mail server down never undoes the change."""
    if not to:
        return
    when = timezone.now()
    by_name = (by.get_full_name() or by.get_username()) if by is not None else "—"

    def send():
        with translation.override(language or settings.LANGUAGE_CODE):
            message = login_change_notice(to=to, change=change(), language=language, when=when, by=by_name)
        message.send()

    transaction.on_commit(send, robust=True)


def login_linked(*, person: Person, previous_user, user, by) -> None:
    """A person's login changed (the admin's person page, or a link that opened an existing account): each
    account concerned gets an event, a line in the security log and a notice at its address."""
    language = person.language
    if previous_user is not None:
        event_record(kind=AccountEvent.Kind.UNLINKED, person=person, user=previous_user, by=by)
        security_log.warning("login unlinked user=%s person=%s by=%s", previous_user.get_username(), person.pk,
                             by.get_username() if by is not None else "-")
        _notify(to=previous_user.email, language=language, by=by, change=lambda: _(
            "Your login on the PTF Mali portal (%(login)s) is no longer the account %(of_name)s in the directory.")
            % {"login": previous_user.get_username(), "of_name": french.of_name(person.full_name)})
    if user is not None:
        event_record(kind=AccountEvent.Kind.LINKED, person=person, user=user, by=by)
        security_log.warning("login linked user=%s person=%s by=%s", user.get_username(), person.pk,
                             by.get_username() if by is not None else "-")
        _notify(to=user.email, language=language, by=by, change=lambda: _(
            "Your login on the PTF Mali portal (%(login)s) is now the account %(of_name)s in the directory.")
            % {"login": user.get_username(), "of_name": french.of_name(person.full_name)})


def login_email_changed(*, user, previous_email: str, by) -> None:
    """An account's e-mail changed: recorded, logged, and told to the previous address."""
    person = Person.objects.filter(user=user).first()
    event_record(kind=AccountEvent.Kind.EMAIL_CHANGED, person=person, user=user, by=by,
                 reason=f"{previous_email} → {user.email}"[:300])
    security_log.warning("login e-mail changed user=%s from=%s to=%s by=%s", user.get_username(), previous_email,
                         user.email, by.get_username() if by is not None else "-")
    _notify(to=previous_email, language=person.language if person else None, by=by, change=lambda: _(
        "The e-mail address of your login on the PTF Mali portal was changed from %(old)s to %(new)s.")
        % {"old": previous_email, "new": user.email})


def leads_a_group(user) -> bool:
    """Whether the account manages an active GT/GD's meetings (its person leads or co-leads it, T7)."""
    return InstanceUserObjectPermission.objects.filter(
        user=user, content_object__is_active=True,
        content_object__kind__in=[Instance.Kind.GT, Instance.Kind.GD]).exists()


@transaction.atomic
def account_enable(*, person: Person, by_user):
    """The SEG gives back a disabled account (it stays open until a new mandate ends and its grace passes)."""
    user = User.objects.select_for_update().filter(pk=person.user_id).first()
    if user is None:
        raise ValidationError(_("This person has no account."))
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        person_account_changed(person=person)
        event_record(kind=AccountEvent.Kind.ENABLED, person=person, user=user, by=by_user)
        security_log.info("account enabled user=%s by=%s", user.get_username(), by_user.get_username())
    return user


def _exempt(user) -> bool:
    """Secretariat staff and admins keep their access whatever the directory says."""
    return user.is_superuser or user.is_staff or user.groups.filter(name=SECRETARIAT_GROUP).exists()


def accounts_disable_lapsed(*, today: datetime.date | None = None, grace_days: int | None = None) -> list:
    """Disable the accounts of people who have held no active mandate for the grace period. Returns the users.

    The period without mandate starts the day after the last mandate ended, or, for a person who never held
    one, the day the account was created. Mandates that start later count as held (the person is expected).
    An account the SEG enabled again during the period stays open.
    """
    today = today or timezone.localdate()
    grace_days = settings.ACCOUNT_GRACE_DAYS if grace_days is None else grace_days
    cutoff = today - datetime.timedelta(days=grace_days)
    held = Mandate.objects.filter(Q(end__isnull=True) | Q(end__gte=today))
    candidates = (
        Person.objects.filter(user__is_active=True, user__is_superuser=False, user__is_staff=False)
        .exclude(user__groups__name=SECRETARIAT_GROUP)
        .exclude(pk__in=held.values("person_id"))
        .annotate(last_end=Max("mandates__end"))
        .select_related("user")
    )
    disabled = []
    for person in candidates:
        user = person.user
        gap_start = (person.last_end + datetime.timedelta(days=1)) if person.last_end else timezone.localdate(
            user.date_joined)
        if gap_start > cutoff:
            continue  # still within the grace period
        enabled_since = AccountEvent.objects.filter(
            person=person, kind=AccountEvent.Kind.ENABLED, at__date__gte=gap_start).exists()
        if enabled_since:
            continue
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            if not locked.is_active or _exempt(locked):
                continue
            locked.is_active = False
            locked.save(update_fields=["is_active"])
            person_account_changed(person=person)
            AccountInvitation.objects.filter(person=person, used_at__isnull=True, replaced_at__isnull=True).update(
                replaced_at=timezone.now())
            transaction.on_commit(functools.partial(sessions_end, user=locked))
            with translation.override(settings.LANGUAGE_CODE):
                reason = _("No active mandate since %(date)s (grace of %(days)d days).") % {
                    "date": date_format(gap_start, "DATE_FORMAT"), "days": grace_days}
            event_record(kind=AccountEvent.Kind.LAPSED, person=person, user=locked, reason=reason, since=gap_start)
        security_log.info("account disabled user=%s reason=no-active-mandate since=%s", locked.get_username(),
                          gap_start.isoformat())
        disabled.append(locked)
    return disabled


def secretariat_group() -> Group:
    # Created by the membership migration; get_or_create keeps a hand-wiped database working.
    return Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0]


@transaction.atomic
def secretariat_member_add(*, email: str, first_name: str, last_name: str, by_user):
    """Add someone to the SEG. A new account gets an invitation to choose its password. Returns (user, invitation)."""
    email = normalise_address(email)
    same = accounts_with_address(email)
    user = same[0] if same else None
    invitation = None
    if user is None:
        user = User(username=_free_username(email), email=email, first_name=first_name[:150],
                    last_name=last_name[:150])
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    group = secretariat_group()
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        event_record(kind=AccountEvent.Kind.ROLE_GRANTED, user=user, by=by_user)
        security_log.info("role granted role=secretariat user=%s by=%s", user.get_username(), by_user.get_username())
    if not user.has_usable_password():
        invitation = invitation_open(user=user, by_user=by_user)
        enqueue_on_commit(SEND_INVITATION_TASK, invitation.pk)
    return user, invitation


@transaction.atomic
def secretariat_member_remove(*, user, by_user):
    group = secretariat_group()
    if user.groups.filter(pk=group.pk).exists():
        user.groups.remove(group)
        event_record(kind=AccountEvent.Kind.ROLE_REMOVED, user=user, by=by_user)
        security_log.info("role removed role=secretariat user=%s by=%s", user.get_username(), by_user.get_username())
    return user


def password_reset_recorded(*, user, requested: bool) -> None:
    """A reset link was sent (requested) or a password was set through one; never the link itself."""
    kind = AccountEvent.Kind.RESET_REQUESTED if requested else AccountEvent.Kind.RESET
    person = Person.objects.filter(user=user).first()
    event_record(kind=kind, person=person, user=user, by=None if requested else user)
    security_log.info("password reset %s user=%s", "requested" if requested else "done", user.get_username())
