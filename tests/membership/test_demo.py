"""`manage.py load_demo`: idempotent, valid under the rules, with working logins."""

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from instances.models import Instance, Troika
from membership import rules, services
from membership.models import Mandate, Partner, Person
from membership.roles import is_secretariat, person_of
from ptf_portal.management.commands.load_demo import ACCOUNTS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue().splitlines()


def test_load_demo_twice_changes_nothing(demo):
    assert demo[0].startswith("created=") and not demo[0].startswith("created=0 ")
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("created=0 updated=0 unchanged=")
    assert User.objects.filter(username__in=ACCOUNTS).count() == 4


def test_demo_is_a_realistic_directory(demo):
    assert Partner.objects.count() >= 35
    assert Partner.objects.get(un_coordinating=True).name == "PNUD"
    assert Instance.objects.filter(kind__in=["GT", "GD"]).count() >= 15
    this_year = datetime.date.today().year
    assert set(Troika.objects.values_list("year", flat=True)) == {this_year - 1, this_year, this_year + 1}
    # The Troïka slides: this year's incoming leads next year, this year's lead is next year's outgoing.
    now, later = Troika.objects.get(year=this_year), Troika.objects.get(year=this_year + 1)
    assert (later.lead, later.outgoing) == (now.incoming, now.lead)
    today = datetime.date.today()
    assert not Mandate.objects.filter(start__gt=today).exists()
    ending = Mandate.objects.filter(end__gte=today, end__lte=today + datetime.timedelta(days=60))
    assert 1 <= ending.count() <= 10
    assert set(Person.objects.values_list("language", flat=True)) == {"fr", "en"}


def test_demo_directory_passes_the_rules(demo):
    mandates = Mandate.objects.select_related("person__institution__partner", "instance")
    facts = [services.fact_from_mandate(m) for m in mandates]
    assert rules.check_mandates(facts, one_un_strict=services.one_un_strict()) == []
    for troika in Troika.objects.select_related("lead", "incoming", "outgoing"):
        assert services.troika_violations(troika) == []


def test_demo_accounts_can_log_in(demo, client):
    for username, (password, _label) in ACCOUNTS.items():
        assert client.login(username=username, password=password), username
        client.logout()


def test_demo_accounts_have_their_roles(demo):
    assert User.objects.get(username="admin").is_superuser
    assert is_secretariat(User.objects.get(username="seg"))
    leader = User.objects.get(username="leader")
    health = Instance.objects.get(code="GT-SANTE")
    assert health.leader_person == person_of(leader)
    assert leader.has_perm("instances.manage_meetings", health)
    partner = person_of(User.objects.get(username="partner"))
    roles = set(partner.mandates.values_list("instance__code", "role"))
    assert ("GEC", "titular") in roles and len(roles) > 1
    # the partner's GEC deputy is in the directory too
    assert Mandate.objects.filter(instance__code="GEC", role="deputy",
                                  person__institution__partner=partner.partner).exists()


def test_demo_staff_log_in_with_the_code_demo_totp_prints(demo, client, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    settings.DEBUG = True
    assert any(line.strip().startswith("seg") and "otpauth://totp/" in line for line in demo)
    dashboard = reverse("secretariat:dashboard")
    response = client.post(reverse("login"), {"username": "seg", "password": ACCOUNTS["seg"][0]})
    assert response.status_code == 302
    assert reverse("two_factor_verify") in client.get(dashboard)["Location"]  # the password is not enough

    out = io.StringIO()
    call_command("demo_totp", "seg", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    client.post(reverse("two_factor_verify"), {"otp_token": code})
    assert client.get(dashboard).status_code == 200


def test_demo_totp_refuses_without_debug_or_device(demo, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_totp", "seg", stdout=io.StringIO())
    settings.DEBUG = True
    with pytest.raises(CommandError):
        call_command("demo_totp", "partner", stdout=io.StringIO())
