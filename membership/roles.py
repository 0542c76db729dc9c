"""Who a user is in the portal: secretariat staff, admin, or a person of the directory."""

from membership.models import Person

SECRETARIAT_GROUP = "secretariat"


def is_secretariat(user) -> bool:
    """SEG staff manage GEC, GA and every group's meetings. Superusers count as staff too."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_ptf_is_secretariat", None)
    if cached is None:
        cached = user.groups.filter(name=SECRETARIAT_GROUP).exists()
        user._ptf_is_secretariat = cached
    return cached


def requires_second_factor(user) -> bool:
    """Two-factor authentication is mandatory for secretariat staff and admins."""
    return user.is_authenticated and (user.is_staff or user.is_superuser or is_secretariat(user))


def person_of(user):
    """The directory Person linked to this login account, or None."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_ptf_person", False)
    if cached is False:
        cached = Person.objects.select_related("institution__partner").filter(user=user).first()
        user._ptf_person = cached
    return cached
