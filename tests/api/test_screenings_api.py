"""Synchronous screenings are kept as evidence: the answer names its screening id, the organisation can read the
request and result back (auditors included), other organisations get 404, and the audit log has the event."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from service.api.app import create_app
from service.refresh import import_files
from service.settings import Settings
from tests.support.auth import bearer, make_key
from tests.test_versions import V1, write_sdn

SHIPMENT = {
    "reference": "S-1",
    "ship_date": "2024-06-01",
    "origin_country": "BR",
    "destination_country": "DE",
    "exporter": {"name": "Cafe Exportadora Ltda", "country": "BR"},
    "goods": [
        {"hs_code": "090121", "description": "coffee", "quantity": 10, "unit": "kg", "value": 1000, "currency": "EUR"}
    ],
}


def _client(settings: Settings, org: str, role: str) -> TestClient:
    token = make_key(settings.database_url, org, role)
    return TestClient(create_app(settings), raise_server_exceptions=False, headers=bearer(token))


def test_screenings_are_stored_scoped_and_audited(settings: Settings, tmp_path: Path) -> None:
    import_files(settings, list_id="ofac-test", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "v", V1)])
    submitter = _client(settings, "acme", "submitter")
    answer = submitter.post("/v1/screen", json={"reference": "c-1", "name": "KOMINVEX DOO BEOGRAD"})
    assert answer.status_code == 200, answer.text
    screening_id = answer.json()["screening_id"]
    shipment = submitter.post("/v1/shipments/screen", json=SHIPMENT)
    assert shipment.status_code == 200, shipment.text
    assert shipment.json()["screening_id"] != screening_id

    auditor = _client(settings, "acme", "auditor")
    stored = auditor.get(f"/v1/screenings/{screening_id}").json()
    assert stored["request"] == {"reference": "c-1", "name": "KOMINVEX DOO BEOGRAD"}
    returned = {k: v for k, v in answer.json().items() if k != "screening_id"}
    assert stored["result"] == returned and stored["decision"] == returned["decision"] != "CLEAR"
    listed = auditor.get("/v1/screenings", params={"kind": "shipment"}).json()["items"]
    assert [(i["reference"], i["decision"]) for i in listed] == [("S-1", shipment.json()["decision"])]

    other = _client(settings, "globex", "admin")
    missing = other.get(f"/v1/screenings/{screening_id}")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert other.get("/v1/screenings").json()["items"] == []
    assert submitter.get("/v1/screenings", params={"decision": "maybe"}).json()["field"] == "decision"

    events = auditor.get("/v1/audit/events", params={"object_id": screening_id}).json()["items"]
    assert [e["action"] for e in events] == ["item.screened"]
    assert events[0]["payload"]["decision"] == stored["decision"] and events[0]["actor_role"] == "submitter"
    assert auditor.get("/v1/audit/verify").json()["ok"] is True
