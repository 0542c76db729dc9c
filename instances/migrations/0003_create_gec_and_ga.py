"""GEC and GA exist in every installation (I1): the portal has nothing to run without them."""

import datetime

from django.db import migrations


def create_political_instances(apps, schema_editor):
    Instance = apps.get_model("instances", "Instance")
    Instance.objects.get_or_create(
        code="GEC",
        defaults=dict(
            kind="GEC", name_fr="Groupe Exécutif de Coopération", name_en="Executive Cooperation Group",
            periodicity="monthly", secretariat="seg", meeting_weekday=2, meeting_week_of_month=2,
            meeting_time=datetime.time(9, 0),
        ),
    )
    Instance.objects.get_or_create(
        code="GA",
        defaults=dict(
            kind="GA", name_fr="Groupe des Ambassadeurs", name_en="Ambassadors' Group",
            periodicity="semiannual", secretariat="seg", meeting_weekday=3, meeting_week_of_month=3,
            meeting_time=datetime.time(10, 0),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [("instances", "0002_initial")]
    operations = [migrations.RunPython(create_political_instances, migrations.RunPython.noop)]
