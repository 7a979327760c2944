"""The audit log: append-only events, hash-chained per organisation, verified by recomputing the chain.

Each event's hash is SHA-256 over the previous event's hash followed by the canonical JSON (sorted keys, no
whitespace, UTF-8 as is, datetimes as UTC ISO-8601 with microseconds) of the event's fields. The first event of a
chain follows GENESIS. `append_event` writes in the caller's transaction, so an event exists exactly when the
change it records was committed; it takes the organisation's chain lock first, so concurrent writers produce a
gapless sequence with correct previous hashes (PostgreSQL: a transaction-scoped advisory lock; SQLite: the single
write lock the caller's earlier writes already hold). Call it as the last statement of the transaction: the lock
is held until commit.

Verification finds the first broken link: a missing sequence number (a deleted row), a hash that does not match
the row's content (a changed row), or a previous hash that does not match the row before (a changed and re-hashed
row, or a row spliced in). Cutting events off the end of a chain leaves a valid shorter chain: compare the head
(`seq`, `hash`) with one recorded elsewhere to catch that.
"""

from __future__ import annotations

import base64
import binascii
import csv
import dataclasses
import hashlib
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from json.encoder import encode_basestring  # json's own (C) string encoder, as used with ensure_ascii=False
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.core.errors import ScreeningError
from service.db import audit_repo as repo
from service.db.audit_repo import EventFilter
from service.db.json_columns import JSONText
from service.db.session import session_scope

GENESIS = "0" * 64
DEFAULT_ORG = "default"
# The fields an event's hash covers, in the order exports show them (the hash input itself is key-sorted).
HASHED_FIELDS = (
    "org_id",
    "seq",
    "occurred_at",
    "actor",
    "actor_key_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "payload",
)
EXPORT_FIELDS = (*HASHED_FIELDS, "prev_hash", "hash")
EXPORT_FORMATS = ("jsonl", "csv")
_APPEND_RETRIES = 5
_LINES_PER_CHUNK = 1000


class AuditInputError(ScreeningError):
    code = "validation_error"
    status = 422


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it: `system` (workers, schedules), `cli`, `api`; key id and role once API keys exist."""

    name: str
    key_id: str | None = None
    role: str | None = None


SYSTEM = Actor("system")
CLI = Actor("cli")
API = Actor("api")


def _iso(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable in an audit payload")


# What json.dumps(value, **these options) would build anew on every call.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_default
)


def canonical_json(value: object) -> str:
    """The one JSON encoding hashes are taken over: sorted keys, no whitespace, non-ASCII kept, dates ISO."""
    return _CANONICAL.encode(value)


def content_sha256(value: object) -> str:
    """SHA-256 of a value's canonical JSON: identifies an input in the log without copying it."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def result_summary(document: dict[str, Any]) -> dict[str, Any]:
    """What an `item.screened` event pins about a result document: decision, rule, what matched (list, entity,
    score), against which list versions, as of when, by which algorithm (the document itself is stored elsewhere)."""
    return {
        "reference": document.get("reference"),
        "decision": document.get("decision"),
        "rule": document.get("rule"),
        "matches": [
            {"list": m.get("list"), "entity_id": m.get("entity_id"), "score": m.get("score")}
            for m in document.get("matches") or []
        ],
        "list_versions": document.get("list_versions"),
        "as_of": document.get("as_of"),
        "algorithm": document.get("algorithm"),
    }


def config_hash(config: object) -> str:
    """SHA-256 of a (dataclass) configuration's canonical JSON: which settings produced a result."""
    data = dataclasses.asdict(config) if dataclasses.is_dataclass(config) and not isinstance(config, type) else config
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def _hashed_body(event: dict[str, Any]) -> dict[str, Any]:
    body = {name: event.get(name) for name in HASHED_FIELDS}
    if isinstance(body["occurred_at"], datetime):
        body["occurred_at"] = _iso(body["occurred_at"])
    return body


def event_hash(prev_hash: str, event: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical JSON of the event's hashed fields."""
    return hashlib.sha256((prev_hash + canonical_json(_hashed_body(event))).encode("utf-8")).hexdigest()


def render_payload(payload: dict[str, Any]) -> JSONText:
    """An event payload's canonical JSON, the text both hashed and stored: render it before taking the chain lock."""
    return JSONText(canonical_json(payload))


@dataclass(frozen=True, slots=True)
class PreparedEvent:
    """An event rendered for its chain except for its place in it (seq and previous hash), so that appending it under
    the chain lock costs one SHA-256.

    The hashed fields sort as action, actor, actor_key_id, actor_role, object_id, object_type, occurred_at, org_id,
    payload, seq: the canonical JSON of an event is `body` followed by `,"seq":N}`, with the payload rendered once
    and stored as that same text (`JSONText`). The fields before the payload are strings (or null), written with
    the very string encoder `canonical_json` uses."""

    org_id: str
    row: dict[str, Any]  # the audit_event columns but seq, prev_hash and hash
    body: str

    def sealed(self, prev: tuple[int, str] | None) -> dict[str, Any]:
        """The event row placed after `prev` (seq, hash), or first in its chain."""
        seq, prev_hash = (1, GENESIS) if prev is None else (prev[0] + 1, prev[1])
        digest = hashlib.sha256(f'{prev_hash}{self.body},"seq":{seq}}}'.encode()).hexdigest()
        return {**self.row, "seq": seq, "prev_hash": prev_hash, "hash": digest}


def prepare_event(
    *,
    org_id: str,
    occurred_at: datetime,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    payload: dict[str, Any] | JSONText,
) -> PreparedEvent:
    """Render an event for `append_prepared` (a payload given as `JSONText` must come from `render_payload`)."""
    return _prepare(org_id, occurred_at, _iso(occurred_at), actor, EventSpec(action, object_type, object_id, payload))


def _text(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _prepare(org_id: str, occurred_at: datetime, occurred_iso: str, actor: Actor, event: EventSpec) -> PreparedEvent:
    action, object_type, object_id, payload = event.action, event.object_type, event.object_id, event.payload
    payload_json = payload if isinstance(payload, JSONText) else render_payload(payload)
    row: dict[str, Any] = {
        "org_id": org_id,
        "occurred_at": occurred_at,
        "actor": actor.name,
        "actor_key_id": actor.key_id,
        "actor_role": actor.role,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "payload": payload_json,
    }
    body = (
        f'{{"action":{_text(action)},"actor":{_text(actor.name)},"actor_key_id":{_text(actor.key_id)},'
        f'"actor_role":{_text(actor.role)},"object_id":{_text(row["object_id"])},"object_type":{_text(object_type)},'
        f'"occurred_at":{_text(occurred_iso)},"org_id":{_text(org_id)},"payload":{payload_json}'
    )
    return PreparedEvent(org_id, row, body)


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One event to append with `append_events`: what happened to which object, and the evidence."""

    action: str
    object_type: str
    object_id: str
    payload: dict[str, Any] | JSONText


def prepare_events(
    events: Sequence[EventSpec], *, org_id: str, actor: Actor = SYSTEM, now: datetime | None = None
) -> list[PreparedEvent]:
    """Render several events of one organisation for `append_prepared`."""
    occurred_at = now or datetime.now(UTC)
    occurred_iso = _iso(occurred_at)
    return [_prepare(org_id, occurred_at, occurred_iso, actor, e) for e in events]


def append_prepared(session: Session, events: Sequence[PreparedEvent]) -> None:
    """Append rendered events of one organisation under its chain lock, in one insert (call it last in the
    transaction: the lock is held until the commit)."""
    if not events:
        return
    org_id = events[0].org_id
    if any(event.org_id != org_id for event in events):
        raise ValueError("append_prepared takes the events of one organisation's chain")
    repo.lock_chain(session, org_id)
    head = repo.chain_head(session, org_id)
    rows: list[dict[str, Any]] = []
    for event in events:
        row = event.sealed(head)
        rows.append(row)
        head = (row["seq"], row["hash"])
    repo.add_events(session, rows)
    repo.appended(session, org_id, (rows[-1]["seq"], rows[-1]["hash"]))


def append_event(
    session: Session,
    *,
    action: str,
    object_type: str,
    object_id: str,
    payload: dict[str, Any],
    actor: Actor = SYSTEM,
    org_id: str = DEFAULT_ORG,
    now: datetime | None = None,
) -> None:
    """Append one event to the organisation's chain in the caller's transaction (call it last: it holds the lock)."""
    spec = EventSpec(action, object_type, object_id, payload)
    append_prepared(session, prepare_events([spec], org_id=org_id, actor=actor, now=now))


def append_events(
    session: Session,
    events: Sequence[EventSpec],
    *,
    actor: Actor = SYSTEM,
    org_id: str = DEFAULT_ORG,
    now: datetime | None = None,
) -> None:
    """Append several events under one chain lock and one insert (per-item events of a batch chunk)."""
    append_prepared(session, prepare_events(events, org_id=org_id, actor=actor, now=now))


def record_event(url: str, **event: Any) -> None:
    """Append an event in a transaction of its own (for acts that change nothing else, such as an export).

    On SQLite a transaction whose first write is this one reads the head before it holds the write lock, so a
    concurrent writer can take the same sequence number: the unique (org, seq) rejects it and we try again."""
    for attempt in range(_APPEND_RETRIES):
        try:
            with session_scope(url) as session:
                append_event(session, **event)
            return
        except IntegrityError:
            if attempt == _APPEND_RETRIES - 1:
                raise


@dataclass(slots=True)
class BrokenLink:
    seq: int
    reason: str  # missing | hash | prev_hash | anchor | truncated
    expected: str
    stored: str

    @property
    def message(self) -> str:
        if self.reason == "anchor":
            return f"event {self.seq} is not the one anchored earlier: hash {self.stored}, anchored {self.expected}"
        if self.reason == "truncated":
            return (
                f"the chain ends at event {self.stored} but event {self.seq} was anchored earlier: events were removed"
            )
        if self.reason == "missing":
            return f"event {self.seq} is missing (the next stored event is {self.stored})"
        if self.reason == "hash":
            return f"event {self.seq} was altered: its content hashes to {self.expected}, stored {self.stored}"
        return (
            f"event {self.seq} does not follow event {self.seq - 1}: prev_hash {self.stored}, expected {self.expected}"
        )


@dataclass(slots=True)
class Verification:
    org_id: str
    count: int
    head_seq: int
    head_hash: str
    broken: BrokenLink | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "org_id": self.org_id,
            "ok": self.ok,
            "events_checked": self.count,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
        }
        if self.broken is not None:
            data["first_broken"] = {**dataclasses.asdict(self.broken), "message": self.broken.message}
        return data


def parse_anchor(text: str | None) -> tuple[int, str] | None:
    """`SEQ:HASH` (a head reported by an earlier verification, kept outside the database) or None."""
    if not text:
        return None
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or int(seq) < 1 or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise AuditInputError("head must be SEQ:HASH as reported by verify (64 lowercase hex digits)", field="head")
    return int(seq), digest


def verify_chain(org_id: str, events: Iterable[dict[str, Any]], anchor: tuple[int, str] | None = None) -> Verification:
    """Recompute one organisation's chain from its events in sequence order; stop at the first broken link.

    A chain that lost its newest events is still a valid chain: `anchor` (a head seen by an earlier verification and
    kept elsewhere) must still be in it, with the same hash."""
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for event in events:
        seq = int(event["seq"])
        if seq != expected_seq:
            return Verification(
                org_id, count, expected_seq - 1, prev_hash, BrokenLink(expected_seq, "missing", "", str(seq))
            )
        recomputed = event_hash(str(event["prev_hash"]), event)
        if recomputed != event["hash"]:
            return Verification(
                org_id, count, seq - 1, prev_hash, BrokenLink(seq, "hash", recomputed, str(event["hash"]))
            )
        if event["prev_hash"] != prev_hash:
            return Verification(
                org_id, count, seq - 1, prev_hash, BrokenLink(seq, "prev_hash", prev_hash, str(event["prev_hash"]))
            )
        if anchor is not None and seq == anchor[0] and event["hash"] != anchor[1]:
            return Verification(org_id, count, seq - 1, prev_hash, BrokenLink(seq, "anchor", anchor[1], event["hash"]))
        count += 1
        expected_seq, prev_hash = seq + 1, str(event["hash"])
    if anchor is not None and expected_seq - 1 < anchor[0]:
        broken = BrokenLink(anchor[0], "truncated", anchor[1], str(expected_seq - 1))
        return Verification(org_id, count, expected_seq - 1, prev_hash, broken)
    return Verification(org_id, count, expected_seq - 1, prev_hash)


def verify(session: Session, org_id: str = DEFAULT_ORG, anchor: tuple[int, str] | None = None) -> Verification:
    """Verify an organisation's chain as stored (streamed: constant memory however long the chain)."""
    return verify_chain(org_id, repo.stream_events(session, None, org_id), anchor)


def verify_all(url: str, org_id: str | None = None, anchor: tuple[int, str] | None = None) -> list[Verification]:
    """Verify one organisation's chain, or every organisation's (an anchor needs one organisation)."""
    if anchor is not None and org_id is None:
        raise AuditInputError(
            "an anchored head belongs to one organisation's chain: name the organisation", field="org"
        )
    with session_scope(url) as session:
        orgs = [org_id] if org_id is not None else (repo.org_ids(session) or [DEFAULT_ORG])
        return [verify(session, org, anchor) for org in orgs]


def export_dict(event: dict[str, Any]) -> dict[str, Any]:
    """An event as the API and the exports show it: the hashed fields, prev_hash and hash."""
    data = {name: event.get(name) for name in EXPORT_FIELDS}
    data["occurred_at"] = _iso(event["occurred_at"])
    return data


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"audit:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The sequence number a cursor points after (0 for the first page); a forged cursor is a 422."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("audit:"):
            raise ValueError(text)
        return int(text[6:])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise AuditInputError(
            "cursor is not one returned by this API (use next_cursor as is)", field="cursor"
        ) from None


def event_page(url: str, where: EventFilter, cursor: str | None, limit: int) -> dict[str, Any]:
    """One page of matching events in chain order, and the cursor of the next page (None at the end)."""
    after = decode_cursor(cursor)
    with session_scope(url) as session:
        rows = repo.event_page(session, where, after, limit + 1)
    items = [export_dict(r) for r in rows[:limit]]
    next_cursor = encode_cursor(items[-1]["seq"]) if len(rows) > limit and items else None
    return {"items": items, "next_cursor": next_cursor}


def check_format(value: str) -> str:
    fmt = value.lower()
    if fmt not in EXPORT_FORMATS:
        raise AuditInputError(f"format must be one of {', '.join(EXPORT_FORMATS)}", field="format")
    return fmt


def _lines(fmt: str, events: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if fmt == "csv":
        writer.writerow(EXPORT_FIELDS)
    pending = 0
    for event in events:
        data = export_dict(event)
        if fmt == "csv":
            data["payload"] = canonical_json(data["payload"])
            writer.writerow(["" if data[name] is None else data[name] for name in EXPORT_FIELDS])
        else:
            buffer.write(canonical_json(data))
            buffer.write("\n")
        pending += 1
        if pending >= _LINES_PER_CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if buffer.tell():
        yield buffer.getvalue()


def iter_export(url: str, fmt: str, where: EventFilter, actor: Actor = API) -> Iterator[str]:
    """Record the export (before the first byte leaves), then stream matching events as JSONL or CSV text."""
    record_event(
        url,
        action="export.performed",
        object_type="audit_log",
        object_id=where.org_id,
        payload={"format": fmt, "filters": {k: v for k, v in dataclasses.asdict(where).items() if v is not None}},
        actor=actor,
        org_id=where.org_id,
    )
    with session_scope(url) as session:
        yield from _lines(fmt, repo.stream_events(session, where))
