"""Fetching official list files and refreshing every configured list (CLI, beat task and `make run` share this).

Downloads go to `<download_dir>/<list>/incoming/` with timeouts and conditional requests (ETag /
Last-Modified). Only after the import succeeded does `incoming/` become `current/`, so a broken or partial
download never replaces the files of the active version. Offline, each list says so and keeps its version.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from service.core.errors import ListFormatError, ScreeningError, SourceUnavailableError
from service.db import repositories as repo
from service.db.session import session_scope
from service.lists.sources import ListSource, load_sources
from service.settings import Settings
from service.versions import ImportResult, import_parsed, parse_files, record_rejection

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RefreshReport:
    list_id: str
    outcome: str  # activated | stored | unchanged | not_modified | rejected | unreachable
    message: str
    result: ImportResult | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"list_id": self.list_id, "outcome": self.outcome, "message": self.message}
        if self.result is not None:
            data.update(
                version_id=self.result.version_id,
                entity_count=self.result.entity_count,
                diff=self.result.diff,
                parse_seconds=round(self.result.parse_seconds, 2),
                store_seconds=round(self.result.store_seconds, 2),
            )
        return data


def import_files(
    settings: Settings,
    *,
    list_id: str,
    name: str,
    fmt: str,
    paths: list[Path],
    published: date | None = None,
    source: str | None = None,
) -> ImportResult:
    """Parse then store one list; a broken file is logged as rejected and re-raised, nothing else changes."""
    try:
        parsed, sha256, parse_seconds = parse_files(fmt, paths, list_id)
    except ListFormatError as exc:
        with session_scope(settings.database_url) as session:
            record_rejection(session, list_id, "rejected", exc.message)
        raise
    with session_scope(settings.database_url) as session:
        result = import_parsed(
            session,
            list_id=list_id,
            name=name,
            parsed=parsed,
            sha256=sha256,
            source=source or " ".join(str(p) for p in paths),
            published=published,
            now=datetime.now(UTC),
            parse_seconds=parse_seconds,
        )
        src = repo.get_source(session, list_id)
        if src is not None:
            src.last_error = None
            src.last_checked_at = datetime.now(UTC)
    if result.outcome != "unchanged":
        with session_scope(settings.database_url) as session:
            repo.analyse_entries(session)
    return result


def _file_name(url: str, index: int) -> str:
    name = Path(urlparse(url).path).name
    return name or f"file{index}"


def fetch(settings: Settings, source: ListSource) -> tuple[Path, bool]:
    """Download a list's URLs into `incoming/`; returns (folder, changed). Raises SourceUnavailableError offline."""
    base = settings.download_dir / source.id
    incoming, current = base / "incoming", base / "current"
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir(parents=True)
    with session_scope(settings.database_url) as session:
        src = repo.get_source(session, source.id)
        state: dict[str, Any] = dict(src.fetch_state) if src is not None and src.fetch_state else {}
    changed = False
    new_state: dict[str, Any] = {}
    timeout = httpx.Timeout(settings.fetch_timeout_seconds, connect=min(10.0, settings.fetch_timeout_seconds))
    with httpx.Client(timeout=timeout, follow_redirects=True) as client:
        for index, url in enumerate(source.urls):
            target = incoming / _file_name(url, index)
            headers: dict[str, str] = {}
            previous = state.get(url, {})
            if (current / target.name).exists():
                if previous.get("etag"):
                    headers["If-None-Match"] = previous["etag"]
                if previous.get("last_modified"):
                    headers["If-Modified-Since"] = previous["last_modified"]
            try:
                with client.stream("GET", url, headers=headers) as response:
                    if response.status_code == 304:
                        shutil.copy2(current / target.name, target)
                        new_state[url] = previous
                        continue
                    if response.status_code != 200:
                        raise SourceUnavailableError(f"{source.id}: {url} answered HTTP {response.status_code}")
                    with target.open("wb") as handle:
                        for chunk in response.iter_bytes():
                            handle.write(chunk)
                    new_state[url] = {
                        "etag": response.headers.get("etag"),
                        "last_modified": response.headers.get("last-modified"),
                    }
                    changed = True
            except httpx.HTTPError as exc:
                raise SourceUnavailableError(
                    f"{source.id}: official source unreachable ({type(exc).__name__}: {exc}); "
                    "keeping the last good version"
                ) from exc
    (incoming / ".fetch_state.json").write_text(json.dumps(new_state), encoding="utf-8")
    return incoming, changed


def _promote(settings: Settings, source: ListSource, incoming: Path) -> None:
    """Make a successfully imported download the list's `current/` files, and remember its ETags."""
    state_file = incoming / ".fetch_state.json"
    state = json.loads(state_file.read_text(encoding="utf-8")) if state_file.exists() else {}
    state_file.unlink(missing_ok=True)
    current = settings.download_dir / source.id / "current"
    shutil.rmtree(current, ignore_errors=True)
    incoming.rename(current)
    with session_scope(settings.database_url) as session:
        src = repo.get_source(session, source.id)
        if src is not None:
            src.fetch_state = state
            src.last_checked_at = datetime.now(UTC)


def refresh_source(settings: Settings, source: ListSource) -> RefreshReport:
    """Fetch (URLs) or read (paths) one list and import it; never raises for one list's failure."""
    try:
        if source.urls:
            folder, changed = fetch(settings, source)
            if not changed:
                shutil.rmtree(folder, ignore_errors=True)
                with session_scope(settings.database_url) as session:
                    src = repo.get_source(session, source.id)
                    if src is not None:
                        src.last_checked_at = datetime.now(UTC)
                        src.last_error = None
                return RefreshReport(source.id, "not_modified", "source unchanged since the last fetch")
            files = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
            paths = [folder] if len(files) > 1 else files
            result = import_files(
                settings,
                list_id=source.id,
                name=source.name,
                fmt=source.format,
                paths=paths,
                published=source.published,
                source=" ".join(source.urls),
            )
            _promote(settings, source, folder)
        else:
            result = import_files(
                settings,
                list_id=source.id,
                name=source.name,
                fmt=source.format,
                paths=list(source.paths),
                published=source.published,
            )
    except SourceUnavailableError as exc:
        with session_scope(settings.database_url) as session:
            record_rejection(session, source.id, "unreachable", exc.message)
        return RefreshReport(source.id, "unreachable", exc.message)
    except ScreeningError as exc:
        return RefreshReport(source.id, "rejected", exc.message)
    return RefreshReport(
        source.id, result.outcome, f"version {result.version_id}: {result.entity_count} entities", result
    )


def refresh_all(settings: Settings, only: list[str] | None = None) -> list[RefreshReport]:
    """Refresh every list of the sources file (or the ones named); each list succeeds or fails on its own."""
    reports = []
    for source in load_sources(settings.sources_file):
        if only and source.id not in only:
            continue
        report = refresh_source(settings, source)
        log.info("list %s: %s (%s)", report.list_id, report.outcome, report.message)
        reports.append(report)
    return reports
