"""The matcher: an index over the active list versions, candidate blocking, scoring with explanations.

`MatcherIndex.build` normalises every listed name once, relates every pair of vocabulary tokens the scorer would
pair (`service.core.token_graph`) and posts each name under its tokens. A search

1. blocks: names holding a token related to one of the query's strong or number tokens — two different ones when
   the one-name-part rule would cap a single hit — plus names an exact lookup finds as a spacing variant (a query
   token spelled by two listed tokens, two query tokens spelling one listed token, the same letters split
   differently) and names sharing an identifier number;
2. bounds: `service.core.name_bound` drops, for all candidates at once, the names whose score provably stays below
   `report_threshold` (names met as spacing variants with the tokens that spell the variant credited 1);
3. scores the rest with the pairwise scorer (`service.core.names.compare_names`), adds the secondary attributes
   (`service.core.features`) as signed contributions, and keeps each entity's best name.

`exhaustive_search` scores every indexed name with token relations found by brute force: the reference that proves
blocking and bounds lose nothing. Decisions for a counterparty live in `service.core.screening`.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from service.core import _kernels
from service.core.features import (
    ID_IGNORED,
    Feature,
    country_feature,
    dob_feature,
    identifier_feature,
    kind_factor,
    normalise_identifier,
    type_feature,
)
from service.core.forenames import dictionary_forenames
from service.core.linked import Link, link_twins, with_attributes_of
from service.core.match_config import MatchConfig, TokenKey
from service.core.model import EntityType, Identifier, ListEntry, NameKind, PartialDate
from service.core.name_bound import NameArrays, QueryTokens
from service.core.names import (
    NUMBER,
    STRONG,
    WORD_KINDS,
    NameComparison,
    NormName,
    Spelling,
    abjad_joins,
    abjad_keys,
    abjad_spelling,
    compare_names,
    comparison_form,
    consonant_key,
    given_names,
    glue,
    listed_runs,
    min_parts,
    normalise_name,
    principal_parts,
    run_spellings,
    spacing_variants,
    token_mass,
    word_similarity,
    written_pairs,
    written_runs,
    written_swap_credit,
)
from service.core.token_graph import EMPTY_IDS, EMPTY_SIMS, TokenGraph
from service.core.translit import skeleton, unfolded_junctions

if TYPE_CHECKING:
    from service.core.screening import Screening

__all__ = ["Feature", "Match", "MatchConfig", "MatcherIndex", "Query", "normalise_identifier"]

EntryFilter = Callable[[ListEntry], bool]
IntArray = npt.NDArray[np.int64]
_NO_NAMES: IntArray = np.zeros(0, dtype=np.int64)

# Token weights: a token in at most this many listed names weighs 1; more frequent ones weigh log(N/df)/log(N/this),
# never less than the floor ("al", "mohamed", "trading", "institute" count for a quarter to a half).
_IDF_FULL_FREQUENCY = 20
_IDF_FLOOR = 0.25
# Per-token lookups (related tokens and their weights) kept for the most recent query tokens: first names repeat.
_TOKEN_CACHE = 50_000
# Low bits of a joined key in the bitmap that answers most spacing-variant probes (2 MB: ~5% false positives).
_JOIN_FILTER_MASK = (1 << 24) - 1


@dataclass(frozen=True, slots=True)
class Query:
    """A counterparty to screen: name plus whatever secondary attributes the caller knows."""

    name: str
    entity_type: EntityType | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    date_of_birth: PartialDate | None = None
    identifiers: tuple[Identifier, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """A listed entity matched by a query, with the evidence: which names, which features, which list version."""

    entry: ListEntry
    list_version: str
    query_name: str
    matched_name: str
    name_kind: NameKind
    score: float
    name_score: float
    features: dict[str, Feature] = field(default_factory=dict)

    @property
    def identifier_match(self) -> bool:
        """True when an identifier of the query equals one of the listed entity's (decisive evidence)."""
        feature = self.features.get("identifier")
        return feature is not None and feature.contribution > 0

    @property
    def corroborations(self) -> list[str]:
        """Secondary features that agree (positive contribution)."""
        return [k for k, f in self.features.items() if k not in ("name", "name_kind") and f.contribution > 0]

    @property
    def contradictions(self) -> list[str]:
        """Secondary features that disagree (negative contribution)."""
        return [k for k, f in self.features.items() if k not in ("name", "name_kind") and f.contribution < 0]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready explanation of the match (stored with results and shown to reviewers)."""
        return {
            "list": self.entry.list_id,
            "list_version": self.list_version,
            "entity_id": self.entry.entity_id,
            "entity_name": self.entry.primary_name,
            "entity_type": self.entry.entity_type.value,
            "programs": list(self.entry.programs),
            "listed_on": self.entry.listed_on.isoformat() if self.entry.listed_on else None,
            "query_name": self.query_name,
            "matched_name": self.matched_name,
            "name_kind": self.name_kind.value,
            "score": round(self.score, 4),
            "features": {k: f.to_dict() for k, f in self.features.items()},
        }


@dataclass(slots=True)
class _Token:
    """What a query token brings: its related vocabulary (ids for the blocking and the bound, strings for the
    scorer) and its weight."""

    own_id: int
    ids: npt.NDArray[np.int32]
    sims: npt.NDArray[np.float64]
    weight: float | None  # None: the vocabulary weight applies
    similar: dict[str, float] | None = None  # `ids`/`sims` as strings, made when a name is first scored against it
    # What the scorer looks up, where it differs from `ids`/`sims`: nothing for a token of an abjad-written query,
    # whose `ids`/`sims` are the Latin-written tokens its letters may spell (the scorer pairs those by rule).
    spelled: tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]] | None = None


@dataclass(slots=True)
class _Variants:
    """Names a query meets by exact lookups rather than token relations.

    `exact`: the query's letters split differently, scored 1 by rule, and names where two words of the query and two
    of the name run into the same letters as written (`names.written_runs`); no bound. `bounded`: names where a query
    token and two listed tokens, or two of each, spell the same letters, and names without a strong or number part
    that share a token (the key rule does not reach them); they go through the bound with `links`, per query token
    index the vocabulary ids that spell a spacing variant with it."""

    exact: set[int] = field(default_factory=set)
    bounded: set[int] = field(default_factory=set)
    links: dict[int, list[int]] = field(default_factory=dict)

    @property
    def met(self) -> set[int]:
        """Every name an exact lookup met: among them, every name a spacing variant joins to the query."""
        return self.exact | self.bounded

    def link(self, query_tokens: Iterable[int], listed: list[int]) -> None:
        for q in query_tokens:
            self.links.setdefault(q, []).extend(listed)


class _QueryWeights(Mapping[str, float]):
    """The index's token weights, plus the query's own tokens the lists do not contain."""

    __slots__ = ("_base", "_extra")

    def __init__(self, base: Mapping[str, float], extra: Mapping[str, float]) -> None:
        self._base = base
        self._extra = extra

    def __getitem__(self, key: str) -> float:
        if key in self._extra:
            return self._extra[key]
        return self._base[key]

    def get(self, key: str, default: float | None = None) -> float | None:  # type: ignore[override]
        value = self._extra.get(key)
        return value if value is not None else self._base.get(key, default)

    def __iter__(self) -> Iterator[str]:
        yield from self._extra
        yield from (k for k in self._base if k not in self._extra)

    def __len__(self) -> int:
        return len(self._base) + sum(1 for k in self._extra if k not in self._base)


def _with_links(query: QueryTokens, links: Mapping[int, list[int]]) -> QueryTokens:
    """`query` with each linked vocabulary id related at similarity 1 to its query token (appended: the bound
    lets a later entry for the same id win)."""
    related = list(query.related)
    for q, listed in links.items():
        ids, sims = related[q]
        related[q] = (
            np.concatenate((ids, np.array(listed, dtype=np.int32))),
            np.concatenate((sims, np.ones(len(listed)))),
        )
    return QueryTokens(query.name, query.masses, query.own_ids, related, query.parts)


def _first_equal(keys: npt.NDArray[np.int64], probe: int) -> int:
    """The position of the first key equal to `probe` in the sorted `keys`, or -1. (The array's own searchsorted:
    np.searchsorted wraps it at more than twice the cost, which a per-query probe pays.)"""
    at = int(keys.searchsorted(probe, "left"))
    return at if at < len(keys) and keys[at] == probe else -1


def _split_tokens(norm: NormName, spelling: Spelling) -> tuple[str, ...]:
    """The tokens a spacing variant glues, as a multiset: which split of its letters it is."""
    return tuple(sorted(norm.tokens[i] for i in spelling))


def _run_split(run: tuple[str, str]) -> int:
    """Which split of its letters a run of two words is (`names.written_runs`), as the joined-key table keeps it:
    the build and a query's probe must agree."""
    return hash(tuple(sorted(run)))


# Which names related to a single key the one-name-part rule (OFAC FAQ 5) cannot cap below the threshold, by kind
# of query: bits of a per-name flag byte that the posting union tests (`_single_flags`, `_single_mask`).
_ANY = 1  # a query with an initial: the rule may count an initial pair, so every name stays
_SMALL_OR_INITIALS = 2  # a person query with at most one strong part
_SMALL_INITIALS_OR_ORG = 4  # any other query with at most one strong part
_INITIALS = 8  # a person query with several strong parts
_ORG_SINGLE = 16  # any other query with several strong parts


def _single_flags(arrays: NameArrays) -> npt.NDArray[np.uint8]:
    """Per name, the `_single_mask` bits of the queries whose one-key hits on it stay candidates: max(parts) below 2
    (`names.min_parts`: the fewest the rule may count), or an organisation pair (the rule needs several parts on
    both sides), or an initial the rule may count."""
    small, initials, person = arrays.parts <= 1, arrays.has_initials, arrays.person
    flags = np.full(len(small), _ANY, dtype=np.uint8)
    flags[small | initials] |= _SMALL_OR_INITIALS
    flags[small | initials | ~person] |= _SMALL_INITIALS_OR_ORG
    flags[initials] |= _INITIALS
    flags[(~person & small) | initials] |= _ORG_SINGLE
    return flags


def _single_mask(query: QueryTokens, person_query: bool) -> int:
    """The `_single_flags` bit that keeps a name one key of this query reaches."""
    if query.name.has_initials:
        return _ANY
    if query.parts <= 1:
        return _SMALL_OR_INITIALS if person_query else _SMALL_INITIALS_OR_ORG
    return _INITIALS if person_query else _ORG_SINGLE


class MatcherIndex:
    """Normalised names of all active list entries with blocking structures; build once, search many times."""

    def __init__(self, config: MatchConfig | None = None) -> None:
        self.config = config or MatchConfig()
        self.entries: list[ListEntry] = []
        self.versions: dict[str, str] = {}
        # What other modules build once per index, kept as long as it is (service.list_relations). Compiled
        # (setup.py), an index cannot be the key of a weak dictionary.
        self.derived: dict[str, object] = {}
        self._names: list[NormName] = []
        # Per-name scalars live in arrays, not lists of int and float objects: a forked worker reading them writes no
        # reference count, so it copies none of the pages it shares with the parent that built the index.
        self._name_entry: array[int] = array("q")
        self._name_kind: list[NameKind] = []
        self._entry_names: list[list[int]] = []
        # Name n's tokens' masses under the index weights are _mass_values[_mass_start[n]:_mass_start[n + 1]].
        self._mass_values: array[float] = array("d")
        self._mass_start: array[int] = array("q", [0])
        self._name_person = b""  # per name: 1 when its entry is a person
        # Per name: the same number for names every query scores alike (one comparison form, person or not, the same
        # principal parts): the lists repeat names (an OFAC designation is in the SDN list and the CSL), and a search
        # compares each form once.
        self._name_form: array[int] = array("q")
        self._principal: dict[int, tuple[str, ...]] = {}  # person names' principal parts (names.principal_parts)
        self._identifiers: dict[str, list[int]] = {}
        self._linked: dict[int, Link] = {}  # entry → another record of the same party, whose attributes weigh it
        self._evidence: dict[int, ListEntry] = {}  # linked entry → itself with its twin's attributes (made once)
        self._graph = TokenGraph((), self.config)
        self._weights: dict[str, float] = {}
        self._postings_start = np.zeros(1, dtype=np.int64)
        self._postings = np.zeros(0, dtype=np.int32)
        self._arrays = NameArrays.build([], [], {}, {})
        # Every listed joined pair as (hash of the joined text, hash of its two tokens sorted, name id), sorted: exact
        # lookups for spacing variants without a dictionary entry per pair (there are ~800,000). A hash collision
        # only adds a candidate that the scorer then rejects.
        self._joined_key = np.zeros(0, dtype=np.int64)
        self._joined_split = np.zeros(0, dtype=np.int64)
        self._joined_name = np.zeros(0, dtype=np.int64)
        self._joined_filter = bytes((_JOIN_FILTER_MASK >> 3) + 1)  # bitmap of the keys' low bits
        self._joined_one_split = np.zeros(0, dtype=np.bool_)
        self._concat: dict[str, list[int]] = {}  # listed concatenated tokens → name ids (names of 2+ tokens)
        self._weak: dict[str, list[int]] = {}  # names without a strong or number part, by token
        # Listed keys glued from three tokens (`names._joins`) → the tokens' vocabulary ids, for `_spelling`.
        self._glued_three: dict[str, tuple[int, ...]] = {}
        self._single_flags = np.zeros(0, dtype=np.uint8)
        # Every word of a listed name as written (before the skeleton's folds) → its skeleton's vocabulary id: a query
        # word one adjacent swap away from one is related to it (`names.written_swaps`), whatever the folds make of it.
        self._written: dict[str, int] = {}
        # Per token settings, per query word as written: its skeleton, the ids `_swapped_word` found and whether any
        # listed word is written one swap from it.
        self._swapped_words: dict[TokenKey, dict[str, tuple[str, dict[int, float], bool]]] = {}
        self._scratch = np.zeros(0, dtype=np.int32)  # the compiled posting union's marks (1 per name)
        # Per-token lookups by (token, the config's token key, the abjad credit, 0 if not abjad-written, Hebrew or not).
        self._tokens: dict[tuple[str, TokenKey, float, bool], _Token] = {}
        # Consonant key → vocabulary ids of the strong tokens of names not written in an abjad (names.consonant_key).
        self._by_consonants: dict[str, npt.NDArray[np.int32]] = {}
        # Per two neighbouring strong parts of a Latin-written name: hashed consonant key of the two joined, the
        # name, the two tokens (`_pair_consonant_table`).
        self._pair_key: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._pair_name: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._pair_tokens: npt.NDArray[np.int32] = np.zeros((0, 2), dtype=np.int32)

    @classmethod
    def build(
        cls, entries: Iterable[ListEntry], versions: Mapping[str, str], config: MatchConfig | None = None
    ) -> MatcherIndex:
        """Index every name of every entry; `versions` maps list id → version label carried into each match.

        `config` sets the token relations the index precomputes; searches with other token settings still work,
        relating their tokens at query time."""
        index = cls(config)
        index.versions = dict(versions)
        entries = list(entries)
        # Given names learnt from the names whose surname the lists mark, and a dictionary's, for the names that do
        # not mark it.
        people = (entry for entry in entries if entry.entity_type is EntityType.PERSON)
        given = given_names((name.value, name.parts) for entry in people for name in entry.names)
        forenames = dictionary_forenames()
        for entry in entries:
            entry_id = len(index.entries)
            index.entries.append(entry)
            own: list[int] = []
            seen: set[tuple[str, ...]] = set()
            for name in entry.names:
                norm = normalise_name(name.value, entry.entity_type)
                if not norm.has_words or norm.tokens in seen:
                    continue
                seen.add(norm.tokens)
                principal = principal_parts(name.value, entry.entity_type, name.parts, given, forenames)
                if principal:
                    index._principal[len(index._names)] = principal
                own.append(len(index._names))
                index._names.append(norm)
                index._name_entry.append(entry_id)
                index._name_kind.append(name.kind)
            index._entry_names.append(own)
        index._linked = link_twins(index.entries)
        index._evidence = {
            e: with_attributes_of(index.entries[e], index.entries[link.twin]) for e, link in index._linked.items()
        }
        for entry_id, entry in enumerate(index.entries):
            link = index._linked.get(entry_id)
            for ident in index.entries[link.twin].identifiers if link is not None else entry.identifiers:
                if ident.type in ID_IGNORED:
                    continue
                number = normalise_identifier(ident.number)
                if len(number) >= 4:
                    index._identifiers.setdefault(number, []).append(entry_id)
        index._finish()
        return index

    def _finish(self) -> None:
        """Vocabulary, token graph and weights; postings, lookups for spacing variants, the bound's arrays."""
        frequency: dict[str, int] = {}
        for norm in self._names:
            for token in set(norm.tokens):
                frequency[token] = frequency.get(token, 0) + 1
        total = max(len(self._names), _IDF_FULL_FREQUENCY + 1)
        scale = math.log(total / _IDF_FULL_FREQUENCY)
        self._weights = {
            token: min(1.0, max(_IDF_FLOOR, math.log(total / count) / scale))
            for token, count in frequency.items()
            if count > _IDF_FULL_FREQUENCY
        }
        self._graph = TokenGraph(frequency, self.config)
        ids = self._graph.ids
        occurrences: dict[tuple[int, int], int] = {}
        for n, norm in enumerate(self._names):
            for t in norm.tokens:
                posting = (ids[t], n)
                occurrences[posting] = occurrences.get(posting, 0) + 1
        ordered = sorted(occurrences)
        counts = np.bincount(np.array([t for t, _ in ordered], dtype=np.int64), minlength=len(ids))
        self._postings_start = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(counts, out=self._postings_start[1:])
        self._postings = np.array([n for _, n in ordered], dtype=np.int32)
        joined_key, joined_split, joined_name = array("q"), array("q"), array("q")  # compact while building
        for n, norm in enumerate(self._names):
            for key, pairs in spacing_variants(norm).items():
                for tokens in {_split_tokens(norm, pair) for pair in pairs}:
                    joined_key.append(hash(key))
                    joined_split.append(hash(tokens))
                    joined_name.append(n)
                    if len(tokens) == 3:
                        three = {ids[t] for t in tokens}.union(self._glued_three.get(key, ()))
                        self._glued_three[key] = tuple(sorted(three))
            for key, run in listed_runs(norm).items():
                if run_spellings(norm, run):
                    joined_key.append(hash(key))
                    joined_split.append(_run_split(run))
                    joined_name.append(n)
            if len(norm.tokens) > 1:
                self._concat.setdefault(norm.concat, []).append(n)
            if not any(k in (STRONG, NUMBER) for k in norm.kinds):
                for token in set(norm.tokens):
                    self._weak.setdefault(token, []).append(n)
        keys = np.frombuffer(joined_key, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self._joined_key = keys[order]
        self._joined_split = np.frombuffer(joined_split, dtype=np.int64)[order]
        self._joined_name = np.frombuffer(joined_name, dtype=np.int64)[order]
        # Per entry: every entry of its key has the same split. A query's two tokens joined usually meet only
        # listed names that hold the same two tokens (their own split, not a spacing variant): skipped at once.
        if len(self._joined_key):
            starts = np.flatnonzero(np.r_[True, self._joined_key[1:] != self._joined_key[:-1]])
            same = np.minimum.reduceat(self._joined_split, starts) == np.maximum.reduceat(self._joined_split, starts)
            self._joined_one_split = np.repeat(same, np.diff(np.r_[starts, len(self._joined_key)]))
        low = self._joined_key & _JOIN_FILTER_MASK
        bitmap = np.zeros((_JOIN_FILTER_MASK >> 3) + 1, dtype=np.uint8)
        np.bitwise_or.at(bitmap, low >> 3, (np.int64(1) << (low & 7)).astype(np.uint8))
        self._joined_filter = bitmap.tobytes()  # read bit by bit from Python
        person = [self.entries[e].entity_type is EntityType.PERSON for e in self._name_entry]
        self._name_person = bytes(person)
        forms: dict[tuple[object, ...], int] = {}
        self._name_form = array(
            "q",
            (
                forms.setdefault((comparison_form(norm), is_person, self._principal.get(n, ())), len(forms))
                for n, (norm, is_person) in enumerate(zip(self._names, person, strict=True))
            ),
        )
        self._arrays = NameArrays.build(self._names, person, ids, self._weights)
        self._mass_values = array("d")
        self._mass_start = array("q", [0])
        for norm in self._names:
            self._mass_values.extend(
                token_mass(t, k, self._weights) for t, k in zip(norm.tokens, norm.kinds, strict=True)
            )
            self._mass_start.append(len(self._mass_values))
        self._single_flags = _single_flags(self._arrays)
        self._scratch = np.zeros(len(self._names), dtype=np.int32)
        for norm in self._names:
            if norm.lettered:  # the names `names.written_swaps` reads
                for word in norm.latin.split():
                    self._written.setdefault(word, ids[skeleton(word)])
        self._by_consonants = self._consonant_table(ids)
        self._pair_key, self._pair_name, self._pair_tokens = self._pair_consonant_table(ids)

    def _consonant_table(self, ids: Mapping[str, int]) -> dict[str, npt.NDArray[np.int32]]:
        """Where an abjad-written query's name parts may pair with Latin-written ones: their consonant keys."""
        found: dict[str, set[int]] = {}
        for norm in self._names:
            if norm.abjad:
                continue
            for token, kind in zip(norm.tokens, norm.kinds, strict=True):
                if kind == STRONG:
                    found.setdefault(consonant_key(token), set()).add(ids[token])
        return {key: np.array(sorted(i), dtype=np.int32) for key, i in found.items()}

    def _pair_consonant_table(
        self, ids: Mapping[str, int]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        """Where one part of an abjad-written query may spell two neighbouring parts of a Latin-written name joined
        (`names.written_pairs`): the joined parts' consonant keys (hashed, sorted), with the name and the two tokens."""
        keys, names, tokens = array("q"), array("l"), array("l")
        hashed: dict[str, int] = {}  # a pair of tokens recurs in many names
        for n, norm in enumerate(self._names):
            if norm.abjad:
                continue
            for joined, (i, j) in written_pairs(norm):
                key = hashed.get(joined)
                if key is None:
                    key = hashed[joined] = hash(consonant_key(joined))
                keys.append(key)
                names.append(n)
                tokens.extend((ids[norm.tokens[i]], ids[norm.tokens[j]]))
        order = np.argsort(np.frombuffer(keys, dtype=np.int64), kind="stable")
        pairs = np.array(tokens, dtype=np.int32).reshape(-1, 2)
        return np.frombuffer(keys, dtype=np.int64)[order], np.array(names, dtype=np.int32)[order], pairs[order]

    @property
    def weights(self) -> Mapping[str, float]:
        """Token informativeness in (0, 1] from frequency over the indexed names (absent tokens weigh 1)."""
        return self._weights

    @property
    def name_count(self) -> int:
        """Number of distinct normalised names indexed."""
        return len(self._names)

    @property
    def vocabulary_size(self) -> int:
        """Distinct tokens of the indexed names."""
        return len(self._graph)

    @property
    def related_pairs(self) -> int:
        """Pairs of vocabulary tokens the scorer relates (each counted once)."""
        return self._graph.edge_count // 2

    # --- query tokens -----------------------------------------------------------------------------------------

    def _token(
        self, token: str, kind: int, cfg: MatchConfig, token_key: TokenKey, abjad: bool = False, hebrew: bool = False
    ) -> _Token:
        """The token's relations under `cfg`, whose `token_key` the caller reads once per query (a property that
        builds a tuple)."""
        key = (token, token_key, cfg.abjad_similarity if abjad else 0.0, hebrew)
        found = self._tokens.get(key)
        if found is not None:
            return found
        graph = self._graph
        own_id = graph.ids.get(token, -1)
        if kind not in WORD_KINDS:
            ids, sims = EMPTY_IDS, EMPTY_SIMS  # numbers and initials relate by rule, not by spelling
        elif token_key == graph.key:
            ids, sims = graph.related_ids(token)
        else:
            ids, sims = self._brute_related(token, cfg)
        weight = self._misspelling_weight(ids, sims) if own_id < 0 else None
        found = _Token(own_id, ids, sims, weight)
        if abjad:
            # Against a Latin-written name the scorer pairs an abjad-written part by rule only (`abjad_similarity`:
            # a consonant key, then the spellings `abjad_pattern` allows), and against an abjad-written one only the
            # same letters: the relations by spelling relate nothing, and a key alone relates other vowels.
            found.spelled = (EMPTY_IDS, EMPTY_SIMS)
            latin = self._latin_spelled(token, hebrew) if kind == STRONG else []  # a particle: its own spelling
            found.ids = np.array(sorted({i for i in latin if i != own_id}), dtype=np.int32)
            found.sims = np.full(len(found.ids), cfg.abjad_similarity)
        if len(self._tokens) >= _TOKEN_CACHE:
            self._tokens.clear()  # one atomic step: API threads share the index
        self._tokens[key] = found
        return found

    def _latin_spelled(self, text: str, hebrew: bool) -> list[int]:
        """Vocabulary ids of the Latin-written strong tokens the abjad-written `text` may spell: those with one of its
        consonant keys, the only lookup the index has, that `abjad_pattern` allows (`abjad_similarity`); most tokens
        sharing a key are other vowels ("mohammadi" for "مهدی")."""
        by_key = [i for key in abjad_keys(text) for i in self._by_consonants.get(key, EMPTY_IDS).tolist()]
        if not by_key:
            return by_key
        spells, tokens = abjad_spelling(text, len(by_key), hebrew), self._graph.tokens
        return [i for i in by_key if spells(tokens[i])]

    def _misspelling_weight(self, ids: npt.NDArray[np.int32], sims: npt.NDArray[np.float64]) -> float:
        """The weight of a token the lists do not contain: most likely a misspelling of its closest listed token, it
        weighs as much as that one (the heaviest among the closest), or fully when it has no listed relative."""
        similarities = sims.tolist()  # a few dozen values: plain Python beats numpy's per-call overhead
        if not similarities:
            return 1.0
        best, tokens = max(similarities), self._graph.tokens
        closest = (i for i, s in zip(ids.tolist(), similarities, strict=True) if s == best)
        return max(self._weights.get(tokens[i], 1.0) for i in closest)

    def _similar(self, info: _Token) -> dict[str, float]:
        """The token's related vocabulary as token → similarity, what the scorer looks up; made once per cached
        token, and only when a name is scored (half the queries reach none)."""
        if info.similar is None:
            ids, sims = info.spelled or (info.ids, info.sims)
            info.similar = self._graph.named(ids, sims)
        return info.similar

    def _brute_related(self, token: str, cfg: MatchConfig) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        """Related vocabulary by `word_similarity` over every token (other token settings; the exhaustive
        reference)."""
        found = [
            (i, sim)
            for i, other in enumerate(self._graph.tokens)
            if other != token and (sim := word_similarity(token, other, cfg)) > 0.0
        ]
        return np.array([i for i, _ in found], dtype=np.int32), np.array([s for _, s in found], dtype=np.float64)

    def _query_tokens(self, norm: NormName, cfg: MatchConfig) -> tuple[QueryTokens, list[_Token], _QueryWeights, bool]:
        """The query's tokens for the blocking and the bound, their cached relations, the weights, and whether any
        query word is written one swap from a listed one (`_written_swaps`)."""
        token_key = cfg.token_key
        infos = [
            self._token(t, k, cfg, token_key, norm.abjad, norm.hebrew)
            for t, k in zip(norm.tokens, norm.kinds, strict=True)
        ]
        extra = {t: info.weight for t, info in zip(norm.tokens, infos, strict=True) if info.weight is not None}
        weights = _QueryWeights(self._weights, extra)
        masses = [token_mass(t, k, weights) for t, k in zip(norm.tokens, norm.kinds, strict=True)]
        related = [(i.ids, i.sims) for i in infos]
        swaps = norm.lettered and self._written_swaps(norm, related, cfg)
        query = QueryTokens(norm, masses, [i.own_id for i in infos], related, min_parts(norm))
        return query, infos, weights, swaps

    def _written_swaps(
        self, norm: NormName, related: list[tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]], cfg: MatchConfig
    ) -> bool:
        """Add to each word token's `related` the listed tokens written one adjacent swap away from the query word as
        written (`names.written_swaps`; the scorer checks it name by name, since a listed token may be written
        otherwise elsewhere: a superset, as blocking and the bound need), where they relate more than the skeletons
        do. True when any query word is written one swap from a listed word (the scorer then looks for the swaps:
        one that relates no more than the skeletons still keeps the pair from reading as two forms of a name)."""
        near = False
        cache = self._swapped_words.get(cfg.token_key)
        if cache is None or len(cache) >= _TOKEN_CACHE:
            cache = self._swapped_words[cfg.token_key] = {}  # one atomic step: API threads share the index
        for word in norm.latin.split():
            found = cache.get(word)
            if found is None:
                found = cache[word] = self._swapped_word(word, cfg)
            token, swapped, written = found
            near = near or written
            for q, t in enumerate(norm.tokens) if swapped else ():
                if t == token and norm.kinds[q] in WORD_KINDS:
                    merged = dict(zip(related[q][0].tolist(), related[q][1].tolist(), strict=True))
                    merged.update(swapped)
                    ids = sorted(merged)
                    related[q] = (np.array(ids, dtype=np.int32), np.array([merged[i] for i in ids]))
        return near

    def _swapped_word(self, word: str, cfg: MatchConfig) -> tuple[str, dict[int, float], bool]:
        """The word's skeleton, the vocabulary ids of the listed words written one adjacent swap from it, with the
        credit (`names.written_swaps`), where that beats the skeletons' own relation (most words written one swap
        apart are one swap apart as skeletons too), and whether any listed word is written one swap from it with
        another skeleton and a credit: one dictionary probe per letter, cached by word (these depend on the writing,
        not on the skeleton the token cache keys on)."""
        vocabulary, token = self._graph.tokens, skeleton(word)
        found: dict[int, float] = {}
        written = False
        for k in range(len(word) - 1):
            other = self._written.get(word[:k] + word[k + 1] + word[k] + word[k + 2 :])
            if other is None or vocabulary[other] == token:
                continue
            credit = written_swap_credit(token, vocabulary[other], cfg)
            written = written or credit > 0.0
            if credit > word_similarity(token, vocabulary[other], cfg):
                found[other] = credit
        return token, found, written

    # --- blocking ---------------------------------------------------------------------------------------------

    def _candidates(self, norm: NormName, query: QueryTokens, person_query: bool) -> tuple[IntArray, _Variants]:
        """Name ids that token relations may carry above the report threshold, and names found as spacing variants.

        A name needs a related strong or number part (compare_names scores 0 otherwise), so only those query
        tokens are keys. When the one-name-part rule would cap a name related to a single key (OFAC FAQ 5: both
        sides have several parts, or a person), the name must be related to two keys (counted with the query's
        repetitions: "Li Li")."""
        core = [i for i, k in enumerate(norm.kinds) if k in (STRONG, NUMBER)]
        keys = core or [i for i, k in enumerate(norm.kinds) if k in WORD_KINDS]
        repeats: dict[str, int] = {}
        for i in keys:
            repeats[norm.tokens[i]] = repeats.get(norm.tokens[i], 0) + 1
        position = {norm.tokens[i]: i for i in keys}
        variants = self._spacing_variants(norm)
        if not repeats:
            return _NO_NAMES, variants
        found = _kernels.union(
            self._postings_start,
            self._postings,
            [(query.own_ids[position[t]], query.related[position[t]][0], float(r)) for t, r in repeats.items()],
            self._scratch,
            self._single_flags,
            _single_mask(query, person_query),
        )
        return np.frombuffer(found, dtype=np.int64), variants

    def _spacing_variants(self, norm: NormName) -> _Variants:
        """Names an exact lookup finds as the same letters spaced differently, and names without any strong or
        number part that share a token (the key rule does not reach them)."""
        variants = _Variants()
        found = variants.bounded
        for token in norm.tokens:
            found.update(self._weak.get(token, ()))
        ids = self._graph.ids
        start = self._postings_start
        # Probes of the joined pairs: a query word spelled by two listed tokens (any split), two query tokens
        # spelling the same letters as two listed ones split elsewhere (not the query's own split).
        at = [q for q, k in enumerate(norm.kinds) if k in WORD_KINDS]
        texts = [norm.tokens[q] for q in at]
        words = len(texts)
        for key, pairs in norm.joins.items():
            i = ids.get(key)
            if i is not None:
                found.update(self._postings[start[i] : start[i + 1]].tolist())  # one listed token spelling two
                variants.link({q for pair in pairs for q in pair}, [i])
            texts.append(key)
        variants.exact.update(self._concat.get(norm.concat, ()))
        if norm.abjad:
            self._abjad_spacing_variants(norm, variants)
        if not texts or not len(self._joined_key):
            return variants
        for p, text in enumerate(texts):
            probe = hash(text)
            if (a := self._joined_first(probe)) < 0:
                continue
            if p < words:
                found.update(self._joined_names(probe, a, ()))
                variants.link([at[p]], self._spelling(text))
                continue
            pairs = norm.joins[text]
            own = {hash(_split_tokens(norm, pair)) for pair in pairs}
            if not (self._joined_one_split[a] and int(self._joined_split[a]) in own):
                found.update(self._joined_names(probe, a, own))
                variants.link({q for pair in pairs for q in pair}, self._spelling(text))
        for key, run in written_runs(norm).items():
            # The same letters as written, a space moved (`names.moved_spaces`): scored without the bound, which
            # would need the listed tokens of every run (few names meet one), as `exact` names are.
            probe = hash(key)
            if (a := self._joined_first(probe)) < 0:
                continue
            own = {_run_split(run)}
            if not (self._joined_one_split[a] and int(self._joined_split[a]) in own):
                variants.exact.update(self._joined_names(probe, a, own))
        return variants

    def _joined_first(self, probe: int) -> int:
        """The position of the first listed joined key equal to `probe`, or -1. Most probes miss: a bitmap of the
        keys' low bits answers those with one memory access each, where a binary search over the million keys costs
        about twenty. (A handful of probes per query: plain Python beats numpy's per-call overhead here.)"""
        low = probe & _JOIN_FILTER_MASK
        if not (self._joined_filter[low >> 3] >> (low & 7)) & 1:
            return -1
        return _first_equal(self._joined_key, probe)

    def _joined_names(self, probe: int, first: int, own: Collection[int]) -> list[int]:
        """The listed names of the joined key `probe` (from its `first` position), but those split as in `own` (the
        query's own splits: the same tokens, no spacing variant)."""
        end = int(self._joined_key.searchsorted(probe, "right"))
        splits = self._joined_split[first:end].tolist()
        names = self._joined_name[first:end].tolist()
        return [n for n, split in zip(names, splits, strict=True) if split not in own]

    def _abjad_spacing_variants(self, norm: NormName, variants: _Variants) -> None:
        """Names a spacing variant across scripts may reach, found by consonant keys: a Latin-written token that two
        parts of an abjad-written query may spell joined (`names.abjad_joins`), linked to both parts, and two
        neighbouring Latin-written tokens that joined may spell one part (`names.written_pairs`), linked to it."""
        start = self._postings_start
        tokens = self._graph.tokens
        hebrew = norm.hebrew
        for joined, pair in abjad_joins(norm):
            ids = self._latin_spelled(joined, hebrew)
            for i in ids:
                variants.bounded.update(self._postings[start[i] : start[i + 1]].tolist())
            if ids:
                variants.link(pair, ids)
        if not len(self._pair_key):
            return
        for q, (token, kind) in enumerate(zip(norm.tokens, norm.kinds, strict=True)):
            if kind != STRONG:
                continue
            for key in abjad_keys(token):
                probe = hash(key)
                a = _first_equal(self._pair_key, probe)
                if a < 0:
                    continue
                b = int(self._pair_key.searchsorted(probe, "right"))
                spells = abjad_spelling(token, b - a, hebrew)
                spelled: dict[tuple[int, int], bool] = {}  # a pair of tokens recurs in many names
                for name, (first, second) in zip(
                    self._pair_name[a:b].tolist(), self._pair_tokens[a:b].tolist(), strict=True
                ):
                    ok = spelled.get((first, second))
                    if ok is None:
                        ok = spelled[first, second] = spells(tokens[first] + tokens[second])
                        if ok:
                            variants.link([q], [first, second])
                    if ok:
                        variants.bounded.add(name)

    def _spelling(self, text: str) -> list[int]:
        """Vocabulary ids of every two tokens that `glue` into `text` (at any split, a consonant doubled across the
        junction or not, letters folded across it or not: "rcoft" is "rt" and "soft"), and of every three a listed
        name glues into it ("de", "la" and "cruz" for "delacruz")."""
        ids = self._graph.ids
        found: list[int] = list(self._glued_three.get(text, ()))
        splits = [(text[:at], right) for at in range(1, len(text)) for right in {text[at:], text[at - 1 :]}]
        for left_text, right_text in splits + unfolded_junctions(text):
            left, right = ids.get(left_text), ids.get(right_text)
            if left is not None and right is not None and glue((left_text, right_text)) == text:
                found += (left, right)
        return found

    # --- search -----------------------------------------------------------------------------------------------

    def search(
        self, query: Query, config: MatchConfig | None = None, eligible: EntryFilter | None = None
    ) -> list[Match]:
        """Best match per listed entity scoring at least `report_threshold`, best first (identifier hits always)."""
        cfg = config or self.config
        norm = normalise_name(query.name, query.entity_type)
        extra_entries = self._identifier_entries(query)
        if not norm.has_words:
            return self._score(query, norm, cfg, [], extra_entries, eligible, None, None)
        person_query = query.entity_type is EntityType.PERSON
        tokens, infos, weights, swaps = self._query_tokens(norm, cfg)
        hits, variants = self._candidates(norm, tokens, person_query)
        keep = hits[self._arrays.may_reach(tokens, hits, person_query, cfg)].tolist()
        more = np.fromiter(variants.bounded.difference(keep, variants.exact), dtype=np.int64)
        if len(more):
            spelled = _with_links(tokens, variants.links)
            keep += more[self._arrays.may_reach(spelled, more, person_query, cfg, spacing=True)].tolist()
        names = sorted(variants.exact.union(keep))
        if not names and not extra_entries:
            return []
        similar = {t: self._similar(info) for t, info in zip(norm.tokens, infos, strict=True)}
        return self._score(query, norm, cfg, names, extra_entries, eligible, weights, similar, variants.met, swaps)

    def screen(self, query: Query, config: MatchConfig | None = None, eligible: EntryFilter | None = None) -> Screening:
        """Search and decide CLEAR / REVIEW / BLOCK for one counterparty (rules in service.core.screening)."""
        from service.core.screening import decide  # screening imports Match from here

        cfg = config or self.config
        return decide(self.search(query, cfg, eligible), cfg)

    def exhaustive_search(
        self, query: Query, config: MatchConfig | None = None, eligible: EntryFilter | None = None
    ) -> list[Match]:
        """The same as `search` but scoring every indexed name: the reference for candidate recall.

        No blocking and no bound; token relations come from `word_similarity` over the whole vocabulary, not from
        the token graph, so the graph, the blocking and the bound are all checked against it.
        """
        cfg = config or self.config
        norm = normalise_name(query.name, query.entity_type)
        similar: dict[str, dict[str, float]] = {}
        extra: dict[str, float] = {}
        for token, kind in zip(norm.tokens, norm.kinds, strict=True):
            ids, sims = self._brute_related(token, cfg) if kind in WORD_KINDS else (EMPTY_IDS, EMPTY_SIMS)
            similar[token] = self._graph.named(ids, sims)
            if token not in self._graph.ids:
                extra[token] = self._misspelling_weight(ids, sims)
        weights = _QueryWeights(self._weights, extra)
        names = range(len(self._names)) if norm.has_words else range(0)
        return self._score(
            query, norm, cfg, names, self._identifier_entries(query), eligible, weights, similar, shared=False
        )

    def _identifier_entries(self, query: Query) -> set[int]:
        found: set[int] = set()
        for ident in query.identifiers:
            found.update(self._identifiers.get(normalise_identifier(ident.number), ()))
        return found

    def _score(
        self,
        query: Query,
        norm: NormName,
        cfg: MatchConfig,
        name_ids: Iterable[int],
        extra_entries: set[int],
        eligible: EntryFilter | None,
        weights: Mapping[str, float] | None,
        similar: Mapping[str, Mapping[str, float]] | None,
        spaced: set[int] | None = None,
        swaps: bool = True,
        shared: bool = True,
    ) -> list[Match]:
        """Score `name_ids` and the names of identifier hits; each entity's best name, best entities first. Only the
        `spaced` names (None: every name) are compared for spacing variants: the search's exact lookups found every
        name a variant joins to the query; `swaps=False` says no query word is written one swap from a listed one.
        With `shared`, names of one form (`_name_form`) are compared once (the exhaustive reference compares every
        name, and so checks this too)."""
        best: dict[int, tuple[float, int, NameComparison]] = {}
        compared: dict[int, NameComparison] = {}  # with `shared`: 2 * form + spaced → the comparison
        person = query.entity_type is EntityType.PERSON
        query_masses = [token_mass(t, k, weights) for t, k in zip(norm.tokens, norm.kinds, strict=True)]
        # Listed masses were computed once with the index weights; the exhaustive reference passes the same weights.
        precomputed = weights is not None

        def consider(name_id: int, keep_low: bool) -> None:
            entry_id = self._name_entry[name_id]
            variants = spaced is None or name_id in spaced
            key = 2 * self._name_form[name_id] + variants
            comparison = compared.get(key) if shared else None
            if comparison is None:
                comparison = compare_names(
                    norm,
                    self._names[name_id],
                    cfg,
                    person=person or self._name_person[name_id] == 1,
                    weights=weights,
                    similar=similar,
                    masses=(query_masses, self._listed_masses(name_id)) if precomputed else None,
                    principal=self._principal.get(name_id, ()),
                    spaced=variants,
                    swaps=swaps,
                )
                if shared:
                    compared[key] = comparison
            if comparison.score < cfg.report_threshold and not keep_low:
                return
            weighted = comparison.score * kind_factor(self._name_kind[name_id], cfg)
            current = best.get(entry_id)
            if current is None or weighted > current[0]:
                best[entry_id] = (weighted, name_id, comparison)

        for name_id in name_ids:
            consider(name_id, self._name_entry[name_id] in extra_entries)
        # Identifier hits whose names score low are still reported: the identifier is decisive evidence.
        for entry_id in extra_entries - best.keys():
            for name_id in self._entry_names[entry_id]:
                consider(name_id, True)
        matches: list[Match] = []
        for entry_id, (weighted, name_id, comparison) in best.items():
            entry = self.entries[entry_id]
            if eligible is not None and not eligible(entry):
                continue
            link = self._linked.get(entry_id)
            linked = None if link is None else (link, self._evidence[entry_id])
            matches.append(self._explain(query, cfg, entry, name_id, weighted, comparison, linked))
        matches.sort(key=lambda m: (-m.score, m.entry.list_id, m.entry.entity_id))
        return matches[: cfg.max_matches]

    def _listed_masses(self, name_id: int) -> Sequence[float]:
        return self._mass_values[self._mass_start[name_id] : self._mass_start[name_id + 1]]

    def _explain(
        self,
        query: Query,
        cfg: MatchConfig,
        entry: ListEntry,
        name_id: int,
        weighted: float,
        comparison: NameComparison,
        linked: tuple[Link, ListEntry] | None = None,
    ) -> Match:
        """The match with its features; `linked` is the link to the twin record and the entry weighed with the
        twin's attributes."""
        kind = self._name_kind[name_id]
        listed = self._names[name_id]
        features: dict[str, Feature] = {
            "name": Feature(comparison.score, query.name, listed.original, comparison.explain()),
        }
        if weighted != comparison.score:
            features["name_kind"] = Feature(weighted - comparison.score, None, kind.value)
        evidence = entry if linked is None else linked[1]
        if linked is not None:
            twin = self.entries[linked[0].twin]
            features["linked_record"] = Feature(0.0, None, f"{twin.list_id}:{twin.entity_id}", linked[0].reason)
        for feature in (
            country_feature(query, evidence, cfg),
            dob_feature(query, evidence, cfg),
            identifier_feature(query, evidence, cfg),
            type_feature(query, evidence, cfg),
        ):
            if feature is not None:
                features[feature[0]] = feature[1]
        total = sum(f.contribution for f in features.values())
        return Match(
            entry=entry,
            list_version=self.versions.get(entry.list_id, ""),
            query_name=query.name,
            matched_name=listed.original,
            name_kind=kind,
            score=min(1.0, max(0.0, total)),
            name_score=comparison.score,
            features=features,
        )
