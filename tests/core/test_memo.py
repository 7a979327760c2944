"""`memo`: computed once per key, bounded, positional arguments only."""

from __future__ import annotations

import pytest

from service.core.memo import Memo, memo


def test_one_argument_is_computed_once_per_key() -> None:
    calls: list[str] = []

    @memo(10)
    def shout(word: str) -> str:
        """Upper case."""
        calls.append(word)
        return word.upper()

    assert [shout(w) for w in ["a", "b", "a", "a", "b"]] == ["A", "B", "A", "A", "B"]
    assert calls == ["a", "b"]
    assert shout.__name__ == "shout" and shout.__doc__ == "Upper case."


def test_several_arguments_are_one_key() -> None:
    calls: list[tuple[str, int]] = []

    @memo(10)
    def repeat(word: str, times: int = 1) -> str:
        calls.append((word, times))
        return word * times

    assert repeat("ab", 2) == "abab"
    assert repeat("ab", 3) == "ababab"
    assert repeat("ab", 2) == "abab"
    assert repeat("ab") == "ab"
    assert calls == [("ab", 2), ("ab", 3), ("ab", 1)]
    assert repeat("ab", times=2) == "abab"  # the same key as repeat("ab", 2)
    assert repeat(word="ab", times=3) == "ababab"


def test_a_full_cache_starts_afresh_and_stays_bounded() -> None:
    calls: list[int] = []

    @memo(3)
    def square(n: int) -> int:
        calls.append(n)
        return n * n

    assert [square(n) for n in range(5)] == [0, 1, 4, 9, 16]
    # 0, 1, 2 filled it; 3 cleared it and 3, 4 are held: 4 is a hit, 0 is computed again.
    calls.clear()
    assert square(4) == 16 and square(0) == 0
    assert calls == [0]


def test_maxsize_must_be_positive_and_parameters_positional() -> None:
    with pytest.raises(ValueError):
        memo(0)

    def flagged(word: str, *, loud: bool) -> str:
        return word.upper() if loud else word

    with pytest.raises(TypeError, match="positional parameters only"):
        memo(10)(flagged)


def test_a_memo_table_computes_on_indexing_and_only_looks_on_get() -> None:
    calls: list[str] = []

    def compute(word: str) -> int:
        calls.append(word)
        return len(word)

    table = Memo(compute, 2)
    assert table.get("abc") is None and calls == []
    assert table["abc"] == 3 and table.get("abc") == 3 and calls == ["abc"]
    assert table["de"] == 2 and table["f"] == 1  # full at "f": started afresh
    assert table.get("abc") is None and table.get("f") == 1
