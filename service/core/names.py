"""Name normalisation and the pairwise name scorer.

`normalise_name` turns a raw name into a `NormName`: transliterated (service.core.translit), punctuation and spacing
removed, legal forms recognised and set aside (service.core.legal_forms), tokens folded to romanisation-neutral
skeletons and sorted, so word order never matters. `compare_names` scores two `NormName`s with an order-free token
alignment and returns every feature it used; `score_names` is the convenience form on raw strings.

The score is a weighted share of matched letters. Every token has a mass: its length times its informativeness
(the index derives it from token frequency; common words such as "mohamed" or "trading" weigh a quarter) — a single
initial weighs 1. A matched pair adds its tokens' masses times the pair's credited similarity to the numerator and
the masses to the denominator; an unmatched token adds its mass times a factor to the denominator only. The factor
is higher when both names keep leftovers (a different name part) than when only one does (an omitted part). Pairs
are chosen greedily, best first, one token in at most one pair. Because each token's share is its own mass, the
index can bound the score of many names at once from per-token best similarities (service.core.name_bound).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from itertools import pairwise, permutations
from typing import Any

from rapidfuzz.distance import LCSseq, Levenshtein

from service.core.korean import korean_name, korean_variants
from service.core.legal_forms import latin_native_forms, strip_legal_forms
from service.core.match_config import MatchConfig
from service.core.memo import Memo, memo
from service.core.model import EntityType, char_script, detect_script
from service.core.name_rules import DIN_SPELLINGS, PERSON_TITLES, rewrite_tokens
from service.core.places import latin_native_countries, split_countries, split_seat
from service.core.translit import ABJAD_VOWEL_LETTERS, abjad_skeleton, junction_fold, simplified, skeleton, to_latin

# Token kinds: only STRONG tokens count as name parts (OFAC FAQ 5) and only they (and numbers) are blocking keys.
STRONG = 0
PARTICLE = 1
INITIAL = 2
NUMBER = 3
WORD_KINDS = (STRONG, PARTICLE)  # tokens compared by spelling (fuzzy), joinable into spacing variants

# Connecting words and name particles, as written: kept in the comparison (they weigh by their short length) but never
# counted as a matching name part, so "Bashar al-Assad" / "Hafez al-Assad" is one matching part, not two. Recognised
# as written, not folded: the skeleton folds names onto them ("Lee" → "le", Korean "Won" → "von", "Wan" → "van").
PARTICLE_SPELLINGS = frozenset(
    [
        "al",
        "el",
        "ul",
        "ud",
        "bin",
        "ibn",
        "bint",
        "ben",
        "bn",
        "abu",
        "abd",
        "ould",
        "de",
        "da",
        "di",
        "do",
        "du",
        "del",
        "della",
        "dos",
        "das",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "y",
        "e",
        "und",
        "and",
        "et",
        "the",
        "of",
        "abou",  # French-style "Abu"
    ]
)
PARTICLES = frozenset(skeleton(p) for p in PARTICLE_SPELLINGS)  # their skeletons: a vocabulary token's possible kind
# A particle misspelt by a swap of adjacent letters, as the skeleton or as written ("Aub", "bAu" for "Abu").
_PARTICLE_SWAPS = frozenset(
    t
    for spellings, fold in ((PARTICLES, str), (PARTICLE_SPELLINGS, skeleton))
    for p in spellings
    for k in range(len(p) - 1)
    if (t := fold(p[:k] + p[k + 1] + p[k] + p[k + 2 :])) not in PARTICLES
)
_SON_OF = skeleton("bin")  # service.core.name_rules writes "ben", "ibn" and "bn" this way
_DROP = frozenset({"and", "the", "und", "et"})  # pure connectors: "AT&T" = "AT and T"
_ABBREVIATION = re.compile(r"\b(?:[a-z]\.){2,}")  # "p.l.c." "d.o.o." "l.l.c." → joined
# The same in Arabic letters, joined before transliteration, where one letter may become two ("ذ.م.م" is "dhmm", not
# "dh m m"): the legal forms of Arab companies are abbreviations of this kind.
_ARABIC_LETTER = r"[\u0621-\u064a\u066e-\u06d3]"
_ARABIC_ABBREVIATION = re.compile(rf"(?<![\u0600-\u06ff])(?:{_ARABIC_LETTER}\.)+{_ARABIC_LETTER}")
_APOSTROPHE = re.compile(r"['`´’‘]")
_TOKEN = re.compile(r"[a-z0-9]+")
# Scripts whose personal names are a surname and a given name made of syllables, with no middle names, patronymics or
# particles: a syllable one name has and the other lacks is another name ("Zhang Jian" is not "Zhang Jian Shulan").
SYLLABIC_SCRIPTS = frozenset({"Han", "Hangul", "Hiragana", "Katakana"})
# Han characters romanise to pinyin, a closed set of syllables: two syllables a letter apart are two characters
# ("cheng" 成 / "chen" 陈), not a typo, so a Han-written name's syllables only match exactly. Hangul keeps fuzzy
# matching: South Korean and McCune-Reischauer spellings of one syllable differ ("young" / "yong").
EXACT_SYLLABLE_SCRIPTS = frozenset({"Han"})
# The skeleton folds "j" and "y" into "i" (Russian й: "Sergej", "Sergey", "Sergei"). Pinyin, Korean and Japanese
# romanisations write two different sounds with them ("jian" 建 / "yan" 岩, "jong" 종 / "yong" 용), so where either
# name is syllabic, a part spelled with an initial j is never paired with one spelled with an initial y, even as a
# typo.
_GLIDES = "jy"
# Names with more joinable tokens than this get no spacing variants (the pairs grow quadratically).
MAX_JOINABLE = 8
# Indexes of a name's tokens in the order they are glued into one word (a spacing variant: `_joins`).
Spelling = tuple[int, ...]
# Scripts written one syllable per character that romanise one token per character: two names both written in one
# of them are compared on the characters, because romanisation merges different ones (石 and 市 are both "shi",
# 종 and 정 both "jong"): the romanised tokens find the candidates, the characters decide which pairs match.
NATIVE_SCRIPTS = frozenset({"Han", "Hangul"})
# Scripts that write consonants and long vowels but not short vowels (abjads): their names romanise without most
# vowels ("صدام حسين" → "sdm hsin") that a Latin spelling of the same name writes ("Saddam Hussein"), so such a name
# meets Latin-written names on its consonants (`consonant_key`).
ABJAD_SCRIPTS = frozenset({"Arabic", "Hebrew", "Syriac"})


@dataclass(frozen=True, slots=True)
class NormName:
    """A name ready for comparison: sorted skeleton tokens with their kinds, numbers, legal-form classes."""

    original: str
    tokens: tuple[str, ...]
    kinds: tuple[int, ...]
    legal_forms: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()  # registered seat set aside (service.core.places)
    countries: frozenset[str] = frozenset()  # country and region qualifiers set aside (service.core.places)
    # Sorted tokens glued without spaces: "ab cd" and "abc d" are the same letters split differently.
    concat: str = ""
    numbers: frozenset[str] = frozenset()
    strong_count: int = 0
    has_initials: bool = False
    script: str = ""  # dominant script of the name as written (service.core.model.detect_script)
    latin: str = field(default="", compare=False)  # the transliterated text, for explanations
    # Arabic nasab as written: the given name and the father's name around the first "bin" ("Salman bin Muhammad").
    nasab: tuple[str, str] | None = field(default=None, compare=False)
    # For a name written in a NATIVE_SCRIPTS script: each token's character as written, aligned with `tokens`.
    native: tuple[str, ...] = ()

    @property
    def syllabic(self) -> bool:
        """Written in Han, Hangul or Kana: syllables, no middle names or particles."""
        return self.script in SYLLABIC_SCRIPTS

    @property
    def abjad(self) -> bool:
        """Written in Arabic, Persian, Hebrew or Syriac letters: romanised without its short vowels."""
        return self.script in ABJAD_SCRIPTS

    @property
    def lettered(self) -> bool:
        """Written in letters that romanise one by one (neither an abjad nor Han, Hangul or Kana): a typo in its words
        as written is one in their romanisation (`written_swaps`)."""
        return not (self.abjad or self.syllabic)

    @property
    def hebrew(self) -> bool:
        """Written in Hebrew letters, which `abjad_pattern` reads its own way."""
        return self.script == "Hebrew"

    @property
    def has_words(self) -> bool:
        """False for names made only of initials, which never match anything on their own."""
        return self.strong_count > 0 or any(k != INITIAL for k in self.kinds)

    @property
    def joins(self) -> Mapping[str, tuple[Spelling, ...]]:
        """Spacing variants: every ordered pair of joinable tokens glued together → the index pairs that spell it,
        so "RamiMakhlouf" meets "Rami Makhlouf" and "MYONGC HIN" meets "MYONG CHIN" by exact lookups, and every
        ordered three of them two of which are particles ("Delacruz" / "De La Cruz", `_joins`). Computed on demand
        (and cached by tokens): kept on every listed name, they would weigh more than the names."""
        return _cached_joins(self.tokens, self.kinds, not self.abjad)


def latin_tokens(text: str) -> list[str]:
    """Lowercase ASCII tokens of a name in any script, punctuation and abbreviation dots removed."""
    if "." in text:
        text = _ARABIC_ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), text)
    latin = to_latin(text).replace("&", " and ")
    latin = _APOSTROPHE.sub("", latin)
    latin = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), latin)
    return [t for t in _TOKEN.findall(latin) if t not in _DROP]


@memo(200_000)
def token_kind(token: str) -> int:
    """STRONG, PARTICLE, INITIAL or NUMBER: the kinds a skeleton token may have in some name (the vocabulary's view;
    a name decides each of its tokens' kind on the word as written, `written_kind`)."""
    if not token.isalpha():
        return NUMBER  # tokens are [a-z0-9]+, so a digit
    if len(token) == 1:
        return INITIAL
    if token in PARTICLES:
        return PARTICLE
    return STRONG


def written_kind(word: str, folded: str) -> int:
    """The kind of a written word (lowercase ASCII) whose skeleton is `folded`: an initial is one letter as written,
    or repeated ("V.V." joined), and a particle one of the spellings in `PARTICLE_SPELLINGS`; "Yi", "Lee" and "Won"
    are name parts, whatever their skeletons ("i", "le", "von") look like."""
    kind = token_kind(folded)
    if (kind == INITIAL and len(set(word)) > 1) or (kind == PARTICLE and word not in PARTICLE_SPELLINGS):
        return STRONG
    return kind


@memo(200_000)
def normalise_name(text: str, entity_type: EntityType | None = None) -> NormName:
    """Normalise a raw name; legal forms are stripped unless the name is known to be a person's."""
    person = None if entity_type in (None, EntityType.UNKNOWN) else entity_type is EntityType.PERSON
    script = detect_script(text)
    abjad = script in ABJAD_SCRIPTS
    syllabic = script in SYLLABIC_SCRIPTS
    # A company's "有限公司" is its legal form and "(香港)" its country, not syllables of its name: written in Latin for
    # `strip_legal_forms` and `split_countries` below.
    company = syllabic and entity_type is not EntityType.PERSON
    spelled = latin_native_countries(latin_native_forms(text)) if company else text
    raw_tokens = rewrite_tokens(latin_tokens(spelled), person, abjad)
    legal: list[str] = []
    places: list[str] = []
    countries: list[str] = []
    if entity_type is not EntityType.PERSON:
        written_tokens = raw_tokens
        raw_tokens, legal, places = split_seat(raw_tokens)
        raw_tokens, countries = split_countries(raw_tokens)
        raw_tokens, more_legal = strip_legal_forms(raw_tokens)
        legal += more_legal
        if all(len(t) == 1 for t in raw_tokens):
            # "AT&T Inc.": "at" is a name here, not a form.
            raw_tokens, legal, places, countries = written_tokens, [], [], []
    # An abjad's letters stay one character each, ج and ي "j" and "y" (`abjad_pattern` reads them letter by letter).
    written = [abjad_skeleton(t) if abjad else skeleton(t) for t in raw_tokens]
    native: tuple[str, ...] = ()
    if script in NATIVE_SCRIPTS:
        # Traditional and simplified Han are the same characters (華 and 华).
        letters = unicodedata.normalize("NFKC", spelled)
        characters = [simplified(ch) for ch in letters if ch.isalpha() and char_script(ch) == script]
        if len(characters) == len(written):  # one token per character, nothing dropped or added
            native = tuple(ch for _, ch in sorted(zip(written, characters, strict=True)))
    written_kinds = list(map(written_kind, raw_tokens, written))
    # "Din" closing a compound given name ("Siraj al-Din", "سراج الدين", "Sirajuddin" as name_rules writes it) is part
    # of that one name: after "al" it weighs as a particle ("Din Mohammad" keeps it a name part; the vocabulary
    # relates particles and name parts alike, so "din" needs no particle kind there); the nasab below still reads
    # "bin al-Din" as Din's son.
    compound_kinds = [
        PARTICLE if k and raw_tokens[k] in DIN_SPELLINGS and written[k - 1] == "al" else kind
        for k, kind in enumerate(written_kinds)
    ]
    parts = sorted(zip(written, compound_kinds, strict=True))
    tokens = tuple(t for t, _ in parts)
    # Romanised syllables are name parts even where they spell a particle (彬 "bin", 德 "de") or a single letter.
    kinds = tuple(STRONG if syllabic and k in (PARTICLE, INITIAL) else k for _, k in parts)
    kinds = (
        _SHARED_KINDS.setdefault(kinds, kinds) if len(_SHARED_KINDS) < _MAX_SHARED else _SHARED_KINDS.get(kinds, kinds)
    )
    nasab = None
    if _SON_OF in written:
        # The names around the first "bin"; the father's read past the particles that open it ("bin al-Din").
        k = written.index(_SON_OF)
        after = zip(written[k + 1 :], written_kinds[k + 1 :], strict=True)
        father = next((t for t, kind in after if kind != PARTICLE), None)
        if k > 0 and father is not None:
            nasab = (written[k - 1], father)
    return NormName(
        original=text,
        tokens=tokens,
        kinds=kinds,
        legal_forms=_frozen(legal),
        places=_frozen(places),
        countries=_frozen(countries),
        concat=glue(tokens, not abjad),
        numbers=_frozen([t for t, k in zip(tokens, kinds, strict=True) if k == NUMBER]),
        strong_count=kinds.count(STRONG),
        has_initials=INITIAL in kinds,
        script=script,
        latin=" ".join(raw_tokens),
        nasab=nasab,
        native=native,
    )


def comparison_form(name: NormName) -> tuple[object, ...]:
    """Everything `compare_names` reads of a name: every field but the text as written ("ZHANG, Yu" and "Zhang Yu"
    have one form, so they score alike against any query)."""
    return tuple(getattr(name, f) for f in _FORM_FIELDS)


_FORM_FIELDS = tuple(f.name for f in fields(NormName) if f.name != "original")


# An index holds a NormName per listed name: the many equal kinds tuples and the empty sets are shared, which saves
# memory and, in forked workers, the copy of every page whose object a query's reference counting touches.
_SHARED_KINDS: dict[tuple[int, ...], tuple[int, ...]] = {}
_MAX_SHARED = 20_000  # the real lists hold about a thousand patterns; queries cannot grow the table without bound
_EMPTY: frozenset[str] = frozenset()


def _frozen(items: Sequence[str]) -> frozenset[str]:
    return frozenset(items) if items else _EMPTY


_VOWELS = frozenset("aeiou")
_NOT_GLUED = _VOWELS | frozenset("0123456789")


def glue(parts: Sequence[str], folds: bool = True) -> str:
    """Tokens written as one word, the way `skeleton` would fold it: a consonant doubled across a junction is
    written once ("ming" + "guo" = "minguo", the skeleton of "Mingguo"), and letters the junction brings together
    fold ("rt" + "soft" = "rcoft", the skeleton of "RTSoft"). Vowels stay doubled ("li" + "in" is not "lin") and so
    do digits: numbers are identity. `folds=False` for an abjad's tokens, whose letters never fold into one."""
    out = ""
    for part in parts:
        out = glue_two(out, part, folds) if out and part else out + part
    return out


def glue_two(left: str, right: str, folds: bool = True) -> str:
    """`glue` of two non-empty tokens, without the loop: `_joins` glues every ordered pair of a name's tokens."""
    if left[-1] == right[0] and right[0] not in _NOT_GLUED:
        return left + right[1:]
    if folds and (fold := junction_fold(left, right)) is not None:
        of_left, of_right, folded = fold
        return left[: len(left) - of_left] + folded + right[of_right:]
    return left + right


def spacing_variants(name: NormName) -> dict[str, tuple[Spelling, ...]]:
    """`NormName.joins` computed afresh (the index visits every listed name once: caching would only cost memory)."""
    return _joins(name.tokens, name.kinds, not name.abjad)


def _joins(tokens: tuple[str, ...], kinds: tuple[int, ...], folds: bool) -> dict[str, tuple[Spelling, ...]]:
    """Every ordered pair of joinable tokens glued, and every ordered three with at least two particles: a run of
    particles is written apart or as one word with the name it precedes ("De La Cruz", "Dela Cruz", "Delacruz";
    "van der Merwe", "Vandermerwe"). Three words without two particles are not glued: they are hardly ever written
    as one, and the keys would grow with the cube of a name's length."""
    joinable = [j for j, k in enumerate(kinds) if k <= PARTICLE]
    joins: dict[str, tuple[Spelling, ...]] = {}
    if 2 <= len(joinable) <= MAX_JOINABLE:
        for j in joinable:
            for k in joinable:
                if j != k:
                    key = glue_two(tokens[j], tokens[k], folds)
                    joins[key] = (*joins[key], (j, k)) if key in joins else ((j, k),)
        if sum(kinds[j] == PARTICLE for j in joinable) >= 2:
            for three in permutations(joinable, 3):
                if sum(kinds[j] == PARTICLE for j in three) >= 2:
                    key = glue([tokens[j] for j in three], folds)
                    joins[key] = (*joins[key], three) if key in joins else (three,)
    return joins


_cached_joins = memo(20_000)(_joins)


# Marks a `written_runs` key: never a token or tokens glued (those are letters and digits only).
RUN_MARK = "~"
# Names with more words than this have no runs (the runs grow with the square of a name's length).
RUN_MAX_WORDS = 4


def written_runs(name: NormName) -> Mapping[str, tuple[str, str]]:
    """Every two words of the name as written, run together in either order (keyed `RUN_MARK` + the run), with their
    tokens: two names with a run in common, split elsewhere, are the same letters with a space moved ("SyedJ ohar" /
    "Syed Johar", "KyongI l" / "Kyong Il": `moved_spaces`). Gluing their tokens may not show it, since a skeleton
    folds each word's ends on its own ("syedj" is "sied", as "syed" is), and one of the words may be an initial now,
    which `joins` does not glue. The letters as written, not their skeletons: "San Naung" is not "San Aung", though
    the skeletons glue into one. Either order, as word order never counts; names of two to `RUN_MAX_WORDS` words, not
    Han, Hangul or Kana ones, whose syllables decide. Cached by the writing: a query's are probed, then compared."""
    return {} if name.syllabic else _cached_runs(name.latin, name.abjad)


def listed_runs(name: NormName) -> Mapping[str, tuple[str, str]]:
    """`written_runs` computed afresh (the index visits every listed name once: caching would only cost memory, and
    the pages a forked worker copies when it writes to a cache the build filled)."""
    return {} if name.syllabic else _runs(name.latin, name.abjad)


def _runs(written: str, abjad: bool) -> dict[str, tuple[str, str]]:
    words = written.split()
    if not 2 <= len(words) <= RUN_MAX_WORDS:
        return {}
    fold = abjad_skeleton if abjad else skeleton  # as `normalise_name` makes a word its token
    tokens = [(w, fold(w)) for w in words if w.isalpha()]  # numbers are identity
    return {RUN_MARK + u + v: (x, y) for p, (u, x) in enumerate(tokens) for q, (v, y) in enumerate(tokens) if p != q}


_cached_runs = memo(20_000)(_runs)


def run_spellings(name: NormName, run: tuple[str, str]) -> list[Spelling]:
    """The token indexes a run's two tokens stand at in the name, each way a token the name holds twice allows ("ali"
    of "Ali al-Ali"), as `joins` spells them: none where a word was set aside (a legal form, a country), a number, or
    both are initials."""
    x, y = run
    kinds, tokens = name.kinds, name.tokens
    return [
        (i, j)
        for i, token_i in enumerate(tokens)
        if token_i == x and kinds[i] != NUMBER
        for j, token_j in enumerate(tokens)
        if token_j == y and i != j and kinds[j] != NUMBER and not kinds[i] == kinds[j] == INITIAL
    ]


def credit(raw: float, config: MatchConfig) -> float:
    """Similarity credited to a fuzzy pair: weaker evidence than its raw ratio ("miles"/"miler" are two names)."""
    return max(0.0, 1.0 - config.fuzzy_penalty * (1.0 - raw))


def credit_swap(length: int, config: MatchConfig) -> float:
    """Similarity credited to two tokens of `length` letters that differ by one swap of adjacent letters: a typo,
    penalised less than a substituted letter ("sok"/"sko", "appel"/"apple")."""
    return max(0.0, 1.0 - config.transposition_penalty * (1.0 - (length - 1) / length))


def one_transposition(x: str, y: str) -> bool:
    """True when `y` is `x` with two adjacent letters swapped ("sok"/"sko", "mena"/"emna")."""
    if len(x) != len(y) or x == y:
        return False
    diff = [i for i in range(len(x)) if x[i] != y[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] and x[diff[1]] == y[diff[0]]


def written_swaps(written_a: str, written_b: str, config: MatchConfig) -> dict[tuple[str, str], float]:
    """(skeleton in a, skeleton in b) → `credit_swap` for the words of two names as written (`NormName.latin`) that
    are one swap of adjacent letters apart: a typo in the writing, whatever the skeleton's folds make of it ("VHAEDI"
    / "VAHEDI" are "vhaidi" / "vahedi", "GOTEZ" / "GOETZ" "gotez" / "goec"); from `transposition_min_length`
    letters on, as `word_similarity`."""
    found: dict[tuple[str, str], float] = {}
    words_b = written_b.split()
    for u in written_a.split():
        for v in words_b:
            if len(u) == len(v) and one_transposition(u, v):
                x, y = skeleton(u), skeleton(v)
                if x != y and (credit := written_swap_credit(x, y, config)):
                    found[x, y] = credit
    return found


def written_swap_credit(x: str, y: str, config: MatchConfig) -> float:
    """What `written_swaps` credits two tokens whose words as written are one swap apart: `credit_swap` of the
    shorter, from `transposition_min_length` letters on, as `word_similarity`; else 0."""
    shorter = min(len(x), len(y))
    return credit_swap(shorter, config) if shorter >= config.transposition_min_length else 0.0


def word_similarity(x: str, y: str, config: MatchConfig, korean: bool = True, vowels: bool = True) -> float:
    """Credited similarity of two different word tokens (strong or particle); 0 when they are unrelated.

    The Indel ratio 2·LCS / (len x + len y) at or above the cutoff; short tokens only when their first letters agree
    and no letter moved (`shifted`: "ming"/"bing" and "lisa"/"luis" are two names), very short ones never
    ("li"/"lei"). A single swap of adjacent letters is a typo at any length from `transposition_min_length` on, first
    letter included. Two spellings of "š" or "č" ("sh" / "s") are credited `digraph_similarity`, and so are two
    romanisations of Korean syllables ("jeong" / "jong", `korean.py`; `korean=False` leaves them to the ratio:
    `compare_names` credits them only between two Korean names), and two tokens whose vowels differ only o for u or
    e for i ("Usama" / "Osama", "Laden" / "Ladin": `spelling_key`; `vowels=False` leaves them to the ratio, as
    `compare_names` does where a name is syllabic: "jung" 중 and "jong" 종 are two syllables).
    """
    shorter = min(len(x), len(y))
    if shorter >= config.transposition_min_length and one_transposition(x, y):
        return credit_swap(shorter, config)
    if korean and korean_variants(x, y):
        return config.digraph_similarity
    if shorter < config.fuzzy_min_length:
        return 0.0
    if shorter < config.fuzzy_first_letter_length and x[0] != y[0]:
        return 0.0
    raw = 2.0 * LCSseq.similarity(x, y) / (len(x) + len(y))
    if raw < config.token_cutoff or (shorter < config.fuzzy_first_letter_length and shifted(x, y)):
        return 0.0
    same = spelling_key(x) == spelling_key(y) if vowels else unhooked(x) == unhooked(y)
    return config.digraph_similarity if same else credit(raw, config)


_HOOK = re.compile(r"(?<=[cs])h")  # skeletons already write "zh" as "z"


def unhooked(token: str) -> str:
    """`token` without the "h" of its "sh" and "ch" digraphs: "shvorcan" → "svorcan" (see `digraph_similarity`)."""
    return _HOOK.sub("", token) if "h" in token else token


# Arabic names reach Latin through transliterations that write one vowel two ways: the damma "o" or "u" (Osama /
# Usama, Mohammad / Muhammad, Moammar / Muammar), the kasra "e" or "i" (Laden / Ladin), as Persian and Turkic
# spellings of the same names do (Mohsen / Muhsin, Osman / Usman).
_VOWEL_CLASS = str.maketrans("oe", "ui")


def spelling_key(token: str) -> str:
    """`unhooked(token)` with "o" written "u" and "e" written "i": two tokens with one key are one name written in
    two transliterations, credited `digraph_similarity` (when their ratio is a typo's)."""
    return unhooked(token).translate(_VOWEL_CLASS)


def shifted(x: str, y: str) -> bool:
    """True when `x` and `y` have the same length but no single substituted letter turns one into the other: a letter
    dropped in one place and another added elsewhere ("lisa"/"luis", "kile"/"ksie")."""
    return len(x) == len(y) and Levenshtein.distance(x, y, score_cutoff=1) > 1


def token_similarity(x: str, kx: int, y: str, ky: int, config: MatchConfig, person: bool = True) -> float:
    """Credited similarity of two tokens in 0..1: exact for numbers, the initial rule for persons' single letters
    (an organisation's single letter is a letter), spelling for words."""
    if x == y:
        return 1.0
    if kx == NUMBER or ky == NUMBER:
        return 0.0
    if kx == INITIAL or ky == INITIAL:
        return config.initial_similarity if person and x[0] == y[0] else 0.0
    return word_similarity(x, y, config)


# Consonant keys leave out the letters an abjad leaves unwritten or writes ambiguously: vowels and the letters that
# also write long vowels (و is "w", "u" or "o"; ي "y", "i" or "ee"; skeletons write w as "v", and j and y as "i"
# except in abjad-written names, which keep ج "j" and ي "y"); an "h" after d, g (k) or t, which Latin spellings add
# to mark a sound ("dh", "gh", "th"), and a closing "h" are dropped, and the letters one abjad letter has in Latin
# spellings are one (`_LATIN_SPELLINGS`; "b" goes with "v"), in both spellings alike. A key only finds candidates;
# the pattern decides.
_NOT_KEY = str.maketrans("", "", "aeioubvy")
_ONE_LETTER = str.maketrans("gzc", "kds")
_MARKED_SOUND = re.compile(r"([dkt])h+")  # after `_ONE_LETTER`: "gh" is "kh" there
# Latin letters for one romanised abjad letter: ق and غ are "k", "q", "g" or "gh" (Persian "Ghasem" is Qasem,
# Maghrebi "Belgacem" Belkasem), ض and ذ "d", "dh" or Persian "z" ("Zia"), س French "c", ط and ت "t" or "th".
_LATIN_SPELLINGS = {"k": "(?:k|gh?)", "g": "gh?", "d": "(?:dh?|z)", "t": "th?", "s": "[sc]"}
# Hebrew ב is "b" or "v" ("שרביט" Sharvit), and a closing ה a vowel that Latin spellings write without it
# ("דניאלה" Daniela); Arabic ب is "b", and a closing ه "h" (Taha, Wahbeh). Hebrew has no ض, ذ, ق or غ: its ד is "d"
# and its ק and opening כ "k".
_HEBREW_SPELLINGS = {**_LATIN_SPELLINGS, "b": "[bv]", "d": "d", "k": "k"}
# An unwritten short vowel is one sound; a second one is a vowel after an ع the letters drop ("معتصم" Moatasem), but
# never an i or u, which would make a diphthong the name writes with ي or و ("حسن" Hasan is never Hossein).
_VOWEL_RUN = "(?:[aeiou][aeo]?)?"


@memo(250_000)  # the build asks for about 115,000
def consonant_key(token: str) -> str:
    """The consonants of a skeleton token that an abjad spelling and a Latin spelling of one name share ("sdm" for
    صدام and "Saddam", "hsn" for حسين and "Hussein"): equal keys are where `abjad_pattern` may match."""
    return _MARKED_SOUND.sub(r"\1", token.translate(_NOT_KEY).translate(_ONE_LETTER)).rstrip("h")


@memo(100_000)
def abjad_keys(token: str) -> frozenset[str]:
    """The consonant keys of the Latin spellings of a token of an abjad-written name: ج is "j" (a vowel "i" in a
    skeleton), "dj" ("d") or Egyptian "g", one key per reading. Empty when the token has no consonant for a Latin
    spelling to agree with ("ai")."""
    if not token.strip("aeiouvy"):
        return frozenset()
    return frozenset(consonant_key(r) for r in _latin_readings(token))


def _latin_readings(token: str) -> list[str]:
    """The token with ج read each way and each pair of `_ONE_LATIN_LETTER` as two letters or as one."""
    if not token:
        return [""]
    ch = token[0]
    found = [c + rest for rest in _latin_readings(token[1:]) for c in (_J_READINGS if ch == "j" else ch)]
    folded = _one_letter(token[:2], _ONE_LATIN_LETTER)
    if folded is not None:
        found += [folded + rest for rest in _latin_readings(token[2:])]
    return found


_J_READINGS = "idg"
_MAQSURA_MIN_AT = 3  # the position a closing ی must have to be read as alef maqsura (a word of four letters or more)
# Letter pairs of an abjad-written token that a Latin spelling may write as one letter: digraphs the skeleton folds
# (translit._FOLDS), which an abjad writes as two letters, "hh", which the skeleton writes once ("المشهداني"
# al-Mashhadani), and the Persian and Urdu readings of ث "th" and ذ "dh", which Latin spells "s" and "z" ("ثاقب"
# Saqib).
_ONE_LATIN_LETTER = {"dj": "d", "kh": "h", "ph": "f", "ts": "c", "tz": "c", "zh": "z", "th": "s", "dh": "z", "hh": "h"}
# Hebrew letters romanise as one letter each ("h" for the "kh" of כ, "c" for צ), so only the pairs Latin skeletons
# fold are one letter there: "ts" and "tz", and "hh" written once.
_ONE_HEBREW_LETTER = {pair: _ONE_LATIN_LETTER[pair] for pair in ("ts", "tz", "hh")}


def _one_letter(pair: str, folds: Mapping[str, str]) -> str | None:
    """The one Latin letter a pair of letters of an abjad-written token may be: a digraph `folds` holds, or the same
    consonant written twice, which a Latin spelling doubles and its skeleton writes once ("الله" Allah, "alah"),
    though the two may be two sounds ("مددی" Madadi)."""
    folded = folds.get(pair)
    if folded is None and len(pair) == 2 and pair[0] == pair[1] and pair[0] not in ABJAD_VOWEL_LETTERS:
        return pair[0]
    return folded


def _compiled_pattern(key: tuple[str, bool]) -> re.Pattern[str]:
    """`_abjad_parts` of (token, hebrew) compiled as one expression."""
    return re.compile("".join(_abjad_parts(*key)))


# Compiled abjad patterns by (token, hebrew); compiling one costs about 150 µs and reading a skeleton through the
# pattern's parts one by one about 3 (most skeletons that share a consonant key fail at the first parts): a test of
# up to `_PART_BY_PART_MAX` skeletons reads them part by part (`abjad_spelling`), unless `.get` finds it compiled.
_COMPILED: Memo[tuple[str, bool], re.Pattern[str]] = Memo(_compiled_pattern, 100_000)
_PART_BY_PART_MAX = 50


def abjad_pattern(token: str, hebrew: bool = False) -> re.Pattern[str]:
    """The Latin skeletons that can spell a name part romanised from an abjad (`_abjad_parts`), as one expression."""
    return _COMPILED[token, hebrew]


def abjad_spelling(token: str, skeletons: int, hebrew: bool = False) -> Callable[[str], bool]:
    """A test of whether a Latin skeleton spells `token` (a full match of `abjad_pattern`), to be run on about
    `skeletons` of them: the compiled pattern when there are many or it is compiled already, else the parts one by
    one (`_COMPILED`)."""
    pattern = _COMPILED.get((token, hebrew))
    if pattern is None and skeletons <= _PART_BY_PART_MAX:
        parts = _abjad_parts(token, hebrew)
        return lambda y: _spelled_part_by_part(parts, y)
    fullmatch = (pattern or abjad_pattern(token, hebrew)).fullmatch
    return lambda y: fullmatch(y) is not None


def _spelled_part_by_part(parts: tuple[str, ...], y: str) -> bool:
    """`y` matches the parts one after another: the ends each part may reach, from every end the one before
    reached (the parts hold no anchors or lookarounds, so this is the full match of the joined expression)."""
    ends = {0}
    for part in parts:
        fullmatch = _part_pattern(part).fullmatch
        ends = {end for start in ends for end in range(start, len(y) + 1) if fullmatch(y, start, end)}
        if not ends:
            return False
    return len(y) in ends


@memo(4096)
def _part_pattern(part: str) -> re.Pattern[str]:
    """One part of an abjad pattern: a letter's spellings, the same for every token holding the letter there."""
    return re.compile(part)


@memo(100_000)
def _abjad_parts(token: str, hebrew: bool) -> tuple[str, ...]:
    """The Latin skeletons that can spell a name part romanised from an abjad, as a regular expression in parts: one
    per letter, or per two letters a Latin spelling may write as one.

    Its consonants are fixed, each followed by an unwritten short vowel or none (`_VOWEL_RUN`), except the last
    letter: names drop the final short vowel ("محمد" is Muhammad, not Muhammadi; "رضا" Reza, not Rezai), though a
    closing "a" may take the "h" some spellings add ("الجلاهمة" al-Jalahmah) and a closing ه writes a vowel after it
    ("طه" Taha), or is that vowel alone, as in Persian ("فاطمه" Fatemeh or Fatima, "زاده" -zadeh or -zada), and
    French spellings may close a final consonant with a mute e ("جرمان" Djermane, "زيدان" Zidane). A word that
    starts with a consonant starts so in Latin too. Its written vowels bind: alef (and ع) is a vowel, with an "a" or
    "e" inside a word ("حسان" is Hassan); ي is an "i" or "e" ("حسين" is Hussein, never Hassan), and after an opening
    alef or ع one vowel with them ("عيسى" Isa, "أيمن" Ayman, never Amin), and closing a word of four letters or more
    also an "a", as Persian writes alef maqsura with ی ("مرتضی" Morteza, "موسی" Musa); و is a "v" or an "o" or "u";
    ى leaves the vowel open. ج is "j" ("i" in a skeleton), "dj" ("d") or Egyptian "g" ("Djamel", "Gamal"). Some
    letters have several Latin spellings (`_LATIN_SPELLINGS`; `hebrew`: `_HEBREW_SPELLINGS`).
    """
    last = len(token) - 1
    spellings = _HEBREW_SPELLINGS if hebrew else _LATIN_SPELLINGS
    letters = []
    for i, ch in enumerate(token):
        run = _VOWEL_RUN if i < last else ""
        if ch == "h" and i == last:
            letters.append("(?:h[aeiou]*)?" if hebrew else "(?:h[aeiou]*|[ae])")
        elif ch == "a" and i == 0 and token[1:2] in ("i", "y"):
            letters.append("[aeiou]*[ie]")  # alef or ع then ي open the word with one vowel: عيسى Isa, أيمن Ayman
        elif ch == "a" and 0 < i < last and token[i - 1] == "v" and token[i + 1] == "l":
            # The article's alef after Abu or Dhu is not said: ابوالفضل Abolfazl, ذوالفقار Zolfaghar.
            letters.append(run)
        elif ch == "a":
            letters.append("[aeiou]+" if i == 0 else "[aeiou]*[ae]" + (run or "h?"))
        elif ch in "iy" and i == 1 and token[0] == "a":
            letters.append(run)
        elif ch in "iy":
            # Closing a longer word, ی may be Persian alef maqsura; "علي" stays Ali, never Ala(a).
            letters.append("[aeiou]*[ie]" + run if run or i < _MAQSURA_MIN_AT else "[aeiou]*[iea]")
        elif ch == "j":
            # The skeleton's "i" for a Latin j merges with an "i" beside it: "Majid" is "maid" (مجيد).
            beside = token[max(i - 1, 0) : i] + token[i + 1 : i + 2]
            letters.append(("(?:[dg]|i?)" if "i" in beside or "y" in beside else "[dgi]") + run)
        elif ch == "v":
            letters.append("(?:v|[aeiou]*[ou])" + run)
        elif ch in "eou":
            letters.append(_VOWEL_RUN)
        else:
            letters.append(spellings.get(ch, re.escape(ch)) + (run or "e?"))
    # Two letters a Latin spelling writes as one ("مزهر" Mazhar, folded "mazar"; "ثاقب" Saqib; "الله" Allah).
    folds = _ONE_HEBREW_LETTER if hebrew else _ONE_LATIN_LETTER
    parts = []
    i = 0
    while i <= last:
        pair = token[i : i + 2]
        folded = _one_letter(pair, folds)
        if folded is not None and pair not in folds:
            folded = spellings.get(folded, re.escape(folded))  # one consonant written twice, spelled as it may be
        if folded is None:
            parts.append(letters[i])
            i += 1
        else:
            parts.append(f"(?:{letters[i]}{letters[i + 1]}|{folded}{_VOWEL_RUN if i + 1 < last else ''})")
            i += 2
    return tuple(parts)


def abjad_similarity(x: str, kx: int, y: str, ky: int, config: MatchConfig, hebrew: bool = False) -> float:
    """Credited similarity of a token of an abjad-written name (`x`) and one of a Latin-written name: a Latin spelling
    `x` allows (`abjad_pattern`) is the same name part in all likelihood, but its unwritten vowels keep the credit
    below an exact match; particles (a compound's "Din" is one spelling, `name_rules.DIN_SPELLINGS`) and numbers must
    be equal."""
    if kx != STRONG or ky != STRONG:
        return 1.0 if x == y else 0.0
    if consonant_key(y) not in abjad_keys(x):
        return 0.0
    return config.abjad_similarity if abjad_spelling(x, 1, hebrew)(y) else 0.0


def gender_forms(x: str, y: str) -> bool:
    """Two forms of one name that name two people, not one name misspelt: the feminine form, a final "a" added
    ("Martin" / "Martina", "Ivanov" / "Ivanova", "Karim" / "Karima"), the masculine "-ian" of an "-ia" ("Julia" /
    "Julian", "Maria" / "Marian"), or another final vowel, which marks the gender or the language of a given name
    ("Antonio" / "Antonia", "Andrei" / "Andrea", "Daniele" / "Daniela").
    Transliteration changes vowels inside a name ("Usama" / "Osama", "Ladin" / "Laden"), not its ending."""
    if len(x) > len(y):
        x, y = y, x
    if len(x) < 3:
        return False
    if len(y) == len(x) + 1:
        return y.startswith(x) and (y[-1] == "a" or (y[-1] == "n" and x.endswith("ia")))
    return len(x) == len(y) and x[:-1] == y[:-1] and x[-1] in _VOWELS and y[-1] in _VOWELS


# Endings that make a surname of a name: Slavic "-ov", "-ev", "-in" (and feminine), Ukrainian "-enko", Germanic
# "-son", "-sen", Spanish "-ez". (A final "s" or "i" is also one, "Edwards", "Ahmadi", but also a typo's length.)
_SURNAME_SUFFIXES = frozenset({"ov", "ev", "ova", "eva", "in", "ina", "enko", "son", "sen", "ez"})


def derived_forms(x: str, y: str) -> bool:
    """A name and the surname made of it, which name two people: "Shapoval" / "Shapovalov", "Ivan" / "Ivanov",
    "Martin" / "Martinez", "John" / "Johnson"."""
    if len(x) > len(y):
        x, y = y, x
    return len(x) >= 3 and y.startswith(x) and y[len(x) :] in _SURNAME_SUFFIXES


def token_mass(token: str, kind: int, weights: Mapping[str, float] | None) -> float:
    """A token's share of a name: its length times its informativeness; an initial weighs 1."""
    if kind == INITIAL:
        return 1.0
    return len(token) * (1.0 if weights is None else weights.get(token, 1.0))


@dataclass(slots=True)
class NameComparison:
    """The outcome of comparing two names: the score and the evidence it rests on."""

    score: float
    token_score: float
    pairs: list[tuple[str, str, float]]
    strong_matches: int
    cap: str | None = None
    spacing_variant: bool = False
    legal_forms: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
    legal_form_adjust: float = 0.0  # legal forms, seats and country qualifiers together
    places: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
    countries: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
    # The name rules that applied: "syllable_surplus" (an unmatched syllable is another name), "exact_syllables"
    # (a Han-written name: no typo credit), "distinct_j_y" (parts told apart by j / y), "distinct_initial_consonants"
    # (syllables with different initials), "native_characters" (both written in Han or Hangul: the characters
    # decide), "abjad_letters" (both written in an abjad: the letters decide), "gender_forms" (Antonio / Antonia kept
    # apart), "derived_forms" (Ivan / Ivanov kept apart), "initial_beside_unmatched_word" (an initial not counted as a
    # name part), "spacing_variant_beside_unmatched_word" (a one-word spacing variant counted as one name part),
    # "principal_part_omitted" (the listed surname or first given name missing), "korean_romanisation" (two
    # romanisations of one Korean syllable paired: "jeong" / "jong"), "written_swap" (a pair whose words as written
    # are a swap of adjacent letters apart: "VHAEDI" / "VAHEDI"), "moved_space" (a pair left by two words that run into
    # the same letters as written: "ohar" / "johar" of "SyedJ ohar" / "Syed Johar").
    name_rules: tuple[str, ...] = ()

    def explain(self) -> dict[str, Any]:
        """JSON-ready evidence behind the name score."""
        return {
            "token_score": round(self.token_score, 4),
            "aligned": [[x, y, round(s, 3)] for x, y, s in self.pairs],
            "strong_parts_matched": self.strong_matches,
            "cap": self.cap,
            "spacing_variant": self.spacing_variant,
            "legal_forms": [sorted(self.legal_forms[0]), sorted(self.legal_forms[1])],
            "places": [sorted(self.places[0]), sorted(self.places[1])],
            "countries": [sorted(self.countries[0]), sorted(self.countries[1])],
            "legal_form_adjust": self.legal_form_adjust,
            "name_rules": list(self.name_rules),
        }


# (-similarity, a-side text, b-side text, a token indexes, b token indexes): sorts best first, ties on the text.
_Candidate = tuple[float, str, str, tuple[int, ...], tuple[int, ...]]


def compare_names(
    a: NormName,
    b: NormName,
    config: MatchConfig,
    *,
    person: bool = False,
    weights: Mapping[str, float] | None = None,
    similar: Mapping[str, Mapping[str, float]] | None = None,
    masses: tuple[Sequence[float], Sequence[float]] | None = None,
    principal: Collection[str] = (),
    spaced: bool = True,
    swaps: bool = True,
) -> NameComparison:
    """Score two normalised names in 0..1 by order-free token alignment, with the OFAC one-part and number caps.

    `weights` maps a token to its informativeness in (0, 1] (absent tokens weigh 1); `masses`, when given, are the
    two names' token masses under those weights, computed once by the caller. `similar` is a precomputed
    `word_similarity` of each of `a`'s word tokens against `b`'s vocabulary (absent pairs are 0); it must agree with
    `word_similarity`, it only saves the work. `principal` are `b`'s principal parts when `b` is a listed name
    (`principal_parts`): a person's omitted surname or first given name weighs as a different part, not as an
    omitted middle name. Only the listed side's are used, so the query's word order never changes a score.
    `spaced=False` says the caller knows that no spacing variant joins the two names (`join_candidates` would find
    none: the index's exact lookups met no variant), so they are not looked for; `swaps=False` likewise that no word
    of `a` is written one swap from a word of `b` (`written_swaps`: the index's probes met none).
    """
    a_tokens, b_tokens, a_kinds, b_kinds = a.tokens, b.tokens, a.kinds, b.kinds
    if not a_tokens or not b_tokens or not a.has_words or not b.has_words:
        return NameComparison(0.0, 0.0, [], 0)
    if masses is None:
        mass_a: Sequence[float] = [token_mass(t, k, weights) for t, k in zip(a_tokens, a_kinds, strict=True)]
        mass_b: Sequence[float] = [token_mass(t, k, weights) for t, k in zip(b_tokens, b_kinds, strict=True)]
    else:
        mass_a, mass_b = masses
    # Every related token pair, best first; ties broken on the tokens so the result depends only on the multisets
    # of tokens (word order can never change a score).
    candidates: list[_Candidate] = []
    syllabic = a.syllabic or b.syllabic
    exact_only = a.script in EXACT_SYLLABLE_SCRIPTS or b.script in EXACT_SYLLABLE_SCRIPTS
    # A Han-written name against one written otherwise: equal syllables are one reading, credited below 1.
    reading = config.han_reading_similarity if exact_only and a.script != b.script else 1.0
    # Both written in the same native script: a pair matches only when the characters are the same.
    native = a.script == b.script and bool(a.native) and bool(b.native)
    unfolded = (_unfolded(a), _unfolded(b)) if syllabic else None
    glide_clash = gendered = derived = other_syllable = romanised = False
    korean: bool | None = None  # both names Korean: worked out when a pair needs it
    # A query written in an abjad against a listed name written otherwise: the name parts pair on their consonants.
    # (Listed abjad names always come with a Latin name of the same entity, which a Latin query meets.)
    cross = a.abjad and not b.abjad
    # ج is a consonant every Latin spelling writes (j, dj, Egyptian g), though a skeleton folds j into the vowel i:
    # the other name's words written without j or g cannot spell it ("سجاد" Sajjad is not "Saeed").
    no_j = _written_without_j(b) if cross and any("j" in t for t in a_tokens) else _EMPTY
    # Both written in an abjad: no romanisation between them to vary the spelling, so the letters must agree.
    same_abjad = a.abjad and b.abjad
    # Two words written one adjacent swap apart are a typo even where the skeleton's folds make other letters of the
    # swapped ones ("VHAEDI" / "VAHEDI" are "vhaidi" / "vahedi"): letter-by-letter scripts only (`written_swaps`).
    swapped = written_swaps(a.latin, b.latin, config) if swaps and a.lettered and b.lettered else {}
    typos: set[tuple[str, str]] = set()  # pairs credited so
    for i, x in enumerate(a_tokens):
        kx = a_kinds[i]
        near = similar.get(x) if similar is not None and kx <= PARTICLE else None
        for j, y in enumerate(b_tokens):
            if native:
                if a.native[i] != b.native[j]:
                    continue
                sim = 1.0
            elif cross:
                if y in no_j and "j" in x:
                    continue
                sim = abjad_similarity(x, kx, y, b_kinds[j], config, a.hebrew)
            elif x == y:
                sim = reading
            elif exact_only or same_abjad:
                continue
            elif near is not None and b_kinds[j] <= PARTICLE:
                sim = near.get(y, 0.0)
            else:
                sim = token_similarity(x, kx, y, b_kinds[j], config, person)
            if not sim and not swapped:
                continue  # most pairs: unrelated, and no typo as written to credit
            variant = False  # two romanisations of the same Korean syllables
            # Such a pair is credited `digraph_similarity` (`word_similarity`): the float test spares most pairs the
            # Korean keys.
            if 0.0 < sim < 1.0 and sim == config.digraph_similarity and not cross and korean_variants(x, y):
                # One name part only between two Korean names.
                if korean is None:
                    korean = korean_name(_words(a)) and korean_name(_words(b))
                variant = korean
                romanised = romanised or korean
                if not korean:
                    sim = word_similarity(x, y, config, korean=False, vowels=not syllabic)
            elif syllabic and 0.0 < sim < 1.0 and sim == config.digraph_similarity and unhooked(x) != unhooked(y):
                sim = word_similarity(x, y, config, vowels=False)  # a syllable's vowel is the syllable ("jung" 중)
            # A swap as written is a typo even where the skeletons relate more than its credit: then it keeps their
            # relation, and is still no second form of the name ("Svetlaan" is "svetlan", Svetlana's masculine form,
            # only by the skeleton's folding of "aa"; two words one swap apart are never two forms as written).
            typo = bool(swapped) and (x, y) in swapped and max(a_kinds[i], b_kinds[j]) <= PARTICLE
            if typo:
                sim = max(sim, swapped[x, y])
                typos.add((x, y))
            if sim > 0.0:
                if sim < 1.0 and person and not cross and not variant and not typo and x != y:  # two forms, no typo
                    if gender_forms(x, y):
                        gendered = True
                        continue
                    if derived_forms(x, y):
                        derived = True
                        continue
                if unfolded is not None and _j_against_y(unfolded[0][x], unfolded[1][y]):
                    glide_clash = True
                elif unfolded is not None and sim < 1.0 and not variant and not _one_consonant(x[0], y[0]):
                    other_syllable = True
                else:
                    candidates.append((-sim, x, y, (i,), (j,)))
    moved: list[_Candidate] = []
    if cross:
        candidates.extend(_abjad_join_candidates(a, b, config, no_j))
    elif native or not spaced:
        pass  # one token per character on both sides, or no variant to find
    elif same_abjad:
        moved = moved_spaces(a, b)  # the letters decide: only the same letters, a space moved
    elif unfolded is None:
        candidates.extend(join_candidates(a, b))
        moved = moved_spaces(a, b)
    else:  # a spacing variant spells the same letters; in a syllabic comparison, also the same j and y
        for candidate in join_candidates(a, b):
            if _spelled_keeping_j_y(a, unfolded[0], candidate[3]) == _spelled_keeping_j_y(b, unfolded[1], candidate[4]):
                candidates.append((-reading, *candidate[1:]))
            else:
                glide_clash = True
    candidates.extend(moved)
    candidates.sort()
    aligned, used_a, used_b = _aligned(candidates, len(a_tokens), len(b_tokens))
    pairs: list[tuple[str, str, float]] = []
    numerator = 0.0
    denominator = 0.0
    strong = 0
    initial_sides: list[tuple[bool, bool]] = []  # per pair with an initial: is it on side a, on side b
    core = False  # a strong or number part matched with one of the other name
    # Per side (a, b): misspelt tokens that count as what they pair with, "abdul" ("Abudl") or a particle ("Abbu",
    # "Aub" against "Abu", "Aal" against "al"), not as name parts of their own.
    abd_typos, particle_typos = [0, 0], [0, 0]
    merged = False
    joins: list[tuple[int, int]] = []  # per spacing-variant pair: the strong parts it covers on side a, on side b
    for negative, x, y, ia, ib in aligned:
        if len(ia) == 1 and len(ib) == 1:
            i, j = ia[0], ib[0]
            weight = mass_a[i] + mass_b[j]
            ka, kb = a_kinds[i], b_kinds[j]
            if ka == STRONG and kb == STRONG:
                strong += x != _ABD and y != _ABD
                if (x == _ABD) != (y == _ABD) and _misspelt_abd(y if x == _ABD else x):
                    abd_typos[x == _ABD] += 1  # the side whose token is "abdul" misspelt
            elif {ka, kb} == {STRONG, PARTICLE} and _particle_like(y if kb == STRONG else x):
                particle_typos[kb == STRONG] += 1  # the side whose token is the particle misspelt
            elif ka == INITIAL or kb == INITIAL:
                initial_sides.append((ka == INITIAL, kb == INITIAL))
            if not core and ka in _CORE_KINDS and kb in _CORE_KINDS:
                core = True
        else:
            # Summed from 0.0: a float, as `weight` is above (compiled, a variable keeps one type).
            weight = sum((mass_a[i] for i in ia), 0.0) + sum((mass_b[j] for j in ib), 0.0)
            merged = core = True
            joins.append((sum(a_kinds[i] == STRONG for i in ia), sum(b_kinds[j] == STRONG for j in ib)))
        pairs.append((x, y, -negative))
        numerator -= negative * weight
        denominator += weight
    if (
        not core
        and (native or a.concat != b.concat)
        and ((_has_core(a) or _has_core(b)) if person else (_has_core(a) and _has_core(b)))
    ):
        # Particles and initials alone never identify anyone ("al", "bin", "V."): no name part matched. A person's
        # name parts left unmatched are not made up for by a listed name of particles alone ("DJI" is "di").
        return NameComparison(0.0, 0.0, pairs, 0, cap="no_name_part")
    # Leftover parts on both sides are a conflict (a different surname, "O." against "Joachim"), weighed up;
    # leftovers on one side only are omissions (persons: middle names and patronymics lists add), weighed down,
    # except in Han, Hangul or Kana names, which have no optional parts.
    words_a, initials_a = _leftovers(used_a, a_kinds, mass_a)
    words_b, initials_b = _leftovers(used_b, b_kinds, mass_b)
    conflict = bool(words_a or initials_a) and bool(words_b or initials_b)
    # An initial stands for a name part only when its own name keeps no unmatched word: in "George R. Mitchell"
    # against "George Ravn", "R." is a middle initial and Mitchell the unmatched surname.
    initials = sum(1 for on_a, on_b in initial_sides if not (on_a and words_a) and not (on_b and words_b))
    lone_initial = initials < len(initial_sides)
    # A spacing variant covers the name parts of its longer side ("RamiMakhlouf" is two), unless the side written
    # as one word keeps unmatched words: "Hannah Thomas" against "Ah Han" matches one part of the query.
    lone_join = False
    for on_a, on_b in joins:
        one_word_left = words_a if on_a < on_b else words_b if on_b < on_a else 0.0
        strong += min(on_a, on_b) if one_word_left else max(on_a, on_b)
        lone_join = lone_join or bool(one_word_left)
    omitted = 0.0
    syllable_left = syllabic and person and bool(words_a or words_b)
    if conflict or syllable_left:
        # In Han, Hangul or Kana names a syllable one name lacks is another name, never an omission.
        factor = config.conflict_weight
    elif person and not syllabic:
        factor = config.person_surplus_weight
        # "Michael James" against "JAMES MICHAEL CLARK": the surname is missing, not a middle name.
        if principal and words_b:
            # A principal part counts as omitted when no copy of it matched ("Sergei ... AKSENOV (Сергей ...)").
            missing = set(principal).intersection(b_tokens).difference(y for j, y in enumerate(b_tokens) if used_b[j])
            omitted = sum(mass_b[b_tokens.index(y)] for y in missing)
    else:
        factor = config.unmatched_weight
    surplus_rule = syllable_left and not conflict
    rules: tuple[str, ...] = ("syllable_surplus",) if surplus_rule else ()
    if exact_only:
        rules += ("exact_syllables",)
    if reading < 1.0:
        rules += ("han_reading",)
    if same_abjad:
        rules += ("abjad_letters",)
    if glide_clash:
        rules += ("distinct_j_y",)
    if other_syllable:
        rules += ("distinct_initial_consonants",)
    if native:
        rules += ("native_characters",)
    if gendered:
        rules += ("gender_forms",)
    if derived:
        rules += ("derived_forms",)
    if romanised:
        rules += ("korean_romanisation",)
    if lone_initial:
        rules += ("initial_beside_unmatched_word",)
    if lone_join:
        rules += ("spacing_variant_beside_unmatched_word",)
    if omitted:
        rules += ("principal_part_omitted",)
    if typos and any((x, y) in typos for x, y, _ in pairs):
        rules += ("written_swap",)
    if moved and {(x, y) for x, y, _ in pairs}.intersection((c[1], c[2]) for c in moved if len(c[3]) == 1):
        rules += ("moved_space",)  # a one-token pair of `moved_spaces` (two words into one: `spacing_variant`)
    # Unused initials cost one letter each ("Putin, V." against "Vladimir Putin" stays a strong match), unless the
    # other name keeps a different part ("William G. Frost" / "William W. Frost").
    initial_cost = config.conflict_weight * config.initial_conflict_mass if conflict else config.unmatched_weight
    denominator += factor * (words_a + words_b - omitted) + config.principal_omission_weight * omitted
    denominator += initial_cost * (initials_a + initials_b)
    token_score = numerator / denominator if denominator else 0.0
    score = token_score
    spacing_variant = merged
    respaced = False
    if (
        not native
        and not cross
        and a.concat == b.concat
        and a_tokens != b_tokens
        and (
            unfolded is None
            or _spelled_keeping_j_y(a, unfolded[0], range(len(a_tokens)))
            == _spelled_keeping_j_y(b, unfolded[1], range(len(b_tokens)))
        )
    ):
        score = reading  # the same letters split differently ("van der bilt" / "vanderbilt")
        spacing_variant = respaced = True
    cap: str | None = None
    misspelt = (abd_typos, particle_typos)
    if not respaced and score > config.single_part_cap and _single_part(a, b, strong, initials, person, misspelt):
        score = config.single_part_cap
        cap = "single_name_part"
    if syllable_left and score > config.syllable_surplus_cap:
        # A Han, Hangul or Kana name with a syllable the other lacks is another name ("张建" / "张建华").
        score = config.syllable_surplus_cap
        cap = "syllable_surplus"
    if a.nasab and b.nasab and a.nasab == b.nasab[::-1] and score > config.single_part_cap:
        # "Salman bin Muhammad" is Muhammad's son Salman; "Muhammad bin Salman" is his father's namesake.
        score = config.single_part_cap
        cap = "nasab_order"
    if a.numbers and b.numbers and a.numbers != b.numbers and score > config.number_mismatch_cap:
        score = config.number_mismatch_cap
        cap = "number_mismatch"
    adjust = 0.0
    if a.legal_forms and b.legal_forms and cap is None:
        adjust = config.legal_form_agree if a.legal_forms & b.legal_forms else config.legal_form_disagree
    if a.places and b.places and cap is None:
        adjust += config.place_agree if a.places & b.places else config.place_disagree
    if a.countries and b.countries and not a.countries & b.countries:
        adjust += config.country_qualifier_disagree
    if adjust:
        score = min(1.0, max(0.0, score + adjust))
    return NameComparison(
        score=score,
        token_score=token_score,
        pairs=pairs,
        strong_matches=strong,
        cap=cap,
        spacing_variant=spacing_variant,
        legal_forms=(a.legal_forms, b.legal_forms),
        legal_form_adjust=adjust,
        places=(a.places, b.places),
        countries=(a.countries, b.countries),
        name_rules=rules,
    )


def _aligned(candidates: list[_Candidate], size_a: int, size_b: int) -> tuple[list[_Candidate], list[bool], list[bool]]:
    """The pairs an alignment keeps, from `candidates` sorted best first, and per token of each side whether a kept
    pair holds it: each token in one pair at most, best pairs first. Where that leaves a token on each side without a
    partner, a pair gives way to two equally similar ones that pair them too: "محمد" may spell Mohamed or Mahmoud and
    "محمود" only Mahmoud, so against "Mohamed Mahmoud" the first-come "محمد"/Mahmoud makes way for "محمد"/Mohamed and
    "محمود"/Mahmoud (a tie, which the greedy order cannot settle). Only ties change hands: a better pair always
    stays."""
    used_a = [False] * size_a
    used_b = [False] * size_b
    kept: list[_Candidate] = []
    passed: list[_Candidate] = []  # one-token pairs passed over for a token already taken
    for candidate in candidates:
        ia, ib = candidate[3], candidate[4]
        if len(ia) == 1 and len(ib) == 1:
            i, j = ia[0], ib[0]
            if used_a[i] or used_b[j]:
                passed.append(candidate)
                continue
            used_a[i] = used_b[j] = True
        else:
            if any(used_a[i] for i in ia) or any(used_b[j] for j in ib):
                continue
            for i in ia:
                used_a[i] = True
            for j in ib:
                used_b[j] = True
        kept.append(candidate)
    if not passed or all(used_a) or all(used_b):
        return kept, used_a, used_b
    while (swap := _tie_swap(kept, passed, used_a, used_b)) is not None:
        held, taken, freed = swap
        kept[held] = taken
        kept.append(freed)
        used_a[taken[3][0]] = used_b[freed[4][0]] = True
    return sorted(kept), used_a, used_b


def _tie_swap(
    kept: list[_Candidate], passed: list[_Candidate], used_a: list[bool], used_b: list[bool]
) -> tuple[int, _Candidate, _Candidate] | None:
    """A kept one-token pair that two pairs as similar, passed over for its tokens, can replace, as (its position in
    `kept`, the two): one pairs its side-b token with a side-a token left without a partner, the other its side-a
    token with a side-b token left without one."""
    waiting = [c for c in passed if not used_a[c[3][0]]]
    if not waiting:
        return None
    holder = {c[4][0]: n for n, c in enumerate(kept) if len(c[3]) == 1 and len(c[4]) == 1}
    for taken in waiting:
        held = holder.get(taken[4][0])
        if held is None or kept[held][0] != taken[0]:
            continue
        giver = kept[held][3][0]
        for freed in passed:
            if freed[3][0] == giver and not used_b[freed[4][0]] and freed[0] == taken[0]:
                return held, taken, freed
    return None


def principal_parts(
    text: str,
    entity_type: EntityType | None,
    parts: Sequence[tuple[str, str]] = (),
    given: Collection[str] = (),
    dictionary: Collection[str] = (),
) -> tuple[str, ...]:
    """A listed person's principal name parts: the surname, where the list marks it, and the first given name.

    A list marks the surname with a "last" part (OFAC, UK), by writing it first before a comma ("MADURO MOROS,
    Nicolas") or in capitals after mixed-case given names ("Nicolás MADURO MOROS", EU and UK): the principal one is
    its first part (a paternal surname; "al" is a particle, not a part), and so does a hyphenated last word
    ("Andrei Antonio Torres-Vasquez"). An otherwise unmarked name ("Manuel Rangel Rivera") only has its first part
    principal: its last may be a second surname that people omit; unless every part before the last is one of the
    `given` names (`given_names`) or of a `dictionary` of given names (`forenames.dictionary_forenames`) and the last is
    not one of the `given` names, which leaves the last as the surname ("JAMES MICHAEL CLARK"). Only the lists' own
    usage can say the last is not a surname: the dictionary also holds surnames used as given names ("Clark").
    A side that opens with a title or honorific has no principal part: which name the person goes by is unknown
    ("SAEED, Hafiz Muhammad" is Hafiz Saeed). Only names of three or more parts have parts that are not principal;
    a name written in a syllabic script, or an organisation's, has none. The tokens are skeletons of
    `normalise_name(text, entity_type)`.
    """
    if entity_type not in (None, EntityType.PERSON, EntityType.UNKNOWN) or detect_script(text) in SYLLABIC_SCRIPTS:
        return ()
    if "(" in text:
        return ()  # alternatives written inside ("Wafiq (a.k.a. Wafeeq) NASSER"): no one part is the principal one
    norm = normalise_name(text, entity_type)
    if norm.strong_count < _PRINCIPAL_MIN_PARTS:
        return ()
    person = True if entity_type is EntityType.PERSON else None
    marked = _marked_surname(text, parts)
    if marked is not None:
        surname, forenames = marked
    elif len(strong_parts(last := text.split()[-1], person)) > 1:
        surname, forenames = last, text  # a hyphenated compound surname written last ("Torres-Vasquez")
    elif (given or dictionary) and _given_then_surname(written := strong_parts(text, person), given, dictionary):
        surname, forenames = written[-1][0], text
    else:
        surname, forenames = "", text
    sides = (strong_parts(surname, person), strong_parts(forenames, person))
    found = tuple(side[0][1] for side in sides if side and side[0][0] not in _NOT_PRINCIPAL)
    # Where a legal form, seat or rule set a written part aside, the part is not in the name compared.
    return found if all(t in norm.tokens for t in found) else ()


def _marked_surname(text: str, parts: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """(surname, given names) as written, where the list marks which is which (see `principal_parts`)."""
    labelled = dict(reversed(parts))  # the first part of each label
    if "last" in labelled:
        return labelled["last"], labelled.get("first", "")
    if "," in text:
        surname, _, forenames = text.partition(",")
        return surname, forenames
    words = _WORD.findall(text)
    capitals = [w for w in words if len(w) > 1 and w.isupper()]
    if capitals and len(capitals) < len(words):
        return " ".join(capitals), " ".join(w for w in words if not w.isupper())
    return None


def _given_then_surname(
    written: Sequence[tuple[str, str]], given: Collection[str], dictionary: Collection[str]
) -> bool:
    """Every part but the last is a known given name and the last is not one the lists use."""
    return (
        len(written) > 1 and all(t in given or t in dictionary for _, t in written[:-1]) and written[-1][1] not in given
    )


def given_names(names: Iterable[tuple[str, tuple[tuple[str, str], ...]]]) -> frozenset[str]:
    """Skeletons the lists use as given names and hardly ever as surnames, learnt from the person names whose
    surname they mark (`(text, parts)` pairs): where a name does not mark it, these tell its given names apart."""
    as_given: dict[str, int] = {}
    as_surname: dict[str, int] = {}
    for text, parts in set(names):  # a name several lists carry counts once
        marked = _marked_surname(text, parts)
        if marked is None:
            continue
        for side, counts in zip(marked, (as_surname, as_given), strict=True):
            for _, token in strong_parts(side, True):
                counts[token] = counts.get(token, 0) + 1
    return frozenset(
        t for t, n in as_given.items() if n >= _GIVEN_MIN_USES and n >= _GIVEN_OVER_SURNAME * as_surname.get(t, 0)
    )


# A known given name: used as one this many times at least, and this many times as often as as a surname.
_GIVEN_MIN_USES = 3
_GIVEN_OVER_SURNAME = 5
_PRINCIPAL_MIN_PARTS = 3
_WORD = re.compile(r"[^\W\d_]+")


# Words written before a given name that counterparties may leave out: titles the rewrite keeps when little else is
# left ("HAJI MULLAH FAIZULLAH"), lineage and religious honorifics that are also names elsewhere ("Sayyed", "Hafiz").
# Checked as written: folded, "Sayed" would also be the surname "Saeed". "Neak Oknha" is a Cambodian honorific.
_HONORIFIC_NAMES = "sayyed sayyid seyed seyyed sayed syed sayid hafiz hafez qari mufti imam neak oknha"
_NOT_PRINCIPAL = PERSON_TITLES | frozenset(_HONORIFIC_NAMES.split())


def strong_parts(text: str, person: bool | None) -> tuple[tuple[str, str], ...]:
    """The strong tokens of `text` in written order, each as written (lowercase ASCII) and as a skeleton."""
    abjad = detect_script(text) in ABJAD_SCRIPTS
    words = rewrite_tokens(latin_tokens(text), person, abjad)
    fold = abjad_skeleton if abjad else skeleton
    return tuple((word, folded) for word in words if written_kind(word, folded := fold(word)) == STRONG)


def _unfolded(name: NormName) -> dict[str, set[str]]:
    """Token → its spellings in the name with j and y left unfolded (`latin` keeps the words before the folds)."""
    found: dict[str, set[str]] = {}
    for word in name.latin.split():
        found.setdefault(skeleton(word, name.abjad), set()).add(skeleton(word, True))
    return found


# Initial letters that romanise one consonant of a syllabic script (skeletons: "j" is folded to "i"): Revised and
# McCune-Reischauer Korean write 병 "byeong" / "pyong", 경 "gyeong" / "kyong", 정 "jeong" / "chong"; Japanese ら
# "ra" / "la". Other initials start two different syllables (병 "pyong" / 룡 "ryong"), never a typo of one.
_CONSONANT_GROUPS = ("bp", "gk", "dt", "ci", "rln")
_ONE_CONSONANT = {(x, y) for group in _CONSONANT_GROUPS for x in group for y in group}


def _written_without_j(name: NormName) -> frozenset[str]:
    """The tokens of a Latin-written name none of whose written words has a j or a g (`latin` keeps the words)."""
    with_j = {skeleton(word) for word in name.latin.split() if "j" in word or "g" in word}
    return frozenset(t for t in name.tokens if t not in with_j)


def _one_consonant(x: str, y: str) -> bool:
    return x == y or (x, y) in _ONE_CONSONANT


def _j_against_y(a: set[str], b: set[str]) -> bool:
    """Every spelling of one token begins with j and every spelling of the other with y (either way round)."""
    firsts_a = {s[0] if s[0] in _GLIDES else "" for s in a}
    firsts_b = {s[0] if s[0] in _GLIDES else "" for s in b}
    return not firsts_a & firsts_b and "" not in firsts_a and "" not in firsts_b


def _spelled_keeping_j_y(name: NormName, unfolded: dict[str, set[str]], indexes: Sequence[int]) -> str | None:
    """The name's tokens at `indexes`, joined, with j and y unfolded (None when a token there has spellings that
    differ in them, so that the comparison cannot tell)."""
    parts = [unfolded[name.tokens[i]] for i in indexes]
    return None if any(len(p) > 1 for p in parts) else glue([next(iter(p)) for p in parts])


def _words(name: NormName) -> list[str]:
    return [t for t, k in zip(name.tokens, name.kinds, strict=True) if k <= PARTICLE]


def _leftovers(used: Sequence[bool], kinds: Sequence[int], masses: Sequence[float]) -> tuple[float, float]:
    """The mass of a name's unmatched words and the number of its unmatched initials."""
    words = initials = 0.0
    for i, taken in enumerate(used):
        if not taken:
            if kinds[i] == INITIAL:
                initials += 1.0
            else:
                words += masses[i]
    return words, initials


def join_candidates(a: NormName, b: NormName) -> list[_Candidate]:
    """Exact spacing variants: a word token of one name spelled by two tokens of the other ("RamiMakhlouf"), or by
    three with two particles ("Delacruz"), or tokens of each spelling the same letters split elsewhere ("MYONGC HIN"
    / "MYONG CHIN", "Dela Cruz" / "De La Cruz")."""
    joins_a, joins_b = a.joins, b.joins
    found: list[_Candidate] = []
    if joins_b:
        for i, x in enumerate(a.tokens):
            if x in joins_b and a.kinds[i] <= PARTICLE:
                found.extend((-1.0, x, x, (i,), pair) for pair in joins_b[x])
    if joins_a:
        for j, y in enumerate(b.tokens):
            if y in joins_a and b.kinds[j] <= PARTICLE:
                found.extend((-1.0, y, y, pair, (j,)) for pair in joins_a[y])
        if joins_b:
            for key in joins_a.keys() & joins_b.keys():
                for pa in joins_a[key]:
                    for pb in joins_b[key]:
                        if sorted(a.tokens[i] for i in pa) != sorted(b.tokens[j] for j in pb):
                            found.append((-1.0, key, key, pa, pb))
    return found


def moved_spaces(a: NormName, b: NormName) -> list[_Candidate]:
    """Two words of each name that run into the same letters as written, split elsewhere (`written_runs`): where one
    word keeps its token on both sides ("syedj" and "syed" are both "sied"), the other two are the letter moved
    ("ohar" / "johar") and pair as one; else the two words of each side pair as one spacing variant."""
    runs_a = written_runs(a)
    runs_b = written_runs(b) if runs_a else {}
    found: list[_Candidate] = []
    for key in runs_a.keys() & runs_b.keys():
        if sorted(runs_a[key]) == sorted(runs_b[key]):
            continue  # the same split
        for i, k in run_spellings(a, runs_a[key]):
            for j, m in run_spellings(b, runs_b[key]):
                if a.tokens[i] == b.tokens[j]:
                    found.append((-1.0, a.tokens[k], b.tokens[m], (k,), (m,)))
                elif a.tokens[k] == b.tokens[m]:
                    found.append((-1.0, a.tokens[i], b.tokens[j], (i,), (j,)))
                else:
                    found.append((-1.0, key[1:], key[1:], (i, k), (j, m)))
    return found


def abjad_joins(name: NormName) -> list[tuple[str, tuple[int, int]]]:
    """Two strong parts of an abjad-written name as one word, in either order (word order never counts), with their
    token indexes: Persian and Arabic compound names that Latin spellings write as one ("سالار کیا" Salarkia,
    "ولی جان" Walijan, "زارع پور" Zarepour)."""
    strong = [i for i, k in enumerate(name.kinds) if k == STRONG]
    return [(name.tokens[i] + name.tokens[j], (i, j)) for i in strong for j in strong if i != j]


def written_pairs(name: NormName) -> list[tuple[str, tuple[int, int]]]:
    """Two strong parts of a Latin-written name that stand next to each other as written, joined in that order, with
    their token indexes ("Mohammad-Hossein": "mohamadhosein"): the compounds an abjad writes as one word. Only
    neighbours: "MOHAMMAD REZA MOHAMMADI" holds Mohammad Reza, not Mohammadi Reza."""
    strong = {t: i for i, (t, k) in enumerate(zip(name.tokens, name.kinds, strict=True)) if k == STRONG}
    words = [skeleton(w) for w in name.latin.split()]
    found: list[tuple[str, tuple[int, int]]] = []
    for first, second in pairwise(words):
        i, j = strong.get(first), strong.get(second)
        if i is not None and j is not None and i != j and consonant_key(first) and consonant_key(second):
            found.append((first + second, (i, j)))
    return found


def _abjad_join_candidates(a: NormName, b: NormName, config: MatchConfig, no_j: Collection[str]) -> list[_Candidate]:
    """Spacing variants across scripts (`abjad_similarity`): two parts of the abjad-written `a` whose letters, joined,
    a Latin part of `b` may spell, and a part of `a` that two neighbouring Latin parts of `b` may spell joined."""
    hebrew = a.hebrew
    found: list[_Candidate] = []
    for joined, pair in abjad_joins(a):
        for j, y in enumerate(b.tokens):
            if b.kinds[j] == STRONG and not ("j" in joined and y in no_j):
                sim = abjad_similarity(joined, STRONG, y, STRONG, config, hebrew)
                if sim > 0.0:
                    found.append((-sim, joined, y, pair, (j,)))
    latin_pairs = written_pairs(b)
    for i, x in enumerate(a.tokens):
        if a.kinds[i] != STRONG:
            continue
        for joined, pair in latin_pairs:
            if not ("j" in x and all(b.tokens[j] in no_j for j in pair)):
                sim = abjad_similarity(x, STRONG, joined, STRONG, config, hebrew)
                if sim > 0.0:
                    found.append((-sim, x, joined, (i,), pair))
    return found


_CORE_KINDS = (STRONG, NUMBER)


def _has_core(name: NormName) -> bool:
    return any(k in _CORE_KINDS for k in name.kinds)


# "Abd al-" however written ("Abdul", "Abdel", "Abdur", "عبد ال"), which `name_rules` sets apart from its name: half of
# one given name ("Abd al-Aziz", servant of the Mighty), never a name part of its own.
_ABD = "abdul"


def _misspelt_abd(token: str) -> bool:
    """An "abdul" with one letter swapped, added or dropped ("Abudl", "Abdlu", "Abdu"): still half of a given name."""
    if abs(len(token) - len(_ABD)) > 1:
        return False
    return one_transposition(token, _ABD) or Levenshtein.distance(token, _ABD) == 1


def _particle_like(token: str) -> bool:
    """A strong token that is a particle misspelt: written otherwise but folded to it ("Abbu", "Aal" are "abu",
    "al"), or with two adjacent letters swapped (`_PARTICLE_SWAPS`)."""
    return token in PARTICLES or token in _PARTICLE_SWAPS


def min_parts(name: NormName) -> int:
    """At most the name parts OFAC FAQ 5 counts of `name` (`_parts`) whatever the other name: every "abdul", misspelt
    or not, and every strong token that may be a particle misspelt taken away. The index's blocking and bound apply
    the one-part cap by it, so that they never cap a name the scorer does not."""
    strong = [t for t, k in zip(name.tokens, name.kinds, strict=True) if k == STRONG]
    return len(strong) - sum(t == _ABD or _misspelt_abd(t) or _particle_like(t) for t in strong)


def _parts(name: NormName, abd_typos: int, particle_typos: int) -> int:
    """The name parts OFAC FAQ 5 counts: the strong parts, "abdul" (or `abd_typos` misspellings of it that met the
    other name's) and its name counted once, and no `particle_typos` (strong tokens that are a particle misspelt)."""
    abd = name.tokens.count(_ABD) + abd_typos
    return (name.strong_count - abd if name.strong_count > abd else name.strong_count) - particle_typos


def _single_part(
    a: NormName,
    b: NormName,
    strong: int,
    initials: int,
    person: bool,
    misspelt: tuple[Sequence[int], Sequence[int]],
) -> bool:
    """OFAC FAQ 5: true when only one name part matches although a side has several parts (`strong` counts the
    matched pairs of strong parts but "abdul": "Abdul Aziz" is one given name, and "Abdul Aziz al-Qasir" against the
    alias "Abdul Aziz" matches one part of two). `misspelt`: per side, the tokens that are "abdul" (first) or a
    particle (second) misspelt, paired with the other name's: they count as what they pair with.

    For organisations a one-word query ("Kominvex") against a longer listed name ("Kominvex DOO Beograd") is how
    companies are searched, so the rule applies only when both organisation names have several parts.
    """
    (abd_a, abd_b), (particles_a, particles_b) = misspelt
    parts_a, parts_b = _parts(a, abd_a, particles_a), _parts(b, abd_b, particles_b)
    if max(parts_a, parts_b) < 2:
        return False
    if not person and min(parts_a, parts_b) < 2:
        return False
    if strong >= 2:
        return False
    return not (strong == 1 and initials >= 1)


def score_names(a: str, b: str, entity_type: EntityType | None = None, config: MatchConfig | None = None) -> float:
    """Pairwise name similarity in 0..1 of two raw names (the scorer the index uses, on strings, unweighted)."""
    cfg = config or MatchConfig()
    na = normalise_name(a, entity_type)
    nb = normalise_name(b, entity_type)
    return compare_names(na, nb, cfg, person=entity_type is EntityType.PERSON).score
