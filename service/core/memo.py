"""`memo`: a bounded cache for the per-word functions of name matching, without LRU bookkeeping.

`functools.lru_cache` moves an entry to the front of its linked list on every hit. The index build fills these caches
(every listed word is skeletonised, classified, looked up as a legal form), so in a worker forked from the process
that built the index, every hit rewrote links the build had made and copied the shared page they sit on: about 5,500 of
a worker's 55,000 page copies per 10,000 benchmark queries, and 2-4% of its time. A hit here is a dictionary lookup
that writes nothing but the result's reference count. A full cache starts afresh: the entries that come back are the
ones in use.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")
K = TypeVar("K")
V = TypeVar("V")


class Memo(dict[K, V]):
    """Key → result, at most `maxsize` of them; a missing key is computed, stored and returned (`memo[key]`), while
    `memo.get(key)` only looks. Threads may share it: each dict operation is atomic, and two threads missing one key
    at once both compute it, which costs time, not correctness."""

    def __init__(self, compute: Callable[[K], V], maxsize: int) -> None:
        super().__init__()
        self._compute = compute
        self._maxsize = maxsize

    def __missing__(self, key: K) -> V:
        value = self._compute(key)
        if len(self) >= self._maxsize:
            self.clear()
        self[key] = value
        return value


def memo(maxsize: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Cache a function of hashable arguments in at most `maxsize` entries, keyed on its positional arguments (a
    one-parameter function's argument itself); arguments given by keyword are moved to their positions first."""
    if maxsize < 1:
        raise ValueError("maxsize must be at least 1")

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        signature = inspect.signature(function)
        if any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in signature.parameters.values()):
            raise TypeError(f"memo: {function.__qualname__} must take positional parameters only")
        single = len(signature.parameters) == 1
        spread = cast(Callable[..., R], function)
        lookup = Memo[Any, R](function if single else lambda args: spread(*args), maxsize).__getitem__

        @wraps(function)
        def cached(*args: Any, **kwargs: Any) -> Any:
            if kwargs:  # rare: the same call written with keywords is one key
                args = signature.bind(*args, **kwargs).args
            return lookup(args[0] if single else args)

        return cast(Callable[P, R], cached)

    return decorate
