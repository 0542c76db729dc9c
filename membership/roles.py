"""Who a user is in the portal: secretariat staff, admin, or a person of the directory, and the groups they lead.

Every page asks these questions, most of them several times: the answers are read once per request, in one
query (`role_facts`), and kept on the request's user object.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.prepared import column, prepared, table
from instances.models import Instance, InstanceGroupObjectPermission, InstanceUserObjectPermission
from instances.permissions import MANAGE_MEETINGS
from membership.models import Mandate, Person

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
    # The instances where the person holds a mandate on `today` (the local date when the facts were read).
    member_of: frozenset[int] = frozenset()
    today: datetime.date | None = None


NO_FACTS = RoleFacts(False, None, frozenset(), frozenset())


@functools.cache
def _facts_sql() -> str:
    """The account's row and its facts in one statement: one row, or one per group it leads and per instance
    where its person holds a mandate today.

    Written in SQL because this runs on every signed-in request, before anything else: the ORM spends ~2 ms
    compiling the equivalent queries (guardian's most of all), the database ~0.1 ms answering them, and each
    round trip to the database costs more than either. Table names come from the models; no value is ever
    formatted into the text.
    """
    user_model = get_user_model()
    columns = ", ".join(f"u.{column(user_model, f.name)}" for f in user_model._meta.concrete_fields)
    user_groups = table(user_model.groups.through)
    # Guardian keeps the instances' object permissions in direct foreign-key tables (instances.models).
    # Plain lookups by id rather than joins: the planning of this statement is a good part of its cost.
    return f"""
        WITH grant_permission AS (
            SELECT pe.id FROM {table(Permission)} pe WHERE pe.codename = %s AND pe.content_type_id =
                (SELECT ct.id FROM {table(ContentType)} ct WHERE ct.app_label = %s AND ct.model = %s)
        )
        SELECT {columns},
            (SELECT 1 FROM {user_groups} ug WHERE ug.user_id = u.id
                AND ug.group_id = (SELECT g.id FROM {table(Group)} g WHERE g.name = %s)) AS ptf_in_secretariat,
            (SELECT p.id FROM {table(Person)} p WHERE p.user_id = u.id) AS ptf_person_id,
            extra.tag AS ptf_tag, extra.id AS ptf_instance_id, extra.is_active AS ptf_instance_active
        FROM {table(user_model)} u LEFT JOIN (
            SELECT 'led' AS tag, i.id, i.is_active FROM {table(InstanceUserObjectPermission)} op
                INNER JOIN {table(Instance)} i ON i.id = op.content_object_id
                WHERE op.user_id = %s AND op.permission_id = (SELECT id FROM grant_permission) AND i.kind IN (%s, %s)
            UNION
            SELECT 'led', i.id, i.is_active FROM {table(InstanceGroupObjectPermission)} op
                INNER JOIN {table(Instance)} i ON i.id = op.content_object_id
                INNER JOIN {user_groups} ug ON ug.group_id = op.group_id
                WHERE ug.user_id = %s AND op.permission_id = (SELECT id FROM grant_permission) AND i.kind IN (%s, %s)
            UNION
            SELECT 'member', m.{column(Mandate, "instance")}, NULL FROM {table(Mandate)} m
                INNER JOIN {table(Person)} p ON p.id = m.{column(Mandate, "person")}
                WHERE p.user_id = %s AND m.{column(Mandate, "start")} <= %s
                    AND (m.{column(Mandate, "end")} IS NULL OR m.{column(Mandate, "end")} >= %s)
        ) extra ON 1 = 1
        WHERE u.id = %s
    """  # noqa: S608 (model table names only)


def load_user(user_id: int):
    """The account with its facts already attached (so that `role_facts` costs nothing more), or None."""
    # In the placeholders' order: the permission, secretariat, grants to the account, to its groups, today's
    # mandates, the account.
    groups = [Instance.Kind.GT, Instance.Kind.GD]
    today = timezone.localdate()
    params = [MANAGE_MEETINGS_CODENAME, Instance._meta.app_label, Instance._meta.model_name,
              SECRETARIAT_GROUP, user_id, *groups, user_id, *groups, user_id, today, today, user_id]
    # raw() converts each column the way the ORM would (dates and booleans on SQLite) and keeps the rest as
    # attributes; a row per led group and per instance of today's mandates, the account's columns repeated.
    rows = list(get_user_model()._default_manager.raw(prepared("ptf_user_roles", _facts_sql()), params))
    if not rows:
        return None
    user = rows[0]
    led = [(row.ptf_instance_id, bool(row.ptf_instance_active)) for row in rows if row.ptf_tag == "led"]
    user.__dict__[FACTS_KEY] = RoleFacts(
        in_secretariat_group=user.ptf_in_secretariat is not None,
        person_id=user.ptf_person_id,
        managed_group_ids=frozenset(pk for pk, active in led if active),
        granted_group_ids=frozenset(pk for pk, _active in led),
        member_of=frozenset(row.ptf_instance_id for row in rows if row.ptf_tag == "member"),
        today=today,
    )
    return user


def _read_facts(user_id: int) -> RoleFacts:
    user = load_user(user_id)
    return NO_FACTS if user is None else user.__dict__[FACTS_KEY]


def role_facts(user) -> RoleFacts:
    """The account's facts, read once per user object (that is, once per request)."""
    if not user.is_authenticated:
        return NO_FACTS
    # getattr/setattr reach the account itself through request.user's lazy wrappers (auth's, then OTP's),
    # where the authentication backend left the facts it read with the account.
    facts = getattr(user, FACTS_KEY, None)
    if facts is None:
        facts = _read_facts(user.pk)
        setattr(user, FACTS_KEY, facts)
    return facts


def forget_roles(user) -> None:
    """After changing this account's groups, person or leadership within the request: read them again."""
    for key in ("_ptf_person", "_ptf_active_instances"):
        user.__dict__.pop(key, None)
    if getattr(user, FACTS_KEY, None) is not None:
        delattr(user, FACTS_KEY)


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
