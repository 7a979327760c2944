"""Group commit: the writes of concurrent synchronous screenings share one transaction.

Every stored screening appends to its organisation's audit chain, and appends to a chain are serialised until the
appending transaction commits: with one transaction per request, a process answers at most one request per commit
(a WAL flush). Here a request hands what it must write to a `GroupCommit` and waits; one waiting thread at a time
leads, writing every payload queued so far with one call of the writer (bulk statements) in one transaction, then
hands the lead to a thread that queued meanwhile. Each payload stays atomic: if the shared transaction fails, it is
rolled back and every payload of the group is written again in a transaction of its own, so one bad payload fails
alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from service.db.session import session_scope

P = TypeVar("P")
R = TypeVar("R")

# Units per shared transaction, at most: a group's requests all wait for its commit.
MAX_GROUP = 64


@dataclass(eq=False)
class _Unit(Generic[P, R]):
    payload: P
    wake: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # this unit's thread runs the next group
    finished: bool = False
    result: R | None = None
    error: BaseException | None = None


class GroupCommit(Generic[P, R]):
    """A queue of pending writes to one database by one writer (see the module docstring). `write(session, payloads)`
    writes them all in the caller's transaction and returns one result per payload, in order."""

    def __init__(self, url: str, write: Callable[[Session, list[P]], list[R]]) -> None:
        self._url = url
        self._write = write
        self._lock = threading.Lock()
        self._pending: list[_Unit[P, R]] = []
        self._leading = False  # a thread is running a group; when False, nothing is pending

    def run(self, payload: P) -> R:
        """Write `payload` in a transaction, possibly shared with other threads' payloads; its result once committed
        (or the writer's exception, rolled back)."""
        unit: _Unit[P, R] = _Unit(payload)
        with self._lock:
            self._pending.append(unit)
            if not self._leading:
                self._leading = unit.lead = True
        while True:
            if unit.lead:
                unit.lead = False
                self._lead()  # the group holds this unit: it is first in the queue when handed the lead
            if unit.finished:
                break
            unit.wake.wait()
            unit.wake.clear()
        if unit.error is not None:
            raise unit.error
        return unit.result  # type: ignore[return-value]

    def _lead(self) -> None:
        with self._lock:
            group, self._pending = self._pending[:MAX_GROUP], self._pending[MAX_GROUP:]
        try:
            self._commit(group)
        finally:
            for unit in group:
                unit.finished = True
                unit.wake.set()
            with self._lock:
                if self._pending:
                    successor = self._pending[0]
                    successor.lead = True
                    successor.wake.set()
                else:
                    self._leading = False

    def _commit(self, group: list[_Unit[P, R]]) -> None:
        try:
            with session_scope(self._url) as session:
                results = self._write(session, [unit.payload for unit in group])
        except BaseException as error:
            if len(group) == 1:
                group[0].error = error
                return
            for unit in group:  # isolate the failing unit: each alone
                try:
                    with session_scope(self._url) as session:
                        unit.result = self._write(session, [unit.payload])[0]
                except BaseException as own:
                    unit.error = own
            return
        for unit, result in zip(group, results, strict=True):
            unit.result = result


_WRITERS: dict[tuple[str, Callable[..., Any]], GroupCommit[Any, Any]] = {}
_WRITERS_LOCK = threading.Lock()


def for_url(url: str, write: Callable[[Session, list[P]], list[R]]) -> GroupCommit[P, R]:
    """The process's group commit of `write` to a database URL."""
    with _WRITERS_LOCK:
        writer = _WRITERS.get((url, write))
        if writer is None:
            writer = _WRITERS[(url, write)] = GroupCommit(url, write)
        return writer
