"""Country names and codes → ISO 3166-1 alpha-2, tolerant of the spellings sanctions lists use."""

from __future__ import annotations

import re

import pycountry

from service.core.memo import memo

# Spellings seen in OFAC, UN, EU, UK and CSL files that pycountry's lookup does not resolve by itself.
_ALIASES: dict[str, str] = {
    "russia": "RU",
    "russian federation": "RU",
    "iran": "IR",
    "iran (islamic republic of)": "IR",
    "syria": "SY",
    "syrian arab republic": "SY",
    "north korea": "KP",
    "korea, north": "KP",
    "korea north": "KP",
    "democratic people's republic of korea": "KP",
    "dprk": "KP",
    "korea, democratic people's republic of": "KP",
    "south korea": "KR",
    "korea, south": "KR",
    "republic of korea": "KR",
    "korea": "KR",
    "burma": "MM",
    "myanmar (burma)": "MM",
    "laos": "LA",
    "vietnam": "VN",
    "viet nam": "VN",
    "moldova": "MD",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "taiwan": "TW",
    "chinese taipei": "TW",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "palestinian": "PS",
    "palestine": "PS",
    "occupied palestinian territory": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo (democratic republic)": "CD",
    "drc": "CD",
    "congo": "CG",
    "republic of the congo": "CG",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "turkey": "TR",
    "turkiye": "TR",
    "uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "usa": "US",
    "united states": "US",
    "united states of america": "US",
    "uae": "AE",
    "kosovo": "XK",
    "czech republic": "CZ",
    "macedonia": "MK",
    "north macedonia": "MK",
    "the netherlands": "NL",
    "netherlands antilles": "AN",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "the gambia": "GM",
    "gambia, the": "GM",
    "bahamas, the": "BS",
    "vatican": "VA",
    "holy see": "VA",
    "micronesia": "FM",
    "st. kitts and nevis": "KN",
    "st. lucia": "LC",
    "st. vincent and the grenadines": "VC",
    "soviet union": "SU",
    "ussr": "SU",
    "yugoslavia": "YU",
    "serbia and montenegro": "CS",
    "crimea": "UA",
    "north macedonia, the republic of": "MK",
    "st. kitts & nevis": "KN",
    "saint kitts and nevis": "KN",
    "man, isle of": "IM",
    "isle of man": "IM",
    "cote d ivoire": "CI",
    "côte d'ivoire": "CI",
    "region: gaza": "PS",
    "region: west bank": "PS",
    "eritrean": "ER",
    "bosnia-herzegovina": "BA",
    "the bahamas": "BS",
    "virgin islands, british": "VG",
    "british virgin islands": "VG",
    "virgin islands, u.s.": "VI",
    "curacao": "CW",
    "sint maarten": "SX",
    "region: crimea": "UA",
    "occupied palestinian territories": "PS",
    "palestinian territories": "PS",
    "state of palestine": "PS",
    "north gaza": "PS",
    "northern gaza": "PS",
    "prc": "CN",
    "guinea bissau": "GW",
    "britain": "GB",
    "former soviet union": "SU",
}

# Nationalities written as adjectives (EU annexes, UK "Russian"), and the few country names the EU writes its own way
# ("Democratic Republic Congo", "Trinidad"). "Congolese" names two countries and is left out; adjectives `_ALIASES`
# already holds ("palestinian") and names pycountry resolves ("Myanmar") are not repeated.
_DEMONYMS: dict[str, str] = {
    "russian": "RU",
    "iranian": "IR",
    "belarusian": "BY",
    "belarussian": "BY",
    "afghan": "AF",
    "afgan": "AF",
    "ukrainian": "UA",
    "syrian": "SY",
    "tunisian": "TN",
    "iraqi": "IQ",
    "algerian": "DZ",
    "indonesian": "ID",
    "israeli": "IL",
    "venezuelan": "VE",
    "nicaraguan": "NI",
    "filipino": "PH",
    "french": "FR",
    "pakistani": "PK",
    "haitian": "HT",
    "sudanese": "SD",
    "south sudanese": "SS",
    "egyptian": "EG",
    "british": "GB",
    "chinese": "CN",
    "saudi": "SA",
    "saudi arabian": "SA",
    "libyan": "LY",
    "guatemalan": "GT",
    "turkish": "TR",
    "kuwaiti": "KW",
    "malian": "ML",
    "yemeni": "YE",
    "jordanian": "JO",
    "rwandan": "RW",
    "moroccan": "MA",
    "moldovan": "MD",
    "canadian": "CA",
    "german": "DE",
    "qatari": "QA",
    "north korean": "KP",
    "ugandan": "UG",
    "american": "US",
    "mauritanian": "MR",
    "armenian": "AM",
    "finnish": "FI",
    "azerbaijani": "AZ",
    "romanian": "RO",
    "somali": "SO",
    "italian": "IT",
    "indian": "IN",
    "georgian": "GE",
    "serbian": "RS",
    "malaysian": "MY",
    "lebanese": "LB",
    "burundian": "BI",
    "central african": "CF",
    "kazakh": "KZ",
    "uzbek": "UZ",
    "tajik": "TJ",
    "kyrgyz": "KG",
    "emirati": "AE",
    "bahraini": "BH",
    "omani": "OM",
    "nigerian": "NG",
    "ethiopian": "ET",
    "kenyan": "KE",
    "cuban": "CU",
    "democratic republic congo": "CD",
    "democratic people’s republic of korea": "KP",
    "trinidad": "TT",
    "norwegian": "NO",
    "senegalese": "SN",
    "swiss": "CH",
    "australian": "AU",
    "burmese": "MM",
    "belgian": "BE",
    "cypriot": "CY",
    "croatian": "HR",
    "uzbekistani": "UZ",
    "burkinabe": "BF",
    "tanzanian": "TZ",
    "ivorian": "CI",
    "estonian": "EE",
    "togolese": "TG",
    "cameroonian": "CM",
    "montenegrin": "ME",
    "honduran": "HN",
    "lithuanian": "LT",
    "latvian": "LV",
}

_CLEAN = re.compile(r"\s+")
# What lists write around a country without changing which it is: CSL's "REGION: IRAN", UK's "Iraq (previous
# address)", "Russian Federation (as at November 2010)", "CRIMEA (OCCUPIED)". A qualifier that names a part of a
# country ("Congo (Kinshasa)") is not one of these and stays unresolved unless an alias says which.
_AROUND = re.compile(r"^region:\s*|\s*\((?:occupied|previous address|former address|as at [^)]*|as of [^)]*)\)$")


@memo(4096)
def to_iso2(value: str | None) -> str | None:
    """Resolve a country name, alpha-2 or alpha-3 code to alpha-2; None when it cannot be resolved."""
    if value is None:
        return None
    text = _CLEAN.sub(" ", value).strip().strip(".").strip()
    if not text or text in ("-0-", "-"):
        return None
    key = text.lower()
    if (alias := _ALIASES.get(key) or _DEMONYMS.get(key)) is not None:
        return alias
    if (bare := _AROUND.sub("", key)) != key:
        return to_iso2(bare)
    if len(text) == 2 and text.isalpha():
        country = pycountry.countries.get(alpha_2=text.upper())
        return country.alpha_2 if country else None
    if len(text) == 3 and text.isalpha():
        country = pycountry.countries.get(alpha_3=text.upper())
        if country:
            return str(country.alpha_2)
    # Exact lookups only: fuzzy country search is slow (~80 ms a miss) and guesses on free text.
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


@memo(1024)
def is_iso2(code: str) -> bool:
    """True when `code` is an assigned ISO 3166-1 alpha-2 code (or XK, used by lists for Kosovo)."""
    if code == "XK":
        return True
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


# Territories that are part of another country (the country of a person or company there may be either): written for
# this service after the parents in the public rigour territories table
# (`shared/data/country/opensanctions_rigour_territories.jsonl`), assigned ISO codes only. Separate jurisdictions such
# as the British Crown dependencies and overseas territories (Jersey, the Cayman Islands) have no parent there.
TERRITORY_PARENT: dict[str, str] = {
    "HK": "CN",
    "MO": "CN",
    "AS": "US",
    "GU": "US",
    "MP": "US",
    "PR": "US",
    "UM": "US",
    "AW": "NL",
    "BQ": "NL",
    "CW": "NL",
    "SX": "NL",
    "FO": "DK",
    "GL": "DK",
    "BL": "FR",
    "GF": "FR",
    "GP": "FR",
    "MF": "FR",
    "MQ": "FR",
    "NC": "FR",
    "PF": "FR",
    "PM": "FR",
    "RE": "FR",
    "TF": "FR",
    "YT": "FR",
    "BV": "NO",
    "SJ": "NO",
    "CC": "AU",
    "CX": "AU",
    "HM": "AU",
    "TK": "NZ",
    "IO": "GB",
}


def related_countries(a: str, b: str) -> bool:
    """True when one of two different alpha-2 codes is a territory of the other ("HK" and "CN")."""
    a, b = a.upper(), b.upper()
    return TERRITORY_PARENT.get(a) == b or TERRITORY_PARENT.get(b) == a
