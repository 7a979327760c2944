"""`screening lists fetch/refresh` over HTTP with conditional requests; offline or broken keeps the version."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from service.db import repositories as repo
from service.db.session import session_scope
from service.refresh import refresh_all
from service.settings import Settings
from tests.test_versions import V1, V2, write_sdn


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A local HTTP server (loopback only) serving a folder; it honours If-Modified-Since with 304."""
    root = tmp_path / "www"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _sources(settings: Settings, url: str) -> None:
    settings.sources_file.write_text(
        f'[[list]]\nid = "ofac-test"\nname = "test"\nformat = "ofac-csv"\nurls = ["{url}"]\n', encoding="utf-8"
    )


def _active(settings: Settings) -> int | None:
    with session_scope(settings.database_url) as session:
        src = repo.get_source(session, "ofac-test")
        return src.active_version_id if src else None


def test_fetch_imports_then_answers_not_modified(settings: Settings, web_root: tuple[Path, str]) -> None:
    """First fetch imports and activates; the second sends If-Modified-Since and gets 304 → not_modified."""
    root, base = web_root
    write_sdn(root, V1)
    _sources(settings, f"{base}/sdn.csv")
    first = refresh_all(settings)
    assert [r.outcome for r in first] == ["activated"]
    assert first[0].result is not None and first[0].result.entity_count == 3
    assert (settings.download_dir / "ofac-test" / "current" / "sdn.csv").exists()
    second = refresh_all(settings)
    assert [r.outcome for r in second] == ["not_modified"]
    with session_scope(settings.database_url) as session:
        src = repo.get_source(session, "ofac-test")
        assert src is not None and src.fetch_state[f"{base}/sdn.csv"]["last_modified"]


def test_offline_source_keeps_last_good_version(settings: Settings, web_root: tuple[Path, str]) -> None:
    """An unreachable official URL is reported as such; the active version and its files stay."""
    root, base = web_root
    write_sdn(root, V1)
    _sources(settings, f"{base}/sdn.csv")
    refresh_all(settings)
    good = _active(settings)
    _sources(settings, "http://127.0.0.1:9/sdn.csv")  # discard port: nothing listens
    report = refresh_all(settings)
    assert report[0].outcome == "unreachable"
    assert "unreachable" in report[0].message and "last good version" in report[0].message
    assert _active(settings) == good


def test_broken_download_is_rejected_and_not_promoted(settings: Settings, web_root: tuple[Path, str]) -> None:
    """A changed but truncated download is rejected; `current/` still holds the good file."""
    root, base = web_root
    path = write_sdn(root, V1)
    _sources(settings, f"{base}/sdn.csv")
    refresh_all(settings)
    good = _active(settings)
    text = "".join(V2)
    path.write_text(text[: len(text) - 9], encoding="utf-8")  # cut inside the last record
    later = path.stat().st_mtime + 60  # Last-Modified has one-second resolution
    os.utime(path, (later, later))
    report = refresh_all(settings)
    assert report[0].outcome == "rejected"
    assert _active(settings) == good
    current = (settings.download_dir / "ofac-test" / "current" / "sdn.csv").read_bytes()
    assert current == "".join(V1).encode("utf-8")


def test_http_error_status_is_unreachable(settings: Settings, web_root: tuple[Path, str]) -> None:
    """A 404 from the official site is a source problem, not an empty list."""
    _, base = web_root
    _sources(settings, f"{base}/missing.csv")
    report = refresh_all(settings)
    assert report[0].outcome == "unreachable"
    assert "HTTP 404" in report[0].message
    assert _active(settings) is None


def test_an_import_leaves_fresh_planner_statistics(settings: Settings, web_root: tuple[Path, str]) -> None:
    """On PostgreSQL a new version is analysed at once: the batches screened right after an import must not wait
    for autovacuum to give the planner row counts for the entry lookups (nothing to analyse on SQLite)."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("planner statistics are PostgreSQL's")
    from sqlalchemy import text

    def analyses() -> int:
        with session_scope(settings.database_url) as session:
            count = session.scalar(text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'list_entry'"))
            return int(count or 0)

    root, base = web_root
    write_sdn(root, V1)
    _sources(settings, f"{base}/sdn.csv")
    before = analyses()
    assert [r.outcome for r in refresh_all(settings)] == ["activated"]
    assert analyses() == before + 1
    assert [r.outcome for r in refresh_all(settings)] == ["not_modified"]  # nothing stored, nothing analysed
    assert analyses() == before + 1
