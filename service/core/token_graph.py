"""Every pair of vocabulary tokens the scorer relates, computed once per index.

`word_similarity` (service.core.names) relates two different word tokens when a single adjacent swap turns one into
the other, or when their Indel ratio reaches the cutoff and the length rules allow it: both at least
`fuzzy_min_length` long, and, below `fuzzy_first_letter_length`, the same first letter. The graph holds, for every
word token of the listed names, all its related tokens with the credited similarity (CSR arrays), so a query token
that is in the vocabulary costs one lookup. A token the lists do not contain is related the same way at query time.

Where to look, so nothing is missed and little is scanned: an Indel ratio of at least c needs the shorter token at
least c / (2 - c) times the longer one, so each token is compared only with tokens in that length window; pairs whose
shorter token is below `fuzzy_first_letter_length` are looked up among tokens with the same first letter only; swaps
are enumerated. The compiled LCS scan (`service.core.token_index`) gives each ratio exactly as `word_similarity`
computes it, and the credit is `credit`'s, elementwise.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Iterator

import numpy as np
import numpy.typing as npt

from service.core.korean import korean_key, romanised_korean
from service.core.match_config import MatchConfig
from service.core.names import WORD_KINDS, credit, credit_swap, shifted, spelling_key, token_kind
from service.core.token_index import TokenIndex

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
EMPTY_IDS: IntArray = np.zeros(0, dtype=np.int32)
EMPTY_SIMS: FloatArray = np.zeros(0, dtype=np.float64)


class TokenGraph:
    """The vocabulary (token ↔ id) and its related word pairs under one token configuration."""

    def __init__(self, tokens: Iterable[str], config: MatchConfig) -> None:
        self.tokens: list[str] = sorted(set(tokens))
        self.ids: dict[str, int] = {t: i for i, t in enumerate(self.tokens)}
        self.key = config.token_key
        self._config = config
        words = [t for t in self.tokens if token_kind(t) in WORD_KINDS]
        self._words = frozenset(words)
        fuzzy = [t for t in words if len(t) >= config.fuzzy_min_length]
        # Any first letter once both tokens reach `fuzzy_first_letter_length`; below it, the same first letter.
        self._long = TokenIndex(t for t in fuzzy if len(t) >= config.fuzzy_first_letter_length)
        by_letter: dict[str, list[str]] = {}
        for t in fuzzy:
            by_letter.setdefault(t[0], []).append(t)
        self._by_letter = {letter: TokenIndex(group) for letter, group in by_letter.items()}
        # Each pool's tokens as vocabulary ids (what `_relations` returns of a pool's hits).
        self._pool_ids = {
            id(pool): np.array([self.ids[t] for t in pool.tokens], dtype=np.int32)
            for pool in (self._long, *self._by_letter.values())
        }
        self._window_cache: dict[tuple[int, str], list[tuple[TokenIndex, IntArray, int, int]]] = {}
        # Words that differ only by the h of an "sh" or "ch", or an o for a u or an e for an i (`digraph_similarity`)
        # share a group: per `spelling_key` a number, per vocabulary id its word's number (-1 for tokens too short to
        # relate by spelling).
        self._spelling_group: dict[str, int] = {}
        self._group_of = np.full(len(self.tokens), -1, dtype=np.int32)
        for t in fuzzy:
            self._group_of[self.ids[t]] = self._spelling_group.setdefault(spelling_key(t), len(self._spelling_group))
        # Words that are romanised Korean syllables, by their McCune-Reischauer key (`korean.py`: "ieong", "iong").
        self._korean: dict[str, list[str]] = {}
        for t in words:
            if romanised_korean(t):
                self._korean.setdefault(korean_key(t), []).append(t)
        edges: dict[int, dict[int, float]] = {}
        for x in words:
            ix = self.ids[x]
            found, sims = self._relations(x, larger_only=True)
            for iy, sim in zip(found.tolist(), sims.tolist(), strict=True):
                edges.setdefault(ix, {})[iy] = sim
                edges.setdefault(iy, {})[ix] = sim
        self.indptr = np.zeros(len(self.tokens) + 1, dtype=np.int64)
        counts = np.zeros(len(self.tokens), dtype=np.int64)
        for ix, near in edges.items():
            counts[ix] = len(near)
        np.cumsum(counts, out=self.indptr[1:])
        self.indices = np.zeros(int(self.indptr[-1]), dtype=np.int32)
        self.sims = np.zeros(int(self.indptr[-1]), dtype=np.float64)
        for ix, near in edges.items():
            start = int(self.indptr[ix])
            ordered = sorted(near)
            self.indices[start : start + len(ordered)] = ordered
            self.sims[start : start + len(ordered)] = [near[i] for i in ordered]

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def edge_count(self) -> int:
        """Related pairs, each counted from both ends."""
        return len(self.indices)

    def related_ids(self, token: str) -> tuple[IntArray, FloatArray]:
        """Vocabulary ids related to a word token (itself excluded) and the credited similarities."""
        i = self.ids.get(token)
        if i is not None:
            start, end = int(self.indptr[i]), int(self.indptr[i + 1])
            return self.indices[start:end], self.sims[start:end]
        if token_kind(token) not in WORD_KINDS:
            return EMPTY_IDS, EMPTY_SIMS
        return self._relations(token, larger_only=False)

    def _relations(self, x: str, larger_only: bool) -> tuple[IntArray, FloatArray]:
        """Vocabulary ids related to the word token `x` (itself excluded), sorted, with the credited similarities
        (a swap wins over the same token found by its ratio); with `larger_only`, only tokens after `x` in (length,
        token) order: the build visits every pair once from its smaller end."""
        cfg = self._config

        def after_x(y: str) -> bool:
            return not larger_only or (len(y), y) > (len(x), x)

        ids: list[IntArray] = []
        sims: list[FloatArray] = []
        swaps = [self.ids[y] for y in self._swaps(x) if after_x(y)]
        if swaps:
            ids.append(np.array(swaps, dtype=np.int32))
            sims.append(np.full(len(swaps), credit_swap(len(x), cfg)))
        # Another romanisation of the same Korean syllables ("jeong" / "jong"), which no ratio may reach ("eun" /
        # "un"), as `word_similarity` relates them; after the swaps, which win as they do there.
        korean = [self.ids[y] for y in self._korean.get(korean_key(x), ()) if y != x and after_x(y)]
        if korean and not romanised_korean(x):
            korean = []
        if korean:
            ids.append(np.array(korean, dtype=np.int32))
            sims.append(np.full(len(korean), cfg.digraph_similarity))
        long_hits = False
        bare = spelling_key(x)
        group = self._spelling_group.get(bare, -2)  # -2: no vocabulary word is spelled so
        for pool, pool_ids, begin, end in self._windows(x, larger_only):
            at, raw = pool.scan(x, cfg.token_cutoff, begin, end)
            # A pair whose shorter token is below `fuzzy_first_letter_length` has no shifted letters
            # (`word_similarity`): only same-letter pools hold such pairs, and a shifted token has x's own length.
            if len(at) and pool is not self._long and len(x) < cfg.fuzzy_first_letter_length:
                tokens = pool.tokens
                same_length = np.flatnonzero(pool.lengths[at] == len(x)).tolist()
                drop = [k for k in same_length if shifted(x, tokens[int(at[k])])]
                if drop:
                    at, raw = np.delete(at, drop), np.delete(raw, drop)
            if len(at):
                hit_ids = pool_ids[at]
                hit_sims = np.maximum(0.0, 1.0 - cfg.fuzzy_penalty * (1.0 - raw))  # `credit`, elementwise
                if group >= 0:  # most misspellings spell no vocabulary word's way
                    hit_sims[self._group_of[hit_ids] == group] = cfg.digraph_similarity
                ids.append(hit_ids)
                sims.append(hit_sims)
            for y, ratio in pool.similar_long(x, cfg.token_cutoff):
                if y != x and after_x(y):
                    ids.append(np.array([self.ids[y]], dtype=np.int32))
                    sims.append(np.array([cfg.digraph_similarity if spelling_key(y) == bare else credit(ratio, cfg)]))
                    long_hits = True
        if not ids:
            return EMPTY_IDS, EMPTY_SIMS
        all_ids, all_sims = (ids[0], sims[0]) if len(ids) == 1 else (np.concatenate(ids), np.concatenate(sims))
        if swaps or korean or long_hits:
            unique, first = np.unique(all_ids, return_index=True)  # sorted; the first occurrence wins
            return unique.astype(np.int32), all_sims[first]
        # The pools' windows hold disjoint lengths, so no id comes twice: sorting is enough.
        order = np.argsort(all_ids)
        return all_ids[order], all_sims[order]

    def related(self, token: str) -> dict[str, float]:
        """Every vocabulary token `word_similarity` relates to a word token, with the credited similarity."""
        return self.named(*self.related_ids(token))

    def named(self, ids: IntArray, sims: FloatArray) -> dict[str, float]:
        """Vocabulary ids with their similarities as token → similarity (what the scorer looks up)."""
        tokens = self.tokens
        return {tokens[i]: s for i, s in zip(ids.tolist(), sims.tolist(), strict=True)}

    def _pools(self, x: str, larger_only: bool) -> list[tuple[TokenIndex, int, int]]:
        """Where `x`'s fuzzy relatives can be: (pool, shortest, longest) length windows."""
        cfg = self._config
        m = len(x)
        if m < cfg.fuzzy_min_length:
            return []
        c = cfg.token_cutoff
        shortest = max(cfg.fuzzy_min_length, math.ceil(c * m / (2.0 - c) - 1e-9))
        longest = math.floor((2.0 - c) * m / c + 1e-9)
        if larger_only:
            shortest = max(shortest, m)
        first_letter = cfg.fuzzy_first_letter_length
        pools: list[tuple[TokenIndex, int, int]] = []
        same_letter = self._by_letter.get(x[0])
        if same_letter is not None:
            # Pairs whose shorter token is below `fuzzy_first_letter_length` (first letters must agree).
            top = longest if m < first_letter else first_letter - 1
            if shortest <= top:
                pools.append((same_letter, shortest, top))
        if m >= first_letter:
            pools.append((self._long, max(shortest, first_letter), longest))
        return pools

    def _windows(self, x: str, larger_only: bool) -> list[tuple[TokenIndex, IntArray, int, int]]:
        """`_pools` as slices: (pool, its tokens' vocabulary ids, begin, end). A query token's windows depend only
        on its length and first letter, so they are kept (a few hundred at most); the build's depend on the token."""
        key = (len(x), x[0])
        if not larger_only and (windows := self._window_cache.get(key)) is not None:
            return windows
        windows = []
        for pool, lo, hi in self._pools(x, larger_only):
            begin, end = pool.span(lo, hi)
            if larger_only:  # pool tokens are sorted by (length, token): those after x start here
                begin = max(begin, bisect_right(pool.tokens, (len(x), x), key=lambda t: (len(t), t)))
            windows.append((pool, self._pool_ids[id(pool)], begin, end))
        if not larger_only:
            self._window_cache[key] = windows
        return windows

    def _swaps(self, x: str) -> Iterator[str]:
        """Vocabulary word tokens that are `x` with two adjacent letters swapped."""
        if len(x) < self._config.transposition_min_length:
            return
        for i in range(len(x) - 1):
            if x[i] != x[i + 1]:
                y = x[:i] + x[i + 1] + x[i] + x[i + 2 :]
                if y in self._words:
                    yield y
