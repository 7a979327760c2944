"""The matcher: an index over the active list versions, candidate blocking, scoring with explanations.

`MatcherIndex.build` normalises every listed name once. `search` finds candidates by token blocking (exact and
fuzzy tokens via a deletion neighbourhood, joined tokens for spacing variants, identifiers), then scores them with the
same pairwise scorer as `exhaustive_search` (`service.core.names.compare_names`), adds the secondary attributes
(country, date of birth, identifiers, entity type) as signed contributions, and keeps each entity's best name.
Decisions for a counterparty live in `service.core.screening`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import permutations
from typing import TYPE_CHECKING, Any

from rapidfuzz import process
from rapidfuzz.distance import Indel

from service.core.match_config import MatchConfig
from service.core.model import EntityType, Identifier, ListEntry, NameKind, PartialDate
from service.core.names import NUMBER, PARTICLE, STRONG, NormName, compare_names, normalise_name

if TYPE_CHECKING:
    from service.core.screening import Screening

__all__ = ["Feature", "Match", "MatchConfig", "MatcherIndex", "Query", "normalise_identifier"]

EntryFilter = Callable[[ListEntry], bool]

_ID_CHARS = re.compile(r"[^0-9a-z]")
# Kinds of identifier that are numbers of the same register, so a match between different labels still counts.
_ID_KIND_GROUPS = {"tax": "tax", "registration": "registration", "national_id": "national_id", "passport": "passport"}
# Identifier kinds that describe contact points, not identity: they neither block nor contradict.
_ID_IGNORED = frozenset({"email", "website", "phone"})
# Token weights: a token in at most this many listed names weighs 1; more frequent ones weigh log(N/df)/log(N/this),
# never less than the floor ("al", "mohamed", "trading", "institute" count for a quarter to a half).
_IDF_FULL_FREQUENCY = 20
_IDF_FLOOR = 0.25


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
        # Every distinct token of every name by length, and by length and first letter, for exact fuzzy
        # neighbourhoods through rapidfuzz; `_weights` = informativeness from token frequency.
        self._by_length: dict[int, list[str]] = {}
        self._by_length_first: dict[tuple[int, str], list[str]] = {}
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
        for token in sorted(frequency):
            self._by_length.setdefault(len(token), []).append(token)
            self._by_length_first.setdefault((len(token), token[0]), []).append(token)

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

    def similar_tokens(self, token: str, cfg: MatchConfig, cutoff: float | None = None) -> dict[str, float]:
        """Every vocabulary token `token_similarity` relates to `token` (both name parts), with the similarity.

        Exact and complete (rapidfuzz over the length window the cutoff allows), cached: first names repeat a lot.
        """
        cutoff = cfg.token_cutoff if cutoff is None else cutoff
        key = (token, cutoff, cfg.fuzzy_min_length, cfg.fuzzy_first_letter_length)
        cached = self._similar_cache.get(key)
        if cached is not None:
            return cached
        found: dict[str, float] = {}  # the token itself is left out: equal tokens are compared directly
        size = len(token)
        if size >= cfg.fuzzy_min_length:
            low = max(cfg.fuzzy_min_length, math.floor(cutoff * size / (2.0 - cutoff)))
            high = math.ceil((2.0 - cutoff) * size / cutoff)
            for length in range(low, high + 1):
                if min(size, length) < cfg.fuzzy_first_letter_length:
                    bucket = self._by_length_first.get((length, token[0]))
                else:
                    bucket = self._by_length.get(length)
                if not bucket:
                    continue
                for other, sim, _ in process.extract(
                    token, bucket, scorer=Indel.normalized_similarity, score_cutoff=cutoff, limit=None
                ):
                    if other != token:
                        found[other] = sim
        if len(self._similar_cache) > 200_000:
            self._similar_cache.clear()
        self._similar_cache[key] = found
        return found

    def _key_names(self, key: str, cfg: MatchConfig) -> set[int]:
        found: set[int] = set()
        token_id = self._vocab.get(key)
        if token_id is not None:
            found.update(self._postings[token_id])
        for other in self.similar_tokens(key, cfg):
            token_id = self._vocab.get(other)
            if token_id is not None:
                found.update(self._postings[token_id])
        return found

    def candidates(self, query: Query, config: MatchConfig | None = None) -> set[int]:
        """Name ids that may score above the report threshold for `query` (blocking, no scoring).

        A name can only pass the one-name-part rule with two matching parts, so when the query has several parts a
        candidate must be hit by two different query keys, unless either name has at most one part or initials.
        """
        cfg = config or MatchConfig()
        norm = normalise_name(query.name, query.entity_type)
        keys = sorted(set(_token_keys(norm)))
        per_key = [self._key_names(key, cfg) for key in keys]
        joined: set[int] = set()
        for key in {norm.concat, *_joined_keys(norm), *keys}:
            joined.update(self._joined.get(key, ()))
        # Two query tokens joined against one listed token ("Igor Ivanovich" / "Igorovich"): the split pairs of the
        # scorer need 0.8, so the neighbourhood is narrower than the token one.
        split_cutoff = max(cfg.token_cutoff, 0.8)
        for key in _joined_keys(norm) | {norm.concat}:
            for other in (key, *self.similar_tokens(key, cfg, split_cutoff)):
                token_id = self._vocab.get(other)
                if token_id is not None:
                    joined.update(self._postings[token_id])
        # Listed names without a strong part are posted under their initials.
        for letter in {t[0] for t in norm.tokens}:
            token_id = self._vocab.get(letter)
            if token_id is not None:
                joined.update(self._postings[token_id])
        if len(per_key) == 1 or norm.strong_count <= 1 or norm.has_initials:
            found: set[int] = set().union(*per_key) if per_key else set()
            return found | joined
        counts: dict[int, int] = {}
        for names in per_key:
            for name_id in names:
                counts[name_id] = counts.get(name_id, 0) + 1
        names_ = self._names
        return joined | {
            name_id
            for name_id, count in counts.items()
            if count >= 2 or names_[name_id].strong_count <= 1 or names_[name_id].has_initials
        }

    def search(
        self, query: Query, config: MatchConfig | None = None, eligible: EntryFilter | None = None
    ) -> list[Match]:
        """Best match per listed entity scoring at least `report_threshold`, best first (identifier hits always)."""
        cfg = config or MatchConfig()
        name_ids = self.candidates(query, cfg)
        extra_entries = self._identifier_entries(query)
        return self._score(query, cfg, name_ids, extra_entries, eligible)

    def screen(self, query: Query, config: MatchConfig | None = None, eligible: EntryFilter | None = None) -> Screening:
        """Search and decide CLEAR / REVIEW / BLOCK for one counterparty (rules in service.core.screening)."""
        from service.core.screening import decide  # screening imports Match from here

        cfg = config or MatchConfig()
        return decide(self.search(query, cfg, eligible), cfg)

    def exhaustive_search(
        self, query: Query, config: MatchConfig | None = None, eligible: EntryFilter | None = None
    ) -> list[Match]:
        """The same as `search` but scoring every indexed name: the reference for candidate recall."""
        cfg = config or MatchConfig()
        return self._score(
            query, cfg, set(range(len(self._names))), self._identifier_entries(query), eligible, exhaustive=True
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
        exhaustive: bool = False,
    ) -> list[Match]:
        norm = normalise_name(query.name, query.entity_type)
        weights = self._weights
        # The exhaustive reference computes every token similarity itself; search looks them up.
        similar = None if exhaustive else {t: self.similar_tokens(t, cfg) for t in set(norm.tokens)}
        best: dict[int, tuple[float, int, Any]] = {}
        person = query.entity_type is EntityType.PERSON
        for name_id in name_ids:
            entry_id = self._name_entry[name_id]
            listed = self._names[name_id]
            is_person = person or self.entries[entry_id].entity_type is EntityType.PERSON
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
