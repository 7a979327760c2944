"""Exact fuzzy neighbourhoods of a token over the whole listed vocabulary, vectorised.

The name scorer pairs two tokens when their rapidfuzz Indel similarity 2·LCS/(len x + len y) reaches a cutoff, so the
index must find every vocabulary token that close to a query token, without missing one. Scoring 40,000 tokens
through rapidfuzz costs ~10 ms per query token (most of it converting the Python strings on every call); here the
vocabulary is held once as per-character position bitmasks and the longest common subsequence of a query token with
every vocabulary token is computed at once by the bit-parallel LCS recurrence (Hyyrö 2004), a few numpy operations
per query character. Survivors of the vectorised test are confirmed with rapidfuzz itself, so results agree exactly
with the scorer's `token_similarity`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import Indel

_WORD = 64  # tokens up to this length fit one uint64 bitmask; longer ones (a handful) are compared by rapidfuzz
# Floating-point slack of the vectorised test; rapidfuzz decides the exact boundary.
_SLACK = 1e-6

Row = npt.NDArray[np.uint8]


class TokenIndex:
    """The distinct tokens of all listed names, sorted by length, with their bit-parallel LCS masks."""

    def __init__(self, tokens: Iterable[str]) -> None:
        ordered = sorted(set(tokens), key=lambda t: (len(t), t))
        self.tokens: list[str] = [t for t in ordered if len(t) <= _WORD]
        self.long_tokens: list[str] = [t for t in ordered if len(t) > _WORD]
        self.lengths = np.array([len(t) for t in self.tokens], dtype=np.int32)
        # Tokens are sorted by length, so each machine word size holds a contiguous slice: the narrowest words that
        # fit make the numpy passes cheaper (most tokens fit 16 bits).
        self._tiers: list[tuple[int, int, type[np.unsignedinteger[Any]], dict[int, npt.NDArray[Any]]]] = []
        begin = 0
        for bits, dtype in ((16, np.uint16), (32, np.uint32), (64, np.uint64)):
            end = begin
            while end < len(self.tokens) and len(self.tokens[end]) <= bits:
                end += 1
            masks: dict[int, dict[int, int]] = {}
            for i in range(begin, end):
                for pos, ch in enumerate(self.tokens[i]):
                    row = masks.setdefault(ord(ch), {})
                    row[i - begin] = row.get(i - begin, 0) | (1 << pos)
            arrays: dict[int, npt.NDArray[Any]] = {}
            for code, row in masks.items():
                array = np.zeros(end - begin, dtype=dtype)
                array[list(row)] = np.array(list(row.values()), dtype=dtype)
                arrays[code] = array
            self._tiers.append((begin, end, dtype, arrays))
            begin = end

    def __len__(self) -> int:
        return len(self.tokens) + len(self.long_tokens)

    def lcs_row(self, text: str) -> Row:
        """Length of the longest common subsequence of `text` with every (short) vocabulary token."""
        row = np.empty(len(self.tokens), dtype=np.uint8)
        codes = [ord(ch) for ch in text]
        for begin, end, dtype, masks in self._tiers:
            if begin == end:
                continue
            v = np.full(end - begin, np.iinfo(dtype).max, dtype=dtype)
            u = np.empty_like(v)
            s = np.empty_like(v)
            for code in codes:
                mask = masks.get(code)
                if mask is None:
                    continue  # no token has this character: the state does not change
                np.bitwise_and(v, mask, out=u)
                np.add(v, u, out=s)  # wrap-around above the token's length is harmless: those bits stay set
                np.subtract(v, u, out=v)
                np.bitwise_or(v, s, out=v)
            np.invert(v, out=v)
            row[begin:end] = np.bitwise_count(v)
        return row

    def neighbours(self, text: str, cutoff: float, row: Row | None = None) -> dict[str, float]:
        """Every vocabulary token whose Indel similarity with `text` is at least `cutoff` (text itself excluded)."""
        row = self.lcs_row(text) if row is None else row
        ok = 2.0 * row >= cutoff * (len(text) + self.lengths) - _SLACK
        found: dict[str, float] = {}
        tokens = self.tokens
        for i in np.flatnonzero(ok).tolist():
            other = tokens[i]
            sim = Indel.normalized_similarity(text, other, score_cutoff=cutoff)
            if sim and other != text:
                found[other] = sim
        for other, sim, _ in process.extract(
            text, self.long_tokens, scorer=Indel.normalized_similarity, score_cutoff=cutoff, limit=None
        ):
            if other != text:
                found[other] = sim
        return found

    def joined_neighbours(self, rows: list[Row], joined: Iterable[str], cutoff: float) -> set[str]:
        """Vocabulary tokens at least `cutoff` similar to any of `joined`, each a concatenation of the texts whose
        LCS rows are `rows` (every text once, in any order).

        LCS(t, x + y) <= LCS(t, x) + LCS(t, y), so the sum of the rows bounds every such concatenation at once; only
        tokens passing that bound are compared with the joined strings by rapidfuzz.
        """
        strings = list(joined)
        if not rows or not strings:
            return set()
        bound = rows[0].astype(np.int32)
        for row in rows[1:]:
            bound += row
        ok = 2.0 * bound >= cutoff * (len(strings[0]) + self.lengths) - _SLACK
        found: set[str] = set()
        tokens = self.tokens
        for i in np.flatnonzero(ok).tolist():
            other = tokens[i]
            if process.extractOne(other, strings, scorer=Indel.normalized_similarity, score_cutoff=cutoff):
                found.add(other)
        for other in self.long_tokens:
            if process.extractOne(other, strings, scorer=Indel.normalized_similarity, score_cutoff=cutoff):
                found.add(other)
        return found
