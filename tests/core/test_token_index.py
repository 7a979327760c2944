"""The vectorised fuzzy neighbourhoods and LCS rows agree exactly with rapidfuzz."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import Indel, LCSseq

from service.core.token_index import TokenIndex

TOKEN = st.text(alphabet="abcdeiklmnorstuz0", min_size=1, max_size=40)  # 16-, 32- and 64-bit words


@settings(max_examples=60, deadline=None)
@given(st.lists(TOKEN, min_size=1, max_size=60), TOKEN, st.sampled_from([0.6, 0.7, 0.8]))
def test_neighbours_equal_brute_force(vocabulary: list[str], query: str, cutoff: float) -> None:
    index = TokenIndex([*vocabulary, "x" * 70])  # one token too long for a bitmask
    expected = {
        other: sim
        for other, sim, _ in process.extract(
            query,
            [*sorted(set(vocabulary)), "x" * 70],
            scorer=Indel.normalized_similarity,
            score_cutoff=cutoff,
            limit=None,
        )
        if other != query
    }
    assert index.neighbours(query, cutoff) == expected
    row = index.lcs_row(query)
    assert [int(v) for v in row] == [LCSseq.similarity(query, t) for t in index.tokens]


@settings(max_examples=40, deadline=None)
@given(st.lists(TOKEN, min_size=1, max_size=60), TOKEN, TOKEN)
def test_joined_neighbours_equal_brute_force(vocabulary: list[str], x: str, y: str) -> None:
    index = TokenIndex(vocabulary)
    joined = {x + y, y + x}
    # The scorer's split candidates decide with rapidfuzz's own cutoff test, so the reference does too.
    expected = {t for t in set(vocabulary) if any(Indel.normalized_similarity(t, j, score_cutoff=0.8) for j in joined)}
    assert index.joined_neighbours([index.lcs_row(x), index.lcs_row(y)], joined, 0.8) == expected


def test_rows_across_word_sizes() -> None:
    vocabulary = ["abcde" * k for k in (1, 3, 4, 6, 9, 12, 13)]  # 5 to 65 letters: every word size and the long list
    index = TokenIndex(vocabulary)
    for query in ("abcde" * 7, "edcba" * 2, "zzz", "acegi" * 5):
        assert [int(v) for v in index.lcs_row(query)] == [LCSseq.similarity(query, t) for t in index.tokens]
    assert index.long_tokens == ["abcde" * 13]
