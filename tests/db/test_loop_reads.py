"""Reads made on the event loop (`read_on_loop`): one autocommit round trip on the loop's own connection, a dead
connection replaced and the read made again, and a short statement timeout so a locked table cannot hold the loop."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from service.db.session import engine_for, loop_engine_for, read_on_loop

_BACKEND = text("SELECT pg_backend_pid()")


def test_a_read_on_a_connection_the_server_closed_is_made_again(db_url: str) -> None:
    assert read_on_loop(db_url, text("SELECT 1 + 1"), {}) == (2,)
    if not db_url.startswith("postgresql"):
        return  # SQLite has no server to close a connection
    first = read_on_loop(db_url, _BACKEND, {})
    assert first is not None
    with engine_for(db_url).connect() as admin:
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first[0]})
        admin.commit()
    time.sleep(0.2)  # the backend exits
    second = read_on_loop(db_url, _BACKEND, {})
    assert second is not None and second[0] != first[0]


@pytest.mark.postgres
def test_a_loop_read_gives_up_on_a_locked_table_within_seconds(postgres_url: str) -> None:
    with engine_for(postgres_url).connect() as locker:
        locker.execute(text("CREATE TABLE IF NOT EXISTS loop_probe (id INTEGER)"))
        locker.commit()
        locker.execute(text("LOCK TABLE loop_probe IN ACCESS EXCLUSIVE MODE"))
        with pytest.raises(OperationalError, match="statement timeout"):
            read_on_loop(postgres_url, text("SELECT count(*) FROM loop_probe"), {})
        locker.rollback()
        locker.execute(text("DROP TABLE loop_probe"))
        locker.commit()
    assert loop_engine_for(postgres_url).pool.size() == 1
