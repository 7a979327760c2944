"""Batch screening: validate a submission, record it once per idempotency key, screen it chunk by chunk.

The functions here never enqueue: they commit and return what must be enqueued next, so the caller (API route
or worker task) enqueues only after the commit (habit 6).
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import alerts, audit
from service.batch_items import EXTRA_CSV_COLUMNS, ChunkScreener, csv_extra, shipment_csv_basis, validate_item
from service.core.errors import ScreeningError
from service.core.match_config import MatchConfig
from service.db import batches_repo as repo
from service.db.models import Batch, BatchResult, WebhookDelivery
from service.db.session import session_scope
from service.inputs import CSV_COLUMNS, counterparty_from_csv_row
from service.net_policy import forbidden_reason
from service.screening_service import ALGORITHM
from service.settings import Settings

CSV_INPUT_COLUMNS = (*CSV_COLUMNS, "address")
RESULT_CSV_COLUMNS = (
    "seq",
    "reference",
    "decision",
    "rule",
    "top_list",
    "top_entity_id",
    "top_entity_name",
    "top_matched_name",
    "top_score",
    "match_count",
    "list_versions",
    *EXTRA_CSV_COLUMNS,
)
MAX_KEY_LENGTH = 200
MAX_URL_LENGTH = 2000


class BatchInputError(ScreeningError):
    code = "validation_error"
    status = 422


class MalformedBodyError(ScreeningError):
    code = "malformed_json"
    status = 400


class PayloadTooLargeError(ScreeningError):
    code = "payload_too_large"
    status = 413


class UnsupportedMediaTypeError(ScreeningError):
    code = "unsupported_media_type"
    status = 415


class IdempotencyError(ScreeningError):
    code = "idempotency_key_required"
    status = 400


class IdempotencyConflictError(ScreeningError):
    code = "idempotency_conflict"
    status = 409


@dataclass(slots=True)
class BatchSubmission:
    """A validated batch: items as normalised counterparty or shipment dicts (service.batch_items), in input order."""

    items: list[dict[str, Any]]
    callback_url: str | None = None
    as_of: date | None = None


@dataclass(slots=True)
class CreatedBatch:
    batch_id: str
    created: bool
    # (batch_id, chunk_no) to enqueue after the commit; empty when the key replayed an existing batch.
    chunks: list[tuple[str, int]] = field(default_factory=list)


@dataclass(slots=True)
class ChunkOutcome:
    # skipped (already done or batch finished) | done | completed (this chunk finished the batch) | failed
    status: str
    inserted: int = 0

    @property
    def webhook_due(self) -> bool:
        return self.status in ("completed", "failed")


def check_idempotency_key(value: str | None) -> str:
    """The Idempotency-Key header, required and bounded."""
    key = (value or "").strip()
    if not key:
        raise IdempotencyError(
            "send an Idempotency-Key header (any unique string, e.g. a UUID) so a retried POST is not a second batch",
            field="Idempotency-Key",
        )
    if len(key) > MAX_KEY_LENGTH or any(not ch.isprintable() for ch in key):
        raise BatchInputError(
            f"Idempotency-Key must be at most {MAX_KEY_LENGTH} printable characters", field="Idempotency-Key"
        )
    return key


def check_callback_url(value: object, allow_private: bool = False) -> str | None:
    """An absolute http(s) URL or None; private and local targets only where the deployment allows them."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_URL_LENGTH:
        raise BatchInputError(
            f"callback_url must be an http(s) URL of at most {MAX_URL_LENGTH} characters", field="callback_url"
        )
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(ch.isspace() for ch in value):
        raise BatchInputError(f"callback_url {value[:100]!r} is not an absolute http(s) URL", field="callback_url")
    reason = None if allow_private else forbidden_reason(value)
    if reason is not None:
        raise BatchInputError(
            f"callback_url must reach a public address ({reason}); private targets need"
            " SCREENING_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true",
            code="callback_url_forbidden",
            field="callback_url",
        )
    return value


def check_as_of(value: object) -> date | None:
    """An ISO date or None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise BatchInputError(f"as_of must be a date YYYY-MM-DD, got {str(value)[:40]!r}", field="as_of")


def _validated_item(raw: object, where: str) -> dict[str, Any]:
    # A counterparty, or a shipment (an object with ship_date and goods): see service.batch_items.
    return validate_item(raw, where)


def _check_count(count: int, settings: Settings) -> None:
    if count == 0:
        raise BatchInputError("items must hold at least one counterparty", field="items")
    if count > settings.batch_max_items:
        raise PayloadTooLargeError(
            f"a batch holds at most {settings.batch_max_items} items, got {count}; split it into several batches",
            field="items",
        )


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedBodyError(
            f"the {what} body is not UTF-8 ({exc.reason} at byte {exc.start}); re-encode it as UTF-8",
            code="encoding_invalid",
            field="body",
        ) from None


def parse_json_submission(body: bytes, settings: Settings) -> BatchSubmission:
    """Validate a JSON body {items: [...], callback_url?, as_of?}; the first bad item rejects the whole batch."""
    text = _decode(body, "JSON")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedBodyError(
            f"body is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", field="body"
        ) from None
    except RecursionError:
        raise MalformedBodyError("body is nested too deeply", field="body") from None
    if not isinstance(data, dict):
        raise BatchInputError('body must be an object: {"items": [...], "callback_url": ...}', field="body")
    unknown = sorted(set(data) - {"items", "callback_url", "as_of"})
    if unknown:
        raise BatchInputError(f"unknown field {unknown[0]!r}; allowed: items, callback_url, as_of", field=unknown[0])
    items = data.get("items")
    if not isinstance(items, list):
        raise BatchInputError("items must be a list of counterparties", field="items")
    _check_count(len(items), settings)
    callback_url = check_callback_url(data.get("callback_url"), settings.webhook_allow_private_networks)
    as_of = check_as_of(data.get("as_of"))
    validated = [_validated_item(raw, f"items[{i}]") for i, raw in enumerate(items)]
    return BatchSubmission(validated, callback_url, as_of)


def parse_csv_submission(
    body: bytes, settings: Settings, callback_url: str | None, as_of: str | None
) -> BatchSubmission:
    """Validate a CSV upload with the documented columns (header row, `name` required, no unknown columns)."""
    text = _decode(body, "CSV")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        columns = [c.strip() for c in (reader.fieldnames or [])]
        reader.fieldnames = columns
        if not columns:
            raise BatchInputError(
                f"the CSV is empty; expected a header row: {','.join(CSV_INPUT_COLUMNS)}", field="columns"
            )
        if "name" not in columns:
            raise BatchInputError(
                f"the CSV is missing column(s) name; expected {','.join(CSV_INPUT_COLUMNS)}",
                code="csv_columns_missing",
                field="columns",
            )
        unknown = [c for c in columns if c not in CSV_INPUT_COLUMNS]
        if unknown:
            raise BatchInputError(
                f"unknown CSV column(s) {', '.join(unknown)}; allowed: {','.join(CSV_INPUT_COLUMNS)}",
                code="csv_columns_unknown",
                field="columns",
            )
        validated: list[dict[str, Any]] = []
        for index, row in enumerate(reader):
            if len(validated) >= settings.batch_max_items:
                _check_count(settings.batch_max_items + 1, settings)
            where = f"items[{index}]"
            if None in row:
                raise BatchInputError(f"{where} (line {reader.line_num}): more cells than header columns", field=where)
            try:
                raw = counterparty_from_csv_row({k: v or "" for k, v in row.items()})
            except ValueError as exc:
                raise BatchInputError(f"{where}.identifiers: {exc}", field=f"{where}.identifiers") from None
            validated.append(_validated_item(raw, where))
    except csv.Error as exc:
        raise BatchInputError(f"the CSV cannot be read (line {reader.line_num}: {exc})", field="body") from None
    _check_count(len(validated), settings)
    return BatchSubmission(
        validated, check_callback_url(callback_url, settings.webhook_allow_private_networks), check_as_of(as_of)
    )


def body_fingerprint(kind: str, body: bytes, *extra: str | None) -> str:
    """SHA-256 over what makes two submissions "the same body" for an idempotency key."""
    digest = hashlib.sha256()
    for part in (kind, *extra):
        digest.update((part or "").encode() + b"\x00")
    digest.update(body)
    return digest.hexdigest()


def _replay(settings: Settings, org_id: str, key: str, body_sha256: str) -> CreatedBatch | None:
    with session_scope(settings.database_url) as session:
        existing = repo.batch_by_key(session, org_id, key)
        if existing is None:
            return None
        if existing.body_sha256 != body_sha256:
            raise IdempotencyConflictError(
                f"Idempotency-Key {key!r} was already used for a different body (batch {existing.id}); "
                "use a new key for a new batch",
                field="Idempotency-Key",
            )
        return CreatedBatch(existing.id, created=False)


def create_batch(
    settings: Settings,
    key: str,
    body_sha256: str,
    submission: BatchSubmission,
    *,
    org_id: str = audit.DEFAULT_ORG,
    actor: audit.Actor = audit.API,
) -> CreatedBatch:
    """Record a batch of `org_id` with its chunks in one transaction, or return the batch this key already made in
    that organisation (409 if the body differs); concurrent first posts are settled by the unique (org, key)."""
    replay = _replay(settings, org_id, key, body_sha256)
    if replay is not None:
        return replay
    now = datetime.now(UTC)
    batch_id = str(uuid.uuid4())
    size = settings.batch_chunk_size
    chunks = [
        {
            "batch_id": batch_id,
            "chunk_no": number,
            "first_seq": start,
            "items": submission.items[start : start + size],
            "status": "queued",
            "attempts": 0,
            "touched_at": now,
        }
        for number, start in enumerate(range(0, len(submission.items), size))
    ]
    batch = Batch(
        id=batch_id,
        org_id=org_id,
        idempotency_key=key,
        body_sha256=body_sha256,
        status="queued",
        as_of=submission.as_of,
        callback_url=submission.callback_url,
        total=len(submission.items),
        chunk_count=len(chunks),
        processed=0,
        clear_count=0,
        review_count=0,
        block_count=0,
        created_at=now,
    )
    try:
        with session_scope(settings.database_url) as session:
            repo.add_batch(session, batch, chunks)
            audit.append_event(
                session,
                action="batch.received",
                object_type="batch",
                object_id=batch_id,
                payload={
                    "idempotency_key": key,
                    "body_sha256": body_sha256,
                    "items": batch.total,
                    "chunks": batch.chunk_count,
                    "as_of": batch.as_of,
                    "callback_url": batch.callback_url,
                },
                actor=actor,
                org_id=org_id,
                now=now,
            )
    except IntegrityError:
        replay = _replay(settings, org_id, key, body_sha256)
        if replay is None:
            raise
        return replay
    return CreatedBatch(batch_id, created=True, chunks=[(batch_id, number) for number in range(len(chunks))])


def run_chunk(settings: Settings, batch_id: str, chunk_no: int) -> ChunkOutcome:
    """Screen one chunk and store its results replay-safely; counters move only by rows really inserted, and only
    the chunk whose commit makes processed == total completes the batch."""
    url = settings.database_url
    now = datetime.now(UTC)
    with session_scope(url) as session:
        batch = repo.get_batch(session, batch_id)
        if batch is None or batch.status in ("completed", "failed"):
            return ChunkOutcome("skipped")
        attempt = repo.start_chunk(session, batch_id, chunk_no, now)
        if attempt == 0:
            return ChunkOutcome("skipped")
        repo.mark_batch_running(session, batch_id, now)
        chunk = repo.get_chunk(session, batch_id, chunk_no)
        assert chunk is not None
        items, first_seq, as_of = list(chunk.items), chunk.first_seq, batch.as_of
        org_id = batch.org_id
    if attempt > settings.chunk_max_attempts:
        failed = fail(settings, batch_id, f"chunk {chunk_no} failed {attempt - 1} times; giving up")
        return ChunkOutcome("failed" if failed else "skipped")
    screener = ChunkScreener(url, org_id, as_of)
    context = screener.context(as_of)
    rows: list[dict[str, Any]] = []
    parties = alerts.PartyMemory(url, org_id, batch_id)  # shipment parties meet the good-guy memory as screened
    # Hashed in a pass of their own: between two matcher searches (which sweep the CPU caches) each cost 5x more.
    input_hashes = [audit.content_sha256(item) for item in items]
    for offset, item in enumerate(items):
        reference, document = screener.screen(item, on_party=parties.hook(first_seq + offset))
        rows.append(
            {
                "seq": first_seq + offset,
                "reference": reference,
                "decision": document["decision"],
                "document": document,
                "input_sha256": input_hashes[offset],
            }
        )
    done = datetime.now(UTC)
    with session_scope(url) as session:
        # Good-guy memory before storing: a remembered false positive changes the stored document and its decision.
        hits = alerts.batch_hits(batch_id, first_seq, items, rows)
        alerts.apply_memory(session, org_id, [screened for _, screened in hits])
        hits += parties.items
        for row in rows:
            row["decision"] = row["document"]["decision"]
        counts, inserted = repo.insert_results(session, batch_id, rows)
        # Rendered before the batch row and the chain lock are taken: from there to the commit, the batch's other
        # chunks (and every other writer of the organisation's chain) wait for this transaction.
        item_events = audit.prepare_events(
            _item_events(batch_id, [row for row in rows if row["seq"] in inserted]), org_id=org_id, now=done
        )
        repo.add_progress(session, batch_id, counts)
        repo.set_list_versions_once(session, batch_id, context.list_versions)
        repo.finish_chunk(session, batch_id, chunk_no, done)
        completed = repo.complete_if_done(session, batch_id, done)
        # Alert rows before the audit chain lock, as every other writer of alerts does (no lock-order deadlock).
        alerts.open_for(session, org_id, [screened for seq, screened in hits if seq in inserted], now=done)
        audit.append_prepared(session, item_events)
        _audit_chunk(
            session, org_id, batch_id, chunk_no, first_seq, counts, context.list_versions, as_of, completed, done
        )
    return ChunkOutcome("completed" if completed else "done", sum(counts.values()))


def _item_events(batch_id: str, rows: Sequence[dict[str, Any]]) -> list[audit.EventSpec]:
    """One `item.screened` event per stored result: the input's fingerprint, the decision and rule, the matched
    entities and the list versions used (the full document stays in the result row)."""
    events = []
    for row in rows:
        document = row["document"]
        events.append(
            audit.EventSpec(
                action="item.screened",
                object_type="batch_item",
                object_id=f"{batch_id}:{row['seq']}",
                payload={
                    **audit.result_summary(document),
                    "reference": row["reference"],
                    "input_sha256": row["input_sha256"],
                    # A shipment item: its findings' rule ids (its parties' matches are in the stored document).
                    **(
                        {"kind": "shipment", "finding_rules": [f["rule_id"] for f in document.get("findings", [])]}
                        if document.get("kind") == "shipment"
                        else {}
                    ),
                },
            )
        )
    return events


def _audit_chunk(
    session: Session,
    org_id: str,
    batch_id: str,
    chunk_no: int,
    first_seq: int,
    counts: dict[str, int],
    list_versions: dict[str, str],
    as_of: date | None,
    completed: bool,
    now: datetime,
) -> None:
    # One event per chunk, not per item: a 100,000-item batch would otherwise add 100,000 chained rows (and as many
    # serialised appends); each item's own result row keeps its list versions.
    if sum(counts.values()):
        audit.append_event(
            session,
            action="batch.items_screened",
            object_type="batch",
            object_id=batch_id,
            payload={
                "chunk_no": chunk_no,
                "first_seq": first_seq,
                "items": sum(counts.values()),
                "decisions": counts,
                "list_versions": list_versions,
                "as_of": as_of,
                "algorithm": ALGORITHM,
                "config_hash": audit.config_hash(MatchConfig()),
            },
            org_id=org_id,
            now=now,
        )
    if completed:
        batch = repo.get_batch(session, batch_id)
        assert batch is not None
        audit.append_event(
            session,
            action="batch.completed",
            object_type="batch",
            object_id=batch_id,
            payload={"counts": batch_summary(batch)["counts"], "list_versions": batch.list_versions or {}},
            org_id=org_id,
            now=now,
        )


def record_chunk_error(settings: Settings, batch_id: str, chunk_no: int, error: str) -> int:
    """Note a chunk attempt's error and put it back in the queue; the attempts used so far."""
    with session_scope(settings.database_url) as session:
        repo.record_chunk_error(session, batch_id, chunk_no, error[:2000], datetime.now(UTC))
        chunk = repo.get_chunk(session, batch_id, chunk_no)
        return 0 if chunk is None else chunk.attempts


def fail(settings: Settings, batch_id: str, error: str) -> bool:
    """Mark a batch failed; True only for the one caller that did it (it then enqueues the webhook)."""
    with session_scope(settings.database_url) as session:
        failed = repo.fail_batch(session, batch_id, error[:2000], datetime.now(UTC))
        batch = repo.get_batch(session, batch_id) if failed else None
        if batch is not None:
            audit.append_event(
                session,
                action="batch.failed",
                object_type="batch",
                object_id=batch_id,
                payload={"error": error[:2000]},
                org_id=batch.org_id,
            )
        return failed


@dataclass(slots=True)
class SweepResult:
    chunks: list[tuple[str, int]]
    webhooks: list[str]


def sweep(settings: Settings) -> SweepResult:
    """Chunks of live batches idle past the chunk timeout (lost message, killed worker) and webhooks still due
    with no recent attempt; their clocks are reset so the next sweep leaves them alone for another timeout."""
    now = datetime.now(UTC)
    cutoff = now - timedelta(seconds=settings.chunk_timeout_seconds)
    with session_scope(settings.database_url) as session:
        chunks = list(repo.stale_chunks(session, cutoff))
        repo.touch_chunks(session, chunks, now)
        webhooks = list(repo.stale_webhooks(session, cutoff))
    return SweepResult(chunks, webhooks)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end.replace(tzinfo=None) - start.replace(tzinfo=None)).total_seconds(), 3)


def batch_summary(batch: Batch) -> dict[str, Any]:
    """The batch as the API and the webhook show it: status, counts, timings, list versions."""
    return {
        "id": batch.id,
        "status": batch.status,
        "counts": {
            "total": batch.total,
            "processed": batch.processed,
            "clear": batch.clear_count,
            "review": batch.review_count,
            "block": batch.block_count,
        },
        "timings": {
            "created_at": _iso(batch.created_at),
            "started_at": _iso(batch.started_at),
            "completed_at": _iso(batch.completed_at),
            "queued_seconds": _seconds(batch.created_at, batch.started_at),
            "run_seconds": _seconds(batch.started_at, batch.completed_at),
        },
        "list_versions": batch.list_versions or {},
        "as_of": batch.as_of.isoformat() if batch.as_of else None,
        "callback_url": batch.callback_url,
        "webhook_state": batch.webhook_state,
        "error": batch.error,
        "links": {
            "self": f"/v1/batches/{batch.id}",
            "results": f"/v1/batches/{batch.id}/results",
            "deliveries": f"/v1/batches/{batch.id}/deliveries",
        },
    }


def get_summary(settings: Settings, batch_id: str, org_id: str | None = None) -> dict[str, Any] | None:
    """The batch's summary; None when it does not exist or (given `org_id`) belongs to another organisation."""
    with session_scope(settings.database_url) as session:
        batch = repo.get_batch(session, batch_id)
        if batch is None or (org_id is not None and batch.org_id != org_id):
            return None
        return batch_summary(batch)


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The last sequence number a cursor points after (-1 for the first page); a forged cursor is a 422."""
    if not cursor:
        return -1
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("seq:"):
            raise ValueError(text)
        return int(text[4:])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BatchInputError(
            "cursor is not one returned by this API (use next_cursor as is)", field="cursor"
        ) from None


def check_decision(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    decision = value.upper()
    if decision not in repo.DECISIONS:
        raise BatchInputError(f"decision must be one of {', '.join(repo.DECISIONS)}", field="decision")
    return decision


def _page_item(row: BatchResult) -> dict[str, Any]:
    return {"seq": row.seq, **row.document}


def result_page(
    settings: Settings, batch_id: str, cursor: str | None, limit: int, decision: str | None
) -> dict[str, Any]:
    """One page of results in input order, and the cursor of the next page (None at the end)."""
    after = decode_cursor(cursor)
    with session_scope(settings.database_url) as session:
        rows = repo.result_page(session, batch_id, after, limit + 1, decision)
        items = [_page_item(r) for r in rows[:limit]]
    next_cursor = encode_cursor(items[-1]["seq"]) if len(rows) > limit and items else None
    return {"items": items, "next_cursor": next_cursor}


def csv_row(seq: int, document: dict[str, Any]) -> list[str]:
    """One result document flattened to the documented CSV columns (top match = highest score)."""
    extra = csv_extra(document)
    if extra[0] == "shipment":
        document = shipment_csv_basis(document)
    matches = document.get("matches") or []
    top = max(matches, key=lambda m: m.get("score", 0.0)) if matches else {}
    versions = ";".join(f"{k}={v}" for k, v in sorted((document.get("list_versions") or {}).items()))
    return [
        str(seq),
        document.get("reference") or "",
        document.get("decision") or "",
        document.get("rule") or "",
        str(top.get("list", "")),
        str(top.get("entity_id", "")),
        str(top.get("entity_name", "")),
        str(top.get("matched_name", "")),
        f"{top['score']:.4f}" if "score" in top else "",
        str(len(matches)),
        versions,
        *extra,
    ]


def iter_results_csv(
    settings: Settings,
    batch_id: str,
    decision: str | None,
    page: int = 2000,
    *,
    org_id: str = audit.DEFAULT_ORG,
    actor: audit.Actor = audit.API,
) -> Iterator[str]:
    """The whole result set as CSV text, streamed page by page (a short session per page, none held open); the
    export is recorded in the audit log before the first byte."""
    audit.record_event(
        settings.database_url,
        action="export.performed",
        object_type="batch",
        object_id=batch_id,
        payload={"what": "batch_results", "format": "csv", "decision": decision},
        actor=actor,
        org_id=org_id,
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RESULT_CSV_COLUMNS)
    yield buffer.getvalue()
    after = -1
    while True:
        with session_scope(settings.database_url) as session:
            rows = [(r.seq, r.document) for r in repo.result_page(session, batch_id, after, page, decision)]
        if not rows:
            return
        buffer.seek(0)
        buffer.truncate()
        for seq, document in rows:
            writer.writerow(csv_row(seq, document))
        yield buffer.getvalue()
        after = rows[-1][0]


def delivery_dict(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event": delivery.event,
        "attempt": delivery.attempt,
        "url": delivery.url,
        "ok": delivery.ok,
        "status_code": delivery.status_code,
        "error": delivery.error,
        "duration_ms": round(delivery.duration_ms, 1),
        "signature": delivery.signature,
        "sent_at": _iso(delivery.sent_at),
    }


def list_deliveries(settings: Settings, batch_id: str) -> Sequence[dict[str, Any]]:
    with session_scope(settings.database_url) as session:
        return [delivery_dict(d) for d in repo.deliveries(session, batch_id)]
