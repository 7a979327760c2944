"""Group commit: concurrent units share transactions, each stays atomic, a failing unit fails alone."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from service.db.group_commit import GroupCommit
from service.db.session import session_scope


def _setup(url: str) -> None:
    with session_scope(url) as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS gc_probe (id INTEGER PRIMARY KEY, txid TEXT)"))
        session.execute(text("DELETE FROM gc_probe"))


def _write(session: Session, payloads: list[int]) -> list[int]:
    """Inserts one row per payload, noting the transaction; payload 13 also inserts a duplicate key and fails."""
    tx = session.info.setdefault("tx", uuid.uuid4().hex)
    for i in payloads:
        session.execute(text("INSERT INTO gc_probe (id, txid) VALUES (:id, :tx)"), {"id": i, "tx": tx})
        if i == 13:
            session.execute(text("INSERT INTO gc_probe (id) VALUES (13)"))
        if i == -1:
            raise ZeroDivisionError
    return [i * 2 for i in payloads]


def test_concurrent_payloads_commit_together_and_a_failure_stays_alone(db_url: str) -> None:
    _setup(db_url)
    writer = GroupCommit(db_url, _write)
    gate = threading.Barrier(8)

    def unit(i: int) -> int:
        if i < 8:
            gate.wait()  # the first eight arrive together
        return writer.submit(i).result()

    with ThreadPoolExecutor(max_workers=24) as pool:
        futures = [pool.submit(unit, i) for i in range(40)]
        results = {}
        for i, future in enumerate(futures):
            if i == 13:
                with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
                    future.result()
            else:
                results[i] = future.result()
    assert results == {i: i * 2 for i in range(40) if i != 13}
    with session_scope(db_url) as session:
        stored = {row[0] for row in session.execute(text("SELECT id FROM gc_probe"))}
        shared = session.execute(text("SELECT COUNT(DISTINCT txid) FROM gc_probe")).scalar_one()
    assert stored == set(range(40)) - {13}  # nothing of the failed payload, everything of the others
    assert shared < 39  # payloads did share transactions


def test_a_lone_payload_is_written_at_once_and_errors_propagate(db_url: str) -> None:
    _setup(db_url)
    writer = GroupCommit(db_url, _write)
    assert writer.submit(21).result() == 42
    with pytest.raises(ZeroDivisionError):
        writer.submit(-1).result()
    assert writer.submit(7).result() == 14  # the writer thread outlived the failure
    with session_scope(db_url) as session:
        assert {row[0] for row in session.execute(text("SELECT id FROM gc_probe"))} == {21, 7}


def test_a_payload_is_written_even_if_its_caller_stops_waiting(db_url: str) -> None:
    """A client that disconnects cancels its request's await; the screening it caused is still evidence."""
    _setup(db_url)
    writer = GroupCommit(db_url, _write)
    future = writer.submit(5)
    assert not future.cancel()
    assert future.result(timeout=30) == 10
    with session_scope(db_url) as session:
        assert {row[0] for row in session.execute(text("SELECT id FROM gc_probe"))} == {5}
