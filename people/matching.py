"""Normalisation that makes the same number, postcode, address or name match across
formats. Pure functions: no database."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError

DEFAULT_REGION = "GB"

PHONE_ERROR = "Enter a phone number in the correct format, like 07700 900123 or +44 7700 900123"
POSTCODE_ERROR = "Enter a real postcode, like CO1 1AA"

# UK postcode, including GIR 0AA and the BFPO-less overseas forms we do not need.
_POSTCODE_RE = re.compile(r"^(GIR0AA|[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][ABD-HJLNP-UW-Z]{2})$")


# Ofcom reserves these ranges for drama and fiction; our demo and test data use them so
# that no fictional record ever carries a real person's number.
_DRAMA_PREFIXES = (
    "7700900",
    "1134960",
    "1144960",
    "1154960",
    "1164960",
    "1174960",
    "1184960",
    "1214960",
    "1314960",
    "1414960",
    "1514960",
    "1614960",
    "1632960",
    "2079460",
    "2890180",
    "2920180",
    "8081570",
    "9098790",
)


def _is_ofcom_drama_number(parsed: phonenumbers.PhoneNumber) -> bool:
    national = str(parsed.national_number)
    return (
        parsed.country_code == 44 and len(national) == 10 and national.startswith(_DRAMA_PREFIXES)
    )


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return a number in E.164 form or raise ValidationError.

    `07700 900123`, `+44 7700 900123`, `(07700) 900-123` and `0044 7700 900123` are one.
    """
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_ERROR, code="invalid_phone") from None
    if not (phonenumbers.is_valid_number(parsed) or _is_ofcom_drama_number(parsed)):
        raise ValidationError(PHONE_ERROR, code="invalid_phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_normalise_phone(raw: str) -> str | None:
    try:
        return normalise_phone(raw)
    except ValidationError:
        return None


def normalise_postcode(raw: str) -> str:
    """Upper case with no spaces (`co1 1aa` -> `CO11AA`), or ValidationError."""
    text = re.sub(r"\s+", "", (raw or "")).upper()
    if not _POSTCODE_RE.match(text):
        raise ValidationError(POSTCODE_ERROR, code="invalid_postcode")
    return text


def try_normalise_postcode(raw: str) -> str | None:
    try:
        return normalise_postcode(raw)
    except ValidationError:
        return None


def postcode_district(postcode: str) -> str:
    """The outward code of a normalised postcode: `CO11AA` -> `CO1`."""
    return postcode[:-3]


def display_postcode(postcode: str) -> str:
    return f"{postcode[:-3]} {postcode[-3:]}" if len(postcode) > 3 else postcode


_ABBREVIATIONS = {
    "st": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "cl": "close",
    "ct": "court",
    "dr": "drive",
    "gdns": "gardens",
    "gr": "grove",
    "pl": "place",
    "sq": "square",
    "cres": "crescent",
    "tce": "terrace",
    "flt": "flat",
    "apt": "flat",
    "apartment": "flat",
}


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_text = re.sub(r"[^a-zA-Z0-9]+", " ", ascii_text).lower()
    return " ".join(ascii_text.split())


_NUMBER_LETTER_RE = re.compile(r"\b(\d+) ([a-z])\b")


def normalise_address_line(line: str) -> str:
    """`Flat 1, 12 High St.` and `flat 1 12 high street` give the same key; so do
    `12A`, `12 A` and `12-a`."""
    words = [_ABBREVIATIONS.get(word, word) for word in fold(line).split()]
    return _NUMBER_LETTER_RE.sub(r"\1\2", " ".join(words))


def address_match_key(line1: str, postcode: str) -> str:
    return f"{normalise_postcode(postcode)}|{normalise_address_line(line1)}"


def normalise_name(given: str, family: str) -> str:
    return " ".join(p for p in (fold(given), fold(family)) if p)


_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


def soundex(word: str) -> str:
    """American Soundex: `Smith` and `Smyth` are both S530."""
    letters = [c for c in fold(word) if c.isalpha()]
    if not letters:
        return ""
    first = letters[0]
    out = [first.upper()]
    previous = _SOUNDEX_CODES.get(first, "")
    for char in letters[1:]:
        code = _SOUNDEX_CODES.get(char, "")
        if code and code != previous:
            out.append(code)
        if char not in "hw":
            previous = code
        if len(out) == 4:
            break
    return "".join(out).ljust(4, "0")


def family_key(family: str) -> str:
    words = fold(family).split()
    return soundex(words[-1]) if words else ""


def given_word(name_text: str) -> str:
    """The first given name in a normalised full name (`leah moss` -> `leah`), or "" for
    a name of one word: the word a caller who gives only a first name types."""
    words = name_text.split()
    return words[0] if len(words) > 1 else ""
