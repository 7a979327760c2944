"""Group commit: the writes of concurrent synchronous screenings share one transaction.

Every stored screening appends to its organisation's audit chain, and appends to a chain are serialised until the
appending transaction commits: with one transaction per request, a process answers at most one request per commit
(a WAL flush). Here a request hands what it must write to a `GroupCommit` and gets a future; one writer thread per
process and database takes everything queued so far, writes it with one call of the writer (bulk statements) in one
transaction, and resolves the futures. Nobody else waits in a thread: an async handler awaits its future on the
event loop, so the only threads competing for the interpreter are the loop and the writer. Each payload stays
atomic: if the shared transaction fails, it is rolled back and every payload of the group is written again in a
transaction of its own, so one bad payload fails alone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from service.db.session import session_scope

P = TypeVar("P")
R = TypeVar("R")

# Payloads per shared transaction, at most: a group's requests all wait for its commit.
MAX_GROUP = 64


class GroupCommit(Generic[P, R]):
    """A queue of pending writes to one database by one writer (see the module docstring). `write(session, payloads)`
    writes them all in the caller's transaction and returns one result per payload, in order."""

    def __init__(self, url: str, write: Callable[[Session, list[P]], list[R]]) -> None:
        self._url = url
        self._write = write
        self._ready = threading.Condition()
        self._pending: list[tuple[P, Future[R]]] = []
        self._thread: threading.Thread | None = None
        self._pid = 0  # the process that started the thread: a forked child must start its own

    def submit(self, payload: P) -> Future[R]:
        """Queue `payload`; its future resolves to its result once committed (or to the writer's exception)."""
        future: Future[R] = Future()
        # Running from the start: a caller that stops waiting (a client gone) cannot cancel it, its write still lands.
        future.set_running_or_notify_cancel()
        with self._ready:
            if self._thread is None or self._pid != os.getpid():
                self._pending = []  # a forked child's copy of its parent's queue belongs to nobody here
                self._thread = threading.Thread(target=self._serve, name="group-commit", daemon=True)
                self._pid = os.getpid()
                self._thread.start()
            self._pending.append((payload, future))
            self._ready.notify()
        return future

    def _serve(self) -> None:
        while True:
            with self._ready:
                while not self._pending:
                    self._ready.wait()
                group, self._pending = self._pending[:MAX_GROUP], self._pending[MAX_GROUP:]
            self._commit(group)

    def _commit(self, group: list[tuple[P, Future[R]]]) -> None:
        try:
            with session_scope(self._url) as session:
                results = self._write(session, [payload for payload, _ in group])
        except BaseException as error:  # the writer's failure belongs to its callers, never to this thread
            if len(group) == 1:
                group[0][1].set_exception(error)
                return
            for payload, future in group:  # isolate the failing payload: each alone
                try:
                    with session_scope(self._url) as session:
                        future.set_result(self._write(session, [payload])[0])
                except BaseException as own:
                    future.set_exception(own)
            return
        for (_, future), result in zip(group, results, strict=True):
            future.set_result(result)


_WRITERS: dict[tuple[str, Callable[..., Any]], GroupCommit[Any, Any]] = {}
_WRITERS_LOCK = threading.Lock()


def for_url(url: str, write: Callable[[Session, list[P]], list[R]]) -> GroupCommit[P, R]:
    """The process's group commit of `write` to a database URL."""
    with _WRITERS_LOCK:
        writer = _WRITERS.get((url, write))
        if writer is None:
            writer = _WRITERS[(url, write)] = GroupCommit(url, write)
        return writer
