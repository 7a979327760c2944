"""SQLAlchemy 2 models. Every imported list is a `ListVersion` with its `ListEntryRow`s; older versions stay."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
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
