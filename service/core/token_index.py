"""Exact fuzzy neighbourhoods of a token over a set of tokens, compiled.

The name scorer pairs two tokens when their rapidfuzz Indel similarity 2·LCS/(len x + len y) reaches a cutoff, so the
index must find every token that close to a query token, without missing one. Scoring 40,000 tokens through
rapidfuzz costs ~10 ms per query token (most of it converting the Python strings on every call); here the tokens are
held once, laid end to end in one byte string, and `_kernels.lcs_scan` computes the longest common subsequence of a
query token with every token of a length range by the bit-parallel LCS recurrence (Hyyrö 2004), four machine
operations per character; the ratio 2·LCS / (len x + len y) follows with the same floating-point operations as the
scorer's. Before that, a bound from the letters the two tokens share (counted for 64 tokens at once, from per-letter
bitmaps over the tokens) skips most tokens, never one that reaches the cutoff.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import LCSseq

from service.core import _kernels

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_NO_HITS: tuple[IntArray, FloatArray] = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
_WORD = 64  # a query token up to this length fits one 64-bit pattern; longer ones (a handful) go through rapidfuzz


def _compiled(token: str) -> bool:
    return len(token) <= _WORD and token.isascii()


class TokenIndex:
    """A set of distinct tokens sorted by length, held for the compiled LCS scan."""

    def __init__(self, tokens: Iterable[str]) -> None:
        ordered = sorted(set(tokens), key=lambda t: (len(t), t))
        self.tokens: list[str] = [t for t in ordered if _compiled(t)]
        # Tokens longer than a machine word or not ASCII (names are ASCII after normalisation): compared by rapidfuzz.
        self.long_tokens: list[str] = [t for t in ordered if not _compiled(t)]
        self._length_list = [len(t) for t in self.tokens]
        self.lengths = np.array(self._length_list, dtype=np.int64)
        self._blob = "".join(self.tokens).encode("ascii")
        self._offsets = np.zeros(len(self.tokens) + 1, dtype=np.int64)
        np.cumsum(self._length_list, out=self._offsets[1:])
        self._letters = _kernels.letters(self._blob, self._offsets)
        self._needs: dict[tuple[int, float], bytes] = {}

    def __len__(self) -> int:
        return len(self.tokens) + len(self.long_tokens)

    def span(self, shortest: int, longest: int) -> tuple[int, int]:
        """The slice of `tokens` whose lengths lie in [shortest, longest]."""
        return bisect_left(self._length_list, shortest), bisect_right(self._length_list, longest)

    def lcs_row(self, text: str, begin: int = 0, end: int | None = None) -> list[int]:
        """Length of the longest common subsequence of `text` with every token of `tokens[begin:end]`."""
        end = len(self.tokens) if end is None else end
        if not _compiled(text):
            return [LCSseq.similarity(text, t) for t in self.tokens[begin:end]]
        row = [0] * (end - begin)
        found, lcs, _ = _kernels.lcs_scan(
            text.encode("ascii"), self._blob, self._offsets, self._letters, begin, end, bytes(_WORD + 1)
        )
        for i, value in zip(np.frombuffer(found, dtype=np.int64).tolist(), lcs, strict=True):
            row[i - begin] = value
        return row

    def scan(self, text: str, cutoff: float, begin: int, end: int) -> tuple[IntArray, FloatArray]:
        """Indexes into `tokens` (within [begin, end)) whose Indel ratio with `text` reaches `cutoff`, and the ratios
        2·LCS / (len text + len token), computed with the same floating-point operations as `word_similarity`."""
        m = len(text)
        if begin >= end:
            return _NO_HITS
        if not _compiled(text):
            at = np.arange(begin, end, dtype=np.int64)
            lcs = np.array([LCSseq.similarity(text, t) for t in self.tokens[begin:end]], dtype=np.float64)
            ratio = 2.0 * lcs / (m + self.lengths[at])
            keep = ratio >= cutoff
            return at[keep], ratio[keep]
        found, _, ratios = _kernels.lcs_scan(
            text.encode("ascii"), self._blob, self._offsets, self._letters, begin, end, self._need(m, cutoff)
        )
        if not found:
            return _NO_HITS
        # The kernel kept exactly the tokens whose ratio reaches the cutoff: `_need` found each length's least LCS
        # with this same floating-point test.
        return np.frombuffer(found, dtype=np.int64), np.frombuffer(ratios, dtype=np.float64)

    def similar(self, text: str, cutoff: float, begin: int = 0, end: int | None = None) -> list[tuple[str, float]]:
        """Tokens of `tokens[begin:end]` (and the long ones) whose Indel ratio 2·LCS / (len text + len token) with
        `text` reaches `cutoff`, with that ratio (computed exactly as `service.core.names.word_similarity` does)."""
        end = len(self.tokens) if end is None else end
        at, ratios = self.scan(text, cutoff, begin, end)
        tokens = self.tokens
        found = [(tokens[i], r) for i, r in zip(at.tolist(), ratios.tolist(), strict=True)]
        return found + self.similar_long(text, cutoff)

    def similar_long(self, text: str, cutoff: float) -> list[tuple[str, float]]:
        """The long (or non-ASCII) tokens whose Indel ratio with `text` reaches `cutoff`, with that ratio."""
        found: list[tuple[str, float]] = []
        for other in self.long_tokens:
            ratio = 2.0 * LCSseq.similarity(text, other) / (len(text) + len(other))
            if ratio >= cutoff:
                found.append((other, ratio))
        return found

    def _need(self, m: int, cutoff: float) -> bytes:
        """Per token length n, the least LCS with a text of length `m` whose ratio 2·LCS / (m + n) reaches `cutoff`,
        found with the same floating-point operations as the ratio `scan` returns: the kernel's hits are exactly the
        tokens whose ratio reaches the cutoff (tests/core/test_token_index.py checks it against rapidfuzz)."""
        key = (m, cutoff)
        need = self._needs.get(key)
        if need is None:
            table = bytearray(_WORD + 1)
            for n in range(_WORD + 1):
                least = max(0, math.ceil(cutoff * (m + n) / 2.0))
                while least > 0 and 2.0 * (least - 1) / (m + n) >= cutoff:
                    least -= 1
                while least <= n and 2.0 * least / (m + n) < cutoff:
                    least += 1
                table[n] = min(least, 255)
            need = bytes(table)
            if len(self._needs) > 256:
                self._needs.clear()
            self._needs[key] = need
        return need

    def neighbours(self, text: str, cutoff: float) -> dict[str, float]:
        """Every token whose Indel ratio with `text` is at least `cutoff` (text itself excluded)."""
        return {other: ratio for other, ratio in self.similar(text, cutoff) if other != text}
