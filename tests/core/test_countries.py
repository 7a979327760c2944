"""Golden cases for country resolution: the spellings the real lists use, and the ones that must stay unresolved."""

from __future__ import annotations

import pytest

from service.core.countries import is_iso2, related_countries, to_iso2


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("IR", "IR"),
        ("IRN", "IR"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Korea, North", "KP"),
        ("REGION: IRAN", "IR"),  # CSL
        ("REGION: Gaza", "PS"),
        ("CRIMEA (OCCUPIED)", "UA"),  # CSL
        ("Iraq (previous address)", "IQ"),  # UK
        ("Russian Federation (as at November 2010)", "RU"),  # UK
        ("Occupied Palestinian Territories", "PS"),  # UK
        ("State of Palestine", "PS"),  # UN
        ("PRC", "CN"),
        ("Guinea Bissau", "GW"),
        ("Belgian", "BE"),  # nationalities written as adjectives (EU annexes)
        ("Ivorian", "CI"),
        ("Russian", "RU"),  # and in the UK list
    ],
)
def test_the_lists_spellings_resolve(text: str, code: str) -> None:
    assert to_iso2(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "REGION: KASHMIR",  # a region of no one country
        "Congo (Kinshasa)",  # the qualifier says which Congo: no alias, so no guess
        "Moscow",  # a city where a country was expected (UK)
        "115088",  # a postal code (UK)
        "NM",  # a US state written in the country column (DPL)
        "Congolese",  # of either Congo
        "",
        "-0-",
    ],
)
def test_what_is_not_a_country_stays_unresolved(text: str) -> None:
    assert to_iso2(text) is None


def test_codes_and_territories() -> None:
    assert is_iso2("DE") and is_iso2("XK") and not is_iso2("NM") and not is_iso2("REGION: IRAN")
    assert related_countries("HK", "CN") and related_countries("cn", "mo") and not related_countries("RU", "UA")
