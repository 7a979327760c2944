"""Engine and the one place where a unit of work commits or rolls back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, Executable, Row, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from service.db.json_columns import dumps as json_dumps


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout so the in-process worker can share it."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=json_dumps
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # LIFO: the connection used last is the one taken next, so the few a process keeps busy stay warm (their server
    # backends' caches, psycopg's prepared statements) instead of every pooled connection in turn.
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=10, pool_use_lifo=True, json_serializer=json_dumps
    )


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per database URL per process."""
    return make_engine(url)


@lru_cache(maxsize=8)
def loop_engine_for(url: str) -> Engine:
    """A one-connection engine for the reads an event loop makes itself (each request's API key), where a thread hop
    would cost more than the read. Its own connection: the loop never waits for one that threads hold. Autocommit: a
    read is one round trip, without BEGIN and ROLLBACK. No pre-ping (another round trip): `read_on_loop` replaces a
    connection found dead and reads again. Short connect and statement timeouts: while it waits, the loop serves
    nobody, so an unreachable or locked database fails the read within seconds instead."""
    if url.startswith("sqlite"):
        return make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    return create_engine(
        url,
        pool_size=1,
        max_overflow=0,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 2, "options": "-c statement_timeout=2000"},
        json_serializer=json_dumps,
    )


def read_on_loop(url: str, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
    """The first row of a read on `loop_engine_for(url)`, retried once on a connection the server had closed."""
    for attempt in (1, 2):
        try:
            with loop_engine_for(url).connect() as connection:
                return connection.execute(statement, params).first()
        except DBAPIError as error:
            if not error.connection_invalidated or attempt == 2:
                raise
    raise AssertionError("unreachable")


@lru_cache(maxsize=8)
def session_factory(url: str) -> sessionmaker[Session]:
    """One session factory per database URL per process: a `sessionmaker` makes a Session subclass, whose event
    dispatch SQLAlchemy sets up anew for every new class (a fresh one per unit of work cost ~0.2 ms each)."""
    return sessionmaker(bind=engine_for(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A unit of work: commit on success, roll back on any exception (habit 5)."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
