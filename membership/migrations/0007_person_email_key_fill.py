"""Fill Person.email_key, and report the people who share an address that differs only in case or form.

A collision does not stop the migration: the first person (lowest id) keeps the key, the later ones keep an
empty key (NULL, which the unique constraint of the next migration lets through) and are listed here, on the
console and in the `ptf.migrations` log. Their address is refused on the next save until someone corrects it
(the admin names the holder), and login by that address matches no one while two accounts share it.
"""

import logging

from django.db import migrations

# The one normalisation of addresses (a pure function of the text, no model): the key must be computed the
# way the running code computes it, which SQL cannot do (IDNA).
from core.addresses import InvalidAddress, address_key

log = logging.getLogger("ptf.migrations")


def fill_keys(apps, schema_editor):
    Person = apps.get_model("membership", "Person")
    holders: dict[str, tuple[int, str]] = {}
    collisions = []
    for pk, email in Person.objects.order_by("pk").values_list("pk", "email").iterator():
        try:
            key = address_key(email or "")
        except InvalidAddress:
            key = None
        if key is not None and key in holders:
            collisions.append((pk, email, *holders[key]))
            key = None
        elif key is not None:
            holders[key] = (pk, email)
        Person.objects.filter(pk=pk).update(email_key=key)
    for pk, email, holder_pk, holder_email in collisions:
        message = (f"person {pk} <{email}> has the address of person {holder_pk} <{holder_email}>: "
                   "its address key is left empty until the directory is corrected")
        log.warning(message)
        print(f"\n  {message}", end="")  # noqa: T201  (shown by `migrate`, which the operator reads)


class Migration(migrations.Migration):

    dependencies = [
        ("membership", "0006_person_email_key"),
    ]

    operations = [
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
