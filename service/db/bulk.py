"""Inserting many rows at once in the caller's transaction: COPY on PostgreSQL, an executemany elsewhere.

For the rows every screened item writes (its audit events, its alerts), COPY costs a quarter of the client CPU of
an executemany and about half of the server's: no statement to parse, bind and execute per row. A handful of rows
(a synchronous screening's event) go in one INSERT: a COPY takes two round trips.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Insert, Table, insert
from sqlalchemy.orm import Session

from service.db.json_columns import dumps

_COPY_FROM_ROWS = 8


@lru_cache(maxsize=32)
def _insert(table: Table) -> Insert:
    return insert(table)  # built once per table (see service.db.alerts_repo)


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows that all have the same keys (a column left out takes its server default, e.g. a sequence)."""
    if not rows:
        return
    if len(rows) < _COPY_FROM_ROWS or session.get_bind().dialect.name != "postgresql":
        session.execute(_insert(table), list(rows))
        return
    columns = list(rows[0])
    as_json = [isinstance(table.c[name].type, JSON) for name in columns]
    driver = session.connection().connection.driver_connection  # psycopg, inside the session's transaction
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            # JSON columns as SQLAlchemy writes them: None is JSON null, not SQL NULL.
            copy.write_row([dumps(row[c]) if json else row[c] for c, json in zip(columns, as_json, strict=True)])
