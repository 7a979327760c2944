"""Registered seats and country qualifiers of company names: set aside from the identity, kept as evidence.

Registered seats written after a company name ("KOMINVEX DOO BEOGRAD", "MCI Trading Beograd") are weak evidence.
Country and region qualifiers ("Deutsche Bank (Schweiz)", "Faberlic Europe", "Aero Engine Corporation of China")
name where a company sits: the same company is written with and without them, but two different countries
("Central Bank of Iran" / "Central Bank of Syria") are two different entities.

Balkan and post-Soviet registers write the seat after the legal form; trade paperwork often appends the city. A seat
is not the identity of the company, so `split_seat` sets it aside like a legal form: the name is compared without
it and two different seats only lower the score a little (`MatchConfig.place_disagree`).

The gazetteer is small on purpose: single-word capitals (written for this service after consulting the public
country-codes table in `shared/data/country`, leaving out words that are also common names such as "Victoria",
"Hamilton", "Male", "Lima"), local spellings of those, and business cities frequent on sanctions lists.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pycountry

from service.core.legal_forms import legal_form_at
from service.core.translit import skeleton

_CAPITALS = """
abuja accra algiers amman amsterdam ankara antananarivo ashgabat asmara asuncion athens baghdad baku bamako bangkok
bangui banjul beijing beirut belgrade belmopan berlin bern bishkek bissau bogota brasilia bratislava brazzaville
bridgetown brussels bucharest budapest cairo canberra caracas chisinau colombo conakry copenhagen dakar damascus dhaka
dili djibouti dodoma doha dublin dushanbe freetown gaborone gitega hanoi harare havana helsinki honiara islamabad
jakarta jerusalem juba kabul kampala kathmandu khartoum kigali kinshasa kyiv libreville lilongwe lisbon ljubljana lome
london luanda lusaka luxembourg macao madrid managua manama manila maputo maseru mbabane minsk mogadishu monaco
monrovia montevideo moroni moscow muscat nairobi nassau ndjamena niamey nicosia nouakchott oslo ottawa ouagadougou
paramaribo paris podgorica prague praia pretoria pyongyang quito rabat reykjavik riga riyadh rome sanaa sarajevo seoul
singapore skopje sofia stockholm suva taipei tallinn tashkent tbilisi tegucigalpa tehran thimphu tirana tokyo tripoli
tunis ulaanbaatar vaduz valletta vienna vientiane vilnius warsaw wellington windhoek yamoussoukro yaounde yerevan
zagreb
"""
_LOCAL_AND_BUSINESS = """
beograd moskva kiev erevan praha warszawa wien roma bucuresti sofiya athina lisboa bruxelles kobenhavn
novosibirsk yekaterinburg ekaterinburg kazan samara vladivostok krasnodar petersburg peterburg rostov
minsk almaty astana shymkent tashkent samarkand dubai sharjah ajman istanbul izmir mersin shanghai shenzhen guangzhou
tianjin dalian xiamen ningbo karachi lahore mashhad isfahan tabriz bandar limassol larnaca zurich geneva frankfurt
hamburg munich milan milano genova napoli kragujevac subotica pancevo zemun
"""
PLACES = frozenset(skeleton(t) for t in (_CAPITALS + _LOCAL_AND_BUSINESS).split())
# At most this many words after a legal form are taken as the seat ("DOO BEOGRAD PALILULA").
_MAX_SEAT_TOKENS = 3
# Register forms of the former Yugoslavia and Bulgaria, always written before the seat ("SOHA INFO DOO NOVI BANOVCI").
_SEAT_FORMS = frozenset({"doo", "dooel", "ood", "eood"})
_PARTICLES = frozenset({"of", "de", "del", "da", "do", "di", "du", "al", "el", "la", "le", "the"})


def _is_content(tokens: Sequence[str], i: int) -> bool:
    """A word that carries the name: not a letter, a particle or part of a legal form."""
    return len(tokens[i]) > 1 and tokens[i] not in _PARTICLES and legal_form_at(tokens, i) is None


def split_seat(tokens: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """Split ASCII name tokens into (name tokens, legal-form classes of the seat, seat place skeletons).

    A legal form followed by a known place (or by anything, for the Balkan register forms "DOO", "DOOEL", "OOD",
    "EOOD") ends the name: the form and every word after it are the seat. Without a
    legal form, one known place as the last word is the seat when at least two other content words precede it
    ("Bank of Moscow" keeps its Moscow).
    """
    rest = list(tokens)
    for i in range(1, len(rest) - 1):
        found = legal_form_at(rest, i)
        if found is None:
            continue
        generic, size = found
        seat = rest[i + size :]
        seat_form = size == 1 and rest[i] in _SEAT_FORMS
        if seat and len(seat) <= _MAX_SEAT_TOKENS and (seat_form or skeleton(seat[0]) in PLACES):
            return rest[:i], [generic], [skeleton(t) for t in seat]
    if len(rest) >= 3 and skeleton(rest[-1]) in PLACES:
        content = [i for i in range(len(rest) - 1) if _is_content(rest, i)]
        if len(content) >= 2:
            return rest[:-1], [], [skeleton(rest[-1])]
    return rest, [], []


# Country names (pycountry's English names and common short forms, and local names frequent in company names) and
# world regions, as token tuples of their skeletons.
_LOCAL_COUNTRY_NAMES = """
russia rossiia rossiya rossii iran syria korea dprk vietnam laos bolivia venezuela tanzania taiwan moldova burma
turkey turkiye deutschland schweiz suisse svizzera osterreich espana italia polska cesko slovensko magyarorszag
hrvatska srbija srbiia crna gora makedonija shqiperia ellada kibris misr nederland belgie sverige norge danmark suomi
eesti latvija lietuva ukraina belarus kazakhstan qazaqstan uzbekistan ozbekiston kyrgyzstan tajikistan turkmenistan
azerbaijan hayastan sakartvelo brasil mexico peru chile argentina colombia ecuador panama cuba nicaragua
zhongguo nippon bharat pakistan afghanistan emirates uae usa america britain england scotland wales
"""
_REGIONS = """
europe
european
eurasia
asia
asian
africa
african
americas
latam
pacific
caribbean
nordic
scandinavia
balkans
middle east
far east
north america
south america
latin america
central asia
east asia
southeast asia
"""


def _country_phrases() -> frozenset[tuple[str, ...]]:
    names: set[str] = set(_LOCAL_COUNTRY_NAMES.split())
    for country in pycountry.countries:
        for attribute in ("name", "common_name"):
            value = getattr(country, attribute, None)
            if value and value.isascii() and "," not in value and "(" not in value:
                names.add(value.lower().replace("-", " ").replace("'", ""))
    phrases = {tuple(skeleton(w) for w in name.split()) for name in names}
    phrases |= {tuple(skeleton(w) for w in line.split()) for line in _REGIONS.strip().splitlines()}
    return frozenset(phrases)


COUNTRY_PHRASES = _country_phrases()
REGION_PHRASES = frozenset(tuple(skeleton(w) for w in line.split()) for line in _REGIONS.strip().splitlines())
_MAX_COUNTRY_TOKENS = max(len(p) for p in COUNTRY_PHRASES)
_FIRST_WORDS = frozenset(p[0] for p in COUNTRY_PHRASES)


# Countries and territories Chinese company names carry as qualifiers ("华信船务(香港)有限公司", the Hong Kong arm),
# written in Latin before the name is romanised so that `split_countries` reads them as it reads "(Hong Kong)".
NATIVE_COUNTRIES: dict[str, str] = {
    "香港": "hong kong",
    "澳门": "macau",
    "澳門": "macau",
    "中国": "china",
    "中國": "china",
    "台湾": "taiwan",
    "台灣": "taiwan",
}
_NATIVE_COUNTRY = re.compile("|".join(map(re.escape, NATIVE_COUNTRIES)))


def latin_native_countries(text: str) -> str:
    """`text` with the Han names of `NATIVE_COUNTRIES` written in Latin ("华信船务(香港)" → "华信船务( hong kong )")."""
    return _NATIVE_COUNTRY.sub(lambda m: f" {NATIVE_COUNTRIES[m.group(0)]} ", text)


def split_countries(tokens: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split ASCII name tokens into (name tokens, country and region qualifiers); legal-form words do not count as
    content.

    A country is set aside only when at least two content words stay ("Bank of China" keeps its China, "China
    Telecom" too), a region when one does ("Faberlic Europe"); a particle right before it goes with it ("Bank ... of
    China")."""
    words = [skeleton(t) for t in tokens]
    if not any(w in _FIRST_WORDS for w in words):
        return list(tokens), []  # the common case: no country or region named
    keep = list(range(len(tokens)))
    found: list[str] = []
    i = 0
    while i < len(keep):
        for size in range(min(_MAX_COUNTRY_TOKENS, len(keep) - i), 0, -1):
            phrase = tuple(words[k] for k in keep[i : i + size])
            if phrase not in COUNTRY_PHRASES:
                continue
            start = i - 1 if i > 0 and tokens[keep[i - 1]] in _PARTICLES else i  # "of China" goes together
            rest = keep[:start] + keep[i + size :]
            if sum(_is_content(tokens, k) for k in rest) >= (1 if phrase in REGION_PHRASES else 2):
                found.append(" ".join(phrase))
                i = start
                keep = rest
                break
        else:
            i += 1
    return [tokens[k] for k in keep], found
