"""The one normalisation of addresses: what is one address and what is not."""

import pytest

from core.addresses import InvalidAddress, address_key, normalise_address, same_address


def test_case_of_the_local_part_and_domain_does_not_make_another_address():
    assert same_address("Aissata.Keita@Enabel.example", "aissata.keita@enabel.example")
    assert normalise_address("  Aissata.Keita@Enabel.EXAMPLE ") == "Aissata.Keita@enabel.example"


def test_dotless_i_in_the_domain_is_another_domain():
    # PostgreSQL's UPPER() folds "ı" to "I": iexact would call these one address.
    assert not same_address("nouveau.seg@ptf-malı.example.org", "nouveau.seg@ptf-mali.example.org")
    assert normalise_address("nouveau.seg@ptf-malı.example.org").split("@")[1].startswith("xn--")


def test_dotless_i_in_the_local_part_is_another_address():
    assert not same_address("nouveau.seı@ptf-mali.example.org", "nouveau.sei@ptf-mali.example.org")
    assert address_key("ELENA@bm.example") == "elena@bm.example"


def test_composed_and_decomposed_accents_are_one_address():
    assert same_address("rene\u0301@exemple.ml", "ren\u00e9@exemple.ml")
    assert same_address("a@caf\u00e9.example", "a@cafe\u0301.example")


@pytest.mark.parametrize("raw", ["", "no-at-sign", "@domain.example", "local@"])
def test_malformed_text_is_no_address(raw):
    with pytest.raises(InvalidAddress):
        normalise_address(raw)
    assert not same_address(raw, raw)


# -- look-alike domains (TR 39 skeletons from confusable-homoglyphs' copy of confusables.txt) ----------------

from core.addresses import DomainIndex, domain_skeleton, mixed_script_labels, skeleton  # noqa: E402


@pytest.mark.parametrize("lookalike", ["ptf-mal\u0131.example.org", "ptf-m\u0430li.example.org", "ptf-ma1i.example.org",
                                       "PTF-Mal\u0131.Example.org", "xn--ptf-mal-xfb.example.org"])
def test_lookalike_domains_share_the_skeleton_of_the_real_one(lookalike):
    assert domain_skeleton(lookalike) == domain_skeleton("ptf-mali.example.org")
    assert DomainIndex(["ptf-mali.example.org"]).lookalike(lookalike) == "ptf-mali.example.org"


def test_lookalike_index_never_calls_a_domain_a_lookalike_of_itself_or_of_a_distinct_idn():
    index = DomainIndex(["ptf-mali.example.org", "bucher.example"])
    assert index.lookalike("PTF-Mali.example.org") is None
    assert index.lookalike("b\u00fccher.example") is None
    assert skeleton("rn") == skeleton("m")  # multi-character prototypes too


def test_lookalike_mixed_scripts_are_named_per_label_and_one_writing_system_is_not_mixed():
    assert mixed_script_labels("ptf-m\u0430li.example.org") == [("ptf-m\u0430li", ["CYRILLIC", "LATIN"])]
    assert mixed_script_labels("\u043f\u0440\u0435\u0437\u0438\u0434\u0435\u043d\u0442.\u0440\u0444") == []
    assert mixed_script_labels("\u65e5\u672c\u8a9e\u304b\u306a.jp") == []  # Han with Hiragana: Japanese
