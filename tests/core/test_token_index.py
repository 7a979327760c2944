"""The vectorised LCS rows and Indel ratios agree exactly with rapidfuzz."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import LCSseq

from service.core.token_index import TokenIndex

TOKEN = st.text(alphabet="abcdeiklmnorstuz0", min_size=1, max_size=40)  # 8-, 16-, 32- and 64-bit words


@settings(max_examples=60, deadline=None)
@given(st.lists(TOKEN, min_size=1, max_size=60), TOKEN, st.sampled_from([0.6, 0.7, 0.8]))
def test_neighbours_equal_brute_force(vocabulary: list[str], query: str, cutoff: float) -> None:
    index = TokenIndex([*vocabulary, "x" * 70])  # one token too long for a bitmask
    expected = {}
    for other in {*vocabulary, "x" * 70} - {query}:
        ratio = 2.0 * LCSseq.similarity(query, other) / (len(query) + len(other))
        if ratio >= cutoff:
            expected[other] = ratio
    assert index.neighbours(query, cutoff) == expected
    row = index.lcs_row(query)
    assert [int(v) for v in row] == [LCSseq.similarity(query, t) for t in index.tokens]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(TOKEN, min_size=1, max_size=300),
    TOKEN,
    st.integers(1, 40),
    st.integers(0, 30),
    st.sampled_from([0.5, 0.7, 0.85]),
)
def test_rows_and_ratios_over_a_length_span(
    vocabulary: list[str], query: str, shortest: int, extra: int, cutoff: float
) -> None:
    """Spans of up to 300 tokens cross the 64-token blocks the compiled prefilter counts letters in."""
    index = TokenIndex(vocabulary)
    begin, end = index.span(shortest, shortest + extra)
    assert all(shortest <= len(t) <= shortest + extra for t in index.tokens[begin:end])
    row = index.lcs_row(query, begin, end)
    assert [int(v) for v in row] == [LCSseq.similarity(query, t) for t in index.tokens[begin:end]]
    found = dict(index.similar(query, cutoff, begin, end))
    in_span = {t for t in index.tokens[begin:end]}
    assert {t for t in found if t not in index.long_tokens} <= in_span
    for token in in_span:
        ratio = 2.0 * LCSseq.similarity(query, token) / (len(query) + len(token))
        assert (token in found) == (ratio >= cutoff)


def test_rows_across_word_sizes() -> None:
    vocabulary = ["abcde" * k for k in (1, 2, 3, 4, 6, 9, 12, 13)]  # 5 to 65 letters: every word size and the long list
    index = TokenIndex(vocabulary)
    for query in ("abcde" * 7, "edcba" * 2, "zzz", "acegi" * 5):
        assert [int(v) for v in index.lcs_row(query)] == [LCSseq.similarity(query, t) for t in index.tokens]
    assert index.long_tokens == ["abcde" * 13]
