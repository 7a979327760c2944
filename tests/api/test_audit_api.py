"""`/v1/audit` on SQLite and PostgreSQL: filtered cursor pages, JSONL and CSV exports that verify offline and record
themselves, the verify endpoint naming a tampered event, and the batch results export leaving an event."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from service import audit
from service.api.app import create_app
from service.db.session import session_scope
from service.settings import Settings
from tests.test_audit import _tamper


def _seed(url: str) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(7):
        with session_scope(url) as session:
            audit.append_event(
                session,
                action="batch.received" if i % 2 == 0 else "list_version.activated",
                object_type="batch" if i % 2 == 0 else "list_version",
                object_id=f"obj-{i % 3}",
                payload={"i": i},
                actor=audit.API if i < 3 else audit.SYSTEM,
                now=base + timedelta(days=i),
            )


def test_events_filters_and_cursor(settings: Settings) -> None:
    _seed(settings.database_url)
    client = TestClient(create_app(settings))
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/v1/audit/events", params=params).json()
        seen += [e["seq"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    first = client.get("/v1/audit/events", params={"limit": 1}).json()["items"][0]
    assert first["occurred_at"] == "2026-01-01T00:00:00.000000+00:00" and len(first["hash"]) == 64

    def seqs(**params: str) -> list[int]:
        return [e["seq"] for e in client.get("/v1/audit/events", params=params).json()["items"]]

    assert seqs(action="batch.received") == [1, 3, 5, 7]
    assert seqs(object_type="list_version", object_id="obj-1") == [2]
    assert seqs(actor="api") == [1, 2, 3]
    assert seqs(**{"from": "2026-01-03T00:00:00Z", "to": "2026-01-05T00:00:00Z"}) == [3, 4]
    assert client.get("/v1/audit/events", params={"cursor": "nonsense"}).status_code == 422
    assert client.get("/v1/audit/events/export", params={"format": "xml"}).status_code == 422


def test_exports_stream_verifiable_events_and_record_themselves(settings: Settings) -> None:
    _seed(settings.database_url)
    client = TestClient(create_app(settings))
    response = client.get("/v1/audit/events/export", params={"format": "jsonl"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
    events = [json.loads(line) for line in response.text.splitlines()]
    assert [e["seq"] for e in events] == list(range(1, 9))
    assert events[-1]["action"] == "export.performed" and events[-1]["payload"]["format"] == "jsonl"
    assert audit.verify_chain("default", events).ok  # an exported file verifies without the database

    response = client.get("/v1/audit/events/export", params={"format": "csv", "action": "batch.received"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["seq"]) for r in rows] == [1, 3, 5, 7]
    assert json.loads(rows[0]["payload"]) == {"i": 0}

    verdict = client.get("/v1/audit/verify").json()
    assert verdict["ok"] and verdict["events_checked"] == 9 and verdict["head"]["seq"] == 9


def test_verify_names_the_tampered_event(settings: Settings) -> None:
    _seed(settings.database_url)
    _tamper(settings.database_url, "UPDATE audit_event SET actor = 'someone' WHERE seq = 5")
    verdict = TestClient(create_app(settings)).get("/v1/audit/verify").json()
    assert not verdict["ok"] and verdict["events_checked"] == 4
    assert verdict["first_broken"]["seq"] == 5 and verdict["first_broken"]["reason"] == "hash"
    assert "event 5 was altered" in verdict["first_broken"]["message"]
