"""The French crawl's checks are not vacuous: each finds what it is meant to find, and names it."""

from tests.french.checks import problems, rule_ids, visible_text


def test_finds_missing_elision_and_contraction():
    found = problems("Suppléant de Allemagne; délégation de Aïssata Keïta; en tant que expert; de les Pays-Bas")
    assert len([p for p in found if "elision" in p]) == 4


def test_finds_a_choice_code_shown_as_text():
    found = problems("Rôle\ntitular\n")
    assert any("'titular'" in p and "Mandate.role" in p for p in found)


def test_finds_an_untranslated_catalogue_string():
    found = problems("Invitations whose sending failed")
    assert any(p.startswith("English") for p in found)


def test_french_text_passes():
    assert problems("Suppléant de l'Allemagne, délégation d'Aïssata Keïta, expert du Canada, « chef de file »") == []


def test_visible_text_skips_scripts_and_keeps_titles():
    text = visible_text('<title>Titre</title><script>var titular = 1;</script><td title="Aide">x</td><td>y</td>')
    assert "titular" not in text and "Aide" in text and "x\n" in text.replace("\n\n", "\n")


def test_finds_a_capitalised_month_a_time_zone_identifier_and_a_repeated_word():
    found = problems("le 7 Déc. 2026 à 9 h 00 (Africa/Bamako), invitation expirée expirée, de le Mali")
    assert any("capitalised month" in p for p in found)
    assert any("time zone identifier" in p and "Africa/Bamako" in p for p in found)
    assert any("word repeated" in p for p in found)
    assert any("elision" in p and "de le Mali" in p for p in found)
    assert problems("le 7 déc. 2026 à 9 h 00 (heure de Bamako), 7 décembre 2026, vous vous connectez") == []


def test_finds_a_rule_id_but_not_a_group_code():
    assert rule_ids("Suppléant du Canada au GEC (M2)") and rule_ids("règle T4 :")
    assert rule_ids("GT-A4, salle A1B, https://x.example/M2/, T10x") == []


def test_the_english_check_is_not_vacuous():
    from tests.french.checks import english_problems

    assert english_problems("When: Monday 7 déc. 2026 at 09:00 (heure de Bamako)")
    assert english_problems("When: 7 December 2026, 9 h 00")
    assert english_problems("Place : Bamako")
    assert english_problems("The delegate of the Canada, Deputy du Canada")
    assert english_problems("Nous vous invitons à la réunion suivante.")
    assert english_problems("Chair: None")
    assert english_problems("Coopération de l'Allemagne: Monday 7 Dec 2026 at 09:00 (Bamako time)",
                            french_data=("Coopération de l'Allemagne",)) == []


def test_text_marked_in_another_language_is_not_read_as_the_page_s():
    html = ('<html lang="fr"><body><p>Langue</p><button lang="en" title="English">English</button>'
            '<blockquote lang="en">I will attend.</blockquote><p>Fin</p></body></html>')
    text = visible_text(html)
    assert "English" not in text and "I will attend" not in text
    assert "Langue" in text and "Fin" in text
    assert "English" in visible_text('<html lang="en"><body><button lang="en">English</button></body></html>')
