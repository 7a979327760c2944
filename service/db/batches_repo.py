"""All batch queries: batches, chunks, results (replay-safe inserts), atomic counters and webhook attempts.

The statements a chunk runs are Core statements on the tables: on the mapped classes, SQLAlchemy's ORM would also
look for the rows in the session to keep them in step, which no caller here needs (none reads a batch row it loaded
before updating it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from service.db.json_columns import dumps
from service.db.models import Batch, BatchChunk, BatchResult, WebhookDelivery, table_of

DECISIONS = ("CLEAR", "REVIEW", "BLOCK")
_BATCH = table_of(Batch)
_CHUNK = table_of(BatchChunk)
_RESULT = table_of(BatchResult)
# A webhook becomes due in the same UPDATE that finishes the batch, so it is never due twice.
_PENDING_IF_CALLBACK = case((_BATCH.c.callback_url.is_not(None), "pending"), else_=None)
_COUNTER = {"CLEAR": "clear_count", "REVIEW": "review_count", "BLOCK": "block_count"}
# PostgreSQL: a chunk's results as one JSON parameter. The multi-row INSERT SQLAlchemy builds otherwise has five
# parameters per row, which psycopg parses out of the statement text on every execution (a fifth of a chunk's
# client CPU); jsonb_to_recordset hands the server the same rows, the documents as jsonb, in one value.
_RESULTS_FROM_JSON = text(
    "INSERT INTO batch_result (batch_id, seq, reference, decision, document)"
    " SELECT :batch_id, r.seq, r.reference, r.decision, r.document FROM jsonb_to_recordset(CAST(:rows AS jsonb))"
    " AS r(seq integer, reference varchar, decision varchar, document jsonb)"
    " ON CONFLICT (batch_id, seq) DO NOTHING RETURNING seq, decision"
)


def get_batch(session: Session, batch_id: str) -> Batch | None:
    return session.get(Batch, batch_id)


def batch_by_key(session: Session, org_id: str, idempotency_key: str) -> Batch | None:
    query = select(Batch).where(Batch.org_id == org_id, Batch.idempotency_key == idempotency_key)
    return session.scalars(query).first()


def add_batch(session: Session, batch: Batch, chunks: Sequence[dict[str, Any]]) -> None:
    """Insert a batch and its chunks in the caller's transaction; a duplicate key raises IntegrityError on flush."""
    session.add(batch)
    session.flush()
    if chunks:
        session.execute(insert(BatchChunk), list(chunks))


def get_chunk(session: Session, batch_id: str, chunk_no: int) -> BatchChunk | None:
    return session.get(BatchChunk, (batch_id, chunk_no))


def start_chunk(session: Session, batch_id: str, chunk_no: int, now: datetime) -> int:
    """Mark a not-yet-done chunk running and count the attempt; the attempt number, or 0 if it was already done."""
    result = session.execute(
        update(_CHUNK)
        .where(_CHUNK.c.batch_id == batch_id, _CHUNK.c.chunk_no == chunk_no, _CHUNK.c.status != "done")
        .values(status="running", attempts=_CHUNK.c.attempts + 1, started_at=now, touched_at=now)
        .returning(_CHUNK.c.attempts)
    )
    attempts = result.scalar_one_or_none()
    return 0 if attempts is None else int(attempts)


def mark_batch_running(session: Session, batch_id: str, now: datetime) -> None:
    session.execute(
        update(_BATCH)
        .where(_BATCH.c.id == batch_id, _BATCH.c.status == "queued")
        .values(status="running", started_at=now)
    )


def _result_values(batch_id: str, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "batch_id": batch_id,
        "seq": row["seq"],
        "reference": row["reference"],
        "decision": row["decision"],
        "document": row["document"],
    }


def insert_results(session: Session, batch_id: str, rows: Sequence[dict[str, Any]]) -> tuple[dict[str, int], set[int]]:
    """Insert results, skipping (batch, seq) pairs already stored: the count per decision of rows really inserted,
    and their sequence numbers (only those get an audit event, so a replayed chunk records nothing twice)."""
    counts = dict.fromkeys(DECISIONS, 0)
    inserted: set[int] = set()
    if not rows:
        return counts, inserted
    if session.get_bind().dialect.name == "postgresql":
        values = [{k: row[k] for k in ("seq", "reference", "decision", "document")} for row in rows]
        stored = session.execute(_RESULTS_FROM_JSON, {"batch_id": batch_id, "rows": dumps(values)})
    else:
        # One statement with a parameter set per row (SQLAlchemy batches them into multi-row INSERTs).
        statement = (
            sqlite_insert(_RESULT)
            .on_conflict_do_nothing(index_elements=["batch_id", "seq"])
            .returning(_RESULT.c.seq, _RESULT.c.decision)
        )
        stored = session.execute(statement, [_result_values(batch_id, row) for row in rows])
    for seq, decision in stored:
        counts[decision] = counts.get(decision, 0) + 1
        inserted.add(seq)
    return counts, inserted


def add_progress(session: Session, batch_id: str, counts: dict[str, int]) -> None:
    """Add newly inserted results to the batch counters in one atomic UPDATE (no read-modify-write)."""
    inserted = sum(counts.values())
    if inserted == 0:
        return
    values: dict[str, Any] = {"processed": _BATCH.c.processed + inserted}
    for decision, column in _COUNTER.items():
        if counts.get(decision):
            values[column] = _BATCH.c[column] + counts[decision]
    session.execute(update(_BATCH).where(_BATCH.c.id == batch_id).values(**values))


def set_list_versions_once(session: Session, batch_id: str, list_versions: dict[str, str]) -> None:
    session.execute(
        update(_BATCH)
        .where(_BATCH.c.id == batch_id, _BATCH.c.list_versions.is_(None))
        .values(list_versions=list_versions)
    )


def finish_chunk(session: Session, batch_id: str, chunk_no: int, now: datetime) -> None:
    session.execute(
        update(_CHUNK)
        .where(_CHUNK.c.batch_id == batch_id, _CHUNK.c.chunk_no == chunk_no)
        .values(status="done", finished_at=now, touched_at=now, error=None)
    )


def complete_if_done(session: Session, batch_id: str, now: datetime) -> bool:
    """Move the batch to completed when every item is processed; True only for the one caller that did it."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(_BATCH)
        .where(_BATCH.c.id == batch_id, _BATCH.c.status == "running", _BATCH.c.processed >= _BATCH.c.total)
        .values(status="completed", completed_at=now, webhook_state=_PENDING_IF_CALLBACK)
    )
    return result.rowcount == 1


def fail_batch(session: Session, batch_id: str, error: str, now: datetime) -> bool:
    """Move an unfinished batch to failed; True only for the one caller that did it."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Batch)
        .where(Batch.id == batch_id, Batch.status.in_(("queued", "running")))
        .values(status="failed", completed_at=now, error=error, webhook_state=_PENDING_IF_CALLBACK)
    )
    return result.rowcount == 1


def record_chunk_error(session: Session, batch_id: str, chunk_no: int, error: str, now: datetime) -> None:
    session.execute(
        update(BatchChunk)
        .where(BatchChunk.batch_id == batch_id, BatchChunk.chunk_no == chunk_no, BatchChunk.status != "done")
        .values(status="queued", error=error, touched_at=now)
    )


def stale_chunks(session: Session, cutoff: datetime, limit: int = 1000) -> Sequence[tuple[str, int]]:
    """Unfinished chunks of live batches not touched since `cutoff` (lost messages, killed workers)."""
    rows = session.execute(
        select(BatchChunk.batch_id, BatchChunk.chunk_no)
        .join(Batch, Batch.id == BatchChunk.batch_id)
        .where(
            BatchChunk.status.in_(("queued", "running")),
            BatchChunk.touched_at < cutoff,
            Batch.status.in_(("queued", "running")),
        )
        .order_by(BatchChunk.touched_at)
        .limit(limit)
    ).all()
    return [(batch_id, chunk_no) for batch_id, chunk_no in rows]


def touch_chunks(session: Session, keys: Sequence[tuple[str, int]], now: datetime) -> None:
    for batch_id, chunk_no in keys:
        session.execute(
            update(BatchChunk)
            .where(BatchChunk.batch_id == batch_id, BatchChunk.chunk_no == chunk_no)
            .values(touched_at=now)
        )


def stale_webhooks(session: Session, cutoff: datetime, limit: int = 100) -> Sequence[str]:
    """Finished batches whose webhook is still pending with no attempt since `cutoff` (the enqueue was lost)."""
    last_attempt = (
        select(func.max(WebhookDelivery.sent_at)).where(WebhookDelivery.batch_id == Batch.id).scalar_subquery()
    )
    return session.scalars(
        select(Batch.id)
        .where(
            Batch.webhook_state == "pending",
            Batch.completed_at < cutoff,
            func.coalesce(last_attempt, Batch.completed_at) < cutoff,
        )
        .limit(limit)
    ).all()


def result_page(
    session: Session, batch_id: str, after_seq: int, limit: int, decision: str | None
) -> Sequence[BatchResult]:
    """Results after a sequence number, in input order, optionally of one decision."""
    query = select(BatchResult).where(BatchResult.batch_id == batch_id, BatchResult.seq > after_seq)
    if decision is not None:
        query = query.where(BatchResult.decision == decision)
    return session.scalars(query.order_by(BatchResult.seq).limit(limit)).all()


def count_results(session: Session, batch_id: str) -> int:
    return int(session.scalar(select(func.count()).where(BatchResult.batch_id == batch_id)) or 0)


def add_delivery(session: Session, delivery: WebhookDelivery) -> None:
    session.add(delivery)


def deliveries(session: Session, batch_id: str) -> Sequence[WebhookDelivery]:
    return session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.batch_id == batch_id).order_by(WebhookDelivery.id)
    ).all()


def delivery_attempts(session: Session, batch_id: str, event: str) -> int:
    return int(
        session.scalar(select(func.count()).where(WebhookDelivery.batch_id == batch_id, WebhookDelivery.event == event))
        or 0
    )


def set_webhook_state(session: Session, batch_id: str, state: str) -> bool:
    """Leave `pending` for a final webhook state; True only for the caller that moved it."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Batch).where(Batch.id == batch_id, Batch.webhook_state == "pending").values(webhook_state=state)
    )
    return result.rowcount == 1
