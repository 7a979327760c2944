"""Shipments in a batch through real processes: `screening serve` → Redis → `screening worker` → PostgreSQL, against
the real UN and OFAC consolidated lists; each batch result equals what `POST /v1/shipments/screen` answers."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from service.db.repositories import iter_entries
from service.db.session import session_scope
from service.screening_service import select_versions
from tests.support.auth import bearer, make_key
from tests.test_ownership_settings import shipment
from tests.workers import test_batch_workers as workers
from tests.workers.test_batch_workers import Stack

# The processes and the PostgreSQL database with the real lists, as in test_batch_workers (fixtures keep their names).
pg_settings = workers.pg_settings
stack = workers.stack

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def _listed_organisation(processes: Stack) -> tuple[str, str | None]:
    with session_scope(processes.settings.database_url) as session:
        for version in select_versions(session, None):
            for entry in iter_entries(session, version.version_id):
                if entry.entity_type.value == "organization" and len(entry.primary_name.split()) >= 2:
                    return entry.primary_name, (entry.countries[0] if entry.countries else None)
    raise AssertionError("no listed organisation in the imported lists")


def test_worker_screens_shipment_items_like_the_synchronous_endpoint(stack: Stack) -> None:
    api = stack.api()
    stack.worker("worker", 1)
    admin = bearer(make_key(stack.settings.database_url, "acme", "admin"))
    listed_name, listed_country = _listed_organisation(stack)
    stored = [{"owner": listed_name, "owned": "Baltic Trade LLC", "percent": 75, "owner_country": listed_country}]
    assert stack.http.post(f"{api}/v1/ownership", json=stored, headers=admin, timeout=30).status_code == 201

    items: list[dict[str, Any]] = []
    for i in range(60):  # two chunks of 50: shipments and counterparties interleaved
        if i % 3 == 0:
            item = shipment("2024-03-0" + str(1 + i % 9))
            item["reference"] = f"S{i}"
            if i % 2 == 0:
                item["consignee"] = {"name": "Nordlicht Logistik GmbH", "country": "AM", "type": "organization"}
        else:
            item = {"reference": f"C{i}", "name": f"Kestrel Components BV {i}", "country": "NL"}
        items.append(item)
    body = json.dumps({"items": items}).encode()
    headers = {"Idempotency-Key": "ship-worker-1", "Content-Type": "application/json"}
    response = stack.http.post(f"{api}/v1/batches", content=body, headers=headers, timeout=60)
    assert response.status_code == 202, response.text
    batch_id = response.json()["id"]

    deadline = time.monotonic() + 120
    batch: dict[str, Any] = {}
    while time.monotonic() < deadline:
        batch = stack.http.get(f"{api}/v1/batches/{batch_id}", timeout=10).json()
        if batch["status"] in ("completed", "failed"):
            break
        time.sleep(0.1)
    assert batch.get("status") == "completed", stack.logs()

    results = stack.http.get(f"{api}/v1/batches/{batch_id}/results", params={"limit": 100}, timeout=30).json()
    by_ref = {r["reference"]: r for r in results["items"]}
    assert len(by_ref) == 60
    shipments = [i for i in items if "ship_date" in i]
    for item in shipments:
        result = by_ref[item["reference"]]
        sync = stack.http.post(f"{api}/v1/shipments/screen", json=item, timeout=60).json()
        assert result["kind"] == "shipment"
        assert (result["decision"], [f["rule_id"] for f in result["findings"]]) == (
            sync["decision"],
            [f["rule_id"] for f in sync["findings"]],
        )
    owned = [by_ref[i["reference"]] for i in shipments if i["consignee"]["name"] == "Baltic Trade LLC"]
    assert owned and all("ownership.majority_listed" in {f["rule_id"] for f in r["findings"]} for r in owned)
