"""The demo and a real directory: load_demo refuses with one clear line, or adds only its accounts."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from membership.models import Person
from membership.roles import is_secretariat, person_of
from ptf_portal.management.commands.load_demo import ACCOUNTS
from tests.accounts.directory import import_realistic_directory

pytestmark = pytest.mark.django_db


def test_load_demo_refuses_next_to_a_directory_with_one_clear_line(tmp_path):
    import_realistic_directory(tmp_path)
    people = Person.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("load_demo", stdout=io.StringIO())
    message = str(error.value)
    assert "\n" not in message
    assert "contient déjà un annuaire" in message and "--accounts-only" in message
    assert Person.objects.count() == people and not User.objects.exists()


def test_load_demo_accounts_only_links_people_of_the_directory(tmp_path, client):
    import_realistic_directory(tmp_path)
    people = Person.objects.count()
    call_command("load_demo", "--accounts-only", stdout=io.StringIO())
    assert Person.objects.count() == people
    assert set(User.objects.values_list("username", flat=True)) >= set(ACCOUNTS)
    partner = person_of(User.objects.get(username="partner"))
    assert partner.partner.name == "Belgique"
    assert partner.mandates.filter(instance__code="GEC", role="titular").exists()
    assert is_secretariat(User.objects.get(username="seg"))
    for username, (password, _label) in ACCOUNTS.items():
        assert client.login(username=username, password=password), username
        client.logout()
    # Running it again changes nothing.
    call_command("load_demo", "--accounts-only", stdout=io.StringIO())
    assert User.objects.count() == 4


def test_load_demo_still_works_on_an_empty_database_and_twice():
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    assert User.objects.filter(username__in=ACCOUNTS).count() == 4
