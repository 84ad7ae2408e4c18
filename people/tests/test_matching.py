"""Normalisation that makes the same number, postcode, address or name match across
formats. Pure functions: no database."""

import pytest
from django.core.exceptions import ValidationError

from people import matching

PHONE_ERROR = "Enter a phone number in the correct format, like 07700 900123 or +44 7700 900123"
POSTCODE_ERROR = "Enter a real postcode, like CO1 1AA"


@pytest.mark.parametrize(
    "typed",
    [
        "07700 900123",
        "+44 7700 900123",
        "(07700) 900-123",
        "0044 7700 900123",
        "07700900123",
        " +447700900123 ",
        "+44 (0)7700 900123",
        "07700-900-123",
    ],
)
def test_one_mobile_number_typed_many_ways_is_one_e164_number(typed):
    assert matching.normalise_phone(typed) == "+447700900123"


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("01632 960001", "+441632960001"),
        ("020 7946 0123", "+442079460123"),
        ("(020) 7946-0123", "+442079460123"),
    ],
)
def test_drama_range_landlines_normalise_to_e164(typed, e164):
    assert matching.normalise_phone(typed) == e164


@pytest.mark.parametrize(
    "typed", ["", "12345", "07700 90012", "07700 9001234567", "call me", "+44", "0000 000000"]
)
def test_invalid_phone_numbers_get_the_design_system_message(typed):
    with pytest.raises(ValidationError) as caught:
        matching.normalise_phone(typed)
    assert caught.value.messages == [PHONE_ERROR]


def test_try_normalise_phone_returns_none_for_nonsense():
    assert matching.try_normalise_phone("not a number") is None
    assert matching.try_normalise_phone("07700 900123") == "+447700900123"


@pytest.mark.parametrize("typed", ["co1 1aa", "CO1 1AA", "CO11AA", " co1  1AA ", "Co1 1aA"])
def test_postcode_in_any_case_or_spacing_is_one_postcode(typed):
    assert matching.normalise_postcode(typed) == "CO11AA"


@pytest.mark.parametrize(
    ("typed", "normal"),
    [("SW1A 1AA", "SW1A1AA"), ("ss14 1aa", "SS141AA"), ("m1 1ae", "M11AE"), ("gir 0aa", "GIR0AA")],
)
def test_every_postcode_shape_is_accepted(typed, normal):
    assert matching.normalise_postcode(typed) == normal


@pytest.mark.parametrize("typed", ["", "CO1", "12345", "ABC DEF", "CO1 1AAA", "CO1 1CA", "1CO 1AA"])
def test_invalid_postcodes_get_the_design_system_message(typed):
    with pytest.raises(ValidationError) as caught:
        matching.normalise_postcode(typed)
    assert caught.value.messages == [POSTCODE_ERROR]


def test_display_postcode_puts_the_space_back():
    assert matching.display_postcode("CO11AA") == "CO1 1AA"
    assert matching.display_postcode("SW1A1AA") == "SW1A 1AA"
    assert matching.postcode_district("SW1A1AA") == "SW1A"


@pytest.mark.parametrize(
    "typed",
    [
        "Flat 1, 12 High Street",
        "flat 1 12 high st",
        "FLAT 1, 12 HIGH ST.",
        "Flt 1 12 High St",
        "Apartment 1, 12, High Street",
        "  Flat 1 -- 12 High   Street ",
    ],
)
def test_address_match_key_ignores_abbreviations_punctuation_and_case(typed):
    assert matching.address_match_key(typed, "co1 1aa") == "CO11AA|flat 1 12 high street"


@pytest.mark.parametrize("typed", ["12A Mill Road", "12 a Mill Rd", "12-A Mill Rd."])
def test_house_number_with_a_letter_matches_however_it_is_spaced(typed):
    assert matching.normalise_address_line(typed) == "12a mill road"


def test_different_houses_on_one_street_keep_different_keys():
    assert matching.address_match_key("12 High St", "CO1 1AA") != matching.address_match_key(
        "14 High St", "CO1 1AA"
    )
    assert matching.address_match_key("12 High St", "CO1 1AA") != matching.address_match_key(
        "12 High St", "CO2 1AA"
    )


def test_address_match_key_refuses_a_bad_postcode():
    with pytest.raises(ValidationError):
        matching.address_match_key("12 High Street", "nowhere")


def test_accented_names_fold_to_plain_letters():
    assert matching.normalise_name(" Zoë ", "O'Brien-Núñez") == "zoe o brien nunez"


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("Smith", "S530"),
        ("Smyth", "S530"),
        ("Robert", "R163"),
        ("Rupert", "R163"),
        ("Rubin", "R150"),
        ("Ashcraft", "A261"),  # h between same codes does not separate them
        ("Tymczak", "T522"),
        ("Pfister", "P236"),  # first letter's code is not repeated
        ("Honeyman", "H555"),
        ("Lee", "L000"),
        ("", ""),
    ],
)
def test_soundex_matches_the_published_american_soundex(word, code):
    assert matching.soundex(word) == code


def test_family_key_uses_the_last_word_of_a_double_barrelled_name():
    assert matching.family_key("Hartley-Smyth") == matching.soundex("Smith")
    assert matching.family_key("") == ""
