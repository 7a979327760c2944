"""Korean names in their two romanisations: a syllable written two ways is one name part.

South Korea's Revised Romanization writes ㅓ "eo" and ㅡ "eu" ("Kim Jeong-eun", "Kim Yeo-jeong", "Ri Pyeong-cheol"),
where McCune-Reischauer, as the sanctions lists write North Korean names, writes "o" and "u" ("KIM Jong Un", "KIM Yo
Jong", "RI Pyong Chol"); it writes "g", "d", "b" opening a word where McCune-Reischauer writes "k", "t", "p"
("Bong-ju" / "Pong Ju"); and South Korea spells surnames its own way ("Lee", "Park", "Choi" for RI, PAK, CHOE). A
typo ratio reads them as other names ("jeong" / "jong"), or never relates them ("eun" / "un" are too short). Two
tokens whose syllables agree but for those letters, or two spellings of one surname, are one name part, credited
`MatchConfig.digraph_similarity` like two spellings of one Serbian letter, where both names are Korean: every word of
each splits into romanised Korean syllables, so "Leon" (RR 런) stays a typo away from "Lon" in "Leon Smith".

Tokens here are skeletons (`translit.skeleton`: j and y are written "i", w "v"), so are the syllables.
"""

from __future__ import annotations

from collections.abc import Iterable

from service.core.memo import memo
from service.core.translit import skeleton

# Initials, vowels and finals of both systems, without McCune-Reischauer's breves and apostrophes (ŏ is "o", k' "k").
_INITIALS = ("", *"g k kk n d t tt r l m b p pp s ss sh j jj ch tch h".split())  # noqa: SIM905
_VOWELS = tuple("a ae ya yae eo o e yeo yo ye wa wae oe u wo weo we wi yu eu ui i".split())  # noqa: SIM905
_FINALS = ("", *"k n t l m p ng".split())  # noqa: SIM905
SYLLABLES = frozenset(skeleton(i + v + f) for i in _INITIALS for v in _VOWELS for f in _FINALS)
# Surnames South Korea spells its own way ("Lee", "Park", "Choi") where the lists write North Korean names as
# McCune-Reischauer does ("RI", "PAK", "CHOE"): each spelling's skeleton → the group's key.
# ("Yoon" is left out: its skeleton is that of "Jon", another surname.)
_SURNAME_SPELLINGS = (
    ("ri", "lee", "yi", "rhee", "rhie"),
    ("pak", "park"),
    ("choe", "choi"),
    ("an", "ahn"),
    ("son", "sohn"),
    ("sin", "shin"),
    ("mun", "moon"),
    ("rim", "lim", "im"),
    ("hyon", "hyun"),
    ("ko", "koh"),
)
_SURNAMES = {skeleton(spelling): skeleton(group[0]) for group in _SURNAME_SPELLINGS for spelling in group}
# Revised Romanization writes ㄱ, ㄷ and ㅂ opening a word "g", "d", "b", McCune-Reischauer "k", "t", "p".
_UNVOICED = {"g": "k", "d": "t", "b": "p"}
_LONGEST = max(map(len, SYLLABLES))
# A given name of two syllables written as one word ("Jongun"); three would make most short Western and Arabic words
# Korean ("Haugen" ha-u-gen, "Osama" o-sa-ma).
_MAX_SYLLABLES = 2


@memo(100_000)
def romanised_korean(token: str) -> bool:
    """True when the skeleton `token` splits into one or two romanised Korean syllables ("iong", "iongun"), or is a
    surname's own spelling ("park")."""
    if token in _SURNAMES:
        return True
    reach = {0: 0}  # end of a split prefix → fewest syllables reaching it
    for start in range(len(token)):
        if start not in reach or reach[start] >= _MAX_SYLLABLES:
            continue
        for end in range(start + 1, min(len(token), start + _LONGEST) + 1):
            if token[start:end] in SYLLABLES and reach.get(end, _MAX_SYLLABLES + 1) > reach[start] + 1:
                reach[end] = reach[start] + 1
    return len(token) in reach and len(token) > 0


def korean_key(token: str) -> str:
    """The token as McCune-Reischauer writes it: ㅓ and ㅡ "o" and "u" ("ieong" → "iong", "eun" → "un"), an opening
    ㄱ, ㄷ or ㅂ "k", "t" or "p" ("bong" → "pong", "gieong" → "kiong"), a surname as the lists write it ("park" →
    "pak")."""
    key = _SURNAMES.get(token) or token.replace("eo", "o").replace("eu", "u")
    return _UNVOICED.get(key[:1], key[:1]) + key[1:]


def korean_variants(x: str, y: str) -> bool:
    """True when the skeletons `x` and `y` are two romanisations of the same Korean syllables."""
    return x != y and korean_key(x) == korean_key(y) and romanised_korean(x) and romanised_korean(y)


def korean_name(words: Iterable[str]) -> bool:
    """True when every word token of a name is romanised Korean syllables."""
    return all(romanised_korean(w) for w in words)
