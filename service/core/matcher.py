"""The matcher: an index over the active list versions, candidate blocking, scoring with explanations.

`MatcherIndex.build` normalises every listed name once. `search` finds candidates by token blocking (exact tokens and
their exact fuzzy neighbourhoods from `service.core.token_index`, joined tokens for spacing variants, identifiers),
drops the candidates whose name score provably stays below the report threshold (the vectorised bound of
`service.core.name_bound`, then `_ScoreBound` per name), scores the rest with the same pairwise scorer as
`exhaustive_search` (`service.core.names.compare_names`), adds the secondary attributes (country, date of birth,
identifiers, entity type) as signed contributions, and keeps each entity's best name. Decisions for a counterparty
live in `service.core.screening`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import permutations
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Indel

from service.core.match_config import MatchConfig
from service.core.model import EntityType, Identifier, ListEntry, NameKind, PartialDate
from service.core.name_bound import NameArrays
from service.core.names import (
    INITIAL,
    NUMBER,
    PARTICLE,
    SPLIT_CUTOFF,
    STRONG,
    NormName,
    compare_names,
    normalise_name,
    split_candidates,
    token_similarity,
)
from service.core.token_index import Row, TokenIndex

if TYPE_CHECKING:
    from service.core.screening import Screening

__all__ = ["Feature", "Match", "MatchConfig", "MatcherIndex", "Query", "normalise_identifier"]

EntryFilter = Callable[[ListEntry], bool]
IntArray = npt.NDArray[np.int64]
_NO_NAMES: IntArray = np.zeros(0, dtype=np.int64)

_ID_CHARS = re.compile(r"[^0-9a-z]")
# Kinds of identifier that are numbers of the same register, so a match between different labels still counts.
_ID_KIND_GROUPS = {"tax": "tax", "registration": "registration", "national_id": "national_id", "passport": "passport"}
# Identifier kinds that describe contact points, not identity: they neither block nor contradict.
_ID_IGNORED = frozenset({"email", "website", "phone"})
# Token weights: a token in at most this many listed names weighs 1; more frequent ones weigh log(N/df)/log(N/this),
# never less than the floor ("al", "mohamed", "trading", "institute" count for a quarter to a half).
_IDF_FULL_FREQUENCY = 20
_IDF_FLOOR = 0.25
# LCS rows (one byte per vocabulary token) kept for the most recent query tokens.
_ROW_CACHE = 512


@dataclass(frozen=True, slots=True)
class Query:
    """A counterparty to screen: name plus whatever secondary attributes the caller knows."""

    name: str
    entity_type: EntityType | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    date_of_birth: PartialDate | None = None
    identifiers: tuple[Identifier, ...] = ()


@dataclass(frozen=True, slots=True)
class Feature:
    """One signed contribution to a match score and the raw values that produced it."""

    contribution: float
    query: Any
    listed: Any
    detail: Any = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = {"contribution": round(self.contribution, 4), "query": self.query, "listed": self.listed}
        if self.detail is not None:
            data["detail"] = self.detail
        return data


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

    def to_dict(self) -> dict[str, Any]:
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


def normalise_identifier(number: str) -> str:
    """Identifier number reduced to lowercase letters and digits ("IMO 9.123.456" → "imo9123456" → "9123456")."""
    text = _ID_CHARS.sub("", number.casefold())
    return text.removeprefix("imo") if text.startswith("imo") and text[3:].isdigit() else text


def _token_keys(name: NormName) -> list[str]:
    """Fuzzy blocking keys of a name: its strong and number tokens (all tokens if it has none)."""
    keys = [t for t, k in zip(name.tokens, name.kinds, strict=True) if k in (STRONG, NUMBER)]
    return keys or list(name.tokens)


def _joined_keys(name: NormName) -> set[str]:
    """Exact blocking keys for spacing variants: every ordered pair of joinable tokens glued together."""
    joinable = [t for t, k in zip(name.tokens, name.kinds, strict=True) if k in (STRONG, PARTICLE)]
    if not 2 <= len(joinable) <= 6:
        return set()
    return {x + y for x, y in permutations(joinable, 2)}


class MatcherIndex:
    """Normalised names of all active list entries with blocking structures; build once, search many times."""

    def __init__(self) -> None:
        self.entries: list[ListEntry] = []
        self.versions: dict[str, str] = {}
        self._names: list[NormName] = []
        self._name_entry: list[int] = []
        self._name_kind: list[NameKind] = []
        self._vocab: dict[str, int] = {}
        self._vocab_tokens: list[str] = []
        self._postings: list[list[int]] = []
        self._identifiers: dict[str, list[int]] = {}
        # Every distinct token of every name, for exact fuzzy neighbourhoods (bit-parallel LCS rows, the last few
        # cached: first names repeat); `_weights` = informativeness from token frequency.
        self._tokens = TokenIndex(())
        self._arrays = NameArrays.build([], [], self._tokens, {})
        self._rows: dict[str, Row] = {}
        self._posting_arrays: list[IntArray] = []
        self._weights: dict[str, float] = {}
        self._similar_cache: dict[tuple[str, float, int, int], dict[str, float]] = {}
        self._joined: dict[str, list[int]] = {}  # joined-pair key → name ids, exact lookups only

    @classmethod
    def build(cls, entries: Iterable[ListEntry], versions: Mapping[str, str]) -> MatcherIndex:
        """Index every name of every entry; `versions` maps list id → version label carried into each match."""
        index = cls()
        index.versions = dict(versions)
        for entry in entries:
            entry_id = len(index.entries)
            index.entries.append(entry)
            seen: set[tuple[str, ...]] = set()
            for name in entry.names:
                norm = normalise_name(name.value, entry.entity_type)
                if not norm.tokens or norm.tokens in seen:
                    continue
                seen.add(norm.tokens)
                name_id = len(index._names)
                index._names.append(norm)
                index._name_entry.append(entry_id)
                index._name_kind.append(name.kind)
                for key in set(_token_keys(norm)):
                    index._posting(key).append(name_id)
                for key in _joined_keys(norm):
                    index._joined.setdefault(key, []).append(name_id)
            for ident in entry.identifiers:
                if ident.type in _ID_IGNORED:
                    continue
                number = normalise_identifier(ident.number)
                if len(number) >= 4:
                    index._identifiers.setdefault(number, []).append(entry_id)
        index._finish()
        return index

    def _finish(self) -> None:
        """Token frequencies → weights; the length-sorted vocabulary for fuzzy neighbourhoods."""
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
        self._tokens = TokenIndex(frequency)
        self._posting_arrays = [np.array(p, dtype=np.int64) for p in self._postings]
        person = [self.entries[e].entity_type is EntityType.PERSON for e in self._name_entry]
        self._arrays = NameArrays.build(self._names, person, self._tokens, self._weights)

    @property
    def weights(self) -> Mapping[str, float]:
        """Token informativeness in (0, 1] from frequency over the indexed names (absent tokens weigh 1)."""
        return self._weights

    def _posting(self, key: str) -> list[int]:
        token_id = self._vocab.get(key)
        if token_id is None:
            token_id = len(self._vocab_tokens)
            self._vocab[key] = token_id
            self._vocab_tokens.append(key)
            self._postings.append([])
        return self._postings[token_id]

    @property
    def name_count(self) -> int:
        """Number of distinct normalised names indexed."""
        return len(self._names)

    def clear_caches(self) -> None:
        """Forget cached token neighbourhoods, LCS rows and name normalisations (benchmarks measure cold)."""
        self._similar_cache.clear()
        self._rows.clear()
        normalise_name.cache_clear()

    def _row(self, token: str) -> Row:
        row = self._rows.get(token)
        if row is None:
            if len(self._rows) >= _ROW_CACHE:
                self._rows.pop(next(iter(self._rows), ""), None)  # oldest first
            row = self._rows[token] = self._tokens.lcs_row(token)
        return row

    def similar_tokens(self, token: str, cfg: MatchConfig, cutoff: float | None = None) -> dict[str, float]:
        """Every vocabulary token `token_similarity` relates to `token` (both name parts), with the similarity.

        Exact and complete (service.core.token_index), cached: first names repeat a lot.
        """
        cutoff = cfg.token_cutoff if cutoff is None else cutoff
        key = (token, cutoff, cfg.fuzzy_min_length, cfg.fuzzy_first_letter_length)
        cached = self._similar_cache.get(key)
        if cached is not None:
            return cached
        found: dict[str, float] = {}  # the token itself is left out: equal tokens are compared directly
        size = len(token)
        if size >= cfg.fuzzy_min_length:
            for other, sim in self._tokens.neighbours(token, cutoff, self._row(token)).items():
                shorter = min(size, len(other))
                if shorter < cfg.fuzzy_min_length:
                    continue
                if shorter < cfg.fuzzy_first_letter_length and other[0] != token[0]:
                    continue
                found[other] = sim
        if len(self._similar_cache) > 200_000:
            self._similar_cache.clear()
        self._similar_cache[key] = found
        return found

    def _names_of(self, tokens: Iterable[str]) -> list[IntArray]:
        """Posting arrays (name ids) of the given blocking keys that exist."""
        vocab = self._vocab
        postings = self._posting_arrays
        return [postings[i] for i in (vocab.get(t) for t in tokens) if i is not None]

    def _key_names(self, key: str, cfg: MatchConfig) -> IntArray:
        parts = self._names_of((key, *self.similar_tokens(key, cfg)))
        return np.unique(np.concatenate(parts)) if parts else _NO_NAMES

    def _joined_neighbours(self, norm: NormName, cutoff: float) -> set[str]:
        """Vocabulary tokens at least `cutoff` similar to two joined query tokens or to the whole query joined."""
        found: set[str] = set()
        joinable = [t for t, k in zip(norm.tokens, norm.kinds, strict=True) if k in (STRONG, PARTICLE)]
        if 2 <= len(joinable) <= 6:
            for i, x in enumerate(joinable):
                for y in joinable[i + 1 :]:
                    found |= self._tokens.joined_neighbours([self._row(x), self._row(y)], {x + y, y + x}, cutoff)
        if norm.tokens:
            found |= self._tokens.joined_neighbours([self._row(t) for t in norm.tokens], [norm.concat], cutoff)
        return found

    def candidates(self, query: Query, config: MatchConfig | None = None) -> set[int]:
        """Name ids that may score above the report threshold for `query` (blocking, no scoring).

        A name can only pass the one-name-part rule with two matching parts, so when the query has several parts a
        candidate must be hit by two different query keys, unless either name has at most one part or initials.
        """
        cfg = config or MatchConfig()
        return set(self._candidates(normalise_name(query.name, query.entity_type), cfg)[0].tolist())

    def _candidates(self, norm: NormName, cfg: MatchConfig) -> tuple[IntArray, set[str]]:
        """Candidate name ids, and the vocabulary tokens similar to joined query tokens (for the score bound)."""
        keys = sorted(set(_token_keys(norm)))
        per_key = [self._key_names(key, cfg) for key in keys]
        joined = [
            np.array(found, dtype=np.int64)
            for found in (self._joined.get(key) for key in {norm.concat, *_joined_keys(norm), *keys})
            if found
        ]
        # Two query tokens joined against one listed token ("Igor Ivanovich" / "Igorovich"), and the whole query
        # glued together: the split pairs of the scorer need 0.8, so the neighbourhood is narrower than the token one.
        joined_tokens = self._joined_neighbours(norm, max(cfg.token_cutoff, SPLIT_CUTOFF))
        joined += self._names_of(joined_tokens)
        # Listed names without a strong part are posted under their initials.
        joined += self._names_of({t[0] for t in norm.tokens})
        if len(per_key) == 1 or norm.strong_count <= 1 or norm.has_initials:
            parts = per_key + joined
            return (np.unique(np.concatenate(parts)) if parts else _NO_NAMES), joined_tokens
        hit, count = np.unique(np.concatenate(per_key), return_counts=True)
        arrays = self._arrays
        ok = (count >= 2) | (arrays.strong_count[hit] <= 1) | arrays.has_initials[hit]
        return np.unique(np.concatenate([hit[ok], *joined])), joined_tokens

    def search(
        self, query: Query, config: MatchConfig | None = None, eligible: EntryFilter | None = None
    ) -> list[Match]:
        """Best match per listed entity scoring at least `report_threshold`, best first (identifier hits always)."""
        cfg = config or MatchConfig()
        norm = normalise_name(query.name, query.entity_type)
        name_ids, joined_tokens = self._candidates(norm, cfg)
        extra_entries = self._identifier_entries(query)
        similar = {t: self.similar_tokens(t, cfg) for t in set(norm.tokens)}
        # Vectorised score bound first: most candidates share only common or unrelated parts.
        keep = self._arrays.prefilter(
            norm, similar, joined_tokens, {t: self._row(t) for t in set(norm.tokens)}, query, cfg, name_ids
        )
        if extra_entries:
            keep.update((i, True) for i in name_ids.tolist() if self._name_entry[i] in extra_entries)
        return self._score(query, cfg, keep, extra_entries, eligible, similar=similar, mergeable=keep)

    def screen(self, query: Query, config: MatchConfig | None = None, eligible: EntryFilter | None = None) -> Screening:
        """Search and decide CLEAR / REVIEW / BLOCK for one counterparty (rules in service.core.screening)."""
        from service.core.screening import decide  # screening imports Match from here

        cfg = config or MatchConfig()
        return decide(self.search(query, cfg, eligible), cfg)

    def exhaustive_search(
        self, query: Query, config: MatchConfig | None = None, eligible: EntryFilter | None = None
    ) -> list[Match]:
        """The same as `search` but scoring every indexed name: the reference for candidate recall.

        No blocking and no score bound; the token neighbourhoods are found by plain rapidfuzz over the whole
        vocabulary, filtered by `token_similarity` itself (independent of the vectorised LCS used by `search`).
        """
        cfg = config or MatchConfig()
        norm = normalise_name(query.name, query.entity_type)
        vocabulary = [*self._tokens.tokens, *self._tokens.long_tokens]
        similar: dict[str, dict[str, float]] = {}
        for token in set(norm.tokens):
            similar[token] = {
                other: sim
                for other, _, _ in process.extract(
                    token, vocabulary, scorer=Indel.normalized_similarity, score_cutoff=cfg.token_cutoff, limit=None
                )
                if other != token and (sim := token_similarity(token, STRONG, other, STRONG, cfg))
            }
        return self._score(
            query, cfg, range(len(self._names)), self._identifier_entries(query), eligible, similar=similar
        )

    def _identifier_entries(self, query: Query) -> set[int]:
        found: set[int] = set()
        for ident in query.identifiers:
            found.update(self._identifiers.get(normalise_identifier(ident.number), ()))
        return found

    def _score(
        self,
        query: Query,
        cfg: MatchConfig,
        name_ids: Iterable[int],
        extra_entries: set[int],
        eligible: EntryFilter | None,
        *,
        similar: Mapping[str, Mapping[str, float]] | None = None,
        mergeable: Mapping[int, bool] | None = None,
    ) -> list[Match]:
        """Score `name_ids`; `mergeable` (search only) turns on the per-name bound and says which names may form a
        joined pair. The exhaustive reference scores every name without any bound."""
        norm = normalise_name(query.name, query.entity_type)
        weights = self._weights
        best: dict[int, tuple[float, int, Any]] = {}
        person = query.entity_type is EntityType.PERSON
        bound = None if similar is None or mergeable is None else _ScoreBound(norm, similar, weights, cfg)
        for name_id in name_ids:
            entry_id = self._name_entry[name_id]
            listed = self._names[name_id]
            is_person = person or self.entries[entry_id].entity_type is EntityType.PERSON
            if (
                bound is not None
                and entry_id not in extra_entries
                and not bound.may_reach(listed, is_person, mergeable is None or mergeable.get(name_id, True))
            ):
                continue
            comparison = compare_names(norm, listed, cfg, person=is_person, weights=weights, similar=similar)
            if comparison.score < cfg.report_threshold and entry_id not in extra_entries:
                continue
            kind_factor = _kind_factor(self._name_kind[name_id], cfg)
            weighted = comparison.score * kind_factor
            current = best.get(entry_id)
            if current is None or weighted > current[0]:
                best[entry_id] = (weighted, name_id, comparison)
        # Identifier hits whose names share no token are still reported: the identifier is decisive evidence.
        for entry_id in extra_entries - best.keys():
            entry_names = [i for i, e in enumerate(self._name_entry) if e == entry_id]
            scored = [
                (compare_names(norm, self._names[i], cfg, person=person, weights=weights, similar=similar), i)
                for i in entry_names
            ]
            if scored:
                comparison, name_id = max(scored, key=lambda c: c[0].score)
                best[entry_id] = (comparison.score * _kind_factor(self._name_kind[name_id], cfg), name_id, comparison)
        matches: list[Match] = []
        for entry_id, (weighted, name_id, comparison) in best.items():
            entry = self.entries[entry_id]
            if eligible is not None and not eligible(entry):
                continue
            matches.append(self._explain(query, cfg, entry, name_id, weighted, comparison))
        matches.sort(key=lambda m: (-m.score, m.entry.list_id, m.entry.entity_id))
        return matches[: cfg.max_matches]

    def _explain(
        self, query: Query, cfg: MatchConfig, entry: ListEntry, name_id: int, weighted: float, comparison: Any
    ) -> Match:
        kind = self._name_kind[name_id]
        listed = self._names[name_id]
        features: dict[str, Feature] = {
            "name": Feature(comparison.score, query.name, listed.original, comparison.explain()),
        }
        if weighted != comparison.score:
            features["name_kind"] = Feature(weighted - comparison.score, None, kind.value)
        for feature in (
            _country_feature(query, entry, cfg),
            _dob_feature(query, entry, cfg),
            _identifier_feature(query, entry, cfg),
            _type_feature(query, entry, cfg),
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


class _ScoreBound:
    """A cheap upper bound of `compare_names(query, listed)`: skip names that provably stay below the threshold.

    The token score is matched weight / (matched weight + unmatched cost), then capped by the one-name-part and
    number rules. A token can only be matched if some token of the other name is related to it: equal, fuzzy
    neighbour (the same lookups `compare_names` makes), person initial, or part of a joined pair (the scorer's own
    split candidates). Every pair weighs at most the sum of its tokens' weighted lengths (unweighted for the parts of
    a joined string, which the scorer weighs as one unknown token), and every token without any partner costs at
    least the smallest unmatched factor that can apply (the conflict factor when both names certainly keep
    leftovers). Moving weight from the unmatched cost to the matched weight only raises the ratio, so assuming every
    related token matches gives an upper bound. At most as many strong parts match as have a strong partner, which
    decides the one-part cap when no joined pair is possible. Spacing variants (concat score) use the full scorer.
    """

    __slots__ = ("cfg", "near", "query", "threshold", "weights")

    def __init__(
        self,
        query: NormName,
        similar: Mapping[str, Mapping[str, float]],
        weights: Mapping[str, float],
        cfg: MatchConfig,
    ) -> None:
        self.query = query
        # Query token → every listed token it may pair with (itself included); numbers and initials only exactly.
        self.near = [
            (t, k, frozenset((t, *similar.get(t, {}))) if k <= PARTICLE else frozenset((t,)))
            for t, k in zip(query.tokens, query.kinds, strict=True)
        ]
        self.weights = weights
        self.cfg = cfg
        self.threshold = cfg.report_threshold - max(0.0, cfg.legal_form_agree) - max(0.0, cfg.place_agree) - 1e-9

    def may_reach(self, listed: NormName, person: bool, mergeable: bool = True) -> bool:
        """False only when `compare_names` is certain to score `listed` below the report threshold.

        `mergeable` False says that no joined pair is possible (the vectorised prefilter proved it)."""
        query = self.query
        cfg = self.cfg
        if query.numbers and listed.numbers and query.numbers != listed.numbers:
            return False  # the number cap applies whatever else matches
        tokens = listed.tokens
        kinds = listed.kinds
        if merged := len(query.tokens) != len(tokens):
            merged = mergeable
        if len(query.tokens) != len(tokens) and Indel.normalized_similarity(
            query.concat, listed.concat, score_cutoff=cfg.concat_min
        ):
            return True
        # Token index → the largest share of a pair weight it may carry, for tokens that may be matched. A joined
        # pair weighs (joined length + single length) x min(weights) <= that x the single token's weight.
        weights = self.weights
        used_query: dict[int, float] = {}
        used_listed: dict[int, float] = {}
        if merged:
            for _, x, _, ia, ib in split_candidates(query, listed, cfg):
                weight = weights.get(x, 1.0)
                used_query[ia[0]] = max(used_query.get(ia[0], 0.0), len(x) * weight)
                for j in ib:
                    used_listed[j] = max(used_listed.get(j, 0.0), len(tokens[j]) * weight)
            for _, y, _, ib, ia in split_candidates(listed, query, cfg):
                weight = weights.get(y, 1.0)
                used_listed[ib[0]] = max(used_listed.get(ib[0], 0.0), len(y) * weight)
                for i in ia:
                    used_query[i] = max(used_query.get(i, 0.0), len(query.tokens[i]) * weight)
            merged = bool(used_query)
        strong_query = 0
        strong_listed: set[int] = set()
        initial_pair = False
        for i, (x, kx, near) in enumerate(self.near):
            strong = False
            for j, y in enumerate(tokens):
                ky = kinds[j]
                if y in near:
                    if kx == STRONG and ky == STRONG:
                        strong = True
                        strong_listed.add(j)
                    elif kx == INITIAL or ky == INITIAL:
                        initial_pair = True
                elif person and (kx == INITIAL or ky == INITIAL) and kx != NUMBER and ky != NUMBER and x[0] == y[0]:
                    initial_pair = True
                else:
                    continue
                # A token pair weighs (len x + len y) x min(weights) <= each token's own weighted length summed.
                used_query[i] = max(used_query.get(i, 0.0), len(x) * weights.get(x, 1.0))
                used_listed[j] = max(used_listed.get(j, 0.0), len(y) * weights.get(y, 1.0))
            strong_query += strong
        matched = lost_query = lost_listed = 0.0
        for i, (x, kx) in enumerate(zip(query.tokens, query.kinds, strict=True)):
            share = used_query.get(i)
            if share is not None:
                matched += share
            elif kx != INITIAL:
                lost_query += len(x) * weights.get(x, 1.0)
        for j, (y, ky) in enumerate(zip(tokens, kinds, strict=True)):
            share = used_listed.get(j)
            if share is not None:
                matched += share
            elif ky != INITIAL:
                lost_listed += len(y) * weights.get(y, 1.0)
        if not matched:
            return False
        if not merged:
            strong_parts = min(strong_query, len(strong_listed))
            if (
                strong_parts <= 1
                and max(query.strong_count, listed.strong_count) >= 2
                and (person or min(query.strong_count, listed.strong_count) >= 2)
                and not (strong_parts == 1 and initial_pair)
            ):
                return False  # OFAC FAQ 5 cap
        if lost_query and lost_listed:
            factor = cfg.conflict_weight
        else:
            factor = min(cfg.conflict_weight, cfg.person_surplus_weight if person else cfg.unmatched_weight)
        return matched / (matched + factor * (lost_query + lost_listed)) >= self.threshold


def _kind_factor(kind: NameKind, cfg: MatchConfig) -> float:
    if kind is NameKind.WEAK_ALIAS:
        return cfg.weak_alias_factor
    if kind is NameKind.FORMER:
        return cfg.former_name_factor
    return 1.0


def _country_feature(query: Query, entry: ListEntry, cfg: MatchConfig) -> tuple[str, Feature] | None:
    """Country agreement raises, disagreement lowers; absent on either side says nothing."""
    if not query.country:
        return None
    listed = sorted({c for c in (*entry.nationalities, *entry.countries) if len(c) == 2})
    listed += sorted({a.country for a in entry.addresses if a.country} - set(listed))
    if not listed:
        return None
    agree = query.country.upper() in {c.upper() for c in listed}
    return "country", Feature(cfg.country_agree if agree else cfg.country_disagree, query.country, listed)


def _dob_feature(query: Query, entry: ListEntry, cfg: MatchConfig) -> tuple[str, Feature] | None:
    """Date of birth: full-date equality and year equality raise; years further apart than the tolerance lower."""
    dob = query.date_of_birth
    if dob is None or not entry.dates_of_birth:
        return None
    listed = [d.iso() for d in entry.dates_of_birth]
    best = cfg.dob_disagree
    for cand in entry.dates_of_birth:
        lo, hi = cand.year, cand.year_to or cand.year
        if cand.circa:
            lo, hi = lo - cfg.dob_year_tolerance, hi + cfg.dob_year_tolerance
        if (
            dob.month is not None
            and dob.day is not None
            and (cand.year, cand.month, cand.day) == (dob.year, dob.month, dob.day)
        ):
            best = max(best, cfg.dob_exact)
        elif lo <= dob.year <= hi:
            if cand.month is not None and dob.month is not None and cand.month != dob.month:
                best = max(best, 0.0)  # same year, different month: neither for nor against
            else:
                best = max(best, cfg.dob_year)
        elif lo - cfg.dob_year_tolerance <= dob.year <= hi + cfg.dob_year_tolerance:
            best = max(best, 0.0)  # within tolerance: typos and circa dates, no evidence either way
    return "date_of_birth", Feature(best, dob.iso(), listed)


def _identifier_feature(query: Query, entry: ListEntry, cfg: MatchConfig) -> tuple[str, Feature] | None:
    """An equal identifier number is decisive; a different number of the same kind lowers a little."""
    mine = [i for i in query.identifiers if i.type not in _ID_IGNORED]
    theirs = [i for i in entry.identifiers if i.type not in _ID_IGNORED]
    if not mine or not theirs:
        return None
    listed_numbers = {normalise_identifier(i.number): i for i in theirs}
    for ident in mine:
        number = normalise_identifier(ident.number)
        if len(number) >= 4 and number in listed_numbers:
            hit = listed_numbers[number]
            return "identifier", Feature(
                cfg.identifier_match, f"{ident.type}:{ident.number}", f"{hit.type}:{hit.number}"
            )
    my_kinds = {_ID_KIND_GROUPS.get(i.type, i.type) for i in mine}
    their_kinds = {_ID_KIND_GROUPS.get(i.type, i.type) for i in theirs}
    if my_kinds & their_kinds - {"other"}:
        return "identifier", Feature(
            cfg.identifier_disagree,
            [f"{i.type}:{i.number}" for i in mine],
            [f"{i.type}:{i.number}" for i in theirs],
        )
    return None


def _type_feature(query: Query, entry: ListEntry, cfg: MatchConfig) -> tuple[str, Feature] | None:
    """A person never matches an organisation/vessel and vice versa; unknown types say nothing."""
    if query.entity_type in (None, EntityType.UNKNOWN) or entry.entity_type is EntityType.UNKNOWN:
        return None
    mine = query.entity_type is EntityType.PERSON
    theirs = entry.entity_type is EntityType.PERSON
    if mine == theirs:
        return None
    return "entity_type", Feature(cfg.type_disagree, query.entity_type.value, entry.entity_type.value)
