"""`/v1/ownership` (stored ownership graph, JSON and CSV) and `/v1/settings/decision` (per-organisation decision
settings) through the real API, and their effect on `POST /v1/shipments/screen`: stored edges count only on the dates
they are valid and only for their organisation; stored settings switch rules and weights. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from service.api.app import create_app
from service.db.models import AuditEvent
from service.db.session import session_scope
from service.refresh import import_files
from service.screen_file import screen_file
from service.settings import Settings
from tests.support.auth import bearer, make_key
from tests.test_screening_service import write_custom

LISTED = ["EU-2,organization,Volga Precision Instruments,,,,RU,RU,,EU-833-IV,2022-06-03,"]
EDGES: list[dict[str, Any]] = [
    {
        "owner": "Volga Precision Instruments",
        "owned": "Baltic Trade LLC",
        "percent": 60,
        "control_type": "shares",
        "valid_from": "2023-01-01",
        "owner_country": "RU",
        "source": "registry extract 2023",
    },
    {"owner": "Anna Private", "owned": "Baltic Trade LLC", "percent": "40", "valid_from": "2023-01-01"},
]


@pytest.fixture
def client(settings: Settings, tmp_path: Path) -> TestClient:
    path = write_custom(tmp_path / "eu.csv", LISTED)
    import_files(settings, list_id="eu-test", name="EU-like", fmt="custom-csv", paths=[path])
    return TestClient(create_app(settings), raise_server_exceptions=False)


def _keys(db_url: str, org: str = "acme") -> dict[str, dict[str, str]]:
    return {role: bearer(make_key(db_url, org, role)) for role in ("submitter", "analyst", "auditor", "admin")}


def shipment(ship_date: str) -> dict[str, Any]:
    return {
        "reference": f"BALTIC-{ship_date}",
        "ship_date": ship_date,
        "exporter": {"name": "Maschinenbau Keller GmbH", "country": "DE", "type": "organization"},
        "consignee": {"name": "Baltic Trade LLC", "country": "AM", "type": "organization"},
        "origin_country": "DE",
        "destination_country": "AM",
        "goods": [
            {
                "hs_code": "9403.30",
                "description": "wooden office furniture",
                "quantity": 4,
                "unit": "pcs",
                "value": "3000",
                "currency": "EUR",
            }
        ],
    }


def _ownership(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The 50%-rule findings (an owner in RU also fires the embargoed-jurisdiction control rule)."""
    return [f for f in document["findings"] if f["rule_id"] == "ownership.majority_listed"]


def test_stored_edges_apply_on_their_dates_and_only_to_their_organisation(
    client: TestClient, settings: Settings
) -> None:
    acme = _keys(settings.database_url)
    other = bearer(make_key(settings.database_url, "beta", "submitter"))
    created = client.post("/v1/ownership", json=EDGES, headers=acme["submitter"])
    assert created.status_code == 201, created.text
    assert created.json()["created"] == 2

    on = client.post("/v1/shipments/screen", json=shipment("2023-05-10"), headers=acme["submitter"]).json()
    (finding,) = _ownership(on)
    assert finding["severity"] == "block" and on["decision"] == "BLOCK"
    assert "Volga Precision Instruments →60%→ Baltic Trade LLC" in finding["sentence"]
    assert {e["source"] for e in on["ownership_edges"]} == {"registry extract 2023", "stored edge 2"}

    before = client.post("/v1/shipments/screen", json=shipment("2022-12-01"), headers=acme["submitter"]).json()
    assert before["ownership_edges"] == [] and not [f for f in before["findings"] if f["kind"] == "ownership"]

    elsewhere = client.post("/v1/shipments/screen", json=shipment("2023-05-10"), headers=other).json()
    assert elsewhere["ownership_edges"] == [] and not [f for f in elsewhere["findings"] if f["kind"] == "ownership"]
    assert client.get("/v1/ownership", headers=other).json()["items"] == []


def test_inline_edges_add_to_stored_ones_and_the_same_fact_counts_once(client: TestClient, settings: Settings) -> None:
    acme = _keys(settings.database_url)
    client.post("/v1/ownership", json=EDGES[:1], headers=acme["admin"])
    body = shipment("2023-05-10")
    body["ownership"] = [EDGES[0]]  # repeated inline: not 120%
    document = client.post("/v1/shipments/screen", json=body, headers=acme["submitter"]).json()
    assert _ownership(document)[0]["evidence"]["effective_percent"] == "60"
    body["ownership"] = [{"owner": "Somebody Else", "owned": "consignee", "percent": 50}]  # 60 + 50 > 100
    clash = client.post("/v1/shipments/screen", json=body, headers=acme["submitter"])
    assert clash.status_code == 422 and clash.json()["field"] == "ownership"


def test_csv_upload_paging_and_date_filter(client: TestClient, settings: Settings) -> None:
    acme = _keys(settings.database_url)
    csv_body = (
        "owner,owned,percent,control_type,valid_from,valid_to,owner_country,owner_listed,source\n"
        "Volga Precision Instruments,Baltic Trade LLC,60,shares,2023-01-01,,RU,false,registry\n"
        "Volga Precision Instruments,Baltic Trade LLC,,board_appointment,,2022-12-31,,,shareholder agreement\n"
        "Kalinin Group,Volga Precision Instruments,75.5,voting,2020-01-01,2030-12-31,RU,true,\n"
    )
    response = client.post(
        "/v1/ownership", content=csv_body.encode(), headers={**acme["admin"], "Content-Type": "text/csv"}
    )
    assert response.status_code == 201, response.text
    items = response.json()["items"]
    assert [(i["control_type"], i["percent"], i["owner_listed"]) for i in items] == [
        ("shares", "60", False),
        ("board_appointment", None, False),
        ("voting", "75.5", True),
    ]
    first = client.get("/v1/ownership", params={"limit": 2}, headers=acme["auditor"]).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get("/v1/ownership", params={"cursor": first["next_cursor"]}, headers=acme["analyst"]).json()
    assert [i["owner"] for i in rest["items"]] == ["Kalinin Group"] and rest["next_cursor"] is None
    on = client.get("/v1/ownership", params={"on": "2022-06-01"}, headers=acme["submitter"]).json()
    assert sorted(i["control_type"] for i in on["items"]) == ["board_appointment", "voting"]
    with session_scope(settings.database_url) as session:
        (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "ownership.loaded")).all()
        assert event.org_id == "acme" and event.payload["edges"] == 3 and event.actor_role == "admin"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([{**EDGES[0], "percent": 150}], "edges[0].percent"),
        ([EDGES[1], {**EDGES[0], "valid_from": "2023-02-30"}], "edges[1].valid_from"),
        ([{**EDGES[0], "control_type": "friendship"}], "edges[0].control_type"),
        ([{**EDGES[0], "control_type": "list_stated"}], "edges[0].control_type"),
        ([{**EDGES[0], "valid_to": "2022-01-01"}], "edges[0].valid_to"),
        ([{**EDGES[0], "owned": EDGES[0]["owner"]}], "edges[0].owned"),
        ([{**EDGES[0], "shares": 3}], "edges[0].shares"),
        ([{"owner": "A"}], "edges[0].owned"),
        ([], "edges"),
        ({"items": []}, "body"),
    ],
)
def test_bad_edges_are_422_naming_the_field(client: TestClient, settings: Settings, body: Any, field: str) -> None:
    response = client.post("/v1/ownership", json=body, headers=bearer(make_key(settings.database_url)))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error" and response.json()["field"] == field


@pytest.mark.parametrize(
    ("csv_body", "field"),
    [
        ("owner,owned,colour\nA,B,red\n", "columns"),
        ("owner,percent\nA,5\n", "columns"),
        ("owner,owned,percent\nA,B,abc\n", "edges[0].percent"),
        ("owner,owned,owner_listed\nA,B,maybe\n", "edges[0]"),
    ],
)
def test_bad_csv_is_422_naming_the_field(client: TestClient, settings: Settings, csv_body: str, field: str) -> None:
    headers = {**bearer(make_key(settings.database_url)), "Content-Type": "text/csv"}
    response = client.post("/v1/ownership", content=csv_body.encode(), headers=headers)
    assert response.status_code == 422 and response.json()["field"] == field


def test_malformed_and_unsupported_bodies(client: TestClient, settings: Settings) -> None:
    headers = bearer(make_key(settings.database_url))
    broken = client.post("/v1/ownership", content=b"[{", headers={**headers, "Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["field"] == "body"
    plain = client.post("/v1/ownership", content=b"x", headers={**headers, "Content-Type": "text/plain"})
    assert plain.status_code == 415
    assert client.get("/v1/ownership", params={"cursor": "zz"}, headers=headers).status_code == 422


def test_decision_settings_round_trip_audit_and_effect(client: TestClient, settings: Settings) -> None:
    acme = _keys(settings.database_url)
    client.post("/v1/ownership", json=EDGES, headers=acme["admin"])
    default = client.get("/v1/settings/decision", headers=acme["auditor"]).json()
    assert default["is_default"] and default["config_id"] == "default"
    assert default["settings"]["weights"]["medium"] == 30
    baseline = client.post("/v1/shipments/screen", json=shipment("2023-05-10"), headers=acme["submitter"]).json()
    assert baseline["config_id"] == "default" and baseline["decision"] == "BLOCK"

    put = client.put(
        "/v1/settings/decision",
        json={"severity_overrides": {"ownership.majority_listed": "high"}, "weights": {"high": 20}},
        headers=acme["admin"],
    )
    assert put.status_code == 200, put.text
    stored = put.json()
    assert stored["settings"]["weights"] == {"block": 100, "high": 20, "medium": 30, "low": 10, "info": 0}
    assert stored["config_id"] == f"acme:{stored['config_hash'][:12]}"
    assert client.get("/v1/settings/decision", headers=acme["admin"]).json() == stored

    after = client.post("/v1/shipments/screen", json=shipment("2023-05-10"), headers=acme["submitter"]).json()
    assert after["config_id"] == stored["config_id"]
    assert _ownership(after)[0]["severity"] == "high"
    assert after["decision"] != "BLOCK" and after["score"] < baseline["score"]

    switched = client.put(
        "/v1/settings/decision", json={"disabled_rules": ["ownership.majority_listed"]}, headers=acme["admin"]
    ).json()
    off = client.post("/v1/shipments/screen", json=shipment("2023-05-10"), headers=acme["submitter"]).json()
    assert _ownership(off) == [] and "ownership.control_sanctioned_jurisdiction" in {
        f["rule_id"] for f in off["findings"]
    }

    with session_scope(settings.database_url) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings.changed").order_by(AuditEvent.seq)
        ).all()
        assert [e.org_id for e in events] == ["acme", "acme"] and all(e.actor_role == "admin" for e in events)
        assert events[0].payload["old"] == default["settings"] and events[0].payload["new"] == stored["settings"]
        assert events[0].payload["old_config_hash"] == default["config_hash"]
        assert events[1].payload["config_hash"] == switched["config_hash"]
    # Another organisation keeps the defaults.
    beta = bearer(make_key(settings.database_url, "beta", "admin"))
    assert client.get("/v1/settings/decision", headers=beta).json()["is_default"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"disabled_rules": ["goods.no_such_rule"]}, "disabled_rules"),
        ({"severity_overrides": {"route.embargoed_transit": "fatal"}}, "severity_overrides.route.embargoed_transit"),
        ({"weights": {"high": -5}}, "weights"),
        ({"review_threshold": 0}, "review_threshold"),
        ({"ownership": {"block_percent": 120}}, "ownership.block_percent"),
        ({"profile": {"risky_address_types": ["castle"]}}, "profile.risky_address_types.0"),
        ({"tier_severity": {"9": "high"}}, "tier_severity"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_settings_are_422_naming_the_field(client: TestClient, settings: Settings, body: Any, field: str) -> None:
    response = client.put("/v1/settings/decision", json=body, headers=bearer(make_key(settings.database_url)))
    assert response.status_code == 422
    assert response.json()["field"] == f"body.{field}"


def test_roles_for_ownership_and_settings(client: TestClient, settings: Settings) -> None:
    keys = _keys(settings.database_url)
    expected = {
        ("POST", "/v1/ownership"): {"submitter", "admin"},
        ("GET", "/v1/ownership"): {"submitter", "analyst", "auditor", "admin"},
        ("GET", "/v1/settings/decision"): {"auditor", "admin"},
        ("PUT", "/v1/settings/decision"): {"admin"},
    }
    for (method, path), allowed in expected.items():
        for role, headers in keys.items():
            body: Any = EDGES[:1] if method == "POST" else {} if method == "PUT" else None
            response = client.request(method, path, json=body, headers=headers)
            assert (response.status_code != 403) == (role in allowed), (method, path, role, response.status_code)
            assert response.status_code < 300 or response.status_code == 403
        assert client.request(method, path).status_code == 401


def test_screen_file_with_an_organisation_uses_its_graph_and_settings(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    admin = bearer(make_key(settings.database_url, "acme", "admin"))
    client.post("/v1/ownership", json=EDGES, headers=admin)
    client.put("/v1/settings/decision", json={"review_threshold": 500}, headers=admin)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(shipment("2023-05-10")) + "\n", encoding="utf-8")

    def run(org: str | None) -> dict[str, Any]:
        out = io.StringIO()
        screen_file(settings.database_url, source, out, org_id=org)
        document: dict[str, Any] = json.loads(out.getvalue())
        return document

    with_org, without = run("acme"), run(None)
    assert _ownership(with_org) and with_org["config_id"].startswith("acme:")
    assert without["ownership_edges"] == [] and without["config_id"] == "default"
