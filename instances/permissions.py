"""Group leaders manage their own group's meetings through guardian object permissions."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

from instances.models import Instance

MANAGE_MEETINGS = "instances.manage_meetings"


def sync_leader_permissions(instance) -> None:
    """Grant `manage_meetings` on a GT/GD to the login accounts of its leader and co-lead, withdraw it from others.

    Called whenever the leadership changes (admin, importer, services); safe to call repeatedly.
    """
    wanted = set()
    if instance.is_group:
        for person in (instance.leader_person, instance.co_lead_person):
            if person is not None and person.user_id is not None:
                wanted.add(person.user_id)
    current = {
        u.pk
        for u in get_users_with_perms(instance, only_with_perms_in=["manage_meetings"], with_group_users=False)
    }
    User = get_user_model()
    for user in User.objects.filter(pk__in=current - wanted):
        remove_perm(MANAGE_MEETINGS, user, instance)
    for user in User.objects.filter(pk__in=wanted - current):
        assign_perm(MANAGE_MEETINGS, user, instance)


def sync_permissions_led_by(person) -> None:
    """Re-sync the groups a person leads or co-leads: their login account was linked, changed or removed."""
    for instance in Instance.objects.filter(Q(leader_person=person) | Q(co_lead_person=person)):
        sync_leader_permissions(instance)
