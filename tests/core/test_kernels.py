"""The compiled inner loops (service/core/_kernels.c): the same answers as their definitions, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.core import _kernels
from service.core.match_config import MatchConfig
from service.core.matcher import MatcherIndex, Query
from service.core.model import EntityType, ListEntry, Name

CFG = MatchConfig()
FLAGS = np.zeros(2, dtype=np.uint8)  # two names, no one-key hit kept

# Few letters and syllables: many fuzzy relations, shared tokens, initials and numbers in a small index.
SYLLABLES = ["al", "an", "bo", "ma", "mo", "ha", "med", "ri", "sa", "ko", "va", "lin", "er", "ov", "ich", "x"]
WORD = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=4).map("".join)
PART = st.one_of(WORD, WORD, WORD, st.sampled_from(["a", "m", "v", "7", "12", "al", "bin", "de"]))
NAME = st.lists(PART, min_size=1, max_size=5).map(" ".join)
KIND = st.sampled_from([EntityType.PERSON, EntityType.ORGANIZATION, EntityType.VESSEL])


def _query_from(data: st.DataObject, names: list[str]) -> str:
    """A listed name as it is, with a part dropped, replaced or reordered, two parts glued, or a fresh name."""
    parts = data.draw(st.sampled_from(names)).split()
    change = data.draw(st.sampled_from(["same", "drop", "replace", "reverse", "glue", "fresh"]))
    i = data.draw(st.integers(0, len(parts) - 1))
    if change == "drop" and len(parts) > 1:
        del parts[i]
    elif change == "replace":
        parts[i] = data.draw(PART)
    elif change == "reverse":
        parts.reverse()
    elif change == "glue" and i + 1 < len(parts):
        parts[i : i + 2] = [parts[i] + parts[i + 1]]
    elif change == "fresh":
        return data.draw(NAME)
    return " ".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(KIND, st.lists(NAME, min_size=1, max_size=3)), min_size=1, max_size=40), st.data(), KIND)
def test_search_equals_exhaustive_on_small_indexes(
    listed: list[tuple[EntityType, list[str]]], data: st.DataObject, kind: EntityType
) -> None:
    """The posting union and the compiled bound drop no name that scores at the report threshold."""
    entries = [
        ListEntry("l", f"e{i}", entity_type, tuple(Name(n) for n in names))
        for i, (entity_type, names) in enumerate(listed)
    ]
    index = MatcherIndex.build(entries, {"l": "v1"})
    query = _query_from(data, [n for _, names in listed for n in names])
    for q in (Query(query), Query(query, kind)):
        fast = {m.entry.entity_id: round(m.score, 9) for m in index.search(q, CFG)}
        full = {m.entry.entity_id: round(m.score, 9) for m in index.exhaustive_search(q, CFG)}
        if len(full) < CFG.max_matches:
            assert fast == full


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 29), max_size=8), min_size=1, max_size=12),
    st.lists(st.tuples(st.integers(-1, 11), st.lists(st.integers(0, 11), max_size=4), st.integers(1, 3)), max_size=5),
    st.lists(st.integers(0, 3), min_size=30, max_size=30),
    st.integers(0, 3),
)
def test_union_keeps_names_two_keys_reach_or_flagged(
    postings_of: list[list[int]], keys: list[tuple[int, list[int], int]], flags: list[int], mask: int
) -> None:
    """A name is kept when the keys reaching it (each counted once, times its repeats) sum to 2, or when its flags
    share a bit with the mask; in first-reached order."""
    postings_of = [sorted(set(p)) for p in postings_of]
    vocabulary = len(postings_of)
    keys = [(own if own < vocabulary else -1, [r for r in rel if r < vocabulary], n) for own, rel, n in keys]
    start = np.zeros(vocabulary + 1, dtype=np.int64)
    np.cumsum([len(p) for p in postings_of], out=start[1:])
    postings = np.array([n for p in postings_of for n in p], dtype=np.int32)
    scratch = np.zeros(30, dtype=np.int32)
    counts: dict[int, float] = {}  # in first-reached order
    for own, related, repeats in keys:
        reached = dict.fromkeys(n for t in ([own] if own >= 0 else []) + related for n in postings_of[t])
        for n in reached:
            counts[n] = counts.get(n, 0.0) + repeats
    expected = [n for n, c in counts.items() if c >= 2 or flags[n] & mask]
    for _ in range(2):  # the marks of one call never leak into the next
        kept = _kernels.union(
            start,
            postings,
            [(own, np.array(rel, dtype=np.int32), float(n)) for own, rel, n in keys],
            scratch,
            np.array(flags, dtype=np.uint8),
            mask,
        )
        assert np.frombuffer(kept, dtype=np.int64).tolist() == expected
        assert not scratch.any()


def test_out_of_range_ids_raise_instead_of_reading_past_the_arrays() -> None:
    start = np.array([0, 1], dtype=np.int64)
    postings = np.array([5], dtype=np.int32)  # name 5 of an index with 2 names
    with pytest.raises(IndexError):
        _kernels.union(start, postings, [(0, np.zeros(0, dtype=np.int32), 1.0)], np.zeros(2, dtype=np.int32), FLAGS, 0)
    with pytest.raises(IndexError):
        _kernels.union(start, postings, [(3, np.zeros(0, dtype=np.int32), 1.0)], np.zeros(2, dtype=np.int32), FLAGS, 0)
    with pytest.raises(TypeError):
        _kernels.union(start.astype(np.int32), postings, [], np.zeros(2, dtype=np.int32), FLAGS, 0)
    with pytest.raises(ValueError):
        _kernels.union(start, postings, [], np.zeros(2, dtype=np.int32), np.zeros(3, dtype=np.uint8), 0)
    # An error after some names were reached leaves no marks behind: the next call starts clean.
    scratch, none = np.zeros(2, dtype=np.int32), np.zeros(0, dtype=np.int32)
    with pytest.raises(IndexError):
        _kernels.union(
            np.array([0, 2], dtype=np.int64), np.array([1, 5], dtype=np.int32), [(0, none, 1.0)], scratch, FLAGS, 0
        )
    assert not scratch.any()
    offsets = np.array([0, 3], dtype=np.int64)
    letters = _kernels.letters(b"abc", offsets)
    with pytest.raises(IndexError):
        _kernels.lcs_scan(b"abc", b"abc", offsets, letters, 0, 2, bytes(65))
    with pytest.raises(ValueError):
        _kernels.lcs_scan(b"a" * 65, b"abc", offsets, letters, 0, 1, bytes(65))
