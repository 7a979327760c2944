"""Name normalisation and the pairwise name scorer.

`normalise_name` turns a raw name into a `NormName`: transliterated (service.core.translit), punctuation and spacing
removed, legal forms recognised and set aside (service.core.legal_forms), tokens folded to romanisation-neutral
skeletons and sorted, so word order never matters. `compare_names` scores two `NormName`s with an order-free token
alignment and returns every feature it used; `score_names` is the convenience form on raw strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Indel

from service.core.legal_forms import strip_legal_forms
from service.core.match_config import MatchConfig
from service.core.model import EntityType
from service.core.places import split_seat
from service.core.translit import skeleton, to_latin

# Token kinds: only STRONG tokens count as name parts (OFAC FAQ 5) and only they are used for index blocking.
STRONG = 0
PARTICLE = 1
INITIAL = 2
NUMBER = 3

# Connecting words and name particles: kept in the comparison (they weigh by their short length) but never counted as
# a matching name part, so "Bashar al-Assad" / "Hafez al-Assad" is one matching part, not two.
PARTICLES = frozenset(
    skeleton(p)
    for p in [
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
    ]
)
_DROP = frozenset({"and", "the", "und", "et"})  # pure connectors: "AT&T" = "AT and T"
_ABBREVIATION = re.compile(r"\b(?:[a-z]\.){2,}")  # "p.l.c." "d.o.o." "l.l.c." → joined
_APOSTROPHE = re.compile(r"['`´]")
_TOKEN = re.compile(r"[a-z0-9]+")
# Names with more joinable tokens than this get no split/merge candidates (the pairs grow quadratically).
MAX_JOINABLE = 6
# A token against two joined tokens of the other name must be at least this similar.
SPLIT_CUTOFF = 0.8


@dataclass(frozen=True, slots=True)
class NormName:
    """A name ready for comparison: sorted skeleton tokens with their kinds, numbers, legal-form classes."""

    original: str
    tokens: tuple[str, ...]
    kinds: tuple[int, ...]
    legal_forms: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()  # registered seat set aside (service.core.places)
    # Sorted tokens joined without spaces: compares "AL QAIDA" with "ALQAIDA".
    concat: str = ""
    numbers: frozenset[str] = frozenset()
    strong_count: int = 0
    has_initials: bool = False
    latin: str = field(default="", compare=False)  # the transliterated text, for explanations
    # Every ordered pair of joinable tokens glued together, with the pair's token indexes: the split/merge
    # candidates ("RamiMakhlouf" = "Rami Makhlouf"), computed once per name instead of once per comparison.
    joined: tuple[str, ...] = field(default=(), compare=False)
    joined_index: tuple[tuple[int, int], ...] = field(default=(), compare=False)


def latin_tokens(text: str) -> list[str]:
    """Lowercase ASCII tokens of a name in any script, punctuation and abbreviation dots removed."""
    latin = to_latin(text).replace("&", " and ")
    latin = _APOSTROPHE.sub("", latin)
    latin = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), latin)
    return [t for t in _TOKEN.findall(latin) if t not in _DROP]


def _kind(token: str) -> int:
    if any(ch.isdigit() for ch in token):
        return NUMBER
    if len(token) == 1:
        return INITIAL
    if token in PARTICLES:
        return PARTICLE
    return STRONG


@lru_cache(maxsize=200_000)
def normalise_name(text: str, entity_type: EntityType | None = None) -> NormName:
    """Normalise a raw name; legal forms are stripped unless the name is known to be a person's."""
    raw_tokens = latin_tokens(text)
    legal: list[str] = []
    places: list[str] = []
    if entity_type is not EntityType.PERSON:
        raw_tokens, legal, places = split_seat(raw_tokens)
        raw_tokens, more_legal = strip_legal_forms(raw_tokens)
        legal += more_legal
    tokens = tuple(sorted(skeleton(t) for t in raw_tokens))
    kinds = tuple(_kind(t) for t in tokens)
    joinable = [j for j, k in enumerate(kinds) if k in (STRONG, PARTICLE)]
    joined_index = (
        tuple((j, k) for j in joinable for k in joinable if j != k) if 2 <= len(joinable) <= MAX_JOINABLE else ()
    )
    return NormName(
        original=text,
        tokens=tokens,
        kinds=kinds,
        legal_forms=frozenset(legal),
        places=frozenset(places),
        concat="".join(tokens),
        numbers=frozenset(t for t, k in zip(tokens, kinds, strict=True) if k == NUMBER),
        strong_count=sum(1 for k in kinds if k == STRONG),
        has_initials=INITIAL in kinds,
        latin=" ".join(raw_tokens),
        joined=tuple(tokens[j] + tokens[k] for j, k in joined_index),
        joined_index=joined_index,
    )


def token_similarity(x: str, kx: int, y: str, ky: int, config: MatchConfig) -> float:
    """Similarity of two skeleton tokens in 0..1: exact for numbers, initial rule for single letters, else fuzzy."""
    if x == y:
        return 1.0
    if kx == NUMBER or ky == NUMBER:
        return 0.0
    if kx == INITIAL or ky == INITIAL:
        return config.initial_similarity if x[0] == y[0] else 0.0
    shorter = min(len(x), len(y))
    if shorter < config.fuzzy_min_length:
        return 0.0  # "li"/"lei", "ing"/"iang": short tokens differ by one letter as whole different names
    if shorter < config.fuzzy_first_letter_length and x[0] != y[0]:
        return 0.0  # "ming"/"bing", "ting"/"ping": in short tokens the first letter carries the name
    sim: float = Indel.normalized_similarity(x, y, score_cutoff=config.token_cutoff)
    return sim


@dataclass(slots=True)
class NameComparison:
    """The outcome of comparing two names: the score and the evidence it rests on."""

    score: float
    token_score: float
    pairs: list[tuple[str, str, float]]
    strong_matches: int
    cap: str | None = None
    concat_score: float | None = None
    legal_forms: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
    legal_form_adjust: float = 0.0  # legal forms and seats together
    places: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())

    def explain(self) -> dict[str, Any]:
        """JSON-ready evidence behind the name score."""
        return {
            "token_score": round(self.token_score, 4),
            "aligned": [[x, y, round(s, 3)] for x, y, s in self.pairs],
            "strong_parts_matched": self.strong_matches,
            "cap": self.cap,
            "concat_score": None if self.concat_score is None else round(self.concat_score, 4),
            "legal_forms": [sorted(self.legal_forms[0]), sorted(self.legal_forms[1])],
            "places": [sorted(self.places[0]), sorted(self.places[1])],
            "legal_form_adjust": self.legal_form_adjust,
        }


def compare_names(
    a: NormName,
    b: NormName,
    config: MatchConfig,
    *,
    person: bool = False,
    weights: Mapping[str, float] | None = None,
    similar: Mapping[str, Mapping[str, float]] | None = None,
) -> NameComparison:
    """Score two normalised names in 0..1 by order-free token alignment, with the OFAC one-part and number caps.

    `weights` maps a token to its informativeness in (0, 1] (the index derives it from token frequency over all
    listed names; absent tokens weigh 1): common tokens ("mohamed", "trading") count little, matched or not.
    `similar` is a precomputed `token_similarity` of each of `a`'s fuzzy-comparable tokens against the vocabulary
    (absent pairs are 0); it must agree with `token_similarity`, it only saves the work.
    """
    if not a.tokens or not b.tokens:
        return NameComparison(0.0, 0.0, [], 0)
    # Every token pair above the cutoff, best first; ties broken on the tokens so the result depends only on the
    # multisets of tokens (word order can never change a score).
    candidates: list[tuple[float, str, str, tuple[int, ...], tuple[int, ...]]] = []
    for i, (x, kx) in enumerate(zip(a.tokens, a.kinds, strict=True)):
        near = similar.get(x) if similar is not None and kx <= PARTICLE else None
        for j, (y, ky) in enumerate(zip(b.tokens, b.kinds, strict=True)):
            if near is not None and ky <= PARTICLE:
                sim = 1.0 if x == y else near.get(y, 0.0)
            elif not person and (kx == INITIAL or ky == INITIAL):
                sim = 1.0 if x == y else 0.0  # organisations: a single letter is a letter, not an initial
            else:
                sim = token_similarity(x, kx, y, ky, config)
            if sim > 0.0:
                candidates.append((sim, x, y, (i,), (j,)))
    if len(a.tokens) != len(b.tokens):
        candidates.extend(split_candidates(a, b, config))
        candidates.extend((s, x, y, i, j) for s, y, x, j, i in split_candidates(b, a, config))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2], c[3], c[4]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs: list[tuple[str, str, float]] = []
    numerator = 0.0
    denominator = 0.0
    strong = 0
    initials = 0
    merged = False
    for sim, x, y, ia, ib in candidates:
        if any(i in used_a for i in ia) or any(j in used_b for j in ib):
            continue
        used_a.update(ia)
        used_b.update(ib)
        if sim < 1.0 and len(x) > 1 and len(y) > 1:
            # A fuzzy pair is weaker evidence than its raw ratio: "miles"/"miler" are two names, not a typo.
            sim = max(0.0, 1.0 - config.fuzzy_penalty * (1.0 - sim))
        pairs.append((x, y, sim))
        weight: float = len(x) + len(y)
        if weights is not None:
            weight *= min(weights.get(x, 1.0), weights.get(y, 1.0))
        numerator += sim * weight
        denominator += weight
        if len(ia) > 1 or len(ib) > 1:
            merged = True
            strong += 2  # a joined pair covers two name parts ("VladimirPutin" = "Vladimir Putin")
        elif a.kinds[ia[0]] == STRONG and b.kinds[ib[0]] == STRONG:
            strong += 1
        elif a.kinds[ia[0]] == INITIAL or b.kinds[ib[0]] == INITIAL:
            initials += 1
    left_a = [t for i, t in enumerate(a.tokens) if i not in used_a and a.kinds[i] != INITIAL]
    left_b = [t for j, t in enumerate(b.tokens) if j not in used_b and b.kinds[j] != INITIAL]
    # Leftover parts on both sides are a conflict (a different surname), weighed up; leftovers on one side only are
    # omissions (persons: middle names and patronymics lists add), weighed down.
    if left_a and left_b:
        weight_a = weight_b = config.conflict_weight
    elif person:
        weight_a = weight_b = config.person_surplus_weight
    else:
        weight_a = weight_b = config.unmatched_weight
    if weights is None:
        unmatched = weight_a * sum(map(len, left_a)) + weight_b * sum(map(len, left_b))
    else:
        unmatched = weight_a * sum(len(t) * weights.get(t, 1.0) for t in left_a) + weight_b * sum(
            len(t) * weights.get(t, 1.0) for t in left_b
        )
    # Unused initials cost one character each: "Putin, V." against "Vladimir Putin" stays a strong match.
    unmatched += config.unmatched_weight * sum(
        1 for i, k in enumerate(a.kinds) if k == INITIAL and i not in used_a
    ) + config.unmatched_weight * sum(1 for j, k in enumerate(b.kinds) if k == INITIAL and j not in used_b)
    denominator += unmatched
    token_score = numerator / denominator if denominator else 0.0
    score = token_score
    concat_score: float | None = None
    spacing_variant = merged
    if len(a.tokens) != len(b.tokens) and not merged:
        concat_score = Indel.normalized_similarity(a.concat, b.concat)
        if concat_score >= config.concat_min and concat_score > score:
            # The same letters split differently: the one-part rule does not apply to a spacing variant.
            score = concat_score
            spacing_variant = True
    cap: str | None = None
    if not spacing_variant and score > config.single_part_cap and _single_part(a, b, strong, initials, person):
        score = config.single_part_cap
        cap = "single_name_part"
    if a.numbers and b.numbers and a.numbers != b.numbers and score > config.number_mismatch_cap:
        score = config.number_mismatch_cap
        cap = "number_mismatch"
    adjust = 0.0
    if a.legal_forms and b.legal_forms and cap is None:
        adjust = config.legal_form_agree if a.legal_forms & b.legal_forms else config.legal_form_disagree
    if a.places and b.places and cap is None:
        adjust += config.place_agree if a.places & b.places else config.place_disagree
    if adjust:
        score = min(1.0, max(0.0, score + adjust))
    return NameComparison(
        score=score,
        token_score=token_score,
        pairs=pairs,
        strong_matches=strong,
        cap=cap,
        concat_score=concat_score,
        legal_forms=(a.legal_forms, b.legal_forms),
        legal_form_adjust=adjust,
        places=(a.places, b.places),
    )


def split_candidates(
    one: NormName, other: NormName, config: MatchConfig
) -> list[tuple[float, str, str, tuple[int, ...], tuple[int, ...]]]:
    """One token of `one` against two joined tokens of `other`, both orders ("RamiMakhlouf", "ALQAIDA")."""
    found: list[tuple[float, str, str, tuple[int, ...], tuple[int, ...]]] = []
    if not other.joined:
        return found
    cutoff = max(config.token_cutoff, SPLIT_CUTOFF)
    for i, token in enumerate(one.tokens):
        if len(token) < 4 or one.kinds[i] != STRONG:
            continue
        # rapidfuzz loops in C; the cutoff also rejects joined strings whose length alone cannot reach it.
        for joined, sim, pos in process.extract(
            token, other.joined, scorer=Indel.normalized_similarity, score_cutoff=cutoff, limit=None
        ):
            found.append((sim, token, joined, (i,), other.joined_index[pos]))
    return found


def _single_part(a: NormName, b: NormName, strong: int, initials: int, person: bool) -> bool:
    """OFAC FAQ 5: true when only one name part matches although a side has several parts.

    For organisations a one-word query ("Kominvex") against a longer listed name ("Kominvex DOO Beograd") is how
    companies are searched, so the rule applies only when both organisation names have several parts.
    """
    if max(a.strong_count, b.strong_count) < 2:
        return False
    if not person and min(a.strong_count, b.strong_count) < 2:
        return False
    if strong >= 2:
        return False
    return not (strong == 1 and initials >= 1)


def score_names(a: str, b: str, entity_type: EntityType | None = None, config: MatchConfig | None = None) -> float:
    """Pairwise name similarity in 0..1 of two raw names (the scorer the index uses, on strings)."""
    cfg = config or MatchConfig()
    na = normalise_name(a, entity_type)
    nb = normalise_name(b, entity_type)
    return compare_names(na, nb, cfg, person=entity_type is EntityType.PERSON).score
