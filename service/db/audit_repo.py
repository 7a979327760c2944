"""All audit-event queries: the chain head under a per-organisation lock, inserts, filtered pages and streams.

There is deliberately no update or delete here: the application has no code path that changes an event.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select, text
from sqlalchemy.orm import Session

from service.db.filters import where_between, where_equal
from service.db.models import AuditEvent

STREAM_ROWS = 2000
COLUMNS = tuple(AuditEvent.__table__.columns.keys())


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What GET /v1/audit/events and the exports may filter on (all optional but the organisation)."""

    org_id: str = "default"
    since: datetime | None = None
    until: datetime | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    actor: str | None = None


def lock_chain(session: Session, org_id: str) -> None:
    """Serialise appends to one organisation's chain until the transaction ends (PostgreSQL advisory lock).

    SQLite needs nothing: a transaction that writes holds the database's only write lock until it ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"audit:{org_id}"})


def chain_head(session: Session, org_id: str) -> tuple[int, str] | None:
    """The last (seq, hash) of an organisation's chain, or None for an empty chain."""
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.org_id == org_id)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


def add_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert already-chained events (a core INSERT: no ORM identity kept for a row nobody will change)."""
    if rows:
        session.execute(insert(AuditEvent), list(rows))


def _filtered(query: Select[Any], where: EventFilter) -> Select[Any]:
    query = where_equal(
        query.where(AuditEvent.org_id == where.org_id),
        (AuditEvent.action, where.action),
        (AuditEvent.object_type, where.object_type),
        (AuditEvent.object_id, where.object_id),
        (AuditEvent.actor, where.actor),
    )
    return where_between(query, AuditEvent.occurred_at, where.since, where.until)


def event_page(session: Session, where: EventFilter, after_seq: int, limit: int) -> list[dict[str, Any]]:
    """Events after a sequence number, oldest first."""
    query = _filtered(select(AuditEvent.__table__), where).where(AuditEvent.seq > after_seq)
    rows = session.execute(query.order_by(AuditEvent.seq).limit(limit)).mappings().all()
    return [dict(row) for row in rows]


def stream_events(session: Session, where: EventFilter | None, org_id: str | None = None) -> Iterator[dict[str, Any]]:
    """Every matching event in chain order, fetched in slices through a server-side cursor (constant memory)."""
    query = select(AuditEvent.__table__)
    if where is not None:
        query = _filtered(query, where)
    elif org_id is not None:
        query = query.where(AuditEvent.org_id == org_id)
    result = session.execute(
        query.order_by(AuditEvent.org_id, AuditEvent.seq), execution_options={"yield_per": STREAM_ROWS}
    )
    for row in result.mappings():
        yield dict(row)


def org_ids(session: Session) -> list[str]:
    """Every organisation that has a chain."""
    return [str(o) for o in session.scalars(select(AuditEvent.org_id).distinct().order_by(AuditEvent.org_id))]


def count_events(session: Session, org_id: str) -> int:
    return int(session.scalar(select(func.count()).where(AuditEvent.org_id == org_id)) or 0)
