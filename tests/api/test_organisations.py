"""Organisations are walled off from each other: a batch of org A is "not found" for org B on every batch endpoint
(the very body an unknown id gets), idempotency keys are per organisation, and each organisation's audit log shows
only its own events, with the real key as the actor."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.refresh import import_files
from service.settings import Settings, get_settings
from tests.support.auth import bearer, make_key
from tests.test_versions import V1, write_sdn
from workers.dispatch import drain

UNKNOWN = "00000000-0000-4000-8000-000000000000"
BATCH_URLS = ("/v1/batches/{id}", "/v1/batches/{id}/results", "/v1/batches/{id}/deliveries")


@pytest.fixture
def embedded(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The app and the in-process worker share these settings; one tiny list is active."""
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("SCREENING_BROKER_URL", raising=False)
    get_settings.cache_clear()
    current = get_settings()
    import_files(current, list_id="ofac-test", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "v", V1)])
    yield current
    drain()  # no queued task may outlive this test's database
    get_settings.cache_clear()


def _client(settings: Settings, org_id: str, role: str) -> TestClient:
    from service.api.app import create_app

    token = make_key(settings.database_url, org_id, role)
    return TestClient(create_app(settings), raise_server_exceptions=False, headers=bearer(token))


def _submit(client: TestClient, key: str) -> dict[str, Any]:
    items = [{"reference": "a", "name": "KOMINVEX DOO BEOGRAD"}, {"reference": "b", "name": "Jane Clean-Person"}]
    response = client.post("/v1/batches", json={"items": items}, headers={"Idempotency-Key": key})
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    deadline = time.monotonic() + 60
    while body["status"] not in ("completed", "failed") and time.monotonic() < deadline:
        time.sleep(0.05)
        body = client.get(f"/v1/batches/{body['id']}").json()
    assert body["status"] == "completed", body
    return body


def test_another_organisations_batch_is_not_found_everywhere(embedded: Settings) -> None:
    acme, globex = _client(embedded, "acme", "submitter"), _client(embedded, "globex", "admin")
    batch_id = _submit(acme, "same-key")["id"]
    for template in BATCH_URLS:
        assert acme.get(template.format(id=batch_id)).status_code == 200
        foreign = globex.get(template.format(id=batch_id))
        unknown = globex.get(template.format(id=UNKNOWN))
        assert foreign.status_code == unknown.status_code == 404
        # Nothing tells the caller the id exists elsewhere: the same body as an id that never did.
        assert foreign.json() == {**unknown.json(), "message": unknown.json()["message"].replace(UNKNOWN, batch_id)}
    csv_export = globex.get(f"/v1/batches/{batch_id}/results", headers={"Accept": "text/csv"})
    assert csv_export.status_code == 404
    # The same Idempotency-Key in another organisation is another batch, not a replay and not a conflict.
    other = _submit(globex, "same-key")
    assert other["id"] != batch_id
    assert (
        acme.post("/v1/batches", json={"items": [{"name": "x"}]}, headers={"Idempotency-Key": "same-key"}).json()[
            "code"
        ]
        == "idempotency_conflict"
    )


def test_each_organisation_sees_only_its_own_audit_log(embedded: Settings) -> None:
    acme_submitter = _client(embedded, "acme", "submitter")
    batch_id = _submit(acme_submitter, "k1")["id"]
    acme_submitter.get(f"/v1/batches/{batch_id}/results", headers={"Accept": "text/csv"})
    acme_auditor, globex_auditor = _client(embedded, "acme", "auditor"), _client(embedded, "globex", "auditor")

    acme_events = acme_auditor.get("/v1/audit/events", params={"limit": 1000}).json()["items"]
    assert {e["org_id"] for e in acme_events} == {"acme"}
    received = next(e for e in acme_events if e["action"] == "batch.received")
    assert received["object_id"] == batch_id
    assert received["actor_role"] == "submitter" and received["actor"] == received["actor_key_id"]
    assert received["actor_key_id"].startswith("key_")
    export = next(e for e in acme_events if e["action"] == "export.performed")
    assert export["object_id"] == batch_id and export["actor_key_id"] == received["actor_key_id"]
    item_events = [e for e in acme_events if e["action"] == "item.screened"]
    assert sorted(e["object_id"] for e in item_events) == [f"{batch_id}:0", f"{batch_id}:1"]
    assert any(e["action"] == "batch.completed" for e in acme_events)

    globex_events = globex_auditor.get("/v1/audit/events", params={"limit": 1000}).json()["items"]
    assert {e["org_id"] for e in globex_events} == {"globex"}
    assert all(batch_id not in e["object_id"] for e in globex_events)
    assert [e["action"] for e in globex_events] == ["api_key.created"]
    # Even naming the other organisation's object finds nothing; there is no parameter to pick a chain.
    assert globex_auditor.get("/v1/audit/events", params={"object_id": batch_id, "org": "acme"}).json()["items"] == []
    assert globex_auditor.get("/v1/audit/verify").json()["events_checked"] == 1
    verdict = acme_auditor.get("/v1/audit/verify").json()
    assert verdict["ok"] and verdict["org_id"] == "acme" and verdict["events_checked"] == len(acme_events)
    exported = globex_auditor.get("/v1/audit/events/export").text
    assert batch_id not in exported and "acme" not in exported
