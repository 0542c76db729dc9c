"""Small things a French reader meets: labels for codes, wording that does not mislead, the partner's article."""

import csv
import io
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from membership.importer import import_directory
from membership.models import Partner
from secretariat.reasons import render_reason
from tests.french.world import build_french_world
from tests.membership.import_factories import MEMBER_COLUMNS, member, write_csv
from tests.security.conftest import current_code
from tests.security.world import login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.LANGUAGE_CODE = "fr"
    return build_french_world()


def _client(world, role):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    login_as(client, world, role)
    return client


def test_distribution_page_shows_role_labels_and_each_rule_once(world):
    html = _client(world, "secretariat").get(reverse("secretariat:distribution", args=[world.meetings["gec"].pk]))
    text = html.content.decode()
    assert ">titulaire<" in text and ">titular<" not in text
    assert "(M2) (M2)" not in text
    assert "pour l&#x27;Allemagne" in text  # the reason names the partner with its article


def test_reasons_use_the_partner_article():
    reason = {"rule": "M2", "code": "deputy", "params": {"instance": "GEC", "partner": "Pays-Bas",
                                                         "partner_article": "les"}}
    with translation.override("fr"):
        assert render_reason(reason).startswith("Suppléant des Pays-Bas au GEC")
    with translation.override("en"):
        assert render_reason(reason).startswith("Deputy of Pays-Bas in GEC")


def test_cancel_button_says_it_cancels_the_meeting(world):
    html = _client(world, "secretariat").get(reverse("meetings:detail", args=[world.meetings["gec"].pk]))
    assert "Annuler la réunion" in html.content.decode()


def test_action_button_says_mark_as_done(world):
    html = _client(world, "secretariat").get(reverse("meetings:actions")).content.decode()
    assert "Marquer comme terminée" in html
    assert ">Terminée<" not in html


def test_calendar_feed_answers_head(world):
    response = Client().head(reverse("secretariat:calendar_feed", args=[world.extra["feed_rep"]]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")


def test_every_page_links_a_favicon_that_exists(world):
    html = _client(world, "rep").get(reverse("home")).content.decode()
    assert 'rel="icon"' in html
    assert (Path(__file__).resolve().parents[2] / "static" / "favicon.svg").exists()


def test_reused_totp_code_is_named_as_such(world, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=world.users["secretariat"])
    code = current_code(device)
    first, second = Client(HTTP_ACCEPT_LANGUAGE="fr"), Client(HTTP_ACCEPT_LANGUAGE="fr")
    for client in (first, second):
        client.force_login(world.users["secretariat"])
    assert first.post(reverse("two_factor_verify"), {"otp_token": code}).status_code == 302
    response = second.post(reverse("two_factor_verify"), {"otp_token": code})
    assert response.status_code == 200
    error = str(response.context["form"].errors["otp_token"])
    assert "déjà été utilisé" in error and "heure" not in error


def test_audit_names_related_objects_and_writes_dates_in_french(world):
    meeting = world.meetings["a_held"]
    html = _client(world, "secretariat").get(reverse("audit") + f"?model=meeting&object_id={meeting.pk}")
    text = html.content.decode()
    assert "Ibrahim Maïga" in text  # the chair, not "#12"
    assert "+00:00" not in text
    assert " à " in text and "\u00a0h\u00a0" in text  # "19 décembre 2026 à 9 h 00"


def test_people_csv_has_labels_and_machine_outputs_say_they_are_codes(world):
    meeting = world.meetings["gec"]
    response = _client(world, "secretariat").get(reverse("secretariat:distribution_csv", args=[meeting.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert "rôle" in rows[0] and "titulaire" in {cell for row in rows[1:] for cell in row}
    out = StringIO()
    call_command("distribution_list", "GEC", "--format", "json", stdout=out)
    [row, *_] = json.loads(out.getvalue())
    # The old name stays beside the new one for one release (CHANGELOG.md, 0.2.0).
    assert row["role_code"] == "titular" and row["role"] == "titular"


def test_distribution_list_errors_follow_language_code(settings):
    settings.LANGUAGE_CODE = "fr"
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Aucune instance"):
        call_command("distribution_list", "NOPE", stdout=StringIO())


def test_importer_reads_the_optional_article_and_keeps_none_by_default(tmp_path):
    rows = [member("a@example.org", partner="Pays-Bas", partner_article="les"),
            member("b@example.org", partner="ONU Femmes", partner_type="un_system", institution="ONU Femmes Mali")]
    result = import_directory(members=write_csv(tmp_path / "members.csv", rows, MEMBER_COLUMNS))
    assert not result.errors, result.errors
    assert Partner.objects.get(name="Pays-Bas").article == "les"
    assert Partner.objects.get(name="ONU Femmes").article == ""
    assert Partner.objects.get(name="Pays-Bas").of_name in ("des Pays-Bas", "of Pays-Bas")


def test_importer_refuses_an_unknown_article(tmp_path):
    rows = [member("a@example.org", partner="Pays-Bas", partner_article="der")]
    result = import_directory(members=write_csv(tmp_path / "members.csv", rows, MEMBER_COLUMNS))
    assert any("partner_article" in str(e) for e in result.errors)
    assert not Partner.objects.filter(name="Pays-Bas").exists()


def test_partner_article_is_editable_in_admin(world):
    client = _client(world, "admin")
    partner = world.people["rep"].partner
    html = client.get(reverse("admin:membership_partner_change", args=[partner.pk])).content.decode()
    assert 'name="article"' in html


def test_admin_names_the_second_factor_devices_in_french(world):
    html = _client(world, "admin").get(reverse("admin:index")).content.decode()
    assert "TOTP devices" not in html and "OTP_TOTP" not in html


def test_dashboard_expiry_warning_has_no_english_tag(world):
    text = _client(world, "secretariat").get(reverse("secretariat:dashboard")).content.decode()
    assert "(EXPIRY)" not in text


def test_french_counts_0_and_1_in_the_singular(world):
    """French writes 0 and 1 in the singular: "0 partenaire membre sur 7 présent ou représenté", "1 destinataire"."""
    client = _client(world, "secretariat")
    text = client.get(reverse("meetings:attendance", args=[world.meetings["a_held"].pk])).content.decode()
    assert re.search(r"\b[01] partenaire membre sur \d+ présent ou représenté\.", text), text
    assert "0 partenaires" not in text and "1 partenaires" not in text
