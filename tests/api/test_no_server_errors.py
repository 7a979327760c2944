"""Whatever a client sends, the API answers with a JSON error body (a stable code, the field at fault) or a result:
never a 500. Generated bodies: arbitrary JSON, near-valid counterparties and shipments, bytes in odd encodings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.api.app import create_app
from service.db.migrate import upgrade
from service.db.session import engine_for
from service.refresh import import_files
from service.settings import Settings, get_settings
from tests.conftest import POSTGRES_SERVER, service_missing
from tests.support.auth import bearer, make_key
from tests.support.databases import create_database, drop_database
from tests.test_versions import V1, write_sdn
from workers.dispatch import drain

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
NEAR_STRINGS = st.sampled_from(
    ["", " ", "Ivan Ivanov", "x" * 5000, "\x00\x01", "Иван", "2024-02-30", "1962-13", "ZZ", "RS", "-1", "1e309", "🙂"]
)
NEAR_VALUES = NEAR_STRINGS | st.integers(-(10**20), 10**20) | st.none() | st.lists(NEAR_STRINGS, max_size=3)
COUNTERPARTY_FIELDS = st.sampled_from(
    ["reference", "name", "type", "country", "date_of_birth", "identifiers", "address", "attributes", "as_of", "x"]
)
NEAR_COUNTERPARTY = st.dictionaries(COUNTERPARTY_FIELDS, NEAR_VALUES | JSON_VALUES, max_size=6)
IDENTIFIERS = st.lists(
    st.dictionaries(st.sampled_from(["type", "value", "country"]), NEAR_VALUES, max_size=3), max_size=3
)
SHIPMENT_FIELDS = st.sampled_from(
    ["reference", "ship_date", "parties", "origin_country", "destination_country", "transit_countries", "goods", "x"]
)
NEAR_SHIPMENT = st.dictionaries(
    SHIPMENT_FIELDS,
    NEAR_VALUES
    | st.dictionaries(st.sampled_from(["exporter", "consignee", "end_user"]), NEAR_COUNTERPARTY, max_size=2)
    | st.lists(st.dictionaries(st.sampled_from(["hs_code", "value", "currency", "quantity"]), NEAR_VALUES), max_size=2),
    max_size=7,
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def client(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    # Accepted batches run on the in-process worker, which reads get_settings(): point it at this database.
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("SCREENING_BROKER_URL", raising=False)
    get_settings.cache_clear()
    import_files(settings, list_id="ofac-test", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "v", V1)])
    headers = bearer(make_key(settings.database_url, "acme", "admin"))
    yield TestClient(create_app(settings), raise_server_exceptions=False), headers
    drain()
    get_settings.cache_clear()


def _check(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("code"), str) and body["code"], body
        assert isinstance(body.get("message"), str) and body["message"], body


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@FUZZ
@given(body=JSON_VALUES | NEAR_COUNTERPARTY | st.fixed_dictionaries({"name": NEAR_STRINGS, "identifiers": IDENTIFIERS}))
def test_screen_never_500(client: tuple[TestClient, dict[str, str]], body: Any) -> None:
    http, headers = client
    _check(http.post("/v1/screen", json=body, headers=headers))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@FUZZ
@given(body=JSON_VALUES | NEAR_SHIPMENT)
def test_shipment_screen_never_500(client: tuple[TestClient, dict[str, str]], body: Any) -> None:
    http, headers = client
    _check(http.post("/v1/shipments/screen", json=body, headers=headers))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@FUZZ
@given(
    items=st.lists(NEAR_COUNTERPARTY, max_size=3),
    raw=st.binary(max_size=60),
    encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]),
)
def test_batches_never_500(client: tuple[TestClient, dict[str, str]], items: Any, raw: bytes, encoding: str) -> None:
    http, headers = client
    key = {"Idempotency-Key": f"fuzz-{abs(hash((json.dumps(items), raw, encoding)))}"}
    body = json.dumps({"items": items}).encode(encoding)
    _check(http.post("/v1/batches", content=body, headers={**headers, **key, "Content-Type": "application/json"}))
    _check(http.post("/v1/batches", content=raw, headers={**headers, **key, "Content-Type": "text/csv"}))
    _check(http.post("/v1/batches", content=raw, headers={**headers, **key, "Content-Type": "application/json"}))


@pytest.mark.postgres
def test_database_outage_answers_503_with_a_code_not_500(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database that goes away under a running service (here: dropped, its connections terminated) turns into
    503 `database_unavailable` with Retry-After, for the routes that need it; the service itself keeps answering."""
    try:
        url = create_database(POSTGRES_SERVER, prefix="screening_outage")
    except Exception as exc:
        service_missing(f"PostgreSQL at {POSTGRES_SERVER} ({type(exc).__name__})")
        raise
    try:
        upgrade(url)
        cfg = Settings(
            database_url=url,
            broker_url=None,
            download_dir=tmp_path / "downloads",
            sources_file=tmp_path / "sources.toml",
            _env_file=None,  # type: ignore[call-arg]
        )
        monkeypatch.setenv("SCREENING_DATABASE_URL", url)
        get_settings.cache_clear()
        import_files(cfg, list_id="ofac-test", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "v", V1)])
        headers = bearer(make_key(url, "acme", "admin"))
        http = TestClient(create_app(cfg), raise_server_exceptions=False)
        assert http.post("/v1/screen", json={"name": "Ivan Ivanov"}, headers=headers).status_code == 200
    finally:
        drop_database(POSTGRES_SERVER, url)
    for method, path, body in (
        ("POST", "/v1/screen", {"name": "Ivan Ivanov"}),
        ("GET", "/v1/audit/verify", None),
    ):
        response = http.request(method, path, json=body, headers=headers)
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "database_unavailable"
        assert response.headers["Retry-After"] == "30"
    assert http.get("/health").status_code == 503  # the health route reports the outage itself
    engine_for(url).dispose()
    get_settings.cache_clear()
