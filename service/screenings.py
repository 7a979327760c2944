"""Synchronous screenings kept as evidence: the input and the result document exactly as returned, per organisation,
with an `item.screened` audit event and the alerts of its hits in the same transaction (batch items are kept as
batch results instead)."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from service import alerts, audit
from service.core.errors import ScreeningError
from service.db import group_commit
from service.db.filters import where_between, where_equal
from service.db.models import ScreeningRecord, table_of
from service.db.session import session_scope

KINDS = ("counterparty", "shipment")
_INSERT = insert(table_of(ScreeningRecord))  # built once: every synchronous screening runs it
DECISIONS = ("CLEAR", "REVIEW", "BLOCK")


class ScreeningQueryError(ScreeningError):
    code = "validation_error"
    status = 422


@dataclass(frozen=True, slots=True)
class ScreeningFilter:
    """What `GET /v1/screenings` may filter on; the organisation is always set by the caller's key."""

    org_id: str
    kind: str | None = None
    decision: str | None = None
    reference: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _summary(document: dict[str, Any]) -> dict[str, Any]:
    """The event's summary of a result, with a shipment's findings (kind, rule, severity)."""
    findings = document.get("findings") or []
    return {
        **audit.result_summary(document),
        "findings": [
            {"kind": f.get("kind"), "rule": f.get("rule_id") or f.get("rule"), "severity": f.get("severity")}
            for f in findings
        ],
    }


@dataclass(frozen=True, slots=True)
class Answer:
    """A synchronous screening to store: its input, its result document and who asked."""

    org_id: str
    kind: str
    request: dict[str, Any]
    document: dict[str, Any]
    as_of: date | None
    actor: audit.Actor
    alerted: Sequence[alerts.Screened] = ()  # its screened parties
    # False: `alerted` have not met the organisation's good-guy memory yet; the storing transaction applies it (one
    # lookup for its whole group) before the document, whose decision it may change, is stored.
    memory_applied: bool = True


def record(
    session: Session,
    *,
    org_id: str,
    kind: str,
    request: dict[str, Any],
    document: dict[str, Any],
    as_of: date | None,
    actor: audit.Actor,
    now: datetime | None = None,
    alerted: Sequence[alerts.Screened] = (),
) -> str:
    """Store one screening and its audit event in the caller's transaction, opening the alerts of `alerted` in the
    same transaction; the new screening id."""
    return record_many(session, [Answer(org_id, kind, request, document, as_of, actor, alerted)], now)[0]


def record_many(session: Session, answers: list[Answer], now: datetime | None = None) -> list[str]:
    """Store screenings with their `item.screened` events and open their parties' alerts, in the caller's
    transaction and a few bulk statements whatever their number; the new screening ids, in order. Parties that have
    not met the good-guy memory (`memory_applied=False`) meet it first, in this transaction."""
    now = now or datetime.now(UTC)
    ids = [str(uuid.uuid4()) for _ in answers]
    unremembered: dict[str, list[alerts.Screened]] = {}
    for answer in answers:
        if not answer.memory_applied:
            unremembered.setdefault(answer.org_id, []).extend(answer.alerted)
    for org_id, parties in unremembered.items():
        alerts.apply_memory(session, org_id, parties)
    session.execute(
        _INSERT,
        [
            {
                "id": screening_id,
                "org_id": answer.org_id,
                "kind": answer.kind,
                "reference": answer.document.get("reference"),
                "decision": str(answer.document.get("decision")),
                "as_of": answer.as_of,
                "request": answer.request,
                "document": answer.document,
                "key_id": answer.actor.key_id,
                "created_at": now,
            }
            for screening_id, answer in zip(ids, answers, strict=True)
        ],
    )
    # Rendered before `open_for` takes the chain lock, which every writer of the organisation's chain waits for.
    events: dict[str, list[audit.PreparedEvent]] = {}
    by_actor: dict[tuple[str, audit.Actor], list[alerts.Screened]] = {}
    for screening_id, answer in zip(ids, answers, strict=True):
        events.setdefault(answer.org_id, []).append(
            audit.prepare_event(
                org_id=answer.org_id,
                occurred_at=now,
                actor=answer.actor,
                action="item.screened",
                object_type="screening",
                object_id=screening_id,
                payload={
                    "kind": answer.kind,
                    "input_sha256": audit.content_sha256(answer.request),
                    **_summary(answer.document),
                },
            )
        )
        by_actor.setdefault((answer.org_id, answer.actor), []).extend(answer.alerted)
    for org_id in sorted(events):  # one lock order across organisations
        for (org, actor), parties in by_actor.items():
            if org == org_id:
                alerts.open_for(session, org_id, parties, actor=actor, now=now)
        audit.append_prepared(session, events[org_id])
    return ids


@dataclass(slots=True)
class Evidence:
    """A synchronous screening as one unit of work (see `evidence`)."""

    url: str
    org_id: str
    actor: audit.Actor
    parties: list[alerts.Screened] = field(default_factory=list)

    def remember(self, party: alerts.Screened) -> None:
        """Apply the good-guy memory to a screened party's document, in place (a short read of its own, holding no
        connection while the answer waits for its commit); its remaining hits open alerts when the answer is kept."""
        with session_scope(self.url) as session:
            alerts.apply_memory(session, self.org_id, [party])
        self.parties.append(party)

    def keep(
        self, *, kind: str, request: dict[str, Any], document: dict[str, Any], as_of: date | None
    ) -> dict[str, Any]:
        """Store the answer with its event and open its parties' alerts, in one transaction that concurrent
        screenings may share (`service.db.group_commit`); the answer as returned, naming its `screening_id`."""
        answer = Answer(self.org_id, kind, request, document, as_of, self.actor, self.parties)
        return {**document, "screening_id": store(self.url, answer).result()}


def store(url: str, answer: Answer) -> Future[str]:
    """Queue an answer for the process's group commit to `url` (`service.db.group_commit`): stored with its event and
    its parties' alerts in a transaction that concurrent screenings may share. The future resolves to the new
    screening id once committed; an async handler awaits it without holding a thread."""
    return group_commit.for_url(url, record_many).submit(answer)


@contextmanager
def evidence(url: str, org_id: str, actor: audit.Actor) -> Iterator[Evidence]:
    """A synchronous screening's evidence: the memory looked up as parties are screened, then the stored answer, its
    `item.screened` event and the alerts of its hits, committed together (evidence without its alerts, or alerts
    without their evidence, cannot be left behind)."""
    yield Evidence(url, org_id, actor)


def as_dict(row: ScreeningRecord) -> dict[str, Any]:
    """A stored screening as the API shows it."""
    return {
        "id": row.id,
        "kind": row.kind,
        "reference": row.reference,
        "decision": row.decision,
        "as_of": row.as_of.isoformat() if row.as_of else None,
        "created_at": row.created_at.isoformat(),
        "key_id": row.key_id,
        "request": row.request,
        "result": row.document,
    }


def get(session: Session, org_id: str, screening_id: str) -> ScreeningRecord | None:
    """The screening if it belongs to this organisation (another organisation's id is simply not found)."""
    row = session.get(ScreeningRecord, screening_id)
    return row if row is not None and row.org_id == org_id else None


def _encode_cursor(row: ScreeningRecord) -> str:
    return base64.urlsafe_b64encode(f"{row.created_at.isoformat()}|{row.id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, screening_id = text.split("|", 1)
        return datetime.fromisoformat(stamp), screening_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ScreeningQueryError("cursor is not one this API returned", field="cursor") from None


def page(session: Session, where: ScreeningFilter, cursor: str | None, limit: int) -> dict[str, Any]:
    """Newest first, filtered, cursor-paged on (created_at, id)."""
    if where.kind is not None and where.kind not in KINDS:
        raise ScreeningQueryError(f"kind must be one of {', '.join(KINDS)}", field="kind")
    if where.decision is not None and where.decision.upper() not in DECISIONS:
        raise ScreeningQueryError(f"decision must be one of {', '.join(DECISIONS)}", field="decision")
    query = where_equal(
        select(ScreeningRecord).where(ScreeningRecord.org_id == where.org_id),
        (ScreeningRecord.kind, where.kind),
        (ScreeningRecord.decision, where.decision.upper() if where.decision else None),
        (ScreeningRecord.reference, where.reference),
    )
    query = where_between(query, ScreeningRecord.created_at, where.since, where.until)
    if cursor:
        stamp, last_id = _decode_cursor(cursor)
        query = query.where(
            (ScreeningRecord.created_at < stamp)
            | ((ScreeningRecord.created_at == stamp) & (ScreeningRecord.id < last_id))
        )
    rows = session.scalars(
        query.order_by(ScreeningRecord.created_at.desc(), ScreeningRecord.id.desc()).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [as_dict(row) for row in rows],
        "next_cursor": _encode_cursor(rows[-1]) if more and rows else None,
    }
