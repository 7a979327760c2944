"""`GET /health`, `GET /v1/lists`, `GET /v1/lists/{list}/entities/{id}`: bodies, error codes, API keys."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.refresh import import_files
from service.settings import Settings
from tests.support.auth import bearer, make_key
from tests.test_versions import V1, write_sdn


def _client(settings: Settings) -> TestClient:
    """A client sending a submitter key: reading lists is open to every role."""
    token = make_key(settings.database_url, "acme", "submitter")
    return TestClient(create_app(settings), raise_server_exceptions=False, headers=bearer(token))


def test_health_reports_database_broker_and_active_versions(settings: Settings, tmp_path: Path) -> None:
    """Health names the backend, the in-process broker mode and each active list version."""
    import_files(settings, list_id="ofac-test", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "v", V1)])
    body = _client(settings).get("/health").json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "mode": "in-process"}
    assert body["lists"]["ofac-test"]["entity_count"] == 3


def test_health_is_503_when_the_broker_is_down(settings: Settings) -> None:
    """A configured broker that does not answer degrades health instead of raising."""
    broken = settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    response = _client(broken).get("/health")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_lists_and_entity_lookup(settings: Settings, tmp_path: Path) -> None:
    """/v1/lists shows version and count; an entity comes back with its normalised record and raw source."""
    import_files(settings, list_id="ofac-test", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "v", V1)])
    client = _client(settings)
    lists = client.get("/v1/lists").json()["lists"]
    assert [(x["list_id"], x["active_version"]["entity_count"]) for x in lists] == [("ofac-test", 3)]
    entity = client.get("/v1/lists/ofac-test/entities/1001").json()
    assert entity["entry"]["names"][0]["value"] == "KOMINVEX DOO BEOGRAD"
    assert "KOMINVEX" in entity["raw"]
    assert entity["version"]["version_id"] == lists[0]["active_version"]["version_id"]


def test_unknown_list_entity_and_version_are_404_with_codes(settings: Settings, tmp_path: Path) -> None:
    """Unknown ids answer 404 with a machine code and the field at fault; a bad query type is 422."""
    import_files(settings, list_id="ofac-test", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "v", V1)])
    client = _client(settings)
    for url, field in [
        ("/v1/lists/nope/entities/1", "list_id"),
        ("/v1/lists/ofac-test/entities/999999", "entity_id"),
        ("/v1/lists/ofac-test/entities/1001?version_id=424242", "version_id"),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
        assert response.json()["field"] == field
    bad = client.get("/v1/lists/ofac-test/entities/1001?version_id=abc")
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_error"
    assert "version_id" in bad.json()["field"]


def test_lists_need_a_key_and_health_does_not(settings: Settings) -> None:
    """/v1 needs a key (Bearer or X-API-Key) even in embedded mode; health stays open for probes."""
    token = make_key(settings.database_url, "acme", "analyst")
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    assert client.get("/v1/lists").status_code == 401
    assert client.get("/v1/lists").json()["code"] == "unauthorized"
    assert client.get("/v1/lists", headers=bearer(token)).status_code == 200
    assert client.get("/v1/lists", headers={"X-API-Key": token}).status_code == 200
    assert client.get("/v1/lists", headers={"X-API-Key": token[:-1]}).status_code == 401
    assert client.get("/health").status_code == 200
