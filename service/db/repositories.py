"""All queries live here: list sources, versions, entries, diffs and import attempts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, text, tuple_
from sqlalchemy.orm import Session

from service.core.model import ListEntry
from service.db.models import ImportAttempt, ListDiff, ListEntryRow, ListSourceRow, ListVersion

_INSERT_BATCH = 5000


def upsert_source(session: Session, list_id: str, name: str, fmt: str) -> ListSourceRow:
    """Return the list's source row, creating it on first import; name/format follow the sources file.

    The row is locked first (PostgreSQL) so two imports of one list run one after the other: otherwise one could
    hold the audit chain lock while waiting for this row and the other the reverse (a deadlock)."""
    row = session.get(ListSourceRow, list_id, with_for_update=True)
    if row is None:
        row = ListSourceRow(list_id=list_id, name=name, format=fmt, fetch_state={})
        session.add(row)
        session.flush()
    else:
        row.name, row.format = name, fmt
    return row


def get_source(session: Session, list_id: str) -> ListSourceRow | None:
    return session.get(ListSourceRow, list_id)


def all_sources(session: Session) -> Sequence[ListSourceRow]:
    return session.scalars(select(ListSourceRow).order_by(ListSourceRow.list_id)).all()


def version_by_sha(session: Session, list_id: str, sha256: str) -> ListVersion | None:
    return session.scalars(
        select(ListVersion).where(ListVersion.list_id == list_id, ListVersion.sha256 == sha256)
    ).first()


def get_version(session: Session, version_id: int) -> ListVersion | None:
    return session.get(ListVersion, version_id)


def add_version(session: Session, version: ListVersion, entries: Iterable[ListEntry]) -> None:
    """Insert a version and all its entries in the caller's transaction (batched executemany)."""
    session.add(version)
    session.flush()
    batch: list[dict[str, Any]] = []
    for entry in entries:
        batch.append(
            {
                "version_id": version.id,
                "entity_id": entry.entity_id,
                "entity_type": entry.entity_type.value,
                "primary_name": entry.primary_name,
                "listed_on": entry.listed_on,
                "content_hash": entry.content_hash(),
                "data": entry.to_dict(with_raw=False),
                "raw": entry.raw,
            }
        )
        if len(batch) >= _INSERT_BATCH:
            session.execute(insert(ListEntryRow), batch)
            batch = []
    if batch:
        session.execute(insert(ListEntryRow), batch)


def analyse_entries(session: Session) -> None:
    """Give PostgreSQL's planner fresh statistics of `list_entry` after an import added a version's rows.

    Until autovacuum gets to them it has none, and looked a batch chunk's matched entities up by version alone,
    walking every entry of the active versions (30 ms a chunk, where the (version, entity) lookup takes 2 ms). The
    columns lookups filter on are enough: 0.15 s, where the whole table with its JSON documents takes 0.9 s."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE list_entry (version_id, entity_id)"))


def versions_of(session: Session, list_id: str) -> Sequence[ListVersion]:
    """All versions of a list, oldest first by effective date."""
    return session.scalars(
        select(ListVersion).where(ListVersion.list_id == list_id).order_by(ListVersion.effective_on, ListVersion.id)
    ).all()


def neighbours(session: Session, version: ListVersion) -> tuple[ListVersion | None, ListVersion | None]:
    """The versions just before and just after `version` in time, for diffs."""
    key = tuple_(ListVersion.effective_on, ListVersion.id)
    here = tuple_(version.effective_on, version.id)
    before = session.scalars(
        select(ListVersion)
        .where(ListVersion.list_id == version.list_id, key < here)
        .order_by(ListVersion.effective_on.desc(), ListVersion.id.desc())
        .limit(1)
    ).first()
    after = session.scalars(
        select(ListVersion)
        .where(ListVersion.list_id == version.list_id, key > here)
        .order_by(ListVersion.effective_on, ListVersion.id)
        .limit(1)
    ).first()
    return before, after


def version_in_force(session: Session, list_id: str, on: date) -> ListVersion | None:
    """The version of a list in force on a date: the latest whose effective date is on or before it."""
    return session.scalars(
        select(ListVersion)
        .where(ListVersion.list_id == list_id, ListVersion.effective_on <= on)
        .order_by(ListVersion.effective_on.desc(), ListVersion.id.desc())
        .limit(1)
    ).first()


def active_versions(session: Session) -> Sequence[tuple[ListSourceRow, ListVersion]]:
    """Each list with its active version (lists never successfully imported are left out)."""
    rows = session.execute(
        select(ListSourceRow, ListVersion)
        .join(ListVersion, ListVersion.id == ListSourceRow.active_version_id)
        .order_by(ListSourceRow.list_id)
    ).all()
    return [(source, version) for source, version in rows]


def entity_hashes(session: Session, version_id: int) -> dict[str, str]:
    """entity id → content hash for one version (the input of a diff)."""
    rows = session.execute(
        select(ListEntryRow.entity_id, ListEntryRow.content_hash).where(ListEntryRow.version_id == version_id)
    )
    return {entity_id: content_hash for entity_id, content_hash in rows}


def iter_entries(session: Session, version_id: int, *, with_raw: bool = False) -> Iterator[ListEntry]:
    """Stream the entries of a version as ListEntry (raw text only when asked: the matcher does not need it)."""
    columns = [ListEntryRow.data, ListEntryRow.raw] if with_raw else [ListEntryRow.data]
    result = session.execute(
        select(*columns).where(ListEntryRow.version_id == version_id).order_by(ListEntryRow.id),
        execution_options={"yield_per": 2000},
    )
    for row in result:
        data = dict(row[0])
        if with_raw:
            data["raw"] = row[1]
        yield ListEntry.from_dict(data)


def get_entry(session: Session, version_id: int, entity_id: str) -> ListEntryRow | None:
    return session.scalars(
        select(ListEntryRow).where(ListEntryRow.version_id == version_id, ListEntryRow.entity_id == entity_id)
    ).first()


def save_diff(
    session: Session,
    version_id: int,
    previous_version_id: int | None,
    added: list[str],
    removed: list[str],
    changed: list[str],
    now: datetime,
) -> ListDiff:
    """Store (or replace) the diff of a version against its predecessor."""
    diff = session.get(ListDiff, version_id)
    if diff is None:
        diff = ListDiff(version_id=version_id)
        session.add(diff)
    diff.previous_version_id = previous_version_id
    diff.added, diff.removed, diff.changed = added, removed, changed
    diff.computed_at = now
    return diff


def get_diff(session: Session, version_id: int) -> ListDiff | None:
    return session.get(ListDiff, version_id)


def record_attempt(session: Session, attempt: ImportAttempt) -> None:
    session.add(attempt)


def recent_attempts(session: Session, list_id: str, limit: int = 10) -> Sequence[ImportAttempt]:
    return session.scalars(
        select(ImportAttempt).where(ImportAttempt.list_id == list_id).order_by(ImportAttempt.id.desc()).limit(limit)
    ).all()
