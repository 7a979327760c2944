"""Screening against stored versions: `as_of` per list kind, index rebuilds, screen-file = API document."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.api.app import create_app
from service.cli import app as cli
from service.inputs import CounterpartyIn
from service.refresh import import_files
from service.screening_service import INDEXES, screen_counterparty
from service.settings import Settings, get_settings
from tests.support.auth import bearer, make_key
from tests.test_versions import V1, V2, write_sdn

CUSTOM_HEADER = "entity_id,entity_type,name,aliases,weak_aliases,date_of_birth,nationality,country,identifiers,programs,listed_on,remarks\n"  # noqa: E501


def write_custom(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CUSTOM_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _screen(settings: Settings, name: str, as_of: date | None = None, **extra: object) -> dict[str, object]:
    context = INDEXES.context(settings.database_url, as_of)
    return screen_counterparty(context, CounterpartyIn.model_validate({"name": name, **extra}))


def _hits(document: dict[str, object]) -> set[str]:
    matches = document["matches"]
    assert isinstance(matches, list)
    return {m["entity_id"] for m in matches}


def test_undated_list_uses_the_version_in_force(settings: Settings, tmp_path: Path) -> None:
    """OFAC legacy CSV has no listing dates: as of 2022 the 2021 version answers, as of mid-2024 the 2024 one."""
    import_files(settings, list_id="sdn", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "a", V1[1:])],
                 published=date(2021, 7, 7))  # fmt: skip
    import_files(settings, list_id="sdn", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "b", V2)],
                 published=date(2024, 5, 3))  # fmt: skip
    before = _screen(settings, "KOMINVEX DOO BEOGRAD", date(2022, 9, 15), type="organization")
    after = _screen(settings, "KOMINVEX DOO BEOGRAD", date(2024, 6, 1), type="organization")
    now = _screen(settings, "KOMINVEX DOO BEOGRAD", type="organization")
    assert "1001" not in _hits(before)
    assert before["decision"] == "CLEAR"
    assert "1001" in _hits(after) and "1001" in _hits(now)
    assert after["matches"][0]["listing_date_status"] == "in_version_in_force"  # type: ignore[index]
    assert before["list_versions"] != after["list_versions"]
    assert str(after["list_versions"]["sdn"]).startswith("sdn@2024-05-03")  # type: ignore[index]


def test_dated_list_filters_entries_listed_after_as_of(settings: Settings, tmp_path: Path) -> None:
    """Entries with their own listing date do not match before it; an undated entry says its date is unknown."""
    path = write_custom(
        tmp_path / "internal.csv",
        [
            "E1,organization,Iskra Technologies JSC,RTSoft JSC,,,RU,RU,,EU-833-IV,2024-12-17,",
            "E2,organization,Volga Precision Instruments,,,,RU,RU,,EU-833-IV,2022-06-03,",
            "E3,organization,Baltic Relay Logistics,,,,RU,RU,,INTERNAL,,",
        ],
    )
    import_files(settings, list_id="internal", name="t", fmt="custom-csv", paths=[path])
    early = _screen(settings, "Iskra Technologies JSC", date(2023, 8, 15), type="organization")
    late = _screen(settings, "Iskra Technologies JSC", date(2025, 1, 1), type="organization")
    assert "E1" not in _hits(early)
    assert "E1" in _hits(late)
    assert late["matches"][0]["listing_date_status"] == "listed_on_or_before_as_of"  # type: ignore[index]
    undated = _screen(settings, "Baltic Relay Logistics", date(2023, 1, 1), type="organization")
    assert undated["matches"][0]["listing_date_status"] == "unknown"  # type: ignore[index]
    listed_earlier = _screen(settings, "Volga Precision Instruments", date(2023, 1, 1), type="organization")
    assert "E2" in _hits(listed_earlier)


def test_date_before_any_stored_version_is_unknown_not_clear(settings: Settings, tmp_path: Path) -> None:
    """Before the oldest stored version of an undated list the result cannot tell: it says so on each match."""
    import_files(settings, list_id="sdn", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "b", V2)],
                 published=date(2024, 5, 3))  # fmt: skip
    document = _screen(settings, "KOMINVEX DOO BEOGRAD", date(2010, 1, 1), type="organization")
    assert "1001" in _hits(document)
    assert {m["listing_date_status"] for m in document["matches"]} == {"unknown"}  # type: ignore[union-attr]


def test_index_is_rebuilt_when_the_active_version_changes(settings: Settings, tmp_path: Path) -> None:
    """A new active version is screened against at once (cache keyed by versions, short TTL on the selection)."""
    INDEXES.clear()
    import_files(settings, list_id="sdn", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "a", V1)])
    assert "1004" not in _hits(_screen(settings, "GOODFORWARDING DOO BEOGRAD", type="organization"))
    import_files(settings, list_id="sdn", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "b", V2)])
    INDEXES.clear()  # drop the TTL'd selection; the index itself is keyed by version ids
    assert "1004" in _hits(_screen(settings, "GOODFORWARDING DOO BEOGRAD", type="organization"))


def test_screen_file_and_api_return_the_same_document(settings: Settings, tmp_path: Path, monkeypatch: object) -> None:
    """The CLI's JSON line and the API's body are equal for the same input; invalid rows keep their place."""
    import_files(settings, list_id="sdn", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "a", V1)])
    source = tmp_path / "in.csv"
    source.write_text(
        "reference,name,type,country,date_of_birth,identifiers\n"
        "r1,Ivan IVANOV,person,RU,1962-03-12,\n"
        "r2,Kominvex doo Beograd,organization,RS,,registration:21574422:RS\n"
        "r3,Bad Country Ltd,organization,XX,,\n"
        "r4,Green Coffee Traders,organization,BR,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["screen-file", str(source), "--out", str(out)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["reference"] for line in lines] == ["r1", "r2", "r3", "r4"]
    assert lines[2]["decision"] is None and lines[2]["error"]["field"] == "country"
    assert lines[3]["decision"] == "CLEAR"
    assert lines[1]["decision"] == "BLOCK"  # registration number matches: decisive

    client = TestClient(create_app(settings), headers=bearer(make_key(settings.database_url, "acme", "submitter")))
    for line, body in [
        (lines[0], {"reference": "r1", "name": "Ivan IVANOV", "type": "person", "country": "RU",
                    "date_of_birth": "1962-03-12"}),
        (lines[1], {"reference": "r2", "name": "Kominvex doo Beograd", "type": "organization", "country": "RS",
                    "identifiers": [{"type": "registration", "value": "21574422", "country": "RS"}]}),
    ]:  # fmt: skip
        response = client.post("/v1/screen", json=body)
        assert response.status_code == 200
        answer = response.json()
        assert answer.pop("screening_id")  # the synchronous answer also names where it is kept
        assert answer == line
