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
