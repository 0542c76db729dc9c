"""Roles exist from `migrate`: the `secretariat` group, with the permissions of the domain's models.

The portal's policy (membership/access.py) reads membership of this group by name; nothing depends on
someone typing the name in the admin. The model permissions let a secretariat member also be given the
admin later (is_staff) without a second set-up step.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SECRETARIAT_GROUP = "secretariat"  # membership.roles.SECRETARIAT_GROUP (migrations do not import app code)
APPS = ("instances", "membership", "meetings", "secretariat")
ACTIONS = ("view", "add", "change")


def create_secretariat_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); create them now.
    for app_config in apps.get_app_configs():
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=APPS).exclude(
        content_type__model__startswith="historical")
    group.permissions.add(*[p for p in permissions if p.codename.split("_", 1)[0] in ACTIONS])


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("membership", "0002_account_invitations_and_events"),
        ("instances", "0004_seg_is_secretariat_of_gec_and_ga"),
        ("meetings", "0002_meeting_recorded_chair_and_cancellation"),
        ("secretariat", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_secretariat_group, migrations.RunPython.noop)]
