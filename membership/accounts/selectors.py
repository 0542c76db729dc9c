"""Reads of portal accounts: the access page's list of people with their account state."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Case, CharField, Exists, OuterRef, Q, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.addresses import InvalidAddress, address_key, display_domain, domain_skeleton, normalise_address, skeleton
from membership.accounts.models import AccountEvent, AccountInvitation
from membership.models import Mandate, Person
from membership.roles import SECRETARIAT_GROUP


class State:
    NONE = "none"
    INVITED = "invited"
    EXPIRED = "expired"
    ACTIVE = "active"
    DISABLED = "disabled"

    CHOICES = [
        (NONE, _("no account")),
        (INVITED, _("invited")),
        (EXPIRED, _("invitation expired")),
        (ACTIVE, _("active")),
        (DISABLED, _("disabled")),
    ]
    LABELS = dict(CHOICES)


def people_access(*, instance=None, partner=None, state: str | None = None, search: str = ""):
    """Every person of the directory with their account state, in one query.

    Annotations: `account_state`, `invited_at` / `invitation_expires` (the open invitation),
    `disabled_at` / `disabled_reason` / `disabled_since` (the last disablement), `has_active_mandate`.
    """
    now = timezone.now()
    today = timezone.localdate()
    open_invitation = AccountInvitation.objects.filter(
        person=OuterRef("pk"), used_at__isnull=True, replaced_at__isnull=True
    ).order_by("-created_at")
    last_disabled = AccountEvent.objects.filter(
        person=OuterRef("pk"), kind__in=[AccountEvent.Kind.LAPSED, AccountEvent.Kind.DISABLED]
    ).order_by("-at", "-pk")
    active_mandates = Mandate.objects.active_on(today).filter(person=OuterRef("pk"))
    qs = (
        Person.objects.select_related("institution__partner", "user")
        .annotate(
            invited_at=Subquery(open_invitation.values("created_at")[:1]),
            invitation_expires=Subquery(open_invitation.values("expires_at")[:1]),
            disabled_at=Subquery(last_disabled.values("at")[:1]),
            disabled_reason=Subquery(last_disabled.values("reason")[:1]),
            disabled_since=Subquery(last_disabled.values("since")[:1]),
            has_active_mandate=Exists(active_mandates),
        )
        .annotate(
            account_state=Case(
                When(user__isnull=False, user__is_active=False, then=Value(State.DISABLED)),
                When(Q(user__isnull=False) & ~Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX),
                     then=Value(State.ACTIVE)),
                When(invited_at__isnull=False, invitation_expires__isnull=True, then=Value(State.INVITED)),
                When(invitation_expires__gt=now, then=Value(State.INVITED)),
                When(invited_at__isnull=False, then=Value(State.EXPIRED)),
                default=Value(State.NONE),
                output_field=CharField(),
            )
        )
        .order_by("institution__partner__name", "last_name", "first_name")
    )
    if instance is not None:
        qs = qs.filter(Exists(Mandate.objects.active_on(today).filter(person=OuterRef("pk"), instance=instance)))
    if partner is not None:
        qs = qs.filter(institution__partner=partner)
    if state:
        qs = qs.filter(account_state=state)
    for word in (search or "").split()[:5]:
        qs = qs.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word))
    return qs


def secretariat_members():
    """The SEG staff accounts, with their person if they have one."""
    return (
        get_user_model().objects.filter(groups__name=SECRETARIAT_GROUP)
        .select_related("person")
        .order_by("last_name", "first_name", "username")
    )


# -- accounts by address (core.addresses) -----------------------------------------------------------------

def accounts_with_address(address: str, queryset=None) -> list:
    """The accounts whose e-mail is this address by its key (core.addresses), oldest first.

    As Django's password-reset form does (``_unicode_ci_compare``), the database's case-insensitive match only
    narrows the search (the address as typed, normalised and with its domain in Unicode); the keys decide, so
    ``ptf-malı`` never finds ``ptf-mali`` however the database folds ``ı``.
    """
    try:
        key = address_key(address)
        normalised = normalise_address(address)
    except InvalidAddress:
        return []
    local, _sep, domain = normalised.rpartition("@")
    forms = {address.strip(), normalised, f"{local}@{display_domain(domain)}"}
    condition = Q()
    for form in forms:
        condition |= Q(email__iexact=form)
    queryset = get_user_model()._default_manager.all() if queryset is None else queryset
    return [user for user in queryset.filter(condition).order_by("pk") if _key_or_none(user.email) == key]


def _key_or_none(address: str) -> str | None:
    try:
        return address_key(address)
    except InvalidAddress:
        return None


def address_skeleton(address: str) -> str | None:
    """Local part and domain by their TR 39 skeletons: two addresses that a reader cannot tell apart."""
    try:
        local, _sep, domain = normalise_address(address).rpartition("@")
        return f"{skeleton(local.casefold())}@{domain_skeleton(domain)}"
    except InvalidAddress:
        return None


def privileged_lookalikes(address: str) -> list:
    """Superuser, staff and secretariat accounts whose address looks like this one without being it."""
    wanted, key = address_skeleton(address), _key_or_none(address)
    if wanted is None:
        return []
    privileged = get_user_model()._default_manager.filter(
        Q(is_superuser=True) | Q(is_staff=True) | Q(groups__name=SECRETARIAT_GROUP)).exclude(email="").distinct()
    return [u for u in privileged.order_by("pk") if _key_or_none(u.email) != key and address_skeleton(u.email) == wanted]
