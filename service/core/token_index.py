"""Exact fuzzy neighbourhoods of a token over a set of tokens, vectorised.

The name scorer pairs two tokens when their rapidfuzz Indel similarity 2·LCS/(len x + len y) reaches a cutoff, so the
index must find every token that close to a query token, without missing one. Scoring 40,000 tokens through
rapidfuzz costs ~10 ms per query token (most of it converting the Python strings on every call); here the tokens are
held once as per-character position bitmasks and the longest common subsequence of a query token with every token of
a length range is computed at once by the bit-parallel LCS recurrence (Hyyrö 2004), a few numpy operations per query
character; the ratio 2·LCS / (len x + len y) follows with the same floating-point operations as the scorer's.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import LCSseq

_WORD = 64  # tokens up to this length fit one uint64 bitmask; longer ones (a handful) are compared by rapidfuzz

Row = npt.NDArray[np.uint8]


class TokenIndex:
    """A set of distinct tokens sorted by length, with their bit-parallel LCS masks."""

    def __init__(self, tokens: Iterable[str]) -> None:
        ordered = sorted(set(tokens), key=lambda t: (len(t), t))
        self.tokens: list[str] = [t for t in ordered if len(t) <= _WORD]
        self.long_tokens: list[str] = [t for t in ordered if len(t) > _WORD]
        self.lengths = np.array([len(t) for t in self.tokens], dtype=np.int32)
        self._length_list = [len(t) for t in self.tokens]
        self._needs: dict[tuple[int, float], npt.NDArray[np.uint8]] = {}
        # Tokens are sorted by length, so each machine word size holds a contiguous slice: the narrowest words that
        # fit make the numpy passes cheaper (they are bound by memory; most tokens fit 8 bits).
        self._tiers: list[tuple[int, int, type[np.unsignedinteger[Any]], dict[int, npt.NDArray[Any]]]] = []
        begin = 0
        for bits, dtype in ((8, np.uint8), (16, np.uint16), (32, np.uint32), (64, np.uint64)):
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

    def span(self, shortest: int, longest: int) -> tuple[int, int]:
        """The slice of `tokens` whose lengths lie in [shortest, longest]."""
        return bisect_left(self._length_list, shortest), bisect_right(self._length_list, longest)

    def lcs_row(self, text: str, begin: int = 0, end: int | None = None) -> Row:
        """Length of the longest common subsequence of `text` with every token of `tokens[begin:end]`."""
        end = len(self.tokens) if end is None else end
        row = np.zeros(max(0, end - begin), dtype=np.uint8)
        codes = [ord(ch) for ch in text]
        for tier_begin, tier_end, dtype, masks in self._tiers:
            lo, hi = max(begin, tier_begin), min(end, tier_end)
            if lo >= hi:
                continue
            v = np.full(hi - lo, np.iinfo(dtype).max, dtype=dtype)
            u = np.empty_like(v)
            s = np.empty_like(v)
            for code in codes:
                mask = masks.get(code)
                if mask is None:
                    continue  # no token has this character: the state does not change
                part = mask[lo - tier_begin : hi - tier_begin]
                np.bitwise_and(v, part, out=u)
                np.add(v, u, out=s)  # wrap-around above the token's length is harmless: those bits stay set
                np.subtract(v, u, out=v)
                np.bitwise_or(v, s, out=v)
            np.invert(v, out=v)
            row[lo - begin : hi - begin] = np.bitwise_count(v)
        return row

    def similar(self, text: str, cutoff: float, begin: int = 0, end: int | None = None) -> list[tuple[str, float]]:
        """Tokens of `tokens[begin:end]` (and the long ones) whose Indel ratio 2·LCS / (len text + len token) with
        `text` reaches `cutoff`, with that ratio (computed exactly as `service.core.names.word_similarity` does)."""
        end = len(self.tokens) if end is None else end
        found: list[tuple[str, float]] = []
        m = len(text)
        if begin < end:
            row = self.lcs_row(text, begin, end)
            hits = np.flatnonzero(row >= self._need(m, cutoff)[begin:end])
            tokens = self.tokens
            for i in hits.tolist():
                other = tokens[begin + i]
                ratio = 2.0 * int(row[i]) / (m + len(other))
                if ratio >= cutoff:
                    found.append((other, ratio))
        for other in self.long_tokens:
            ratio = 2.0 * LCSseq.similarity(text, other) / (m + len(other))
            if ratio >= cutoff:
                found.append((other, ratio))
        return found

    def _need(self, m: int, cutoff: float) -> npt.NDArray[np.uint8]:
        """Per token, the least LCS with a text of length `m` whose ratio 2·LCS / (m + n) reaches `cutoff`, found
        with the same floating-point test as the exact one."""
        key = (m, cutoff)
        need = self._needs.get(key)
        if need is None:
            table = np.zeros(_WORD + 1, dtype=np.uint8)
            for n in range(_WORD + 1):
                least = max(0, math.ceil(cutoff * (m + n) / 2.0))
                while least > 0 and 2.0 * (least - 1) / (m + n) >= cutoff:
                    least -= 1
                while least <= n and 2.0 * least / (m + n) < cutoff:
                    least += 1
                table[n] = min(least, 255)
            need = table[self.lengths] if len(self.lengths) else np.zeros(0, dtype=np.uint8)
            if len(self._needs) > 256:
                self._needs.clear()
            self._needs[key] = need
        return need

    def neighbours(self, text: str, cutoff: float) -> dict[str, float]:
        """Every token whose Indel ratio with `text` is at least `cutoff` (text itself excluded)."""
        return {other: ratio for other, ratio in self.similar(text, cutoff) if other != text}
