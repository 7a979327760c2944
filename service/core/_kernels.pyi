"""Types of the compiled inner loops (service/core/_kernels.c documents each)."""

from array import array
from typing import Any

import numpy.typing as npt

Array = npt.NDArray[Any] | bytes | array[Any]  # anything with the buffer protocol and the item size

def letters(blob: bytes, offsets: Array) -> tuple[bytes, bytes, bytes, bytes, bytes, bytes]: ...
def lcs_scan(
    text: bytes,
    blob: bytes,
    offsets: Array,
    letters: tuple[bytes, bytes, bytes, bytes, bytes, bytes],
    begin: int,
    end: int,
    need: bytes,
) -> tuple[bytes, bytes, bytes]: ...
def union(
    postings_start: Array,
    postings: Array,
    keys: list[tuple[int, Array, float]],
    scratch: Array,
    flags: Array,
    mask: int,
) -> bytes: ...
def may_reach(
    cand: Array,
    names: tuple[Array, Array],
    query: tuple[bytes, Array, bytes, Array, bool, int, bool, bool],
    related: list[tuple[Array, Array]],
    params: tuple[float, float, float, float, float],
    scratch: Array,
) -> bytes: ...
