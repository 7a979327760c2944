"""SQLAlchemy 2 models. Every imported list is a `ListVersion` with its `ListEntryRow`s; older versions stay."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core statements: the same statement on the mapped class goes through the ORM's bulk
    machinery, which costs more than the write itself when many rows go in at once."""
    return cast(Table, model.__table__)


class ListSourceRow(Base):
    """One configured list and the pointer to its active version (moved atomically on activation)."""

    __tablename__ = "list_source"

    list_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(32))
    active_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("list_version.id", use_alter=True, name="fk_list_source_active_version"), nullable=True
    )
    # Conditional-request state of the last successful fetch, per URL.
    fetch_state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class ListVersion(Base):
    """One imported snapshot of one list: identified by the SHA-256 of its files' content."""

    __tablename__ = "list_version"
    __table_args__ = (UniqueConstraint("list_id", "sha256", name="uq_list_version_list_sha"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_id: Mapped[str] = mapped_column(ForeignKey("list_source.list_id"), index=True)
    format: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)  # URLs or paths it was read from
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The date the version is taken to be in force from: published_on, else the fetch date.
    effective_on: Mapped[date] = mapped_column(Date, index=True)
    entity_count: Mapped[int] = mapped_column(Integer)
    name_count: Mapped[int] = mapped_column(Integer)
    # Entries carrying their own listing date. Zero (OFAC legacy CSV) means `as_of` must pick a version in
    # force on the date instead of filtering entries by their listing date.
    dated_count: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[list[str]] = mapped_column(JSONType, default=list)
    parse_seconds: Mapped[float] = mapped_column(default=0.0)

    @property
    def label(self) -> str:
        """Human-readable version label used in results: `<list>@<effective date>#<id>`."""
        return f"{self.list_id}@{self.effective_on.isoformat()}#{self.id}"


class ListEntryRow(Base):
    """One listed party inside one version. `data` is ListEntry.to_dict() without raw; `raw` is the source record."""

    __tablename__ = "list_entry"
    __table_args__ = (
        UniqueConstraint("version_id", "entity_id", name="uq_list_entry_version_entity"),
        Index("ix_list_entry_entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("list_version.id", ondelete="CASCADE"))
    entity_id: Mapped[str] = mapped_column(String(128))
    entity_type: Mapped[str] = mapped_column(String(16))
    primary_name: Mapped[str] = mapped_column(Text)
    listed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    raw: Mapped[str] = mapped_column(Text)


class ListDiff(Base):
    """What changed between a version and its predecessor in time (by effective date)."""

    __tablename__ = "list_diff"

    version_id: Mapped[int] = mapped_column(ForeignKey("list_version.id", ondelete="CASCADE"), primary_key=True)
    previous_version_id: Mapped[int | None] = mapped_column(ForeignKey("list_version.id"), nullable=True)
    added: Mapped[list[str]] = mapped_column(JSONType)
    removed: Mapped[list[str]] = mapped_column(JSONType)
    changed: Mapped[list[str]] = mapped_column(JSONType)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ImportAttempt(Base):
    """Every import or fetch attempt, good or rejected, so an auditor sees why a version did not change."""

    __tablename__ = "import_attempt"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_id: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(32))  # activated | stored | unchanged | rejected | unreachable
    version_id: Mapped[int | None] = mapped_column(ForeignKey("list_version.id"), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")


class Batch(Base):
    """One submitted batch: its idempotency key, status, counters (updated atomically by chunks) and webhook state."""

    __tablename__ = "batch"
    __table_args__ = (
        # Idempotency keys are the client's: two organisations may well pick the same one.
        UniqueConstraint("org_id", "idempotency_key", name="uq_batch_org_idempotency_key"),
        Index("ix_batch_status_created", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    body_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # queued | running | completed | failed
    as_of: Mapped[date | None] = mapped_column(Date, nullable=True)
    callback_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    # None without a callback; pending → delivered | failed, each event sent at most once successfully.
    webhook_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    total: Mapped[int] = mapped_column(Integer)
    chunk_count: Mapped[int] = mapped_column(Integer)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    clear_count: Mapped[int] = mapped_column(Integer, default=0)
    review_count: Mapped[int] = mapped_column(Integer, default=0)
    block_count: Mapped[int] = mapped_column(Integer, default=0)
    list_versions: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class BatchChunk(Base):
    """A slice of a batch's validated items: the unit a worker task screens, retries and the sweeper re-enqueues."""

    __tablename__ = "batch_chunk"
    __table_args__ = (Index("ix_batch_chunk_status_touched", "status", "touched_at"),)

    batch_id: Mapped[str] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), primary_key=True)
    chunk_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_seq: Mapped[int] = mapped_column(Integer)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16))  # queued | running | done
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Last time the chunk was enqueued or started; the sweeper's clock.
    touched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class BatchResult(Base):
    """One screened item: keyed on (batch, seq) so a replayed chunk inserts nothing twice."""

    __tablename__ = "batch_result"
    __table_args__ = (Index("ix_batch_result_decision", "batch_id", "decision", "seq"),)

    batch_id: Mapped[str] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decision: Mapped[str] = mapped_column(String(16))
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)


class ScreeningRecord(Base):
    """One synchronous screening (`POST /v1/screen`, `POST /v1/shipments/screen`): the input and the result document
    as returned, kept as evidence of what was known and decided at the time."""

    __tablename__ = "screening"
    __table_args__ = (Index("ix_screening_org_created", "org_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # counterparty | shipment
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decision: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[date | None] = mapped_column(Date, nullable=True)
    request: Mapped[dict[str, Any]] = mapped_column(JSONType)
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    key_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebhookDelivery(Base):
    """Every webhook attempt, successful or not, with what was sent and what came back."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_batch", "batch_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[float] = mapped_column(Float)
    signature: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Organisation(Base):
    """A customer of the service: every row holding customer data carries its id, every query is scoped by it."""

    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # short slug, e.g. "acme"
    name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKeyRow(Base):
    """One API key: only the SHA-256 of its token is stored (the token is shown once, at creation)."""

    __tablename__ = "api_key"
    __table_args__ = (
        UniqueConstraint("token_sha256", name="uq_api_key_token_sha256"),
        Index("ix_api_key_org", "org_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # public key id, e.g. "key_3f9c…"
    org_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200), default="")
    # The token's first characters, so an operator can tell keys apart without the secret.
    prefix: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))  # the creating key's id, or "cli"
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditEvent(Base):
    """One append-only audit event in its organisation's hash chain; never updated or deleted by the application
    (on PostgreSQL a trigger rejects UPDATE and DELETE)."""

    __tablename__ = "audit_event"
    __table_args__ = (
        UniqueConstraint("org_id", "seq", name="uq_audit_event_org_seq"),
        Index("ix_audit_event_org_object", "org_id", "object_type", "object_id"),
        Index("ix_audit_event_org_time", "org_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # Until organisations exist every event is in the "default" chain.
    org_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))  # system | cli | api (an API key id once keys exist)
    actor_key_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    actor_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Alert(Base):
    """One REVIEW or BLOCK match of one counterparty against one listed entity, for an analyst to decide.

    Status: open → (escalated) → true_match | false_positive, or awaiting_second_review when a BLOCK is released
    under the four-eyes rule; a false_positive whose listed entity changes in a new list version becomes reopened.
    A false_positive alert is the good-guy memory: it suppresses the same (counterparty fingerprint, list, entity,
    content hash) on later screenings of the organisation."""

    __tablename__ = "alert"
    __table_args__ = (
        Index("ix_alert_org_status", "org_id", "status", "id"),
        Index("ix_alert_org_fingerprint", "org_id", "fingerprint"),
        Index("ix_alert_list_entity", "list_id", "entity_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    counterparty: Mapped[dict[str, Any]] = mapped_column(JSONType)  # as screened (validated input)
    list_id: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(128))
    entity_name: Mapped[str] = mapped_column(Text)
    # list_entry.content_hash of the matched version's row: the listed record the alert (and its decision) is about.
    content_hash: Mapped[str] = mapped_column(String(64))
    list_version: Mapped[str] = mapped_column(String(128))  # label <list>@<date>#<id>
    score: Mapped[float] = mapped_column(Float)
    decision: Mapped[str] = mapped_column(String(16))  # REVIEW | BLOCK: what this match alone decides
    match: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the match explanation as in the result document
    source: Mapped[str] = mapped_column(String(32))  # screen | batch_item | shipment_party
    source_ref: Mapped[str | None] = mapped_column(String(255), nullable=True)
    status: Mapped[str] = mapped_column(String(32))
    # Later screenings that found the same match while the alert was undecided (or confirmed) count here.
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    # The decision that closed the alert (for false_positive: the N of "suppressed by decision N").
    closing_decision_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertDecision(Base):
    """One analyst decision on an alert, never changed: the alert's decision history."""

    __tablename__ = "alert_decision"
    __table_args__ = (Index("ix_alert_decision_alert", "alert_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    org_id: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(32))  # true_match | false_positive | escalate
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor_key_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    status_before: Mapped[str] = mapped_column(String(32))
    status_after: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))  # the listed record the decision was taken on
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OwnershipEdgeRow(Base):
    """One stored ownership or control edge of an organisation's graph (`POST /v1/ownership`); screening uses the
    edges valid on the ship date. `owner`/`owned` are names or party references, resolved like inline edges."""

    __tablename__ = "ownership_edge"
    __table_args__ = (Index("ix_ownership_edge_org_id", "org_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(500))
    owned: Mapped[str] = mapped_column(String(500))
    percent: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), nullable=True)
    control_type: Mapped[str] = mapped_column(String(32))  # shares | voting | call_option | board_appointment
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    owner_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    owner_listed: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)  # API key id
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OrgSetting(Base):
    """One organisation setting (e.g. key "decision" = the DecisionConfig as JSON); changes are audited."""

    __tablename__ = "org_setting"

    org_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(64), nullable=True)  # API key id, or "cli"
