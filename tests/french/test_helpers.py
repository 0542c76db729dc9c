"""The French helpers: "de" + name with each article and elision, typography, dates written out."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import translation

from core import french
from core.french import NBSP, NNBSP


@pytest.mark.parametrize(("name", "article", "expected"), [
    ("Canada", "le", "du Canada"),
    ("France", "la", "de la France"),
    ("Pays-Bas", "les", "des Pays-Bas"),
    ("Allemagne", "l'", "de l'Allemagne"),
    ("Union européenne", "l'", "de l'Union européenne"),
    ("ONU Femmes", "", "d'ONU Femmes"),
    ("Aïssata Keïta", "", "d'Aïssata Keïta"),
    ("Émile Ouédraogo", "", "d'Émile Ouédraogo"),
    ("Haïti", "", "d'Haïti"),
    ("Banque mondiale", "", "de la Banque mondiale"),  # the table of names gives the article
    ("USAID", "", "de l'USAID"),
    ("Canada", "", "du Canada"),
    ("États-Unis", "", "des États-Unis"),
    ("PNUD", "", "du PNUD"),
    ("Cuba", "", "de Cuba"),
])
def test_of_name_contracts_and_elides_in_french(name, article, expected):
    assert french.of_name(name, article=article, language="fr") == expected


@pytest.mark.parametrize("article", french.ARTICLES)
def test_of_name_is_plain_of_in_english(article):
    assert french.of_name("Canada", article=article, language="en") == "of Canada"


# An empty article: the table of names gives "le" for Canada.
@pytest.mark.parametrize(("article", "expected"), [
    ("le", "au Canada"), ("la", "à la Canada"), ("les", "aux Canada"), ("l'", "à l'Canada"), ("", "au Canada"),
])
def test_to_name_contracts(article, expected):
    assert french.to_name("Canada", article=article, language="fr") == expected


def test_with_article():
    assert french.with_article("Allemagne", article="l'", language="fr") == "l'Allemagne"
    assert french.with_article("Pays-Bas", article="les", language="fr") == "les Pays-Bas"
    assert french.with_article("ONU Femmes", article="", language="fr") == "ONU Femmes"
    assert french.with_article("Pays-Bas", article="les", language="en") == "Pays-Bas"


def test_of_name_follows_the_active_language():
    with translation.override("fr"):
        assert french.of_name("Allemagne", article="l'") == "de l'Allemagne"
    with translation.override("en"):
        assert french.of_name("Germany", article="l'") == "of Germany"


@pytest.mark.parametrize(("word", "following", "expected"), [
    ("que", "expert", "qu'expert"), ("que", "titulaire", "que titulaire"), ("de", "Ouagadougou", "d'Ouagadougou"),
    ("le", "ordre", "l'ordre"), ("la", "Union", "l'Union"), ("de", "Hongrie", "de Hongrie"),
])
def test_elide(word, following, expected):
    assert french.elide(word, following) == expected


def test_typography_puts_a_narrow_no_break_space_before_high_punctuation():
    assert french.typography("Lieu: Bamako; salle A! Prêt?", language="fr") == \
        f"Lieu{NNBSP}: Bamako{NNBSP}; salle A{NNBSP}! Prêt{NNBSP}?"
    # Already spaced text gets the right space, URLs and times are left alone.
    assert french.typography("Lieu : https://x.org/a?b=1 à 9:00", language="fr") == f"Lieu{NNBSP}: https://x.org/a?b=1 à 9:00"
    assert french.typography("Place: Bamako", language="en") == "Place: Bamako"


def test_label_and_quotes():
    assert french.label("Lieu", language="fr") == f"Lieu{NNBSP}:"
    assert french.label("Place", language="en") == "Place:"
    assert french.quoted("Santé", language="fr") == f"«{NNBSP}Santé{NNBSP}»"


def test_dates_are_written_out():
    bamako = zoneinfo.ZoneInfo("Africa/Bamako")
    moment = datetime.datetime(2026, 12, 19, 9, 0, tzinfo=bamako)
    assert french.long_datetime(moment, language="fr") == f"19 décembre 2026 à 9{NBSP}h{NBSP}00"
    assert french.long_datetime(moment, language="en") == "19 December 2026 at 9:00"
    assert french.long_date(datetime.date(2027, 1, 1), language="fr") == "1er janvier 2027"
    assert french.short_date(datetime.date(2026, 7, 14), language="fr") == "14 juil. 2026"


def test_long_datetime_uses_the_current_time_zone():
    utc = datetime.datetime(2026, 12, 19, 12, 0, tzinfo=datetime.UTC)
    with translation.override("fr"):
        from django.utils import timezone
        with timezone.override("Africa/Bamako"):
            assert french.long_datetime(utc) == f"19 décembre 2026 à 12{NBSP}h{NBSP}00"
        with timezone.override("Europe/Paris"):
            assert french.long_datetime(utc) == f"19 décembre 2026 à 13{NBSP}h{NBSP}00"


def test_month_abbreviations_are_unambiguous_and_lower_case():
    abbreviations = [french.month_abbr(m, language="fr") for m in range(1, 13)]
    assert abbreviations == ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
                             "déc."]
    assert len(set(abbreviations)) == 12


def test_template_filters_need_no_load():
    class Partner:
        name, article = "Pays-Bas", "les"

    with translation.override("fr"):
        html = Template("{{ p|of_partner }} / {{ n|of_name }} / {{ d|month_abbr }} / {% colon %}").render(
            Context({"p": Partner(), "n": "Aïssata Keïta", "d": datetime.date(2026, 12, 1)}))
    assert html == f"des Pays-Bas / d&#x27;Aïssata Keïta / déc. / {NNBSP}:"
