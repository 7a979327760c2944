"""Screening counterparties against the stored list versions: which versions, which index, which result document.

`as_of` ("was this party listed when we shipped?"): a list whose entries carry their own listing date (UN, EU,
CSL, OFAC advanced XML) is screened in its active version with entries listed after the date left out; a list
without per-entry dates (OFAC legacy CSV) is screened in the version that was in force on the date. Where
neither can tell (the date is before the oldest stored version, or an entry has no listing date), matches say
`listing_date_status: "unknown"` instead of guessing.

The matcher index is built once per process per set of versions, and rebuilt when the active versions change.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from service.core.match_config import MatchConfig
from service.core.matcher import MatcherIndex
from service.core.model import ListEntry
from service.core.screening import Screening
from service.db import repositories as repo
from service.db.session import session_scope
from service.inputs import CounterpartyIn

ALGORITHM = "rapidfuzz-token-align/4"  # /4: j and y in syllabic names; /3: Han and Hangul syllable rules
# Frozen, so one instance serves every screening that brings no configuration of its own.
DEFAULT_MATCH_CONFIG = MatchConfig()


@dataclass(frozen=True, slots=True)
class SelectedVersion:
    list_id: str
    version_id: int
    label: str
    sha256: str
    # current | entry_dates | version_in_force | unknown (see module docstring)
    mode: str


def select_versions(session: Session, as_of: date | None) -> list[SelectedVersion]:
    """The version of each list to screen against, for now or for a past date."""
    selected: list[SelectedVersion] = []
    for source, active in repo.active_versions(session):
        if as_of is None:
            selected.append(SelectedVersion(source.list_id, active.id, active.label, active.sha256, "current"))
        elif active.dated_count > 0:
            selected.append(SelectedVersion(source.list_id, active.id, active.label, active.sha256, "entry_dates"))
        else:
            in_force = repo.version_in_force(session, source.list_id, as_of)
            if in_force is not None:
                selected.append(
                    SelectedVersion(source.list_id, in_force.id, in_force.label, in_force.sha256, "version_in_force")
                )
            else:
                oldest = repo.versions_of(session, source.list_id)[0]
                selected.append(SelectedVersion(source.list_id, oldest.id, oldest.label, oldest.sha256, "unknown"))
    return selected


@dataclass(slots=True)
class ScreeningContext:
    """An index over a fixed set of list versions, and how each list answers `as_of`."""

    index: MatcherIndex
    selected: dict[str, SelectedVersion]
    as_of: date | None

    @property
    def list_versions(self) -> dict[str, str]:
        return {list_id: s.label for list_id, s in sorted(self.selected.items())}

    def eligible(self) -> Callable[[ListEntry], bool] | None:
        """Leave out entries listed after `as_of` in lists that date their entries."""
        as_of = self.as_of
        if as_of is None:
            return None
        dated = {list_id for list_id, s in self.selected.items() if s.mode == "entry_dates"}

        def _eligible(entry: ListEntry) -> bool:
            if entry.list_id not in dated or entry.listed_on is None:
                return True
            return entry.listed_on <= as_of

        return _eligible

    def listing_status(self, entry: ListEntry) -> str:
        """How sure the result is that the entry was listed on `as_of`."""
        if self.as_of is None:
            return "current"
        mode = self.selected[entry.list_id].mode
        if mode == "entry_dates":
            return "listed_on_or_before_as_of" if entry.listed_on is not None else "unknown"
        return "in_version_in_force" if mode == "version_in_force" else "unknown"


def freeze_long_lived() -> None:
    """Exempt what is alive now (above all the indexes just built) from the cyclic garbage collector.

    An index on the real lists is over a million objects: left to the collector, every full collection walks all of
    them (0.7 s, a pause in whichever request or chunk triggers it), and in forked workers it would also write to
    every page the children share with the parent. Frozen objects are still freed by reference counting; the
    collection before freezing again frees whatever cycles an evicted index left behind."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class IndexCache:
    """Per-process cache of matcher indexes keyed by the exact set of list versions (LRU, a few entries)."""

    def __init__(self, max_indexes: int = 3, ttl_seconds: float = 2.0) -> None:
        self._indexes: OrderedDict[tuple[str, tuple[tuple[str, int, str], ...]], MatcherIndex] = OrderedDict()
        self._max = max_indexes
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._current: tuple[float, str, list[SelectedVersion]] | None = None

    def _recent_selection(self, db_url: str) -> list[SelectedVersion] | None:
        # The active versions are re-read at most every `ttl` seconds for current screening (hot path).
        current = self._current
        if current is None or current[1] != db_url or time.monotonic() - current[0] >= self._ttl:
            return None
        return current[2]

    def _selection(self, db_url: str, as_of: date | None) -> list[SelectedVersion]:
        if as_of is None and (recent := self._recent_selection(db_url)) is not None:
            return recent
        now = time.monotonic()
        with session_scope(db_url) as session:
            selected = select_versions(session, as_of)
        if as_of is None:
            self._current = (now, db_url, selected)
        return selected

    @staticmethod
    def _key(db_url: str, selected: list[SelectedVersion]) -> tuple[str, tuple[tuple[str, int, str], ...]]:
        # Content hashes in the key: a version id alone can repeat after a database is recreated.
        return db_url, tuple(sorted((s.list_id, s.version_id, s.sha256) for s in selected))

    def ready(self, db_url: str) -> ScreeningContext | None:
        """The current context if `context` would give it without reading the database, building an index or
        waiting for a build; None otherwise. For an event loop, which must not block: on None, call `context` in a
        thread."""
        selected = self._recent_selection(db_url)
        if selected is None:
            return None
        key = self._key(db_url, selected)
        if not self._lock.acquire(blocking=False):  # a build holds it for seconds
            return None
        try:
            index = self._indexes.get(key)
            if index is None:
                return None
            self._indexes.move_to_end(key)
        finally:
            self._lock.release()
        return ScreeningContext(index, {s.list_id: s for s in selected}, None)

    def context(self, db_url: str, as_of: date | None = None) -> ScreeningContext:
        """The index for the versions to screen against now (or on `as_of`), built on first use."""
        selected = self._selection(db_url, as_of)
        key = self._key(db_url, selected)
        with self._lock:
            index = self._indexes.get(key)
            if index is not None:
                self._indexes.move_to_end(key)
            else:
                index = self._build(db_url, selected)
                self._indexes[key] = index
                while len(self._indexes) > self._max:
                    self._indexes.popitem(last=False)
                freeze_long_lived()
        return ScreeningContext(index, {s.list_id: s for s in selected}, as_of)

    @staticmethod
    def _build(db_url: str, selected: list[SelectedVersion]) -> MatcherIndex:
        def entries() -> Any:
            with session_scope(db_url) as session:
                for s in selected:
                    yield from repo.iter_entries(session, s.version_id)

        return MatcherIndex.build(entries(), {s.list_id: s.label for s in selected})

    def clear(self) -> None:
        with self._lock:
            self._indexes.clear()
            self._current = None


INDEXES = IndexCache()


def result_document(counterparty: CounterpartyIn, screening: Screening, context: ScreeningContext) -> dict[str, Any]:
    """The one result document returned by the API, batches and `screen-file` for a counterparty."""
    matches = []
    for match in screening.matches:
        item = match.to_dict()
        item["listing_date_status"] = context.listing_status(match.entry)
        matches.append(item)
    return {
        "reference": counterparty.reference,
        "decision": screening.decision.value.upper(),
        "rule": screening.rule,
        "matches": matches,
        "list_versions": context.list_versions,
        "as_of": context.as_of.isoformat() if context.as_of else None,
        "algorithm": ALGORITHM,
    }


def screen_counterparty(
    context: ScreeningContext, counterparty: CounterpartyIn, config: MatchConfig | None = None
) -> dict[str, Any]:
    """Screen one validated counterparty in a context and return its result document."""
    screening = context.index.screen(counterparty.to_query(), config or DEFAULT_MATCH_CONFIG, context.eligible())
    return result_document(counterparty, screening, context)
