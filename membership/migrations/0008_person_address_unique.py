from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("membership", "0007_person_email_key_fill"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                fields=("email_key",), name="person_address_unique_whatever_its_case",
                violation_error_message="This address is already another person's.",
            ),
        ),
    ]
