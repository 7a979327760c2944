"""A vectorised upper bound of the name score over many candidate names at once (numpy, no per-name Python).

`NameArrays` holds every indexed name as flat arrays (token ids into the `TokenIndex` vocabulary, kinds, lengths,
weighted masses). `prefilter` evaluates, for all candidates of one query together, the same bound as the per-name
`_ScoreBound` in service.core.matcher when no joined pair or spacing variant is possible: tokens with a related
partner (equal or fuzzy neighbour) count as matched with their own weighted length, tokens without one count as
unmatched at the smallest factor that can apply, and the one-name-part cap applies when at most one strong part has
a strong partner (persons: an initial relates to every word with its first letter). Candidates that may form a
joined pair or spacing variant, and candidates whose bound reaches the threshold, are kept for the exact per-name
bound and the scorer. The joined-pair test is a necessary condition from LCS rows:
LCS(t, y1 + y2) <= LCS(t, y1) + LCS(t, y2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Indel

from service.core.match_config import MatchConfig
from service.core.model import EntityType
from service.core.names import INITIAL, MAX_JOINABLE, NUMBER, PARTICLE, SPLIT_CUTOFF, STRONG, NormName
from service.core.token_index import Row, TokenIndex

if TYPE_CHECKING:
    from service.core.matcher import Query

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_SLACK = 1e-6


@dataclass(frozen=True, slots=True)
class NameArrays:
    """Flat per-token-occurrence arrays of all indexed names (CSR by name id)."""

    token_ids: dict[str, int]
    start: IntArray  # name id → first occurrence; start[n + 1] ends it
    token: npt.NDArray[np.int32]  # occurrence → vocabulary id (TokenIndex order; long tokens after the short ones)
    kind: npt.NDArray[np.int8]
    length: npt.NDArray[np.int16]
    mass: FloatArray  # length x token weight
    token_count: npt.NDArray[np.int16]
    strong_count: npt.NDArray[np.int16]
    concat_length: npt.NDArray[np.int32]
    concat: tuple[str, ...]
    has_initials: BoolArray
    first: npt.NDArray[np.int32]  # occurrence → code of its first letter (the person initial rule)
    person: BoolArray
    short_tokens: int  # vocabulary ids below this have LCS rows
    weights: Mapping[str, float]

    @classmethod
    def build(
        cls, names: Sequence[NormName], person: Sequence[bool], tokens: TokenIndex, weights: Mapping[str, float]
    ) -> NameArrays:
        """Flatten `names` (`person[i]`: name i belongs to a person entry)."""
        token_ids = {t: i for i, t in enumerate((*tokens.tokens, *tokens.long_tokens))}
        counts = np.array([len(n.tokens) for n in names], dtype=np.int64)
        start = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        flat = [t for n in names for t in n.tokens]
        return cls(
            token_ids=token_ids,
            start=start,
            token=np.array([token_ids[t] for t in flat], dtype=np.int32),
            kind=np.array([k for n in names for k in n.kinds], dtype=np.int8),
            length=np.array([len(t) for t in flat], dtype=np.int16),
            mass=np.array([len(t) * weights.get(t, 1.0) for t in flat], dtype=np.float64),
            token_count=counts.astype(np.int16),
            strong_count=np.array([n.strong_count for n in names], dtype=np.int16),
            concat_length=np.array([len(n.concat) for n in names], dtype=np.int32),
            concat=tuple(n.concat for n in names),
            has_initials=np.array([n.has_initials for n in names], dtype=np.bool_),
            first=np.array([ord(t[0]) for t in flat], dtype=np.int32),
            person=np.array(person, dtype=np.bool_),
            short_tokens=len(tokens.tokens),
            weights=weights,
        )

    def prefilter(
        self,
        query: NormName,
        similar: Mapping[str, Mapping[str, float]],
        joined_tokens: Iterable[str],
        rows: Mapping[str, Row],
        raw: Query,
        cfg: MatchConfig,
        name_ids: IntArray,
    ) -> dict[int, bool]:
        """The name ids among `name_ids` whose score may reach `cfg.report_threshold` (never drops one that can),
        each with whether it may form a joined pair with the query (False: it certainly cannot)."""
        cand = name_ids
        if not len(cand) or not query.tokens:
            return dict.fromkeys(cand.tolist(), True)
        starts = self.start[cand]
        counts = self.start[cand + 1] - starts
        offsets = np.zeros(len(cand), dtype=np.int64)
        np.cumsum(counts[:-1], out=offsets[1:])
        total = int(counts.sum())
        occ = np.repeat(starts - offsets, counts) + np.arange(total, dtype=np.int64)
        group = np.repeat(np.arange(len(cand), dtype=np.int64), counts)
        tok = self.token[occ]
        kind = self.kind[occ]
        mass = self.mass[occ]
        length = self.length[occ]
        vocab = len(self.token_ids)

        # Relation of each query token with each occurrence: equal or fuzzy neighbour (what compare_names looks up),
        # and for persons an initial against any word with that first letter.
        person = self.person[cand] | (raw.entity_type is EntityType.PERSON)
        person_occ = person[group]
        first = self.first[occ]
        q_kinds = np.array(query.kinds, dtype=np.int8)
        related = np.zeros((len(query.tokens), total), dtype=np.bool_)
        for i, (x, kx) in enumerate(zip(query.tokens, query.kinds, strict=True)):
            near = [x, *similar.get(x, {})] if kx <= PARTICLE else [x]
            ids = [self.token_ids[t] for t in near if t in self.token_ids]
            if ids:
                table = np.zeros(vocab, dtype=np.bool_)
                table[ids] = True
                related[i] = table[tok]
            if kx == INITIAL:
                related[i] |= person_occ & (kind != NUMBER) & (first == ord(x))
            elif kx != NUMBER:
                related[i] |= person_occ & (kind == INITIAL) & (first == ord(x[0]))
        initial_related = related & ((q_kinds == INITIAL)[:, None] | (kind == INITIAL)[None, :])
        initial_pair = np.bincount(group, weights=initial_related.any(axis=0), minlength=len(cand)) > 0
        used_listed = related.any(axis=0)
        hit_query = np.logical_or.reduceat(related, offsets, axis=1)
        q_len = np.array([len(t) for t in query.tokens], dtype=np.float64)
        q_weight = np.array([self.weights.get(t, 1.0) for t in query.tokens], dtype=np.float64)
        q_mass = q_len * q_weight
        q_counted = q_kinds != INITIAL
        # Every pair holds one query and one listed token and weighs (len x + len y) x min(weights): the matched
        # weight is at most the sum over listed tokens, and over query tokens, of their heaviest related pair.
        pair = np.where(
            related,
            (q_len[:, None] + length[None, :]) * np.minimum(q_weight[:, None], (mass / length)[None, :]),
            0.0,
        )
        best_listed = pair.max(axis=0)
        best_query = np.maximum.reduceat(pair, offsets, axis=1)
        matched = np.minimum(np.bincount(group, weights=best_listed, minlength=len(cand)), best_query.sum(axis=0))
        lost_listed = np.bincount(group, weights=mass * (~used_listed & (kind != INITIAL)), minlength=len(cand))
        lost_query = (q_mass * q_counted) @ ~hit_query

        strong_pairs = related & (q_kinds == STRONG)[:, None] & (kind == STRONG)[None, :]
        strong_listed = np.bincount(group, weights=strong_pairs.any(axis=0), minlength=len(cand))
        strong_query = np.logical_or.reduceat(strong_pairs, offsets, axis=1).sum(axis=0)
        strong_parts = np.minimum(strong_listed, strong_query)
        listed_strong = self.strong_count[cand]
        capped = (
            (strong_parts <= 1)
            & (np.maximum(listed_strong, query.strong_count) >= 2)
            & (person | (np.minimum(listed_strong, query.strong_count) >= 2))
            & ~((strong_parts == 1) & initial_pair)
        )
        factor_single = np.where(
            person,
            min(cfg.conflict_weight, cfg.person_surplus_weight),
            min(cfg.conflict_weight, cfg.unmatched_weight),
        )
        factor = np.where((lost_query > 0) & (lost_listed > 0), cfg.conflict_weight, factor_single)
        denominator = matched + factor * (lost_query + lost_listed)
        threshold = cfg.report_threshold - max(0.0, cfg.legal_form_agree) - max(0.0, cfg.place_agree) - _SLACK
        reaches = (matched > 0) & ~capped & (matched >= threshold * denominator)

        # Also kept for the exact checks: names of another token count that may form a spacing variant or a joined
        # pair.
        keep = reaches.copy()
        other_count = self.token_count[cand] != len(query.tokens)
        concat = self.concat_length[cand]
        qc = len(query.concat)
        maybe_concat = other_count & (2.0 * np.minimum(concat, qc) >= cfg.concat_min * (concat + qc) - _SLACK)
        for pos in np.flatnonzero(maybe_concat).tolist():
            other = self.concat[int(cand[pos])]
            if Indel.normalized_similarity(query.concat, other, score_cutoff=cfg.concat_min):
                keep[pos] = True
        # Joined pairs, where the joined string is at most (2 - c) / c times the single token's length (Indel
        # similarity >= c), so the pair weighs at most 2 / c x the single token's weighted length. (A) A listed token
        # similar to two joined query tokens is in `joined_tokens`. (B) A query token t against two joined listed
        # tokens needs LCS(t, y1) + LCS(t, y2) >= c/2 (|t| + |y1| + |y2|), so the two largest slacks
        # LCS(t, y) - c/2 |y| of the name's joinable tokens must reach c/2 |t|. Names where either may happen get
        # the bound with those pairs added and without the one-part cap (a joined pair lifts it).
        cutoff = max(cfg.token_cutoff, SPLIT_CUTOFF)
        stretch = 2.0 / cutoff
        joinable = (kind == STRONG) | (kind == PARTICLE)
        q_join = (q_kinds == STRONG) | (q_kinds == PARTICLE)
        best_listed_m = best_listed.copy()
        best_query_m = best_query.copy()
        maybe_query = hit_query.copy()
        maybe_listed = used_listed.copy()
        merges = np.zeros(len(cand), dtype=np.bool_)
        joined_ids = [self.token_ids[t] for t in joined_tokens if t in self.token_ids]
        if joined_ids:
            table = np.zeros(vocab, dtype=np.bool_)
            table[joined_ids] = True
            single = table[tok] & other_count[group]
            heaviest = np.maximum.reduceat(np.where(single, stretch * mass, 0.0), offsets)
            merged_a = heaviest > 0
            merges |= merged_a
            best_listed_m = np.maximum(best_listed_m, np.where(single, stretch * mass, 0.0))
            best_query_m = np.maximum(best_query_m, q_join[:, None] * heaviest[None, :])
            maybe_query |= q_join[:, None] & merged_a[None, :]
            maybe_listed |= single
        joinable_count = np.bincount(group, weights=joinable, minlength=len(cand))
        splittable = other_count & (joinable_count >= 2) & (joinable_count <= MAX_JOINABLE)
        if splittable.any():
            short = tok < self.short_tokens
            has_second = counts >= 2
            second = np.where(has_second, offsets + 1, offsets)
            heaviest_b = np.zeros(len(cand), dtype=np.float64)
            for i, (x, kx) in enumerate(zip(query.tokens, query.kinds, strict=True)):
                if kx != STRONG or len(x) < 4:
                    continue
                lcs = np.where(short, rows[x][np.minimum(tok, self.short_tokens - 1)], 255).astype(np.float64)
                slack = np.where(joinable, lcs - cutoff / 2 * length, -1e9)
                ranked = slack[np.lexsort((-slack, group))]
                best_two = ranked[offsets] + np.where(has_second, ranked[second], -1e9)
                flagged = splittable & (best_two >= cutoff / 2 * len(x) - _SLACK)
                if flagged.any():
                    best_query_m[i] = np.maximum(best_query_m[i], np.where(flagged, stretch * q_mass[i], 0.0))
                    maybe_query[i] |= flagged
                    heaviest_b = np.maximum(heaviest_b, np.where(flagged, stretch * q_mass[i], 0.0))
            merged_b = heaviest_b > 0
            merges |= merged_b
            parts = joinable & merged_b[group]
            best_listed_m = np.maximum(best_listed_m, np.where(parts, heaviest_b[group], 0.0))
            maybe_listed |= parts
        if merges.any():
            matched_m = np.minimum(
                np.bincount(group, weights=best_listed_m, minlength=len(cand)), best_query_m.sum(axis=0)
            )
            lost_listed_m = np.bincount(group, weights=mass * (~maybe_listed & (kind != INITIAL)), minlength=len(cand))
            lost_query_m = (q_mass * q_counted) @ ~maybe_query
            factor_m = np.where((lost_query_m > 0) & (lost_listed_m > 0), cfg.conflict_weight, factor_single)
            reaches_m = matched_m >= threshold * (matched_m + factor_m * (lost_query_m + lost_listed_m))
            keep |= merges & (matched_m > 0) & reaches_m
        return {int(n): bool(m) for n, m in zip(cand[keep].tolist(), merges[keep].tolist(), strict=True)}
