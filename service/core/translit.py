"""Transliteration to Latin and a romanisation-neutral skeleton, so one name written in different systems meets.

Two steps, both pure and cached by the caller:

* `to_latin` turns any script into lowercase ASCII. Cyrillic uses our own ICAO 9303 table (unidecode's Serbian and
  Kazakh letters are wrong for names); Latin letters with diacritics that stand for Slavic sounds (ISO 9 / GOST 7.79
  "ž", "č", "š", "ŝ", Serbian "ć", "đ") are expanded to the digraphs ICAO uses, so ISO 9 and ICAO spellings agree;
  Han characters take pypinyin's customary reading; everything else (Greek, Arabic, Armenian, Georgian...) goes
  through unidecode.
* `skeleton` folds the remaining differences between romanisation systems on one token: ICAO "iu"/"ia" against the
  older passport rules "yu"/"ya", ISO 9 "û"/"â" (already "u"/"a" after step one) and "j", BGN/PCGN "y" for й, "kh"
  against ISO 9 "h", "ts" against "c", doubled letters. It is applied to both sides, so it only ever loses the
  distinction between spellings that some system writes the same way.
"""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc
from unidecode import unidecode

from service.core.memo import memo

# ICAO 9303 (2015) for Russian, plus the letters of Ukrainian, Belarusian, Serbian, Macedonian, Bulgarian, Kazakh,
# Kyrgyz, Mongolian and Tajik that occur in sanctions lists. Serbian ћ/ђ use the Serbian Latin alphabet (ć→ch, dj).
_CYRILLIC: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    "і": "i",
    "ї": "i",
    "є": "ie",
    "ґ": "g",
    "ў": "u",
    "ђ": "dj",
    "ј": "j",
    "љ": "lj",
    "њ": "nj",
    "ћ": "ch",
    "џ": "dz",
    "ѓ": "g",
    "ќ": "k",
    "ѕ": "dz",
    "ә": "a",
    "ғ": "g",
    "қ": "k",
    "ң": "n",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "ҳ": "h",
    "ҷ": "j",
    "ӣ": "i",
    "ӯ": "u",
}

# Latin letters whose plain unidecode form would drop a sound that other systems spell with a digraph.
_LATIN_DIGRAPHS: dict[str, str] = {
    "ž": "zh",
    "č": "ch",
    "š": "sh",
    "ŝ": "shch",
    "ć": "ch",
    "đ": "dj",
    "ß": "ss",
    "æ": "ae",
    "ø": "o",
    "œ": "oe",
}

# Arabic-script letters unidecode romanises wrongly or drops, which a Latin spelling writes: alef and its hamza forms
# (ا أ إ آ) and ta marbuta (ة) are a vowel, mostly "a"; alef maqsura (ى) is a vowel, "a" in Arabic ("موسى" Musa),
# "i" in Persian ("حیدرى" Heidari): "e", the letter that leaves it open; ع opening a word carries its vowel ("علي"
# Ali, "عبد" Abd), inside one Latin spellings write it as an apostrophe or not at all ("سعد" Saad, "ربيعي" Rabi'i);
# Persian ک is "k" (not "kh": کریمی is Karimi) and ژ "zh" (not "j"), written "z" below; the zero-width non-joiner
# inside a Persian compound name ("احمدی‌مقدم", Ahmadi-Moqaddam) breaks it in two, as the Latin hyphen does.
# Letters romanised with a digraph the skeleton folds are written folded here (خ "kh" is "h", ژ "zh" "z", Hebrew
# כ "kh" "h" and צ "ts" "c"), and an abjad-written token takes no digraph fold (`abjad_skeleton`): two letters never
# fold into one ("زهرا" Zahra is z-h-r-a, not ژ; "انتصار" Intissar is t-s, not c).
_ARABIC = {"ا": "a", "أ": "a", "إ": "a", "آ": "a", "ى": "e", "ة": "a", "ع": "", "ک": "k", "\u200c": " "}
_ABJAD_FOLDED = {"خ": "h", "ژ": "z", "ڦ": "f", "כ": "h", "ך": "h", "צ": "c", "ץ": "c"}
_TABLE = str.maketrans({**_CYRILLIC, **_LATIN_DIGRAPHS, **_ARABIC, **_ABJAD_FOLDED})
# The Arabic article is written joined to its word ("التكريتي" is al-Tikriti): set apart, as Latin spellings do,
# before a word of three letters or more ("الله" and Persian "النا", Elena, stay whole). Vowel signs and the
# tatweel, which names rarely carry, are dropped first.
_ARABIC_LETTER = "\u0620-\u063f\u0641-\u064a\u066e-\u06d3"
_ARABIC_MARKS = re.compile("[\u0640\u064b-\u065f\u0670]")
_ARABIC_ARTICLE = re.compile(f"(?<![{_ARABIC_LETTER}])\u0627\u0644(?=[{_ARABIC_LETTER}]{{3}})")
_ARABIC_AYN_OPENING = re.compile(f"(?<![{_ARABIC_LETTER}])\u0639")
# Hebrew ע opening a word carries its vowel too ("עמוס" Amos), unless a ו or י after it writes the vowel ("עומר" Omer,
# "עידן" Idan); כ opening a word is "k", hardened by a dagesh the letters do not show ("כהן" Kohen, "כץ" Katz), where
# inside one it is "kh" ("מרדכי" Mordekhai).
_HEBREW_LETTER = "\u05d0-\u05ea"
_HEBREW_AYIN_OPENING = re.compile(f"(?<![{_HEBREW_LETTER}])\u05e2(?![\u05d5\u05d9])")
_HEBREW_KAF_OPENING = re.compile(f"(?<![{_HEBREW_LETTER}])\u05db")
# "الله" closing a compound name, joined or written apart ("عبد الله", "حمد الله"), is one word with it in Latin
# ("Abdullah", "Hamdullah", "Rahmatollah"), the article's vowel taking any colour: glued on with an open vowel.
_ALLAH_CLOSING = re.compile(f"(?<=[{_ARABIC_LETTER}]) ?\u0627\u0644\u0644\u0647(?![{_ARABIC_LETTER}])")
# Persian surnames close with پور "-pour" or زاده "-zadeh" ("son of"), often written apart ("زارع پور", "رضا زاده"):
# one word with the name before it, as Latin spellings write them (Zarepour, Rezazadeh), so that "زاده" alone never
# meets another "...ZADEH" surname.
_PERSIAN_SUFFIX = re.compile(
    f"(?<=[{_ARABIC_LETTER}])[ \u200c](?=(?:\u067e\u0648\u0631|\u0632\u0627\u062f\u0647)(?![{_ARABIC_LETTER}]))"
)

# Han characters: each one's customary Mandarin reading, the first in pypinyin's character table. unidecode's table
# gives, for common name characters, a rare reading: 沈 "chen" for the surname Shen, 叶 "xie" for Ye, 娜 "nuo" for
# Na, 宁 "zhu" for Ning, so "沈伟" met "CHEN Wei" and missed "SHEN Wei". A character read two ways in names gets one
# reading (勒 "lei", not the "le" of "Dong Lecheng").
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[str, str]:
    """pypinyin's table, code point (decimal) → readings with tone marks, the customary one first ("叶": "yè,xié").
    Read from the package's data file: importing pypinyin would also load its 55 MB phrase dictionary."""
    spec = importlib.util.find_spec("pypinyin")
    assert spec is not None and spec.submodule_search_locations, "pypinyin is a dependency"
    path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    table: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return table


@memo(20_000)
def _han_reading(character: str) -> str:
    """The character's reading in toneless pinyin, set apart as a syllable (ü written u, as lists write "Lu");
    unidecode's where pypinyin has none."""
    readings = _pinyin_table().get(str(ord(character)))
    if readings is None:
        return unidecode(character)
    marked = unicodedata.normalize("NFD", readings.split(",", 1)[0])
    return " " + "".join(c for c in marked if not unicodedata.combining(c)) + " "


def _han(match: re.Match[str]) -> str:
    return _han_reading(match.group(0))


@lru_cache(maxsize=1)
def _traditional_to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@memo(20_000)
def simplified(character: str) -> str:
    """A Han character in its simplified form (華 → 华, 務 → 务), any other character as it is: the traditional and
    simplified writings of one name are the same characters (OpenCC's table, character by character)."""
    if not _HAN.fullmatch(character):
        return character
    converted = _traditional_to_simplified().convert(character)
    return converted if len(converted) == 1 else character


# Ordered rewrites on one lowercase ASCII token; longer patterns first so "shch" is not eaten by "sh".
_FOLDS: tuple[tuple[str, str], ...] = (
    ("shch", "sh"),  # ICAO/BGN Щ; German-style "sch" below
    ("sch", "sh"),
    ("tch", "ch"),  # French "Tchaikovsky"
    ("kh", "h"),  # ICAO/BGN Х against ISO 9 "h"
    ("zh", "z"),  # ICAO Ж against English "Zukov"-style spellings
    ("ph", "f"),
    ("ck", "k"),
    ("q", "k"),  # Arabic ق: "Qaida"/"Kaida"
    ("x", "ks"),  # "Alexander"/"Aleksandr"
    ("w", "v"),  # German "Wladimir"
    ("tz", "c"),
    ("ts", "c"),  # ICAO Ц against ISO 9 / Serbian "c"
    ("dj", "d"),  # Serbian Đ written "Dj" or "D"
    ("j", "i"),  # ISO 9 / German "j" for й, "ju"/"ja"
    ("y", "i"),  # BGN "y" for й and ы; "yu"/"ya" against ICAO "iu"/"ia"
    ("ou", "u"),  # French-style romanisation of Arabic: "Oussama"/"Usama"
    ("ae", "ai"),  # "Qaeda"/"Qaida", "Michael"/"Mikhail", "Rafael"/"Rafail"
)
_FOLDS_KEEPING_J_Y = tuple(fold for fold in _FOLDS if fold[0] not in ("j", "y"))
# Russian е is "ye" in BGN/PCGN where ICAO and the passport rules write "e": after a vowel or a soft sign and opening
# a word ("Nikolayevich", "Vorobyev", "Yevgeny", "Yelena" against "Nikolaevich", "Vorobev", "Evgeny", "Elena"), and ё
# is "yo" where they write "e" ("Kiselyov", "Kiselev"). Folded only before "v" (-yev, -yevich, -yevna, -yevsky, -yov,
# Yevgeny) or, for "ye", opening a word before a consonant, where Western and Asian names hardly write them: "Meyer",
# "Reyes", "Yeung", the pinyin syllable "Ye" and Korean "Pyong" keep theirs.
_BGN_YE = re.compile(r"(?<=[a-z])y[eo](?=v)|^ye(?=[b-df-hj-np-tv-z])")
# A "j" or "y" before an "i" is a glide the skeleton keeps as an "i" of its own, not folded into the vowel: "Jian"
# and "Yan" (pinyin 建 and 岩), "Jin" and "In" are two names. (Serbian "dj" is Đ: "Djilas" stays "Dilas".)
_GLIDE_I = re.compile(r"(?<!d)[jy]i")
_GLIDE_MARK = "\x01"
# A token romanised from an abjad: only the one-letter folds, so that two letters never fold into one; j and y stay
# (ج, ي are letters of their own). A consonant written twice is two letters too ("مددی" Madadi; a doubled sound is
# written once), where a Latin spelling may write one (`names.abjad_pattern`); the letters that also write vowels,
# and ج, whose Latin "j" a skeleton writes as the vowel "i", are read once ("عامر" Amer: ع and alef are both "a").
ABJAD_VOWEL_LETTERS = "aeiouvyj"
_ABJAD_FOLDS = tuple(fold for fold in _FOLDS_KEEPING_J_Y if len(fold[0]) == 1)
_DOUBLES = re.compile(r"(.)\1+")
_ABJAD_DOUBLES = re.compile(f"([{ABJAD_VOWEL_LETTERS}])\\1+")
# Hangul: each syllable block is a name part ("김병철" = Kim Pyong Chol), romanised letter by letter the way the
# sanctions lists write North Korean names (McCune-Reischauer without diacritics: 김정은 = Kim Jong Un, 최 = Choe).
_HANGUL_SYLLABLE = re.compile("[\uac00-\ud7a3]")
_HANGUL_INITIAL = ["k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "_", "j", "jj", "ch", "k", "t", "p", "h"]
_HANGUL_VOWEL = [
    "a",
    "ae",
    "ya",
    "yae",
    "o",
    "e",
    "yo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "u",
    "ui",
    "i",
]
_HANGUL_FINAL = [
    "",
    *[
        "k",
        "k",
        "k",
        "n",
        "n",
        "n",
        "t",
        "l",
        "k",
        "m",
        "l",
        "l",
        "l",
        "p",
        "l",
        "m",
        "p",
        "p",
        "t",
        "t",
        "ng",
        "t",
        "t",
        "k",
        "t",
        "p",
        "t",
    ],
]


def to_latin(text: str) -> str:
    """Lowercase ASCII romanisation of `text` in any script (ICAO 9303 for Cyrillic)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():
        return text
    text = _ALLAH_CLOSING.sub("ellh", _ARABIC_MARKS.sub("", text))
    text = _PERSIAN_SUFFIX.sub("", text)
    text = _ARABIC_ARTICLE.sub("al ", text)
    text = _ARABIC_AYN_OPENING.sub("a", text)
    text = _HEBREW_KAF_OPENING.sub("k", _HEBREW_AYIN_OPENING.sub("a", text)).translate(_TABLE)
    if text.isascii():
        return text
    return unidecode(_HAN.sub(_han, _HANGUL_SYLLABLE.sub(_hangul, text))).lower()


def _hangul(match: re.Match[str]) -> str:
    code = ord(match.group(0)) - 0xAC00
    initial = _HANGUL_INITIAL[code // 588].strip("_")
    syllable = initial + _HANGUL_VOWEL[code % 588 // 28] + _HANGUL_FINAL[code % 28]
    return " ri " if syllable == "i" else f" {syllable} "  # 이 alone is the surname Ri (Lee, Yi)


@memo(50_000)
def abjad_skeleton(token: str) -> str:
    """`skeleton` of a token romanised from Arabic, Persian or Hebrew letters: the one-letter folds only (`to_latin`
    writes the letters whose digraph folds already folded), j and y kept."""
    if any(ch.isdigit() for ch in token):
        return token
    for old, new in _ABJAD_FOLDS:
        token = token.replace(old, new)
    return _ABJAD_DOUBLES.sub(r"\1", token)


# The folds two skeletons written as one word may bring together at the junction ("RT Soft" as one word is "RTSoft",
# whose skeleton folds "ts" into "c"): (left's last letter, right's first) → (letters taken from the left, from the
# right, the folded letters), longest first. Letters a skeleton never keeps (j, y, q, x, w) open no fold.
_JUNCTION_FOLDS: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
for _old, _new in sorted(_FOLDS, key=lambda fold: -len(fold[0])):
    if len(_old) > 1 and not set(_old) & set("jyqxw"):
        for _k in range(1, len(_old)):
            _JUNCTION_FOLDS.setdefault((_old[_k - 1], _old[_k]), []).append((_old[:_k], _old[_k:], _new))


def junction_fold(left: str, right: str) -> tuple[int, int, str] | None:
    """The fold a skeleton makes across the junction of the skeletons `left` and `right` written as one word, as
    (letters of `left` it takes, letters of `right`, the folded letters), or None."""
    for of_left, of_right, folded in _JUNCTION_FOLDS.get((left[-1:], right[:1]), ()):
        if left.endswith(of_left) and right.startswith(of_right):
            return len(of_left), len(of_right), folded
    return None


def unfolded_junctions(text: str) -> list[tuple[str, str]]:
    """Every (left, right) pair of letters whose junction `junction_fold` folds into `text`, split at that fold."""
    found = []
    for folds in _JUNCTION_FOLDS.values():
        for of_left, of_right, folded in folds:
            at = text.find(folded)
            while at >= 0:
                found.append((text[:at] + of_left, of_right + text[at + len(folded) :]))
                at = text.find(folded, at + 1)
    return found


@memo(200_000)  # names repeat their words
def skeleton(token: str, keep_j_y: bool = False) -> str:
    """The romanisation-neutral form of one ASCII token: equal skeletons mean 'same name in another system'.
    `keep_j_y` skips the j/y folds, for names whose romanisation writes two sounds with them (pinyin, Korean)."""
    if any(ch.isdigit() for ch in token):
        return token  # numbers are identity; never fold them
    if not keep_j_y and ("ye" in token or "yov" in token):
        token = _BGN_YE.sub("e", token)
    glides = not keep_j_y and ("ji" in token or "yi" in token)
    if glides:
        token = _GLIDE_I.sub(_GLIDE_MARK, token)
    for old, new in _FOLDS_KEEPING_J_Y if keep_j_y else _FOLDS:
        if old in token:
            token = token.replace(old, new)
    token = _DOUBLES.sub(r"\1", token)
    return token.replace(_GLIDE_MARK, "ii") if glides else token
