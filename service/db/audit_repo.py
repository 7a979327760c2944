"""All audit-event queries: the chain head under a per-organisation lock, inserts, filtered pages and streams.

There is deliberately no update or delete here: the application has no code path that changes an event.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select, text
from sqlalchemy.orm import Session, SessionTransaction

from service.db.bulk import insert_rows
from service.db.filters import where_between, where_equal
from service.db.models import AuditEvent, table_of

STREAM_ROWS = 2000
COLUMNS = tuple(AuditEvent.__table__.columns.keys())
# Built once: every screened item's transaction runs these, and building a statement per call (with the cache key
# SQLAlchemy derives from it) cost three times its execution.
_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
_EVENTS = table_of(AuditEvent)
_HEAD = (
    select(_EVENTS.c.seq, _EVENTS.c.hash)
    .where(_EVENTS.c.org_id == bindparam("org_id"))
    .order_by(_EVENTS.c.seq.desc())
    .limit(1)
)
_CHAINS = "audit_chains"  # Session.info key: the chains the session's current transaction holds


@dataclass(slots=True)
class _HeldChain:
    """An organisation's chain as the transaction holding its lock knows it: once this transaction has appended, no
    one else can, so the head it wrote is the head (no need to lock or read it again in this transaction)."""

    transaction: SessionTransaction | None
    head: tuple[int, str] | None = None
    head_known: bool = False


def _held(session: Session, org_id: str) -> _HeldChain | None:
    chain: _HeldChain | None = session.info.get(_CHAINS, {}).get(org_id)
    if chain is None or chain.transaction is not session.get_transaction():
        return None
    return chain


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
    """Serialise appends to one organisation's chain until the transaction ends (PostgreSQL advisory lock; taking it
    again in the same transaction costs nothing).

    SQLite needs nothing: a transaction that writes holds the database's only write lock until it ends."""
    if _held(session, org_id) is not None:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK, {"key": f"audit:{org_id}"})
    session.connection()  # the transaction has begun: it is the one that holds the lock
    session.info.setdefault(_CHAINS, {})[org_id] = _HeldChain(session.get_transaction())


def chain_head(session: Session, org_id: str) -> tuple[int, str] | None:
    """The last (seq, hash) of an organisation's chain, or None for an empty chain."""
    chain = _held(session, org_id)
    if chain is not None and chain.head_known:
        return chain.head
    row = session.execute(_HEAD, {"org_id": org_id}).first()
    return None if row is None else (int(row[0]), str(row[1]))


def appended(session: Session, org_id: str, head: tuple[int, str]) -> None:
    """Note the head this transaction just wrote to a chain whose lock it holds."""
    chain = _held(session, org_id)
    if chain is not None:
        chain.head, chain.head_known = head, True


def add_events(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert already-chained events (in bulk, no ORM machinery: nobody will change them)."""
    insert_rows(session, table_of(AuditEvent), rows)


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
