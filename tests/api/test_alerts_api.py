"""`/v1/alerts` through the real API (embedded mode), on SQLite and PostgreSQL: alerts from /v1/screen, batches and
shipment parties, decisions with four-eyes, suppression on the next screening, reopening, roles and organisations."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.settings import Settings, get_settings
from tests.support.auth import bearer, make_key
from tests.test_alerts import KOMINVEX, PETROV, ROWS, import_list
from workers.dispatch import drain


@pytest.fixture
def embedded(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The app and the in-process batch worker share these settings; the small own list is imported."""
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("SCREENING_BROKER_URL", raising=False)
    get_settings.cache_clear()
    current = get_settings()
    import_list(current, tmp_path / "v1", ROWS, date(2026, 1, 1))
    yield current
    drain()
    get_settings.cache_clear()


class Api:
    """A client and one key per role in org "acme" (two analysts for four-eyes) and an analyst in "globex"."""

    def __init__(self, settings: Settings) -> None:
        from service.api.app import create_app

        self.client = TestClient(create_app(settings), raise_server_exceptions=False)
        url = settings.database_url
        self.keys = {
            "submitter": make_key(url, "acme", "submitter"),
            "analyst": make_key(url, "acme", "analyst"),
            "analyst2": make_key(url, "acme", "analyst"),
            "auditor": make_key(url, "acme", "auditor"),
            "admin": make_key(url, "acme", "admin"),
            "other": make_key(url, "globex", "analyst"),
        }

    def get(self, path: str, who: str = "analyst", **params: Any) -> Any:
        return self.client.get(path, params=params, headers=bearer(self.keys[who]))

    def post(self, path: str, body: Any, who: str = "analyst") -> Any:
        return self.client.post(path, json=body, headers=bearer(self.keys[who]))

    def screen(self, party: dict[str, Any], who: str = "submitter") -> dict[str, Any]:
        response = self.post("/v1/screen", party, who)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def alerts(self, who: str = "analyst", **params: Any) -> list[dict[str, Any]]:
        response = self.get("/v1/alerts", who, **params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def decide(self, alert_id: int, decision: str, reason: str | None = None, who: str = "analyst") -> Any:
        return self.post(f"/v1/alerts/{alert_id}/decisions", {"decision": decision, "reason": reason}, who)


@pytest.fixture
def api(embedded: Settings) -> Api:
    return Api(embedded)


def test_screen_opens_alert_and_false_positive_suppresses_the_next_screening(api: Api) -> None:
    assert api.screen(KOMINVEX)["decision"] == "REVIEW"
    [alert] = api.alerts()
    assert (alert["status"], alert["decision"], alert["entity_id"], alert["source"], alert["source_ref"]) == (
        "open",
        "REVIEW",
        "E-1",
        "screen",
        "cust-1",
    )
    assert alert["match"]["matched_name"] == "Kominvex Trading LLC"

    missing = api.decide(alert["id"], "false_positive", "")
    assert missing.status_code == 422 and missing.json()["field"] == "reason"
    unknown = api.decide(alert["id"], "ignore", "x")
    assert unknown.status_code == 422 and unknown.json()["field"] == "decision"

    decided = api.decide(alert["id"], "false_positive", "our customer is a bakery in Novi Sad")
    assert decided.status_code == 201, decided.text
    decision_id = decided.json()["decision"]["id"]
    assert decided.json()["alert"]["status"] == "false_positive"

    again = api.screen(KOMINVEX)
    assert again["decision"] == "CLEAR" and again["rule"] == "all_matches_suppressed_by_decision"
    assert again["matches"][0]["suppressed_by"] == decision_id
    assert again["suppressed_by"] == [decision_id] and again["decision_before_suppression"] == "REVIEW"

    detail = api.get(f"/v1/alerts/{alert['id']}", "auditor").json()
    assert [d["decision"] for d in detail["decisions"]] == ["false_positive"]
    assert detail["decisions"][0]["reason"] == "our customer is a bakery in Novi Sad"
    assert detail["decisions"][0]["actor_role"] == "analyst"
    events = api.get("/v1/audit/events", "auditor", action="alert.decided").json()["items"]
    assert [e["object_id"] for e in events] == [str(alert["id"])]
    assert events[0]["actor_role"] == "analyst" and events[0]["payload"]["decision_id"] == decision_id
    opened = api.get("/v1/audit/events", "auditor", action="alert.opened").json()["items"]
    assert [(e["object_id"], e["actor_role"]) for e in opened] == [(str(alert["id"]), "submitter")]


def test_four_eyes_release_of_a_block_through_the_api(api: Api) -> None:
    assert api.screen(PETROV)["decision"] == "BLOCK"
    [block] = api.alerts(decision="BLOCK")
    first = api.decide(block["id"], "false_positive", "date of birth differs from our KYC file")
    assert first.status_code == 201 and first.json()["alert"]["status"] == "awaiting_second_review"
    same = api.decide(block["id"], "false_positive", "really")
    assert same.status_code == 409 and same.json()["code"] == "four_eyes_same_analyst"
    second = api.decide(block["id"], "false_positive", "agreed, passport differs", who="analyst2")
    assert second.status_code == 201 and second.json()["alert"]["status"] == "false_positive"
    closed = api.decide(block["id"], "true_match", who="admin")
    assert closed.status_code == 409 and closed.json()["code"] == "alert_closed"
    # E-5 (same name, no date of birth) is still a REVIEW alert: the next screening is REVIEW, not BLOCK.
    result = api.screen(PETROV)
    assert result["decision"] == "REVIEW"
    assert {m["entity_id"]: m.get("suppressed_by") for m in result["matches"]} == {
        "E-2": second.json()["decision"]["id"],
        "E-5": None,
    }


def test_roles_and_organisations(api: Api) -> None:
    api.screen(KOMINVEX)
    [alert] = api.alerts()
    assert api.get("/v1/alerts", "submitter").status_code == 403
    assert api.get("/v1/alerts", "auditor").status_code == 200
    assert api.decide(alert["id"], "true_match", who="auditor").status_code == 403
    assert api.decide(alert["id"], "true_match", who="submitter").status_code == 403
    assert api.client.get("/v1/alerts").status_code == 401
    # Another organisation: an empty queue, and the alert's id is a 404 for reading and deciding.
    assert api.alerts("other") == []
    assert api.get(f"/v1/alerts/{alert['id']}", "other").status_code == 404
    assert api.decide(alert["id"], "true_match", who="other").status_code == 404
    assert api.get("/v1/alerts/999999").status_code == 404
    assert api.decide(alert["id"], "escalate", "legal to look", who="admin").status_code == 201


def test_filters_paging_and_bad_parameters(api: Api) -> None:
    api.screen(KOMINVEX)
    api.screen(PETROV)
    everything = api.alerts()
    assert [a["entity_id"] for a in everything] == ["E-5", "E-2", "E-1"]  # newest first
    assert [a["entity_id"] for a in api.alerts(decision="BLOCK")] == ["E-2"]
    assert [a["entity_id"] for a in api.alerts(entity_id="E-1", list="own", source="screen")] == ["E-1"]
    assert api.alerts(status="false_positive") == []
    assert api.alerts(**{"from": "2999-01-01T00:00:00Z"}) == []
    page = api.get("/v1/alerts", limit=2).json()
    rest = api.get("/v1/alerts", limit=2, cursor=page["next_cursor"]).json()
    assert [a["id"] for a in page["items"] + rest["items"]] == [a["id"] for a in everything]
    assert rest["next_cursor"] is None
    for params, field in (({"status": "done"}, "status"), ({"cursor": "nope"}, "cursor"), ({"source": "x"}, "source")):
        response = api.get("/v1/alerts", **params)
        assert response.status_code == 422 and response.json()["field"] == field
    assert api.get("/v1/alerts/abc").status_code == 422
    assert api.get(f"/v1/alerts/{2**70}").status_code == 422
    forged = base64.urlsafe_b64encode(f"alert:{10**30}".encode()).decode()
    assert api.get("/v1/alerts", cursor=forged).json()["field"] == "cursor"
    nul = api.decide(everything[0]["id"], "false_positive", "not\x00them")
    assert nul.status_code == 422 and nul.json()["field"] == "reason"
    too_long = api.decide(everything[0]["id"], "escalate", "x" * 5000)
    assert too_long.status_code == 422 and "reason" in too_long.json()["field"]


def _wait(api: Api, batch_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if api.get(f"/v1/batches/{batch_id}", "submitter").json()["status"] in ("completed", "failed"):
            return
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} did not finish")


def _batch(api: Api, key: str) -> tuple[str, list[dict[str, Any]]]:
    items = [KOMINVEX, {"reference": "clean", "name": "Acme Garden Supplies"}]
    response = api.client.post(
        "/v1/batches",
        json={"items": items},
        headers={**bearer(api.keys["submitter"]), "Idempotency-Key": key},
    )
    assert response.status_code == 202, response.text
    batch_id: str = response.json()["id"]
    _wait(api, batch_id)
    results = api.get(f"/v1/batches/{batch_id}/results", "submitter").json()["items"]
    return batch_id, results


def test_batch_items_open_alerts_and_meet_the_memory(api: Api) -> None:
    batch_id, results = _batch(api, "alerts-1")
    assert [r["decision"] for r in results] == ["REVIEW", "CLEAR"]
    [alert] = api.alerts(source="batch_item")
    assert alert["source_ref"] == f"{batch_id}:0" and alert["counterparty"]["name"] == KOMINVEX["name"]
    decided = api.decide(alert["id"], "false_positive", "bakery, not the listed trader")
    assert decided.status_code == 201
    _, later = _batch(api, "alerts-2")
    assert later[0]["decision"] == "CLEAR"
    assert later[0]["matches"][0]["suppressed_by"] == decided.json()["decision"]["id"]
    assert len(api.alerts()) == 1  # no new alert for a remembered match


def kominvex_shipment(reference: str = "SHIP-7") -> dict[str, Any]:
    shipment: dict[str, Any] = {
        "reference": reference,
        "ship_date": "2026-06-01",
        "exporter": {"name": "Café do Sul Ltda", "country": "BR", "address": "Santos"},
        "consignee": {"name": "Kominvex Trading LLC", "country": "RS", "address": "Belgrade"},
        "origin_country": "BR",
        "destination_country": "RS",
        "goods": [
            {
                "hs_code": "0901.21",
                "description": "Roasted coffee",
                "quantity": 200,
                "unit": "kg",
                "value": 1800,
                "currency": "EUR",
            }
        ],
    }
    return shipment


def test_shipment_party_opens_alert_and_memory_clears_the_party_finding(api: Api) -> None:
    shipment = kominvex_shipment()
    response = api.post("/v1/shipments/screen", shipment, "submitter")
    assert response.status_code == 200, response.text
    party_rules = [f["rule_id"] for f in response.json()["findings"] if f["kind"] == "party"]
    assert party_rules
    [alert] = api.alerts(source="shipment_party")
    assert alert["source_ref"] == "SHIP-7:consignee" and alert["entity_id"] == "E-1"
    # Same name and country: a BLOCK-level match, released by two analysts.
    assert alert["decision"] == "BLOCK"
    first = api.decide(alert["id"], "false_positive", "a different company in Belgrade")
    assert first.json()["alert"]["status"] == "awaiting_second_review"
    assert api.decide(alert["id"], "false_positive", "agreed", who="analyst2").status_code == 201
    again = api.post("/v1/shipments/screen", shipment, "submitter").json()
    assert [f for f in again["findings"] if f["kind"] == "party"] == []
    consignee = next(p for p in again["parties"] if p["role"] == "consignee")
    assert consignee["screening"]["decision"] == "CLEAR"
    assert consignee["screening"]["matches"][0]["suppressed_by"] is not None


def test_reopen_story_through_the_api(api: Api, embedded: Settings, tmp_path: Path) -> None:
    api.screen(KOMINVEX)
    [alert] = api.alerts()
    assert api.decide(alert["id"], "false_positive", "different company").status_code == 201
    assert api.screen(KOMINVEX)["decision"] == "CLEAR"
    changed = {**ROWS, "E-1": ROWS["E-1"].replace("Kominvex Trading LLC,,", "Kominvex Trading LLC,Kominvex Doo,")}
    import_list(embedded, tmp_path / "v2", changed, date(2026, 2, 1))
    assert api.get(f"/v1/alerts/{alert['id']}").json()["status"] == "reopened"
    reopened = api.get("/v1/audit/events", "auditor", action="alert.reopened").json()["items"]
    assert [e["object_id"] for e in reopened] == [str(alert["id"])]
    assert api.screen(KOMINVEX)["decision"] == "REVIEW"
    assert [a["status"] for a in api.alerts()] == ["reopened"]


def test_shipment_items_in_a_batch_open_party_alerts_and_meet_the_memory(api: Api) -> None:
    def run(key: str) -> tuple[str, dict[str, Any]]:
        response = api.client.post(
            "/v1/batches",
            json={"items": [kominvex_shipment("SHIP-B")]},
            headers={**bearer(api.keys["submitter"]), "Idempotency-Key": key},
        )
        assert response.status_code == 202, response.text
        batch_id: str = response.json()["id"]
        _wait(api, batch_id)
        [result] = api.get(f"/v1/batches/{batch_id}/results", "submitter").json()["items"]
        return batch_id, result

    batch_id, result = run("ship-1")
    assert [f for f in result["findings"] if f["kind"] == "party"]
    [alert] = api.alerts(source="shipment_party")
    assert alert["source_ref"] == f"{batch_id}:0:consignee"
    assert alert["decision"] == "BLOCK"
    assert api.decide(alert["id"], "false_positive", "a different company in Belgrade").status_code == 201
    assert api.decide(alert["id"], "false_positive", "agreed", who="analyst2").status_code == 201
    _, again = run("ship-2")
    assert [f for f in again["findings"] if f["kind"] == "party"] == []
    consignee = next(p for p in again["parties"] if p["role"] == "consignee")
    assert consignee["screening"]["matches"][0]["suppressed_by"] is not None
    assert len(api.alerts()) == 1
