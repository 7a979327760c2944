"""Importing list files as versions: parse fully, then store, diff and activate in one transaction.

Atomicity: a file is parsed completely before the database is touched, and the version, its entries, its diff
and the active pointer are written in one transaction. A truncated, malformed or empty file raises
ListFormatError before anything is written, so the previously active version stays active.

Which version is active: the one in force most recently, by effective date (the publication date when known,
else the fetch date). Importing an older publication (`--published 2021-07-07`) adds history without replacing
a newer active version.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from service import alerts, audit
from service.core.errors import ListFormatError, NotFoundError
from service.core.model import ParsedList
from service.db import repositories as repo
from service.db.models import ImportAttempt, ListVersion
from service.lists.registry import parse


@dataclass(slots=True)
class ImportResult:
    list_id: str
    outcome: str  # activated | stored | unchanged
    version_id: int
    sha256: str
    entity_count: int
    active_version_id: int | None
    diff: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    parse_seconds: float = 0.0
    store_seconds: float = 0.0


def _files_of(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        else:
            files.append(path)
    return files


def content_sha256(paths: Sequence[Path]) -> str:
    """SHA-256 over the files' names and bytes in order: the identity of a list version's content."""
    digest = hashlib.sha256()
    for path in _files_of(paths):
        if not path.exists():
            raise ListFormatError(f"list file not found: {path}", field="path")
        digest.update(path.name.encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def compute_diff(session: Session, version: ListVersion, previous: ListVersion | None) -> dict[str, list[str]]:
    """Added, removed and changed entity ids between `previous` and `version` (changed = content hash differs)."""
    new = repo.entity_hashes(session, version.id)
    old = repo.entity_hashes(session, previous.id) if previous is not None else {}
    return {
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "changed": sorted(k for k in set(new) & set(old) if new[k] != old[k]),
    }


def _store_diff(session: Session, version: ListVersion, previous: ListVersion | None, now: datetime) -> dict[str, int]:
    diff = compute_diff(session, version, previous)
    repo.save_diff(
        session,
        version.id,
        previous.id if previous else None,
        diff["added"],
        diff["removed"],
        diff["changed"],
        now,
    )
    return {k: len(v) for k, v in diff.items()}


def import_parsed(
    session: Session,
    *,
    list_id: str,
    name: str,
    parsed: ParsedList,
    sha256: str,
    source: str,
    published: date | None,
    now: datetime,
    parse_seconds: float = 0.0,
) -> ImportResult:
    """Store a parsed list as a new version (or recognise identical content) and activate it if it is newest."""
    src = repo.upsert_source(session, list_id, name, parsed.format)
    existing = repo.version_by_sha(session, list_id, sha256)
    if existing is not None:
        repo.record_attempt(
            session,
            ImportAttempt(
                list_id=list_id,
                started_at=now,
                outcome="unchanged",
                version_id=existing.id,
                sha256=sha256,
                message="identical content already imported",
            ),
        )
        return ImportResult(list_id, "unchanged", existing.id, sha256, existing.entity_count, src.active_version_id)

    ids = [e.entity_id for e in parsed.entries]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise ListFormatError(f"{list_id}: duplicate entity ids in one version, e.g. {dupes}")
    published_on = published or parsed.published
    started = time.perf_counter()
    version = ListVersion(
        list_id=list_id,
        format=parsed.format,
        sha256=sha256,
        source=source,
        fetched_at=now,
        published_on=published_on,
        effective_on=published_on or now.date(),
        entity_count=len(parsed.entries),
        name_count=sum(len(e.names) for e in parsed.entries),
        dated_count=sum(1 for e in parsed.entries if e.listed_on is not None),
        warnings=parsed.warnings[:200],
        parse_seconds=round(parse_seconds, 3),
    )
    repo.add_version(session, version, parsed.entries)
    # Re-read the source now that this transaction writes: on SQLite the row was read before the write lock, and
    # another import may have activated a newer version since.
    session.refresh(src)
    previous, following = repo.neighbours(session, version)
    diff = _store_diff(session, version, previous, now)
    if following is not None:
        # An older publication slotted into history: the next version's diff now has a new predecessor.
        _store_diff(session, following, version, now)

    active = repo.get_version(session, src.active_version_id) if src.active_version_id else None
    activate = active is None or (version.effective_on, version.id) >= (active.effective_on, active.id)
    if activate:
        src.active_version_id = version.id
        # Good-guy memory ends where the listed record changed: reopen those false positives in this transaction.
        alerts.reopen_changed(session, version, now)
    outcome = "activated" if activate else "stored"
    repo.record_attempt(
        session,
        ImportAttempt(
            list_id=list_id,
            started_at=now,
            outcome=outcome,
            version_id=version.id,
            sha256=sha256,
            message=f"{version.entity_count} entities; diff {diff}",
        ),
    )
    # Last in the transaction (it takes the chain lock): the event exists exactly when the version does.
    audit.append_event(
        session,
        action=f"list_version.{outcome}",
        object_type="list_version",
        object_id=str(version.id),
        payload={
            "list_id": list_id,
            "label": version.label,
            "sha256": sha256,
            "source": source,
            "effective_on": version.effective_on,
            "entity_count": version.entity_count,
            "diff": diff,
            "previous_active_version_id": active.id if active is not None else None,
            "active_version_id": src.active_version_id,
        },
        now=now,
    )
    return ImportResult(
        list_id=list_id,
        outcome=outcome,
        version_id=version.id,
        sha256=sha256,
        entity_count=version.entity_count,
        active_version_id=src.active_version_id,
        diff=diff,
        warnings=parsed.warnings,
        parse_seconds=parse_seconds,
        store_seconds=time.perf_counter() - started,
    )


def parse_files(fmt: str, paths: Sequence[Path], list_id: str) -> tuple[ParsedList, str, float]:
    """Hash and parse list files; raises ListFormatError (nothing written) when they are broken."""
    sha256 = content_sha256(paths)
    started = time.perf_counter()
    parsed = parse(fmt, paths, list_id)
    if not parsed.entries:
        raise ListFormatError(f"{list_id}: {fmt} produced no entries; refusing to activate an empty list")
    return parsed, sha256, time.perf_counter() - started


def record_rejection(session: Session, list_id: str, outcome: str, message: str, sha256: str | None = None) -> None:
    """Log a rejected or failed attempt (in its own transaction: the import itself rolled back)."""
    repo.record_attempt(
        session,
        ImportAttempt(list_id=list_id, started_at=datetime.now(UTC), outcome=outcome, sha256=sha256, message=message),
    )
    source = repo.get_source(session, list_id)
    if source is not None:
        source.last_error = message


def diff_of(session: Session, list_id: str, version_id: int | None = None) -> tuple[ListVersion, dict[str, object]]:
    """The stored diff of a version (default: the active one) against its predecessor."""
    if version_id is None:
        src = repo.get_source(session, list_id)
        if src is None or src.active_version_id is None:
            raise NotFoundError(f"list {list_id!r} has no imported version", field="list_id")
        version_id = src.active_version_id
    version = repo.get_version(session, version_id)
    if version is None or version.list_id != list_id:
        raise NotFoundError(f"list {list_id!r} has no version {version_id}", field="version")
    diff = repo.get_diff(session, version.id)
    if diff is None:
        raise NotFoundError(f"no diff stored for version {version.id}", field="version")
    return version, {
        "version_id": version.id,
        "previous_version_id": diff.previous_version_id,
        "added": diff.added,
        "removed": diff.removed,
        "changed": diff.changed,
    }


def list_status(session: Session) -> list[dict[str, object]]:
    """Every known list with its active version, version count and last fetch outcome (CLI status and API)."""
    out: list[dict[str, object]] = []
    for src in repo.all_sources(session):
        active = repo.get_version(session, src.active_version_id) if src.active_version_id else None
        versions = repo.versions_of(session, src.list_id)
        out.append(
            {
                "list_id": src.list_id,
                "name": src.name,
                "format": src.format,
                "active_version": version_dict(active) if active else None,
                "version_count": len(versions),
                "last_checked_at": src.last_checked_at.isoformat() if src.last_checked_at else None,
                "last_error": src.last_error,
            }
        )
    return out


def version_dict(version: ListVersion) -> dict[str, object]:
    """A list version as the API and CLI show it."""
    return {
        "version_id": version.id,
        "label": version.label,
        "sha256": version.sha256,
        "format": version.format,
        "fetched_at": version.fetched_at.isoformat(),
        "published_on": version.published_on.isoformat() if version.published_on else None,
        "effective_on": version.effective_on.isoformat(),
        "entity_count": version.entity_count,
        "name_count": version.name_count,
        "dated_count": version.dated_count,
        "source": version.source,
    }
