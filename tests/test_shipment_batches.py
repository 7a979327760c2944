"""Shipments inside `POST /v1/batches` (embedded mode: the in-process worker runs the real chunk task), on SQLite
and PostgreSQL: an item with `ship_date` and `goods` is a shipment, validated at submission and screened by the code
of `POST /v1/shipments/screen` with the organisation's stored ownership graph and decision settings; the results
page and the CSV export carry the shipment decision."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service import batches
from service.api.app import create_app
from service.db.models import AuditEvent
from service.db.session import session_scope
from service.refresh import import_files
from service.settings import Settings, get_settings
from tests.support.auth import bearer, make_key
from tests.test_ownership_settings import EDGES, LISTED, shipment
from tests.test_screening_service import write_custom
from workers.dispatch import drain


@pytest.fixture
def embedded(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings shared by the app and the in-process chunk task (which reads get_settings()), with a tiny list."""
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("SCREENING_BROKER_URL", raising=False)
    monkeypatch.setenv("SCREENING_BATCH_CHUNK_SIZE", "3")
    get_settings.cache_clear()
    current = get_settings()
    path = write_custom(tmp_path / "eu.csv", LISTED)
    import_files(current, list_id="eu-test", name="EU-like", fmt="custom-csv", paths=[path])
    yield current
    drain()  # tasks still queued in the in-process worker must not outlive this test's database
    get_settings.cache_clear()


def _wait(client: TestClient, batch_id: str, headers: dict[str, str], timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = client.get(f"/v1/batches/{batch_id}", headers=headers).json()
        if body["status"] in ("completed", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} did not finish: {body}")


COUNTERPARTIES = [
    {"reference": "c0", "name": "Volga Precision Instruments", "country": "RU", "type": "organization"},
    {"reference": "c1", "name": "Jane Clean-Person", "type": "person"},
]


def test_mixed_batch_screens_shipments_like_the_synchronous_endpoint(embedded: Settings) -> None:
    client = TestClient(create_app(embedded), raise_server_exceptions=False)
    submitter = bearer(make_key(embedded.database_url, "acme", "submitter"))
    admin = bearer(make_key(embedded.database_url, "acme", "admin"))
    assert client.post("/v1/ownership", json=EDGES, headers=admin).status_code == 201
    settings_put = client.put(
        "/v1/settings/decision", json={"disabled_rules": ["route.transshipment_hub"]}, headers=admin
    ).json()
    owned, before = shipment("2023-05-10"), shipment("2022-12-01")
    items = [COUNTERPARTIES[0], owned, COUNTERPARTIES[1], before]

    response = client.post("/v1/batches", json={"items": items}, headers={**submitter, "Idempotency-Key": "ship-1"})
    assert response.status_code == 202, response.text
    batch = _wait(client, response.json()["id"], submitter)
    assert batch["status"] == "completed" and batch["counts"]["total"] == 4

    results = client.get(f"/v1/batches/{batch['id']}/results", headers=submitter).json()["items"]
    assert [r["reference"] for r in results] == ["c0", owned["reference"], "c1", before["reference"]]
    assert [r.get("kind") for r in results] == [None, "shipment", None, "shipment"]
    for result, item in ((results[1], owned), (results[3], before)):
        sync = client.post("/v1/shipments/screen", json=item, headers=submitter).json()
        assert result["decision"] == sync["decision"]
        assert [f["rule_id"] for f in result["findings"]] == [f["rule_id"] for f in sync["findings"]]
        assert result["config_id"] == sync["config_id"] == settings_put["config_id"]
    assert results[1]["decision"] == "BLOCK"
    assert "ownership.majority_listed" in {f["rule_id"] for f in results[1]["findings"]}
    assert "ownership.majority_listed" not in {f["rule_id"] for f in results[3]["findings"]}
    assert batch["counts"]["block"] >= 2  # the listed counterparty and the owned consignee

    export = client.get(f"/v1/batches/{batch['id']}/results", headers={**submitter, "Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert list(rows[0]) == list(batches.RESULT_CSV_COLUMNS)
    assert [r["kind"] for r in rows] == ["counterparty", "shipment", "counterparty", "shipment"]
    shipment_row = rows[1]
    assert shipment_row["decision"] == "BLOCK" and shipment_row["rule"] == results[1]["findings"][0]["rule_id"]
    assert "ownership.majority_listed" in shipment_row["finding_rules"].split(";")
    assert rows[0]["finding_rules"] == "" and rows[0]["top_entity_name"] == "Volga Precision Instruments"

    with session_scope(embedded.database_url) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "item.screened", AuditEvent.object_id == f"{batch['id']}:1")
        ).one()
        assert event.org_id == "acme" and event.payload["kind"] == "shipment"
        assert event.payload["finding_rules"] == [f["rule_id"] for f in results[1]["findings"]]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda s: s.update(goods=[]), "items[1].goods"),
        (lambda s: s["goods"][0].update(hs_code="12AB"), "items[1].goods.0.hs_code"),
        (lambda s: s.update(destination_country="XX"), "items[1].destination_country"),
        (lambda s: s.update(intermediaries=[{**s["exporter"]}], exporter=None), "items[1].exporter"),
        (
            lambda s: s.update(
                ownership=[
                    {"owner": "A Holding", "owned": "consignee", "percent": 70},
                    {"owner": "B Holding", "owned": "consignee", "percent": 40},
                ]
            ),
            "items[1].ownership",
        ),
    ],
)
def test_an_invalid_shipment_item_rejects_the_batch_naming_the_field(
    embedded: Settings, mutate: Any, field: str
) -> None:
    client = TestClient(create_app(embedded), raise_server_exceptions=False)
    item = deepcopy(shipment("2023-05-10"))
    mutate(item)
    response = client.post(
        "/v1/batches",
        json={"items": [COUNTERPARTIES[1], item]},
        headers={**bearer(make_key(embedded.database_url, "acme", "submitter")), "Idempotency-Key": "bad"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


def test_stored_edges_contradicting_a_batch_shipment_send_it_to_review(embedded: Settings) -> None:
    """Edges stored after submission that push the consignee above 100% cannot fail the chunk: REVIEW, with why."""
    client = TestClient(create_app(embedded), raise_server_exceptions=False)
    submitter = bearer(make_key(embedded.database_url, "acme", "submitter"))
    client.post("/v1/ownership", json=EDGES, headers=submitter)
    item = shipment("2023-05-10")
    item["ownership"] = [{"owner": "Third Owner Ltd", "owned": "consignee", "percent": 30}]
    response = client.post("/v1/batches", json={"items": [item]}, headers={**submitter, "Idempotency-Key": "clash"})
    assert response.status_code == 202, response.text
    batch = _wait(client, response.json()["id"], submitter)
    (result,) = client.get(f"/v1/batches/{batch['id']}/results", headers=submitter).json()["items"]
    assert batch["status"] == "completed" and result["decision"] == "REVIEW"
    assert result["error"]["field"] == "ownership" and "100%" in result["error"]["message"]
