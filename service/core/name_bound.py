"""An upper bound of the name score over many candidate names at once, compiled (`_kernels.may_reach`).

`compare_names` (service.core.names) scores Σ s·m over matched tokens / (Σ m over matched + Σ f·m over unmatched),
where m is a token's mass, s its pair's credited similarity and f the unmatched factor. Every token sits in at most
one pair, and its pair's similarity is at most b, the token's best similarity to any token of the other name. So
the numerator is at most N = Σ b·m over both names, and the loss (denominator minus numerator) at least
L = Σ m·min(1 - b, f) over tokens that have a partner plus Σ f·m over tokens that have none; N / (N + L) bounds the
score from above, because x / (x + y) grows with x and falls with y. f is the conflict factor when both names
certainly keep a leftover (a token without any partner on each side), else the smaller factor that may apply.

The caps are necessary conditions checked the same way: numbers that differ (the number cap), at most one strong
part with a strong partner (OFAC FAQ 5), no strong or number part related at all.

Spacing variants (a token against two joined tokens, the same letters split differently) pair one token with two,
or two with two, at similarity 1: crediting each of those tokens 1 against the tokens on the other side that spell
the variant keeps b an upper bound, so N / (N + L) still bounds the score. Such a pair counts as a matched core
part and covers the name parts of its longer side, so for these names the last two caps are not checked. A name
whose tokens are the query's letters split differently scores 1 by rule: the index finds it by an exact lookup and
does not bound it.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from service.core import _kernels
from service.core.match_config import MatchConfig
from service.core.names import NUMBER, STRONG, NormName, min_parts, token_mass

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class QueryTokens:
    """What the bound needs of a query: per token its kind, mass and related vocabulary ids with similarities."""

    name: NormName
    masses: Sequence[float]
    own_ids: Sequence[int]  # vocabulary id of the token itself, -1 when the lists do not contain it
    related: Sequence[tuple[npt.NDArray[np.int32], FloatArray]]  # ids, credited similarities (words only)
    parts: int  # at most the name parts OFAC FAQ 5 counts (`names.min_parts`)


# The compiled bound's layout of a name (`_kernels.c`: Head, Occurrence): a head record, then one record per token
# occurrence, 16 bytes each and adjacent, so a candidate costs one or two cache lines rather than a miss per column.
OCCURRENCE = np.dtype([("mass", "<f8"), ("token", "<i4"), ("kind", "i1"), ("first", "u1"), ("pad", "V2")])
HEAD = np.dtype(
    [("count", "<i4"), ("strong", "<i2"), ("core", "<i2"), ("numbers", "<i2"), ("person", "u1"), ("pad", "V5")]
)


@dataclass(frozen=True, slots=True)
class NameArrays:
    """All indexed names as the compiled bound reads them, and the per-name columns the blocking filters with."""

    head: npt.NDArray[np.int32]  # name id → index of its head record in `records`
    records: npt.NDArray[np.void]  # OCCURRENCE records; a name's head record viewed as HEAD
    parts: npt.NDArray[np.int16]  # per name, at most the parts OFAC FAQ 5 counts (`names.min_parts`)
    has_initials: BoolArray
    person: BoolArray
    scratch: npt.NDArray[np.int32]  # the compiled bound's marks: 2 per vocabulary id, and a generation number

    @classmethod
    def build(
        cls,
        names: Sequence[NormName],
        person: Sequence[bool],
        ids: Mapping[str, int],
        weights: Mapping[str, float],
    ) -> NameArrays:
        """Flatten `names` (`person[i]`: name i belongs to a person entry; `ids`: the vocabulary)."""
        counts = np.array([len(n.tokens) for n in names], dtype=np.int64)
        head = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum(counts + 1, out=head[1:])
        records = np.zeros(int(head[-1]), dtype=OCCURRENCE)
        if len(records) > np.iinfo(np.int32).max:
            raise ValueError("too many names and tokens for the bound's 32-bit record index")
        parts = np.array([min_parts(n) for n in names], dtype=np.int16)
        # Indexing with positions copies: each kind of record is filled in a copy, then written back in place.
        heads = records.view(HEAD)[head[:-1]]
        heads["count"] = counts
        heads["strong"] = parts
        heads["core"] = [sum(k in (STRONG, NUMBER) for k in n.kinds) for n in names]
        heads["numbers"] = [len(n.numbers) for n in names]
        heads["person"] = person
        records.view(HEAD)[head[:-1]] = heads
        flat = [(t, k) for n in names for t, k in zip(n.tokens, n.kinds, strict=True)]
        occurrence = np.ones(len(records), dtype=np.bool_)
        occurrence[head[:-1]] = False
        occurrences = records[occurrence]
        occurrences["token"] = [ids[t] for t, _ in flat]
        occurrences["kind"] = [k for _, k in flat]
        occurrences["mass"] = [token_mass(t, k, weights) for t, k in flat]
        occurrences["first"] = [ord(t[0]) for t, _ in flat]  # normalised tokens are ASCII
        records[occurrence] = occurrences
        return cls(
            head=head[:-1].astype(np.int32),
            records=records,
            parts=parts,
            has_initials=np.array([n.has_initials for n in names], dtype=np.bool_),
            person=np.array(person, dtype=np.bool_),
            scratch=np.zeros(2 * len(ids) + 1, dtype=np.int32),
        )

    def may_reach(
        self, query: QueryTokens, cand: IntArray, person_query: bool, cfg: MatchConfig, spacing: bool = False
    ) -> BoolArray:
        """For each candidate name id: False only when `compare_names` certainly scores it below the report
        threshold by token alignment. Computed by `_kernels.may_reach`, one name at a time: the best similarity of
        each query token with each listed token occurrence (related tokens, the token itself, a person's initial
        against a word with its letter), then N / (N + L) and the caps. With `spacing`, `query.related` also
        credits 1 to the listed tokens that spell spacing variants with query tokens, and the caps a spacing
        variant bypasses are not checked."""
        if not len(cand):
            return np.zeros(0, dtype=np.bool_)
        q = query.name
        threshold = cfg.report_threshold - max(0.0, cfg.legal_form_agree) - max(0.0, cfg.place_agree) - _SLACK
        reaches = _kernels.may_reach(
            np.ascontiguousarray(cand, dtype=np.int64),
            (self.head, self.records),
            (
                bytes(q.kinds),
                array("d", query.masses),
                bytes(ord(t[0]) for t in q.tokens),
                array("q", query.own_ids),
                person_query,
                query.parts,
                bool(q.numbers),
                spacing,
            ),
            list(query.related),
            (cfg.initial_similarity, cfg.person_surplus_weight, cfg.unmatched_weight, cfg.conflict_weight, threshold),
            self.scratch,
        )
        result: BoolArray = np.frombuffer(reaches, dtype=np.bool_)
        return result
