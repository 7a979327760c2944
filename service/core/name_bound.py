"""A vectorised upper bound of the name score over many candidate names at once (numpy, no per-name Python).

`compare_names` (service.core.names) scores Σ s·m over matched tokens / (Σ m over matched + Σ f·m over unmatched),
where m is a token's mass, s its pair's credited similarity and f the unmatched factor. Every token sits in at most
one pair, and its pair's similarity is at most b, the token's best similarity to any token of the other name. So
the numerator is at most N = Σ b·m over both names, and the loss (denominator minus numerator) at least
L = Σ m·min(1 - b, f) over tokens that have a partner plus Σ f·m over tokens that have none; N / (N + L) bounds the
score from above, because x / (x + y) grows with x and falls with y. f is the conflict factor when both names
certainly keep a leftover (a token without any partner on each side), else the smaller factor that may apply.

The caps are necessary conditions checked the same way: numbers that differ (the number cap), at most one strong
part with a strong partner (OFAC FAQ 5), no strong or number part related at all. Spacing variants (a token against
two joined tokens, the same letters split differently) are not covered: the index finds those names by exact
lookups and scores them without the bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from service.core.match_config import MatchConfig
from service.core.names import INITIAL, NUMBER, STRONG, NormName, token_mass

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class QueryTokens:
    """What the bound needs of a query: per token its kind, mass and related vocabulary ids with similarities."""

    name: NormName
    masses: FloatArray
    own_ids: Sequence[int]  # vocabulary id of the token itself, -1 when the lists do not contain it
    related: Sequence[tuple[npt.NDArray[np.int32], FloatArray]]  # sorted ids, credited similarities (words only)


@dataclass(frozen=True, slots=True)
class TokenHits:
    """The names a query token relates to, each with what the token can bring to it: the best credited similarity,
    Σ similarity × mass and Σ mass over the name's related tokens (sorted by name id)."""

    names: IntArray
    best: FloatArray
    listed_mass: FloatArray
    related_mass: FloatArray

    def at(self, cand: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """`best`, `listed_mass` and `related_mass` for each candidate (0 where the token relates to nothing)."""
        if not len(self.names):
            zero = np.zeros(len(cand), dtype=np.float64)
            return zero, zero, zero
        pos = np.minimum(np.searchsorted(self.names, cand), len(self.names) - 1)
        found = self.names[pos] == cand
        return (
            np.where(found, self.best[pos], 0.0),
            np.where(found, self.listed_mass[pos], 0.0),
            np.where(found, self.related_mass[pos], 0.0),
        )


@dataclass(frozen=True, slots=True)
class NameArrays:
    """Flat per-token-occurrence arrays of all indexed names (CSR by name id)."""

    start: IntArray  # name id → first occurrence; start[n + 1] ends it
    token: npt.NDArray[np.int32]  # occurrence → vocabulary id
    kind: npt.NDArray[np.int8]
    mass: FloatArray
    first: npt.NDArray[np.int32]  # occurrence → code of its first letter (the person initial rule)
    strong_count: npt.NDArray[np.int16]
    core_count: npt.NDArray[np.int16]  # strong and number tokens
    number_count: npt.NDArray[np.int16]  # distinct numbers
    has_initials: BoolArray
    person: BoolArray
    total_mass: FloatArray
    word_mass: FloatArray  # the heaviest word token (what a query initial can pair with)
    initial_count: npt.NDArray[np.int16]

    @classmethod
    def build(
        cls,
        names: Sequence[NormName],
        person: Sequence[bool],
        ids: Mapping[str, int],
        weights: Mapping[str, float],
    ) -> NameArrays:
        """Flatten `names` (`person[i]`: name i belongs to a person entry; `ids`: the vocabulary)."""
        counts = np.array([len(n.tokens) for n in names], dtype=np.int64)
        start = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        flat = [(t, k) for n in names for t, k in zip(n.tokens, n.kinds, strict=True)]
        masses = [[token_mass(t, k, weights) for t, k in zip(n.tokens, n.kinds, strict=True)] for n in names]
        return cls(
            start=start,
            token=np.array([ids[t] for t, _ in flat], dtype=np.int32),
            kind=np.array([k for _, k in flat], dtype=np.int8),
            mass=np.array([token_mass(t, k, weights) for t, k in flat], dtype=np.float64),
            first=np.array([ord(t[0]) for t, _ in flat], dtype=np.int32),
            strong_count=np.array([n.strong_count for n in names], dtype=np.int16),
            core_count=np.array([sum(k in (STRONG, NUMBER) for k in n.kinds) for n in names], dtype=np.int16),
            number_count=np.array([len(n.numbers) for n in names], dtype=np.int16),
            has_initials=np.array([n.has_initials for n in names], dtype=np.bool_),
            person=np.array(person, dtype=np.bool_),
            total_mass=np.array([sum(m) for m in masses], dtype=np.float64),
            word_mass=np.array(
                [
                    max((m for m, k in zip(ms, n.kinds, strict=True) if k != INITIAL), default=0.0)
                    for ms, n in zip(masses, names, strict=True)
                ],
                dtype=np.float64,
            ),
            initial_count=np.array([n.kinds.count(INITIAL) for n in names], dtype=np.int16),
        )

    def may_reach_coarse(
        self, query: QueryTokens, hits: Sequence[TokenHits | None], cand: IntArray, person_query: bool, cfg: MatchConfig
    ) -> BoolArray:
        """A first, cheaper bound from per-token summaries (no per-occurrence work): False only when the score
        certainly stays below the report threshold. `hits[i]` summarises query token i (None for an initial).

        The same N / (N + L) argument as `may_reach`, with each token's best similarity to the name, the listed
        side's matched mass bounded by Σ over query tokens of similarity × mass of their related listed tokens
        (never more than the name's mass), and its unmatched mass by the name's mass minus the mass related to any
        query token. Initials relate by rule (first letters), so they are assumed to pair with the heaviest word."""
        q = query.name
        m, n = len(q.tokens), len(cand)
        best = np.zeros((m, n), dtype=np.float64)
        listed = np.zeros((m, n), dtype=np.float64)
        related = np.zeros((m, n), dtype=np.float64)
        for i, summary in enumerate(hits):
            if summary is not None and len(summary.names):
                pos = np.minimum(np.searchsorted(summary.names, cand), len(summary.names) - 1)
                found = summary.names[pos] == cand
                np.copyto(best[i], summary.best[pos], where=found)
                np.copyto(listed[i], summary.listed_mass[pos], where=found)
                np.copyto(related[i], summary.related_mass[pos], where=found)
        kinds = np.array(q.kinds, dtype=np.int8)
        initial_rows = kinds == INITIAL
        word_rows = (kinds != INITIAL) & (kinds != NUMBER)
        person = self.person[cand] | person_query
        if initial_rows.any():
            # A person's initial may pair with any word of the name that starts with its letter.
            word = np.where(person, self.word_mass[cand], 0.0)
            best[initial_rows] = np.where(
                person, np.maximum(best[initial_rows], cfg.initial_similarity), best[initial_rows]
            )
            listed[initial_rows] += cfg.initial_similarity * word
            related[initial_rows] += word
        listed_initials = self.initial_count[cand].astype(np.float64)
        can_initial = person & (listed_initials > 0)
        if word_rows.any() and can_initial.any():
            # A word may pair with a person's listed initial.
            best[word_rows] = np.where(
                can_initial, np.maximum(best[word_rows], cfg.initial_similarity), best[word_rows]
            )
            listed[word_rows] += np.where(can_initial, cfg.initial_similarity * listed_initials, 0.0)
            related[word_rows] += np.where(can_initial, listed_initials, 0.0)
        total = self.total_mass[cand]
        masses = query.masses[:, None]
        single = np.where(person, cfg.person_surplus_weight, cfg.unmatched_weight)
        factor = np.minimum(cfg.conflict_weight, single)[None, :]
        token_factor = np.where(initial_rows[:, None], cfg.unmatched_weight, factor)
        numerator = (best * masses).sum(axis=0) + np.minimum(listed.sum(axis=0), total)
        loss_query = (masses * np.where(best > 0.0, np.minimum(1.0 - best, token_factor), token_factor)).sum(axis=0)
        unmatched_listed = np.maximum(0.0, total - related.sum(axis=0))
        loss = loss_query + np.minimum(factor[0], cfg.unmatched_weight) * unmatched_listed
        threshold = cfg.report_threshold - max(0.0, cfg.legal_form_agree) - max(0.0, cfg.place_agree) - _SLACK
        reaches = numerator >= threshold * (numerator + loss)
        if q.numbers:
            # Distinct query numbers: each missing from the name, or the name holding others, caps the score.
            rows_of = {t: i for i, (t, k) in enumerate(zip(q.tokens, q.kinds, strict=True)) if k == NUMBER}
            present = best[list(rows_of.values())] > 0.0
            number_count = self.number_count[cand]
            differs = ~present.all(axis=0) | (number_count > present.sum(axis=0))
            reaches &= ~((number_count > 0) & differs)
        result: BoolArray = reaches
        return result

    def may_reach(self, query: QueryTokens, cand: IntArray, person_query: bool, cfg: MatchConfig) -> BoolArray:
        """For each candidate name id: False only when `compare_names` certainly scores it below the report
        threshold by token alignment (spacing variants aside)."""
        if not len(cand):
            return np.zeros(0, dtype=np.bool_)
        q = query.name
        starts = self.start[cand]
        counts = self.start[cand + 1] - starts
        offsets = np.zeros(len(cand), dtype=np.int64)
        np.cumsum(counts[:-1], out=offsets[1:])
        total = int(counts.sum())
        group = np.repeat(np.arange(len(cand), dtype=np.int64), counts)
        occ = np.repeat(starts - offsets, counts) + np.arange(total, dtype=np.int64)
        tok = self.token[occ]
        kind = self.kind[occ]
        mass = self.mass[occ]
        person = self.person[cand] | person_query

        # Best credited similarity of each query token (row) with each listed occurrence (column).
        sims = np.zeros((len(q.tokens), total), dtype=np.float64)
        listed_initial = kind == INITIAL
        any_initials = q.has_initials or bool(listed_initial.any())
        first = self.first[occ] if any_initials else None
        person_occ = person[group] if any_initials else None
        for i, (x, kx) in enumerate(zip(q.tokens, q.kinds, strict=True)):
            row = sims[i]
            ids, values = query.related[i]
            if len(ids):
                pos = np.minimum(np.searchsorted(ids, tok), len(ids) - 1)
                np.copyto(row, values[pos], where=ids[pos] == tok)
            if query.own_ids[i] >= 0:
                row[tok == query.own_ids[i]] = 1.0
            if first is not None and person_occ is not None and kx != NUMBER:
                if kx == INITIAL:
                    rule = person_occ & (kind != NUMBER) & (kind != INITIAL) & (first == ord(x))
                else:
                    rule = person_occ & listed_initial & (first == ord(x[0]))
                np.copyto(row, cfg.initial_similarity, where=rule & (row == 0.0))
        best_query = np.maximum.reduceat(sims, offsets, axis=1)  # (query tokens, candidates)
        best_listed = sims.max(axis=0)  # per occurrence

        q_kinds = np.array(q.kinds, dtype=np.int8)
        q_initial = q_kinds == INITIAL
        # The unmatched factor: conflict when both sides certainly keep a non-initial leftover.
        lost_query = ((best_query == 0.0) & ~q_initial[:, None]).any(axis=0)
        lost_listed = np.bincount(group, weights=(best_listed == 0.0) & ~listed_initial, minlength=len(cand)) > 0
        single = np.where(person, cfg.person_surplus_weight, cfg.unmatched_weight)
        factor = np.where(lost_query & lost_listed, cfg.conflict_weight, np.minimum(cfg.conflict_weight, single))
        factor_query = np.where(q_initial[:, None], cfg.unmatched_weight, factor[None, :])
        factor_listed = np.where(listed_initial, cfg.unmatched_weight, factor[group])

        masses = query.masses[:, None]
        numerator = (best_query * masses).sum(axis=0) + np.bincount(
            group, weights=best_listed * mass, minlength=len(cand)
        )
        loss_query = np.where(best_query > 0.0, np.minimum(1.0 - best_query, factor_query), factor_query)
        loss_listed = np.where(best_listed > 0.0, np.minimum(1.0 - best_listed, factor_listed), factor_listed)
        loss = (loss_query * masses).sum(axis=0) + np.bincount(group, weights=loss_listed * mass, minlength=len(cand))
        threshold = cfg.report_threshold - max(0.0, cfg.legal_form_agree) - max(0.0, cfg.place_agree) - _SLACK
        reaches = numerator >= threshold * (numerator + loss)

        # A strong or number part of each side must be related (compare_names scores 0 otherwise).
        related = sims > 0.0
        q_core = (q_kinds == STRONG) | (q_kinds == NUMBER)
        listed_core = (kind == STRONG) | (kind == NUMBER)
        if q_core.any():
            core = np.bincount(group, weights=related[q_core].any(axis=0) & listed_core, minlength=len(cand)) > 0
            reaches &= core | (self.core_count[cand] == 0)

        # Numbers that differ cap the score below the threshold.
        if q.numbers:
            number_rows = q_kinds == NUMBER
            listed_number = kind == NUMBER
            extra = listed_number & ~related[number_rows].any(axis=0)
            differs = (np.bincount(group, weights=extra, minlength=len(cand)) > 0) | (
                best_query[number_rows] == 0.0
            ).any(axis=0)
            reaches &= ~((self.number_count[cand] > 0) & differs)

        # OFAC FAQ 5: at most one strong part with a strong partner caps the score below the threshold.
        q_strong = q_kinds == STRONG
        listed_strong_count = self.strong_count[cand]
        may_cap = (np.maximum(listed_strong_count, q.strong_count) >= 2) & (
            person | (np.minimum(listed_strong_count, q.strong_count) >= 2)
        )
        if may_cap.any():
            strong_pairs = related[q_strong] & (kind == STRONG)[None, :]
            strong_listed = np.bincount(group, weights=strong_pairs.any(axis=0), minlength=len(cand))
            strong_query = np.logical_or.reduceat(strong_pairs, offsets, axis=1).sum(axis=0)
            parts = np.minimum(strong_listed, strong_query)
            initial_pair = (
                np.bincount(
                    group,
                    weights=related[q_initial].any(axis=0) | (related.any(axis=0) & listed_initial),
                    minlength=len(cand),
                )
                > 0
                if any_initials
                else np.zeros(len(cand), dtype=np.bool_)
            )
            reaches &= ~(may_cap & (parts <= 1) & ~((parts == 1) & initial_pair))
        result: BoolArray = reaches
        return result
