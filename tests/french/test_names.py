"""Partner names take their article from the table of names when the directory gives none; people's
names elide "de"; the time zone is "heure de Bamako"; the importer reports the partners it could not place."""

import html
from io import StringIO

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

from core import french
from core.french_names import NAMES, article_for, known
from membership.importer import import_directory
from membership.models import Partner
from tests.membership.import_factories import MEMBER_COLUMNS, member, write_csv


def test_the_table_knows_the_countries_and_the_usual_organisations():
    assert len(NAMES) > 250
    assert article_for("États-Unis") == "les" and article_for("etats-unis") == ""  # accents matter
    assert article_for("Côte d’Ivoire") == "la"  # either apostrophe
    assert article_for("Allemagne") == "l'" and article_for("Banque mondiale") == "la"
    assert known("Haïti") and article_for("Haïti") == ""
    assert not known("Partenaire inventé")


@pytest.mark.parametrize(("phrase", "expected"), [
    (lambda: "Suppléant " + french.of_name("Canada"), "Suppléant du Canada"),
    (lambda: "pour " + french.with_article("États-Unis"), "pour les États-Unis"),
    (lambda: "Représente " + french.with_article("Belgique"), "Représente la Belgique"),
    (lambda: "Ambassade " + french.of_name("Allemagne"), "Ambassade de l'Allemagne"),
    (lambda: french.to_name("Pays-Bas"), "aux Pays-Bas"),
    (lambda: "par délégation " + french.of_name("Aïssata Keïta"), "par délégation d'Aïssata Keïta"),
])
def test_partner_names_take_their_article_after_a_preposition(phrase, expected):
    with translation.override("fr"):
        assert phrase() == expected


def test_a_saved_article_wins_over_the_table():
    with translation.override("fr"):
        assert french.of_name("Canada", article="la") == "de la Canada"  # what the SEG set is what is shown


def test_the_time_zone_is_named_after_its_city():
    assert french.zone_name("Africa/Bamako", language="fr") == "heure de Bamako"
    assert french.zone_name("Africa/Abidjan", language="fr") == "heure d'Abidjan"
    assert french.zone_name("America/Port_of_Spain", language="en") == "Port of Spain time"


def test_delegation_elides_before_a_name():
    template = Template("{% load i18n %}{% blocktranslate with of_name=name|of_name %}by delegation {{ of_name }}"
                        "{% endblocktranslate %}")
    with translation.override("fr"):
        assert html.unescape(template.render(Context({"name": "Aïssata Keïta"}))) == "par délégation d'Aïssata Keïta"
    with translation.override("en"):
        assert template.render(Context({"name": "Aïssata Keïta"})) == "by delegation of Aïssata Keïta"


@pytest.mark.django_db
def test_importer_places_partners_from_the_table_and_reports_the_others(tmp_path):
    rows = [member("a@example.org", partner="États-Unis"),
            member("b@example.org", partner="Banque mondiale", partner_type="multilateral",
                   institution="Banque mondiale Mali"),
            member("c@example.org", partner="Fondation Imaginaire", partner_type="multilateral",
                   institution="Fondation Imaginaire Mali")]
    path = write_csv(tmp_path / "members.csv", rows, MEMBER_COLUMNS)
    result = import_directory(members=path, dry_run=True)
    assert not result.errors, result.errors
    assert result.unplaced == ["Fondation Imaginaire"]
    err = StringIO()
    call_command("import_directory", path, "--language", "fr", stdout=StringIO(), stderr=err)
    assert "Fondation Imaginaire : article inconnu" in err.getvalue()
    assert Partner.objects.get(name="États-Unis").article == "les"
    assert Partner.objects.get(name="Banque mondiale").article == "la"
    assert Partner.objects.get(name="Fondation Imaginaire").article == ""
    # The SEG corrects it; a later import keeps the correction.
    Partner.objects.filter(name="Fondation Imaginaire").update(article="la")
    assert import_directory(members=path).unplaced == []
    assert Partner.objects.get(name="Fondation Imaginaire").article == "la"


def test_favicon_ico_exists_for_pages_that_link_no_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("/favicon.svg")
    assert finders.find("favicon.svg")
