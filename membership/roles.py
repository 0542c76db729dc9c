"""Who a user is in the portal: secretariat staff, admin, or a person of the directory, and the groups they lead.

Every page asks these questions, most of them several times: the answers are read once per request, in one
query (`role_facts`), and kept on the request's user object.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from instances.models import Instance, InstanceGroupObjectPermission, InstanceUserObjectPermission
from instances.permissions import MANAGE_MEETINGS
from membership.models import Person

SECRETARIAT_GROUP = "secretariat"
MANAGE_MEETINGS_CODENAME = MANAGE_MEETINGS.split(".", 1)[1]
FACTS_KEY = "_ptf_role_facts"


@dataclass(frozen=True)
class RoleFacts:
    """What the access policy needs to know about a login account, read in one go."""

    in_secretariat_group: bool
    person_id: int | None
    # GT/GD whose meetings the account manages (guardian object permission, given to the account or to one of
    # its groups), as guardian's get_objects_for_user would list them; the active ones, then all of them.
    managed_group_ids: frozenset[int]
    granted_group_ids: frozenset[int]


NO_FACTS = RoleFacts(False, None, frozenset(), frozenset())


@functools.cache
def _facts_sql() -> str:
    """The three answers as tagged rows of one statement. Written in SQL because this runs on every signed-in
    request: the ORM spends ~2 ms compiling the equivalent queries (guardian's most of all), the database
    ~0.1 ms answering them. Table names come from the models; no value is ever formatted into the text."""
    def table(model):
        return connection.ops.quote_name(model._meta.db_table)

    user_groups = table(Group.user_set.through)
    # Guardian keeps the instances' object permissions in direct foreign-key tables (instances.models).
    # Plain lookups by id rather than joins: the planning of this statement is most of its cost.
    return f"""
        WITH grant_permission AS (
            SELECT pe.id FROM {table(Permission)} pe WHERE pe.codename = %s AND pe.content_type_id =
                (SELECT ct.id FROM {table(ContentType)} ct WHERE ct.app_label = %s AND ct.model = %s)
        )
        SELECT 'secretariat', 1 FROM {user_groups} ug
            WHERE ug.user_id = %s AND ug.group_id = (SELECT g.id FROM {table(Group)} g WHERE g.name = %s)
        UNION ALL
        SELECT 'person', p.id FROM {table(Person)} p WHERE p.user_id = %s
        UNION ALL
        SELECT CASE WHEN i.is_active = %s THEN 'group' ELSE 'inactive group' END, i.id
            FROM {table(InstanceUserObjectPermission)} op INNER JOIN {table(Instance)} i ON i.id = op.content_object_id
            WHERE op.user_id = %s AND op.permission_id = (SELECT id FROM grant_permission) AND i.kind IN (%s, %s)
        UNION ALL
        SELECT CASE WHEN i.is_active = %s THEN 'group' ELSE 'inactive group' END, i.id
            FROM {table(InstanceGroupObjectPermission)} op INNER JOIN {table(Instance)} i ON i.id = op.content_object_id
            INNER JOIN {user_groups} ug ON ug.group_id = op.group_id
            WHERE ug.user_id = %s AND op.permission_id = (SELECT id FROM grant_permission) AND i.kind IN (%s, %s)
    """  # noqa: S608 (model table names only)


def _read_facts(user_id: int) -> RoleFacts:
    # In the placeholders' order: the permission, secretariat, person, grants to the account, to its groups.
    groups = [Instance.Kind.GT, Instance.Kind.GD]
    params = [MANAGE_MEETINGS_CODENAME, Instance._meta.app_label, Instance._meta.model_name,
              user_id, SECRETARIAT_GROUP, user_id, True, user_id, *groups, True, user_id, *groups]
    with connection.cursor() as cursor:
        cursor.execute(_facts_sql(), params)
        rows = cursor.fetchall()
    return RoleFacts(
        in_secretariat_group=any(tag == "secretariat" for tag, _value in rows),
        person_id=next((value for tag, value in rows if tag == "person"), None),
        managed_group_ids=frozenset(value for tag, value in rows if tag == "group"),
        granted_group_ids=frozenset(value for tag, value in rows if tag.endswith("group")),
    )


def role_facts(user) -> RoleFacts:
    """The account's facts, read once per user object (that is, once per request)."""
    if not user.is_authenticated:
        return NO_FACTS
    facts = user.__dict__.get(FACTS_KEY)
    if facts is None:
        facts = user.__dict__[FACTS_KEY] = _read_facts(user.pk)
    return facts


def forget_roles(user) -> None:
    """After changing this account's groups, person or leadership within the request: read them again."""
    for key in (FACTS_KEY, "_ptf_person", "_ptf_active_instances"):
        user.__dict__.pop(key, None)


def is_secretariat(user) -> bool:
    """SEG staff manage GEC, GA and every group's meetings. Superusers count as staff too."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or role_facts(user).in_secretariat_group


def requires_second_factor(user) -> bool:
    """Two-factor authentication is mandatory for secretariat staff and admins."""
    return user.is_authenticated and (user.is_staff or user.is_superuser or is_secretariat(user))


def person_id_of(user) -> int | None:
    """The id of the directory Person linked to this login account, without loading the person."""
    return role_facts(user).person_id


def person_of(user):
    """The directory Person linked to this login account, or None."""
    if not user.is_authenticated:
        return None
    cached = user.__dict__.get("_ptf_person", False)
    if cached is False:
        person_id = role_facts(user).person_id
        cached = None if person_id is None else (
            Person.objects.select_related("institution__partner").filter(pk=person_id, user=user).first())
        user.__dict__["_ptf_person"] = cached
    return cached


def managed_group_ids(user) -> frozenset[int]:
    """Active GT/GD the account leads (by object permission); see membership.access for the SEG's reach."""
    return role_facts(user).managed_group_ids


def granted_group_ids(user) -> frozenset[int]:
    """Every GT/GD whose meetings the account may manage, active or not."""
    return role_facts(user).granted_group_ids


def may_manage_group(user, instance) -> bool:
    """The account holds the permission to manage this GT/GD's meetings (active or not): `user.has_perm`'s
    answer for the object, without guardian's queries."""
    return instance.is_group and instance.pk in role_facts(user).granted_group_ids
