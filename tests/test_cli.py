"""`screening lists import/status/diff` and `db upgrade` as a user runs them: exit codes and messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.settings import Settings, get_settings
from tests.test_versions import V1, V2, write_sdn

runner = CliRunner()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SCREENING_DOWNLOAD_DIR", str(settings.download_dir))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def test_import_status_and_diff(cli_env: Settings, tmp_path: Path) -> None:
    """Two imports with --published, then status --json and diff show versions, counts and changed ids."""
    v1 = write_sdn(tmp_path / "v1", V1)
    v2 = write_sdn(tmp_path / "v2", V2)
    out = runner.invoke(app, ["lists", "import", "ofac-csv", str(v1), "--list-id", "sdn", "--published", "2024-01-01"])
    assert out.exit_code == 0, out.output
    assert "activated version" in out.output and "3 entities" in out.output
    out = runner.invoke(app, ["lists", "import", "ofac-csv", str(v2), "--list-id", "sdn", "--published", "2024-02-01"])
    assert out.exit_code == 0, out.output
    again = runner.invoke(app, ["lists", "import", "ofac-csv", str(v2), "--list-id", "sdn"])
    assert "unchanged" in again.output

    status = json.loads(runner.invoke(app, ["lists", "status", "--json"]).output)
    assert status[0]["list_id"] == "sdn"
    assert status[0]["version_count"] == 2
    assert status[0]["active_version"]["published_on"] == "2024-02-01"

    diff = json.loads(runner.invoke(app, ["lists", "diff", "sdn", "--json"]).output)
    assert (diff["added"], diff["removed"], diff["changed"]) == (["1004"], ["1003"], ["1002"])
    text = runner.invoke(app, ["lists", "diff", "sdn"]).output
    assert "added" in text and "1004" in text


def test_errors_are_clear_and_exit_2(cli_env: Settings, tmp_path: Path) -> None:
    """Unknown format, bad date, broken file, unknown list: a message naming the problem, exit code 2."""
    good = write_sdn(tmp_path / "v1", V1)
    out = runner.invoke(app, ["lists", "import", "no-such-format", str(good)])
    assert out.exit_code == 2
    assert "list_format_unknown" in out.output and "ofac-csv" in out.output

    out = runner.invoke(app, ["lists", "import", "ofac-csv", str(good), "--published", "03/05/2024"])
    assert out.exit_code == 2 and "YYYY-MM-DD" in out.output

    empty = tmp_path / "empty" / "sdn.csv"
    empty.parent.mkdir()
    empty.write_text("", encoding="utf-8")
    out = runner.invoke(app, ["lists", "import", "ofac-csv", str(empty)])
    assert out.exit_code == 2 and "list_format_invalid" in out.output

    out = runner.invoke(app, ["lists", "diff", "never-imported"])
    assert out.exit_code == 2 and "no imported version" in out.output
