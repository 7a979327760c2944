"""Alerts, analyst decisions and good-guy memory.

Every REVIEW or BLOCK match of a screened counterparty opens an alert (one per counterparty fingerprint and listed
entity: a later screening that finds the same match adds an occurrence to the undecided alert instead of opening
another). Analysts decide `true_match`, `false_positive` (reason required) or `escalate`; releasing a BLOCK as a
false positive needs a second analyst's key when `four_eyes_block_release` is on.

Memory: a false_positive alert remembers (organisation, counterparty fingerprint, list, entity id, content hash of
the listed record). A later screening of the same counterparty that matches the same unchanged record marks that
match `"suppressed_by": N` (N = the releasing decision) and the document's decision is recomputed from the matches
left. When a new list version is activated and the listed record changed (or was removed), the alert is reopened:
its memory no longer applies, and the content hash differs anyway.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from service import audit
from service.core.errors import NotFoundError, ScreeningError
from service.core.match_config import MatchConfig
from service.core.matcher import Match
from service.core.model import NameKind
from service.core.screening import decide as decide_matches
from service.db import alerts_repo, audit_repo
from service.db.filters import where_between, where_equal
from service.db.models import Alert, AlertDecision, ListEntryRow, ListVersion
from service.db.session import session_scope
from service.inputs import CounterpartyIn

OPEN = "open"
ESCALATED = "escalated"
AWAITING_SECOND_REVIEW = "awaiting_second_review"
TRUE_MATCH = "true_match"
FALSE_POSITIVE = "false_positive"
REOPENED = "reopened"
STATUSES = (OPEN, ESCALATED, AWAITING_SECOND_REVIEW, TRUE_MATCH, FALSE_POSITIVE, REOPENED)
# Statuses that still need an analyst; a new screening of the same match adds an occurrence to such an alert.
UNDECIDED = (OPEN, ESCALATED, AWAITING_SECOND_REVIEW, REOPENED)
CLOSED = (TRUE_MATCH, FALSE_POSITIVE)

DECISIONS = ("true_match", "false_positive", "escalate")
SOURCES = ("screen", "batch_item", "shipment_party")
HIT_DECISIONS = ("REVIEW", "BLOCK")
SUPPRESSED_RULE = "all_matches_suppressed_by_decision"
MAX_REASON_LENGTH = 2000
_IN_CHUNK = 500  # bound on IN (...) lists


class AlertInputError(ScreeningError):
    code = "validation_error"
    status = 422


class AlertConflictError(ScreeningError):
    """The decision does not fit the alert's state (closed, or the same key releasing a BLOCK twice)."""

    code = "alert_conflict"
    status = 409


class Decider(Protocol):
    """Who decides: an API key's principal (service.access.Principal)."""

    @property
    def key_id(self) -> str: ...

    @property
    def org_id(self) -> str: ...

    @property
    def role(self) -> str: ...


def principal_actor(principal: Decider) -> audit.Actor:
    return audit.Actor(principal.key_id, key_id=principal.key_id, role=str(principal.role))


# --- counterparty fingerprint ---------------------------------------------------------------------------------------


def canonical_name(name: str) -> str:
    """NFKC, case-folded, punctuation to spaces, single spaces: spelling noise never splits the memory.

    Deliberately independent of the matcher's normalisation, which may change between releases: a fingerprint must
    stay stable for as long as decisions refer to it."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(text.split())


def fingerprint(counterparty: CounterpartyIn) -> str:
    """SHA-256 of the canonical name, type, country, date of birth and sorted identifiers (not the reference)."""
    identifiers = sorted(
        (i.type, "".join(ch for ch in i.value.upper() if ch.isalnum()), i.country or "")
        for i in counterparty.identifiers
    )
    body = {
        "name": canonical_name(counterparty.name),
        "type": counterparty.type,
        "country": counterparty.country or "",
        "date_of_birth": counterparty.date_of_birth or "",
        "identifiers": identifiers,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- per-match decision -------------------------------------------------------------------------------------------


class _MatchView:
    """A result-document match seen through the attributes the decision rules read (the rules are not copied)."""

    __slots__ = ("contradictions", "corroborations", "identifier_match", "name_kind", "name_score", "score")

    def __init__(self, match: dict[str, Any]) -> None:
        features: dict[str, dict[str, Any]] = match.get("features") or {}
        secondary = {
            k: float(f.get("contribution", 0.0)) for k, f in features.items() if k not in ("name", "name_kind")
        }
        self.score = float(match["score"])
        self.name_score = float((features.get("name") or {}).get("contribution", self.score))
        self.name_kind = NameKind(match.get("name_kind", NameKind.PRIMARY.value))
        self.identifier_match = secondary.get("identifier", 0.0) > 0
        self.corroborations = [k for k, v in secondary.items() if v > 0]
        self.contradictions = [k for k, v in secondary.items() if v < 0]


def decision_of(matches: Sequence[dict[str, Any]], config: MatchConfig) -> tuple[str, str]:
    """(decision, rule) the screening rules give for these result-document matches."""
    views = cast(list[Match], [_MatchView(m) for m in matches])
    screening = decide_matches(views, config)
    return screening.decision.value.upper(), screening.rule


def match_decision(match: dict[str, Any], config: MatchConfig | None = None) -> str:
    """What this match alone decides (REVIEW or BLOCK): the alert's severity."""
    decision, _ = decision_of([match], config or MatchConfig())
    return decision


def recompute_decision(document: dict[str, Any], config: MatchConfig | None = None) -> None:
    """Decide again from the matches not suppressed; all suppressed → CLEAR with a rule that says so."""
    matches = document.get("matches") or []
    live = [m for m in matches if m.get("suppressed_by") is None]
    if len(live) == len(matches):
        return
    document.setdefault("decision_before_suppression", document["decision"])
    document.setdefault("rule_before_suppression", document.get("rule"))
    if live:
        document["decision"], document["rule"] = decision_of(live, config or MatchConfig())
    else:
        document["decision"], document["rule"] = "CLEAR", SUPPRESSED_RULE
    document["suppressed_by"] = sorted({int(m["suppressed_by"]) for m in matches if m.get("suppressed_by")})


# --- opening alerts and applying memory -----------------------------------------------------------------------------


@dataclass(slots=True)
class Screened:
    """One screened counterparty and its result document (changed in place by `apply_memory`)."""

    counterparty: CounterpartyIn
    document: dict[str, Any]
    source: str
    source_ref: str | None = None
    fingerprint: str = ""
    # (list, entity id) -> content hash of the matched version's row, filled by `_load_hashes`.
    hashes: dict[tuple[str, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"alert source must be one of {SOURCES}")
        if not self.fingerprint:
            self.fingerprint = fingerprint(self.counterparty)

    def hits(self) -> list[dict[str, Any]]:
        """The matches of a REVIEW or BLOCK document (a CLEAR document's matches open nothing)."""
        if self.document.get("decision") not in HIT_DECISIONS:
            return []
        return list(self.document.get("matches") or [])


def version_id_of(label: str) -> int | None:
    """The version id of a label `<list>@<date>#<id>`."""
    _, sep, tail = label.rpartition("#")
    return int(tail) if sep and tail.isdigit() else None


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


_CONTENT_HASHES = select(ListEntryRow.version_id, ListEntryRow.entity_id, ListEntryRow.content_hash).where(
    ListEntryRow.version_id.in_(bindparam("versions", expanding=True)),
    ListEntryRow.entity_id.in_(bindparam("entity_ids", expanding=True)),
)


def _load_hashes(session: Session, items: Sequence[Screened]) -> None:
    """Content hash of every hit's listed record in the version it matched (one query per 500 entity ids)."""
    wanted: set[tuple[int, str]] = set()
    for item in items:
        for match in item.hits():
            version_id = version_id_of(str(match.get("list_version", "")))
            if version_id is not None:
                wanted.add((version_id, str(match["entity_id"])))
    found: dict[tuple[int, str], str] = {}
    versions = sorted({v for v, _ in wanted})
    for entity_ids in _chunks(e for _, e in wanted):
        rows = session.execute(_CONTENT_HASHES, {"versions": versions, "entity_ids": entity_ids})
        found.update({(v, e): h for v, e, h in rows})
    for item in items:
        for match in item.hits():
            version_id = version_id_of(str(match.get("list_version", "")))
            content_hash = found.get((version_id, str(match["entity_id"]))) if version_id is not None else None
            if content_hash is not None:
                item.hashes[(str(match["list"]), str(match["entity_id"]))] = content_hash


def apply_memory(session: Session, org_id: str, items: Sequence[Screened], config: MatchConfig | None = None) -> int:
    """Mark hits remembered as false positives `suppressed_by: N` and recompute those documents' decisions.

    One query for the content hashes and one for the memory, whatever the number of items (batch chunks)."""
    _load_hashes(session, items)
    hit_items = [item for item in items if item.hits()]
    if not hit_items:
        return 0
    memory = {
        (a.fingerprint, a.list_id, a.entity_id, a.content_hash): a.closing_decision_id
        for a in alerts_repo.for_fingerprints(session, org_id, (i.fingerprint for i in hit_items), (FALSE_POSITIVE,))
    }
    suppressed = 0
    for item in hit_items:
        changed = False
        for match in item.hits():
            key = (str(match["list"]), str(match["entity_id"]))
            content_hash = item.hashes.get(key)
            decision_id = memory.get((item.fingerprint, *key, content_hash or ""))
            if content_hash is not None and decision_id is not None:
                match["suppressed_by"] = decision_id
                suppressed += 1
                changed = True
        if changed:
            recompute_decision(item.document, config)
    return suppressed


def _serialise(session: Session, org_id: str) -> None:
    """Opening alerts is check-then-insert: serialise it per organisation so two screenings of the same new match
    open one alert. PostgreSQL: the organisation's audit chain lock (its events need it anyway, and decisions take
    it first too: one lock order); SQLite: the database write lock, which a no-op UPDATE takes."""
    if session.get_bind().dialect.name == "postgresql":
        audit_repo.lock_chain(session, org_id)
    else:
        session.execute(text("UPDATE alert SET id = id WHERE 1 = 0"))


# What an `alert.opened` event pins about the new alert.
_OPENED_FIELDS = (
    "fingerprint",
    "list_id",
    "entity_id",
    "entity_name",
    "content_hash",
    "list_version",
    "score",
    "decision",
    "source",
    "source_ref",
)


@dataclass(slots=True)
class _Seen:
    """What one call saw of one alert: how often, and the latest evidence; a new alert also has its first row."""

    alert_id: int | None
    confirmed: bool  # a true_match alert: occurrences counted, its evidence kept as decided
    evidence: dict[str, Any]
    new_row: dict[str, Any] | None = None
    count: int = 0

    def saw(self, match: dict[str, Any], content_hash: str, config: MatchConfig) -> None:
        self.count += 1
        if not self.confirmed:
            self.evidence = {
                "content_hash": content_hash or self.evidence["content_hash"],
                "list_version": str(match.get("list_version", self.evidence["list_version"])),
                "score": float(match["score"]),
                "decision": match_decision(match, config),
                "match": match,
            }


def _new_alert(org_id: str, item: Screened, match: dict[str, Any], now: datetime) -> _Seen:
    row = {
        "org_id": org_id,
        "fingerprint": item.fingerprint,
        # Free-form `attributes` play no part in matching or the fingerprint: not kept.
        "counterparty": item.counterparty.model_dump(mode="json", exclude_defaults=True, exclude={"attributes"}),
        "list_id": str(match["list"]),
        "entity_id": str(match["entity_id"]),
        "entity_name": str(match.get("entity_name", "")),
        "source": item.source,
        "source_ref": item.source_ref,
        "status": OPEN,
        "closing_decision_id": None,
        "created_at": now,
        "updated_at": now,
        "last_seen_at": now,
    }
    return _Seen(None, False, {"content_hash": "", "list_version": ""}, row)


def open_for(
    session: Session,
    org_id: str,
    items: Sequence[Screened],
    *,
    actor: audit.Actor = audit.SYSTEM,
    now: datetime | None = None,
    config: MatchConfig | None = None,
) -> list[int]:
    """Open an alert for every unsuppressed hit (or add an occurrence to the undecided alert for the same match) and
    append `alert.opened` events; call after `apply_memory`. The ids of the alerts touched, in item order."""
    now = now or datetime.now(UTC)
    config = config or MatchConfig()
    hit_items = [item for item in items if item.hits()]
    if not hit_items:
        return []
    _serialise(session, org_id)
    undecided: dict[tuple[str, str, str], _Seen] = {}
    confirmed: dict[tuple[str, str, str, str], _Seen] = {}
    fingerprints = (i.fingerprint for i in hit_items)
    for alert in alerts_repo.for_fingerprints(session, org_id, fingerprints, (*UNDECIDED, TRUE_MATCH)):
        seen = _Seen(
            alert.id,
            alert.status == TRUE_MATCH,
            {"content_hash": alert.content_hash, "list_version": alert.list_version},
        )
        if seen.confirmed:
            confirmed[(alert.fingerprint, alert.list_id, alert.entity_id, alert.content_hash)] = seen
        else:
            undecided[(alert.fingerprint, alert.list_id, alert.entity_id)] = seen
    touched: list[_Seen] = []
    opened: list[_Seen] = []
    for item in hit_items:
        for match in item.hits():
            if match.get("suppressed_by") is not None:
                continue
            key = (item.fingerprint, str(match["list"]), str(match["entity_id"]))
            content_hash = item.hashes.get(key[1:], "")
            seen_before = undecided.get(key) or confirmed.get((*key, content_hash))
            if seen_before is None:
                seen_before = undecided[key] = _new_alert(org_id, item, match, now)
                opened.append(seen_before)
            # The same match again: one alert with the latest evidence, not a second one to decide.
            seen_before.saw(match, content_hash, config)
            touched.append(seen_before)
    new_rows = [{**s.new_row, **s.evidence, "occurrences": s.count} for s in opened if s.new_row is not None]
    for seen, alert_id in zip(opened, alerts_repo.insert_alerts(session, new_rows), strict=True):
        seen.alert_id = alert_id
    existing = {id(s): s for s in touched if s.new_row is None}.values()
    alerts_repo.count_occurrences(
        session, [{"b_id": s.alert_id, "b_seen": s.count, "b_now": now} for s in existing if s.confirmed], False
    )
    alerts_repo.count_occurrences(
        session,
        [
            {"b_id": s.alert_id, "b_seen": s.count, "b_now": now, **{f"b_{k}": v for k, v in s.evidence.items()}}
            for s in existing
            if not s.confirmed
        ],
        True,
    )
    opened_events = [
        audit.EventSpec("alert.opened", "alert", str(s.alert_id), {name: row[name] for name in _OPENED_FIELDS})
        for s, row in zip(opened, new_rows, strict=True)
    ]
    audit.append_events(session, opened_events, actor=actor, org_id=org_id, now=now)
    return [seen.alert_id for seen in touched if seen.alert_id is not None]


def open_alerts(
    session: Session,
    org_id: str,
    counterparty: CounterpartyIn,
    result_document: dict[str, Any],
    source: str,
    source_ref: str | None = None,
    *,
    actor: audit.Actor = audit.SYSTEM,
    config: MatchConfig | None = None,
) -> list[int]:
    """Apply the memory to one result document (in place) and open alerts for its remaining hits; the alert ids."""
    item = Screened(counterparty, result_document, source, source_ref)
    apply_memory(session, org_id, [item], config)
    return open_for(session, org_id, [item], actor=actor, config=config)


@dataclass(slots=True)
class PartyMemory:
    """For shipments inside a batch chunk: `hook(seq)` is the `on_party` of `screen_shipment_request`; it applies the
    memory to each party that has hits (a short read-only session, only then) and keeps the parties for
    `open_for` in the chunk's result transaction."""

    url: str
    org_id: str
    batch_id: str
    items: list[tuple[int, Screened]] = field(default_factory=list)

    def hook(self, seq: int) -> Callable[[str, CounterpartyIn, dict[str, Any]], None]:
        def _apply(role: str, party: CounterpartyIn, document: dict[str, Any]) -> None:
            if document.get("decision") not in HIT_DECISIONS:
                return
            item = Screened(party, document, "shipment_party", f"{self.batch_id}:{seq}:{role}")
            with session_scope(self.url) as session:
                apply_memory(session, self.org_id, [item])
            self.items.append((seq, item))

        return _apply


# --- reopening when the listed record changes ---------------------------------------------------------------------


def reopen_changed(session: Session, version: ListVersion, now: datetime | None = None) -> int:
    """Reopen every false_positive alert on this list whose listed record differs in (or is gone from) the newly
    active version, with an `alert.reopened` event in each alert's organisation; the number reopened."""
    now = now or datetime.now(UTC)
    remembered = list(
        session.scalars(select(Alert).where(Alert.list_id == version.list_id, Alert.status == FALSE_POSITIVE))
    )
    if not remembered:
        return 0
    current: dict[str, str] = {}
    for entity_ids in _chunks(a.entity_id for a in remembered):
        rows = session.execute(
            select(ListEntryRow.entity_id, ListEntryRow.content_hash).where(
                ListEntryRow.version_id == version.id, ListEntryRow.entity_id.in_(entity_ids)
            )
        )
        current.update({entity_id: content_hash for entity_id, content_hash in rows})
    changed = [a for a in sorted(remembered, key=lambda a: a.id) if current.get(a.entity_id) != a.content_hash]
    # Chain locks (organisations in a fixed order) before the alert rows, as in `open_for` and `decide`.
    for org_id in sorted({a.org_id for a in changed}):
        audit_repo.lock_chain(session, org_id)
    events: dict[str, list[audit.EventSpec]] = defaultdict(list)
    for alert in changed:
        new_hash = current.get(alert.entity_id)
        events[alert.org_id].append(
            audit.EventSpec(
                action="alert.reopened",
                object_type="alert",
                object_id=str(alert.id),
                payload={
                    "reason": "entity_removed" if new_hash is None else "entity_changed",
                    "list_id": alert.list_id,
                    "entity_id": alert.entity_id,
                    "previous_content_hash": alert.content_hash,
                    "content_hash": new_hash,
                    "list_version": version.label,
                    "released_by_decision": alert.closing_decision_id,
                },
            )
        )
        alert.status = REOPENED
        alert.updated_at = now
    session.flush()
    for org_id in sorted(events):
        audit.append_events(session, events[org_id], org_id=org_id, now=now)
    return sum(len(e) for e in events.values())


# --- decisions ----------------------------------------------------------------------------------------------------


def get_alert(session: Session, org_id: str, alert_id: int, *, for_update: bool = False) -> Alert:
    """The alert if it belongs to the organisation; another organisation's id is simply not found."""
    alert = session.get(Alert, alert_id, with_for_update=for_update)
    if alert is None or alert.org_id != org_id:
        raise NotFoundError(f"alert {alert_id} not found", field="alert_id")
    return alert


def history(session: Session, alert_id: int) -> list[AlertDecision]:
    return list(
        session.scalars(select(AlertDecision).where(AlertDecision.alert_id == alert_id).order_by(AlertDecision.id))
    )


def _check_decision(decision: str, reason: str | None) -> tuple[str, str | None]:
    value = (decision or "").strip().lower()
    if value not in DECISIONS:
        raise AlertInputError(f"decision must be one of {', '.join(DECISIONS)}", field="decision")
    text = (reason or "").strip() or None
    if text is not None and len(text) > MAX_REASON_LENGTH:
        raise AlertInputError(f"reason is longer than {MAX_REASON_LENGTH} characters", field="reason")
    if text is not None and any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text):
        raise AlertInputError("reason contains control characters", field="reason")
    if value == "false_positive" and text is None:
        raise AlertInputError("reason is required for a false_positive decision (why it is not them)", field="reason")
    return value, text


def decide(
    session: Session,
    principal: Decider,
    alert_id: int,
    decision: str,
    reason: str | None,
    *,
    four_eyes: bool = True,
    now: datetime | None = None,
) -> tuple[Alert, AlertDecision]:
    """Record one analyst decision and move the alert; a BLOCK is released as false positive only by a second key
    (when `four_eyes`). Appends `alert.decided` in the same transaction."""
    value, text = _check_decision(decision, reason)
    now = now or datetime.now(UTC)
    # The chain lock before the alert's row, in the same order as `open_for` (no deadlock between the two).
    audit_repo.lock_chain(session, principal.org_id)
    alert = get_alert(session, principal.org_id, alert_id, for_update=True)
    before = alert.status
    if before in CLOSED:
        raise AlertConflictError(
            f"alert {alert_id} is already decided ({before}); it reopens when the listed record changes",
            code="alert_closed",
            field="alert_id",
        )
    if value == "true_match":
        after = TRUE_MATCH
    elif value == "escalate":
        after = ESCALATED
    elif four_eyes and alert.decision == "BLOCK":
        if before == AWAITING_SECOND_REVIEW:
            first = next(
                (d for d in reversed(history(session, alert.id)) if d.status_after == AWAITING_SECOND_REVIEW), None
            )
            if first is not None and first.actor_key_id == principal.key_id:
                raise AlertConflictError(
                    "releasing a BLOCK needs a second analyst: this key already gave the first false_positive",
                    code="four_eyes_same_analyst",
                    field="decision",
                )
            after = FALSE_POSITIVE
        else:
            after = AWAITING_SECOND_REVIEW
    else:
        after = FALSE_POSITIVE
    row = AlertDecision(
        alert_id=alert.id,
        org_id=alert.org_id,
        decision=value,
        reason=text,
        actor_key_id=principal.key_id,
        actor_role=str(principal.role),
        status_before=before,
        status_after=after,
        content_hash=alert.content_hash,
        created_at=now,
    )
    session.add(row)
    session.flush()
    alert.status = after
    alert.updated_at = now
    if after in CLOSED:
        alert.closing_decision_id = row.id
    session.flush()
    audit.append_event(
        session,
        action="alert.decided",
        object_type="alert",
        object_id=str(alert.id),
        payload={
            "decision_id": row.id,
            "decision": value,
            "reason": text,
            "status_before": before,
            "status_after": after,
            "list_id": alert.list_id,
            "entity_id": alert.entity_id,
            "content_hash": alert.content_hash,
            "alert_decision": alert.decision,
            "four_eyes": four_eyes and alert.decision == "BLOCK",
        },
        actor=principal_actor(principal),
        org_id=alert.org_id,
        now=now,
    )
    return alert, row


# --- reading ------------------------------------------------------------------------------------------------------


def _iso(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def decision_dict(row: AlertDecision) -> dict[str, Any]:
    return {
        "id": row.id,
        "decision": row.decision,
        "reason": row.reason,
        "actor_key_id": row.actor_key_id,
        "actor_role": row.actor_role,
        "status_before": row.status_before,
        "status_after": row.status_after,
        "content_hash": row.content_hash,
        "created_at": _iso(row.created_at),
    }


def alert_dict(alert: Alert, decisions: Sequence[AlertDecision] | None = None) -> dict[str, Any]:
    """An alert as the API shows it (with its decision history when given)."""
    data: dict[str, Any] = {
        "id": alert.id,
        "status": alert.status,
        "decision": alert.decision,
        "score": alert.score,
        "list_id": alert.list_id,
        "entity_id": alert.entity_id,
        "entity_name": alert.entity_name,
        "list_version": alert.list_version,
        "content_hash": alert.content_hash,
        "fingerprint": alert.fingerprint,
        "counterparty": alert.counterparty,
        "match": alert.match,
        "source": alert.source,
        "source_ref": alert.source_ref,
        "occurrences": alert.occurrences,
        "closing_decision_id": alert.closing_decision_id,
        "created_at": _iso(alert.created_at),
        "updated_at": _iso(alert.updated_at),
        "last_seen_at": _iso(alert.last_seen_at),
    }
    if decisions is not None:
        data["decisions"] = [decision_dict(d) for d in decisions]
    return data


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """What `GET /v1/alerts` filters on; the organisation always comes from the caller's key."""

    org_id: str
    status: str | None = None
    decision: str | None = None
    list_id: str | None = None
    entity_id: str | None = None
    source: str | None = None
    source_ref: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def encode_cursor(alert_id: int) -> str:
    return base64.urlsafe_b64encode(f"alert:{alert_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("alert:"):
            raise ValueError(text)
        alert_id = int(text[6:])
        if not 0 < alert_id < 2**63:  # a forged number must not reach a BIGINT comparison
            raise ValueError(text)
        return alert_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise AlertInputError("cursor is not one returned by this API", field="cursor") from None


def page(session: Session, where: AlertFilter, cursor: str | None, limit: int) -> dict[str, Any]:
    """Newest first, filtered, cursor-paged on the alert id."""
    if where.status is not None and where.status not in STATUSES:
        raise AlertInputError(f"status must be one of {', '.join(STATUSES)}", field="status")
    if where.decision is not None and where.decision.upper() not in HIT_DECISIONS:
        raise AlertInputError(f"decision must be one of {', '.join(HIT_DECISIONS)}", field="decision")
    if where.source is not None and where.source not in SOURCES:
        raise AlertInputError(f"source must be one of {', '.join(SOURCES)}", field="source")
    query = where_equal(
        select(Alert).where(Alert.org_id == where.org_id),
        (Alert.status, where.status),
        (Alert.decision, where.decision.upper() if where.decision else None),
        (Alert.list_id, where.list_id),
        (Alert.entity_id, where.entity_id),
        (Alert.source, where.source),
        (Alert.source_ref, where.source_ref),
    )
    query = where_between(query, Alert.created_at, where.since, where.until)
    if cursor:
        query = query.where(Alert.id < decode_cursor(cursor))
    rows = list(session.scalars(query.order_by(Alert.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [alert_dict(row) for row in rows],
        "next_cursor": encode_cursor(rows[-1].id) if more and rows else None,
    }


def batch_hits(
    batch_id: str, first_seq: int, items: Sequence[dict[str, Any]], rows: Sequence[dict[str, Any]]
) -> list[tuple[int, Screened]]:
    """(seq, Screened) for the counterparty results of a batch chunk that are REVIEW or BLOCK (only those are
    validated again: hits are rare, so the cost stays off the clear majority)."""
    out: list[tuple[int, Screened]] = []
    for row in rows:
        document = row["document"]
        if document.get("decision") not in HIT_DECISIONS or "matches" not in document:
            continue  # clear, or not a counterparty document (a shipment's parties are screened per party)
        counterparty = CounterpartyIn.model_validate(items[row["seq"] - first_seq])
        out.append((row["seq"], Screened(counterparty, document, "batch_item", f"{batch_id}:{row['seq']}")))
    return out
