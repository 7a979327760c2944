"""List versions: import, no-op re-import, diffs, atomic activation, history by date. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.core.errors import ListFormatError
from service.db import repositories as repo
from service.db.models import ImportAttempt, ListEntryRow, ListVersion
from service.db.session import session_scope
from service.refresh import import_files
from service.settings import Settings
from service.versions import diff_of, list_status
from tests.conftest import shared_path


def sdn_row(ent: int, name: str, sdn_type: str = "-0- ", program: str = "RUSSIA-EO14024", remarks: str = "-0- ") -> str:
    """One line of OFAC's legacy sdn.csv (12 columns, no header, -0- for empty)."""
    cols = [str(ent), name, sdn_type, program, "-0- ", "-0- ", "-0- ", "-0- ", "-0- ", "-0- ", "-0- ", remarks]
    return ",".join(c if c == str(ent) else f'"{c}"' for c in cols) + "\r\n"


def write_sdn(folder: Path, rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sdn.csv"
    path.write_text("".join(rows), encoding="utf-8")
    return path


V1 = [
    sdn_row(1001, "KOMINVEX DOO BEOGRAD", remarks="Serbia; Registration Number 21574422 (Serbia)."),
    sdn_row(1002, "SOHA INFO DOO NOVI BANOVCI"),
    sdn_row(1003, "IVANOV, Ivan", "individual", remarks="DOB 12 Mar 1962; nationality Russia."),
]
V2 = [
    V1[0],
    sdn_row(1002, "SOHA INFO DOO NOVI BANOVCI", program="RUSSIA-EO14024] [SDGT"),  # changed programs
    sdn_row(1004, "GOODFORWARDING DOO BEOGRAD"),  # added; 1003 removed
]


def _import(settings: Settings, path: Path, published: date | None = None, list_id: str = "ofac-test") -> int:
    result = import_files(settings, list_id=list_id, name="test", fmt="ofac-csv", paths=[path], published=published)
    return result.version_id


def _active_id(settings: Settings, list_id: str = "ofac-test") -> int | None:
    with session_scope(settings.database_url) as session:
        src = repo.get_source(session, list_id)
        return src.active_version_id if src else None


def test_import_stores_version_entries_and_raw(settings: Settings, tmp_path: Path) -> None:
    """A first import creates an active version with sha256, counts, and every entry with its raw record."""
    path = write_sdn(tmp_path / "v1", V1)
    result = import_files(settings, list_id="ofac-test", name="t", fmt="ofac-csv", paths=[path])
    assert result.outcome == "activated"
    assert result.entity_count == 3
    assert len(result.sha256) == 64
    with session_scope(settings.database_url) as session:
        version = repo.get_version(session, result.version_id)
        assert version is not None and version.entity_count == 3
        row = repo.get_entry(session, version.id, "1003")
        assert row is not None
        assert row.entity_type == "person"
        assert row.data["dates_of_birth"] == ["1962-03-12"]
        assert "IVANOV" in row.raw
        status = list_status(session)
    assert status[0]["list_id"] == "ofac-test"
    assert status[0]["version_count"] == 1


def test_identical_content_is_a_noop(settings: Settings, tmp_path: Path) -> None:
    """Re-importing the same bytes creates no version and keeps the active one."""
    path = write_sdn(tmp_path / "v1", V1)
    first = _import(settings, path)
    again = import_files(settings, list_id="ofac-test", name="t", fmt="ofac-csv", paths=[path])
    assert again.outcome == "unchanged"
    assert again.version_id == first
    with session_scope(settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(ListVersion)) == 1
        assert session.scalar(select(func.count()).select_from(ListEntryRow)) == 3


def test_diff_between_consecutive_versions(settings: Settings, tmp_path: Path) -> None:
    """The stored diff names added, removed and changed entity ids (changed = normalised content differs)."""
    _import(settings, write_sdn(tmp_path / "v1", V1), date(2024, 1, 1))
    v2 = _import(settings, write_sdn(tmp_path / "v2", V2), date(2024, 2, 1))
    assert _active_id(settings) == v2
    with session_scope(settings.database_url) as session:
        _, diff = diff_of(session, "ofac-test")
    assert diff["added"] == ["1004"]
    assert diff["removed"] == ["1003"]
    assert diff["changed"] == ["1002"]


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(lambda text: text[: len(text) // 2 - 7], id="truncated-mid-line"),
        pytest.param(lambda text: "", id="empty"),
        pytest.param(lambda text: "<html><body>Service unavailable</body></html>\n", id="html-error-page"),
    ],
)
def test_broken_file_never_replaces_active_version(settings: Settings, tmp_path: Path, broken: object) -> None:
    """A truncated, empty or wrong-format file is rejected with a clear error; the active version stays."""
    good = _import(settings, write_sdn(tmp_path / "v1", V1))
    bad_path = write_sdn(tmp_path / "bad", [])
    text = "".join(V2 * 50)
    assert callable(broken)
    bad_path.write_text(broken(text), encoding="utf-8")
    with pytest.raises(ListFormatError) as excinfo:
        _import(settings, bad_path)
    assert excinfo.value.message
    assert _active_id(settings) == good
    with session_scope(settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(ListVersion)) == 1
        outcomes = [a.outcome for a in session.scalars(select(ImportAttempt).order_by(ImportAttempt.id))]
        src = repo.get_source(session, "ofac-test")
        assert src is not None and src.last_error
    assert outcomes == ["activated", "rejected"]


def test_older_publication_joins_history_without_taking_over(settings: Settings, tmp_path: Path) -> None:
    """An import published before the active version is stored for history; the newer one stays active."""
    newer = _import(settings, write_sdn(tmp_path / "v2", V2), date(2024, 5, 3))
    older = _import(settings, write_sdn(tmp_path / "v1", V1), date(2021, 7, 7))
    assert _active_id(settings) == newer
    with session_scope(settings.database_url) as session:
        in_2022 = repo.version_in_force(session, "ofac-test", date(2022, 9, 15))
        in_2025 = repo.version_in_force(session, "ofac-test", date(2025, 1, 1))
        before_all = repo.version_in_force(session, "ofac-test", date(2020, 1, 1))
        # the newer version's diff is recomputed against the older publication slotted in before it
        _, diff = diff_of(session, "ofac-test", newer)
    assert in_2022 is not None and in_2022.id == older
    assert in_2025 is not None and in_2025.id == newer
    assert before_all is None
    assert diff["previous_version_id"] == older
    assert diff["added"] == ["1004"]


def test_real_ofac_history_2021_to_2024(settings: Settings) -> None:
    """The real OFAC SDN files of 2021-07-07 and 2024-05-03: Kominvex (47483) is added, the 2021 set is history."""
    set_2021 = shared_path("ofac", "sdn_full_set_2021-07-07", "sdn.csv")
    set_2024 = shared_path("ofac", "sdn_primary_2024-05-03", "sdn.csv")
    v2021 = _import(settings, set_2021, date(2021, 7, 7), list_id="ofac-sdn")
    v2024 = _import(settings, set_2024, date(2024, 5, 3), list_id="ofac-sdn")
    with session_scope(settings.database_url) as session:
        _, diff = diff_of(session, "ofac-sdn")
        assert repo.get_version(session, v2021).entity_count == 8976  # type: ignore[union-attr]
        assert repo.get_version(session, v2024).entity_count == 14965  # type: ignore[union-attr]
        in_force = repo.version_in_force(session, "ofac-sdn", date(2022, 9, 15))
        assert in_force is not None and in_force.id == v2021
        assert repo.get_entry(session, v2021, "47483") is None
        kominvex = repo.get_entry(session, v2024, "47483")
        assert kominvex is not None and kominvex.primary_name == "KOMINVEX DOO BEOGRAD"
    assert "47483" in diff["added"]  # type: ignore[operator]
    assert len(diff["added"]) + len(diff["changed"]) > 5000  # type: ignore[arg-type]
    assert _active_id(settings, "ofac-sdn") == v2024


def test_concurrent_imports_of_one_list_neither_deadlock_nor_lose_a_version(settings: Settings, tmp_path: Path) -> None:
    """Imports that activate and imports that only join history, at once: each is stored, the newest is active and
    the audit chain stays gapless (one import used to hold the chain lock while waiting for the list's row)."""
    from concurrent.futures import ThreadPoolExecutor

    from service import audit

    _import(settings, write_sdn(tmp_path / "base", V2), date(2024, 5, 3))
    jobs = []
    for i in range(6):
        newer = i % 2 == 0
        rows = [*V1, sdn_row(2000 + i, f"CONCURRENT TEST ENTITY {i}")]
        published = date(2025, 1, 1 + i) if newer else date(2021, 7, 1 + i)
        jobs.append((write_sdn(tmp_path / f"c{i}", rows), published))
    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = list(pool.map(lambda job: _import(settings, *job), jobs))
    assert len(set(ids)) == 6
    with session_scope(settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(ListVersion)) == 7
        active = session.get(ListVersion, _active_id(settings))
        assert active is not None and active.effective_on == date(2025, 1, 5)
    assert all(v.ok for v in audit.verify_all(settings.database_url))
