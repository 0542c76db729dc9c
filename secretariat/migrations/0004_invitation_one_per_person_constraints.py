from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("secretariat", "0003_invitation_fold_rows_per_person"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='invitation',
            constraint=models.UniqueConstraint(condition=models.Q(('person__isnull', False)), fields=('meeting', 'person'), name='one_invitation_per_person_per_meeting'),
        ),
        migrations.AddConstraint(
            model_name='invitation',
            constraint=models.UniqueConstraint(condition=models.Q(('person__isnull', True)), fields=('meeting', 'email'), name='one_invitation_per_email_per_meeting'),
        ),
    ]
