"""Group leaders manage their own group's meetings through guardian object permissions."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from instances.models import Instance

MANAGE_MEETINGS = "instances.manage_meetings"


def sync_leader_permissions(instance) -> None:
    """Grant `manage_meetings` on a GT/GD to the active login accounts of its leader and co-lead, withdraw it from
    others (a disabled account loses it, and finds it again when enabled).

    Called whenever the leadership changes (`instances.services.instance_set_leadership`, the importer) or a
    person's account is linked, unlinked, disabled or enabled (`membership.services.person_account_changed`);
    safe to call repeatedly.
    """
    User = get_user_model()
    wanted = set()
    if instance.is_group:
        leaders = [p for p in (instance.leader_person, instance.co_lead_person) if p is not None and p.user_id]
        wanted = set(User.objects.filter(pk__in=[p.user_id for p in leaders], is_active=True)
                     .values_list("pk", flat=True)) if leaders else set()
    current = {
        u.pk
        for u in get_users_with_perms(instance, only_with_perms_in=["manage_meetings"], with_group_users=False)
    }
    for user in User.objects.filter(pk__in=current - wanted):
        remove_perm(MANAGE_MEETINGS, user, instance)
    for user in User.objects.filter(pk__in=wanted - current):
        assign_perm(MANAGE_MEETINGS, user, instance)


def sync_permissions_led_by(person) -> None:
    """Re-sync the groups a person leads or co-leads: their login account was linked, changed or removed."""
    for instance in Instance.objects.filter(Q(leader_person=person) | Q(co_lead_person=person)):
        sync_leader_permissions(instance)
