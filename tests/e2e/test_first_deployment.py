"""The first deployment in Chromium: from `migrate` + `createsuperuser` to a GEC member answering an invitation.

The only shell step is `createsuperuser`; the SEG loads the directory on *Annuaire → Importer* (an
Excel-style Windows-1252 CSV separated by `;`); everything else happens in the browser, and the e-mails are read from
the outbox as the people would read them.
"""

import datetime
import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from instances.models import Instance
from meetings import services as meeting_services
from membership.models import Mandate
from membership.roles import is_secretariat
from secretariat import services as secretariat_services
from secretariat.models import Invitation
from tests.accounts.directory import realistic_members
from tests.accounts.helpers import links_by_address
from tests.e2e.conftest import logout, shot
from tests.membership.import_factories import GROUP_COLUMNS, MEMBER_COLUMNS, group, write_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ADMIN_PASSWORD, SEG_PASSWORD, MEMBER_PASSWORD = "Admin-Bamako-2026!", "Secretariat-Segou-2026!", "Baobab-de-Kayes-2026"


def sign_in(page, login, password):
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", login)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"sign-in failed for {login}"


def choose_password(page, link, password):
    page.goto(link)
    page.wait_for_url("**/people/access/activate/")
    page.fill("input[name=new_password1]", password)
    page.fill("input[name=new_password2]", password)
    page.click("#activate-form button[type=submit]")
    page.wait_for_url("**/accounts/login/**")


def convene_a_gec_meeting(seg):
    """A GEC meeting convened by the SEG: the invitations the members will answer in the portal."""
    gec = Instance.objects.get(code="GEC")
    start = (timezone.localtime() + datetime.timedelta(days=21)).replace(hour=9, minute=0, second=0, microsecond=0)
    meeting = meeting_services.meeting_create(instance=gec, title="GEC de janvier", start=start,
                                              end=start + datetime.timedelta(hours=2))
    meeting_services.agenda_item_add(meeting=meeting, title="Appui budgétaire", category="policy_dialogue",
                                     expected_outcome="information")
    meeting_services.meeting_propose_agenda(meeting=meeting)
    secretariat_services.invitations_send(meeting=meeting, by_user=seg)
    return meeting


def as_after_migrate():
    """The rows `migrate` writes (a transactional test's flush removed them): GEC and GA, the secretariat group.

    The data migrations' own functions are run, so the test starts from exactly what a new deployment has.
    (serialized_rollback would do it too, but leaves later transactional tests without permissions.)
    """
    for module in ("instances.migrations.0003_create_gec_and_ga", "membership.migrations.0003_secretariat_role_group"):
        migration = importlib.import_module(module)
        function = getattr(migration, "create_political_instances", None) or migration.create_secretariat_group
        function(django_apps, None)
    assert not User.objects.exists()


def test_first_deployment_to_a_member_answering_in_the_portal(page, e2e_settings, tmp_path, monkeypatch):
    as_after_migrate()
    # 1. The only shell step of the secretariat: createsuperuser (non-interactive here).
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", ADMIN_PASSWORD)
    call_command("createsuperuser", interactive=False, username="admin", email="admin@ptf-mali.example.org",
                 stdout=io.StringIO())
    # The secretariat's spreadsheet of ~30 partners, as Excel saves a CSV (Windows-1252, `;`).
    e2e_settings.DIRECTORY_IMPORT_DIR = tmp_path / "uploads"
    members = write_csv(tmp_path / "annuaire.csv", realistic_members(), MEMBER_COLUMNS, delimiter=";")
    members.write_bytes(members.read_bytes().decode("utf-8").encode("cp1252"))
    groups = write_csv(tmp_path / "groupes.csv", [group("GT-SANTE", leader="Allemagne", name_fr="GT Santé",
                                                        name_en="Health WG")], GROUP_COLUMNS, delimiter=";")

    # 2. The admin adds a member of the secretariat in the browser.
    sign_in(page, "admin", ADMIN_PASSWORD)
    page.click("nav.mainnav a[href='/people/access/secretariat/']")
    page.fill("input[name=first_name]", "Oumou")
    page.fill("input[name=last_name]", "Sangaré")
    page.fill("input[name=email]", "oumou.sangare@seg-mali.example.org")
    page.click("#secretariat-add button[type=submit]")
    page.wait_for_load_state()
    assert "Oumou Sangaré" in page.inner_text("#secretariat-members")
    shot(page, "first-deployment-secretariat")
    logout(page)
    seg_link = links_by_address()["oumou.sangare@seg-mali.example.org"]

    # 3. The secretariat member chooses a password and signs in with the e-mail address.
    choose_password(page, seg_link, SEG_PASSWORD)
    sign_in(page, "Oumou.Sangare@seg-mali.example.org", SEG_PASSWORD)
    seg = User.objects.get(email="oumou.sangare@seg-mali.example.org")
    assert is_secretariat(seg)

    # The secretariat loads the directory: upload, read the preview, import.
    page.click("nav.mainnav a[href='/people/import/']")
    page.set_input_files("input[name=members]", str(members))
    page.set_input_files("input[name=groups]", str(groups))
    page.click("#import-form button[type=submit]")
    page.wait_for_url("**/people/import/*/")
    assert "Partenaires créés (30)" in page.inner_text("main")
    if page.locator("input[name=confirm_warnings]").count():
        page.check("input[name=confirm_warnings]")
    page.click("#import-apply button[type=submit]")
    page.wait_for_selector("#import-result")
    shot(page, "first-deployment-import")

    # 4. The secretariat invites the whole GEC from the access page.
    meeting = convene_a_gec_meeting(seg)
    mail.outbox.clear()
    page.click("nav.mainnav a[href='/people/access/']")
    page.select_option("#access-filters select[name=instance]", value="GEC")
    page.click("#access-filters button[type=submit]")
    page.wait_for_load_state()
    gec_size = Mandate.objects.active_on(timezone.localdate()).filter(instance__code="GEC").count()
    assert gec_size == 60
    # The list shows its first page of fifty; the button invites every person the filters select.
    assert page.locator("#access-table tbody tr[data-state=none]").count() == min(gec_size, 50)
    assert str(gec_size) in page.inner_text("#invite-shown")
    page.click("#invite-shown")
    page.wait_for_load_state()
    shot(page, "first-deployment-access")
    assert "60 invitations envoyées" in page.inner_text("ul.messages")
    links = links_by_address()
    assert len(links) == gec_size
    logout(page)

    # 5. A GEC titular follows the link, chooses a password, signs in and answers the invitation.
    titular = (Mandate.objects.active_on(timezone.localdate())
               .filter(instance__code="GEC", role="titular", person__institution__partner__name="Belgique")
               .select_related("person").get().person)
    choose_password(page, links[titular.email.lower()], MEMBER_PASSWORD)
    page.fill("input[name=username]", titular.email.upper())
    page.fill("input[name=password]", MEMBER_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/meetings/invitations/")
    shot(page, "first-deployment-my-invitations")
    invitation = Invitation.objects.get(meeting=meeting, person=titular)
    page.click(f"#invitation-{invitation.pk} button[value=attending]")
    page.wait_for_load_state()
    invitation.refresh_from_db()
    assert invitation.rsvp == Invitation.Rsvp.ATTENDING
    # The access page now shows the member's account as active.
    logout(page)
    sign_in(page, "oumou.sangare@seg-mali.example.org", SEG_PASSWORD)
    page.goto(page.base + f"/people/access/?partner={titular.partner.pk}&state=active")
    assert page.locator(f"#person-{titular.pk}[data-state=active]").count() == 1
