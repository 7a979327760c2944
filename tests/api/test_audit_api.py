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
from tests.support.auth import bearer, make_key
from tests.test_audit import _tamper


def _auditor(settings: Settings) -> TestClient:
    """A client with an auditor key of "default": its creation is event 1 of the chain, before the seeded events."""
    token = make_key(settings.database_url, "default", "auditor")
    return TestClient(create_app(settings), headers=bearer(token))


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
    client = _auditor(settings)
    _seed(settings.database_url)
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
    assert seen == [1, 2, 3, 4, 5, 6, 7, 8]
    first, second = client.get("/v1/audit/events", params={"limit": 2}).json()["items"]
    assert first["action"] == "api_key.created" and first["actor"] == "cli"
    assert second["occurred_at"] == "2026-01-01T00:00:00.000000+00:00" and len(second["hash"]) == 64

    def seqs(**params: str) -> list[int]:
        return [e["seq"] for e in client.get("/v1/audit/events", params=params).json()["items"]]

    assert seqs(action="batch.received") == [2, 4, 6, 8]
    assert seqs(object_type="list_version", object_id="obj-1") == [3]
    assert seqs(actor="api") == [2, 3, 4]
    assert seqs(**{"from": "2026-01-03T00:00:00Z", "to": "2026-01-05T00:00:00Z"}) == [4, 5]
    assert client.get("/v1/audit/events", params={"cursor": "nonsense"}).status_code == 422
    assert client.get("/v1/audit/events/export", params={"format": "xml"}).status_code == 422


def test_exports_stream_verifiable_events_and_record_themselves(settings: Settings) -> None:
    client = _auditor(settings)
    _seed(settings.database_url)
    response = client.get("/v1/audit/events/export", params={"format": "jsonl"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
    events = [json.loads(line) for line in response.text.splitlines()]
    assert [e["seq"] for e in events] == list(range(1, 10))
    assert events[-1]["action"] == "export.performed" and events[-1]["payload"]["format"] == "jsonl"
    # The export is recorded with the key that made it.
    assert events[-1]["actor"] == events[-1]["actor_key_id"] == events[0]["object_id"]
    assert events[-1]["actor_role"] == "auditor"
    assert audit.verify_chain("default", events).ok  # an exported file verifies without the database

    response = client.get("/v1/audit/events/export", params={"format": "csv", "action": "batch.received"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["seq"]) for r in rows] == [2, 4, 6, 8]
    assert json.loads(rows[0]["payload"]) == {"i": 0}

    verdict = client.get("/v1/audit/verify").json()
    assert verdict["ok"] and verdict["events_checked"] == 10 and verdict["head"]["seq"] == 10


def test_verify_names_the_tampered_event(settings: Settings) -> None:
    client = _auditor(settings)
    _seed(settings.database_url)
    _tamper(settings.database_url, "UPDATE audit_event SET actor = 'someone' WHERE seq = 5")
    verdict = client.get("/v1/audit/verify").json()
    assert not verdict["ok"] and verdict["events_checked"] == 4
    assert verdict["first_broken"]["seq"] == 5 and verdict["first_broken"]["reason"] == "hash"
    assert "event 5 was altered" in verdict["first_broken"]["message"]
