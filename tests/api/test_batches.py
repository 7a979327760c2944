"""`/v1/batches` in embedded mode (no broker: the in-process thread runs the same task code), on SQLite and PostgreSQL:
the round trip, idempotency, bad inputs, replay safety, the sweeper and signed webhooks with retries."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from service import batches, webhooks
from service.db.models import AuditEvent, BatchChunk, BatchResult
from service.db.session import session_scope
from service.refresh import import_files
from service.settings import Settings, get_settings
from tests.support.auth import bearer, make_key
from tests.support.webhook_receiver import WebhookReceiver
from tests.test_versions import V1, write_sdn
from workers.dispatch import drain


@pytest.fixture
def embedded(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings shared by the app and the in-process tasks (which read get_settings()), with a tiny list."""
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("SCREENING_BROKER_URL", raising=False)
    monkeypatch.setenv("SCREENING_BATCH_CHUNK_SIZE", "4")
    monkeypatch.setenv("SCREENING_WEBHOOK_BACKOFF_SECONDS", "0.05")
    monkeypatch.setenv("SCREENING_WEBHOOK_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("SCREENING_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")  # the receiver listens on 127.0.0.1
    get_settings.cache_clear()
    current = get_settings()
    import_files(current, list_id="ofac-test", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "v", V1)])
    yield current
    # Tasks still queued in the in-process worker must not outlive this test's database.
    drain()
    get_settings.cache_clear()


def _client(settings: Settings, org_id: str = "acme") -> TestClient:
    """A client sending a submitter key of `org_id` (a new key each time: clients of one org share its batches)."""
    from service.api.app import create_app

    token = make_key(settings.database_url, org_id, "submitter")
    return TestClient(create_app(settings), raise_server_exceptions=False, headers=bearer(token))


ITEMS: list[dict[str, Any]] = [
    {"reference": "r0", "name": "KOMINVEX DOO BEOGRAD", "type": "organization", "country": "RS"},
    {"reference": "r1", "name": "Jane Clean-Person", "type": "person", "date_of_birth": "1980-05"},
    {"reference": "r2", "name": "Ivan Ivanov", "type": "person", "date_of_birth": "1962-03-12"},
    {"reference": "r3", "name": "Soha Info d.o.o.", "identifiers": [{"type": "tax", "value": "123", "country": "RS"}]},
    {"reference": "r4", "name": "Bosch Haushaltsgeräte GmbH", "country": "DE"},
]


def _post(client: TestClient, body: Any, key: str = "key-1", **kwargs: Any) -> Any:
    return client.post("/v1/batches", json=body, headers={"Idempotency-Key": key}, **kwargs)


def _wait(client: TestClient, batch_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(f"/v1/batches/{batch_id}").json()
        if body["status"] in ("completed", "failed"):
            return body
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} did not finish: {body}")


def test_batch_round_trip_pages_filters_and_exports(embedded: Settings) -> None:
    """202 + Location at once; completes with counts and versions; pages by cursor; CSV; same document as /screen."""
    client = _client(embedded)
    items = ITEMS * 3  # 15 items → 4 chunks of up to 4
    response = _post(client, {"items": items})
    assert response.status_code == 202
    assert response.headers["location"] == f"/v1/batches/{response.json()['id']}"
    batch = _wait(client, response.json()["id"])
    assert batch["status"] == "completed"
    counts = batch["counts"]
    assert counts["total"] == counts["processed"] == 15
    assert counts["clear"] + counts["review"] + counts["block"] == 15
    assert list(batch["list_versions"]) == ["ofac-test"]
    assert batch["timings"]["completed_at"] is not None

    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = client.get(f"/v1/batches/{batch['id']}/results", params={"limit": 4, "cursor": cursor or ""}).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [r["seq"] for r in seen] == list(range(15))
    assert [r["reference"] for r in seen] == [i["reference"] for i in items]

    for item, result in zip(items[:5], seen[:5], strict=True):
        single = client.post("/v1/screen", json=item).json()
        assert single.pop("screening_id")  # the synchronous answer also names where it is kept
        assert {k: v for k, v in result.items() if k != "seq"} == single

    hit = seen[0]["decision"]
    assert hit != "CLEAR"
    flagged = client.get(f"/v1/batches/{batch['id']}/results", params={"decision": hit.lower()}).json()["items"]
    assert len(flagged) == counts[hit.lower()] and all(r["decision"] == hit for r in flagged)
    assert any(r["reference"] == "r0" for r in flagged)

    export = client.get(f"/v1/batches/{batch['id']}/results", headers={"Accept": "text/csv"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    lines = export.text.strip().splitlines()
    assert lines[0] == ",".join(batches.RESULT_CSV_COLUMNS)
    assert len(lines) == 16
    assert lines[1].startswith(f"0,r0,{hit},") and "KOMINVEX DOO BEOGRAD" in lines[1]


def test_csv_upload_is_screened_like_json(embedded: Settings) -> None:
    """A CSV upload with the documented columns becomes a batch; as_of and callback_url come as query parameters."""
    client = _client(embedded)
    text = "reference,name,type,country,date_of_birth,identifiers\nc1,KOMINVEX DOO BEOGRAD,organization,RS,,tax:1:RS\n"
    text += "c2,Maria Clean,person,ES,1970,\n"
    response = client.post(
        "/v1/batches?as_of=2024-06-01",
        content=text.encode(),
        headers={"Idempotency-Key": "csv-1", "Content-Type": "text/csv"},
    )
    assert response.status_code == 202, response.json()
    batch = _wait(client, response.json()["id"])
    assert batch["as_of"] == "2024-06-01"
    refs = [r["reference"] for r in client.get(f"/v1/batches/{batch['id']}/results").json()["items"]]
    assert refs == ["c1", "c2"]


def test_idempotency_same_body_same_batch_other_body_409(embedded: Settings) -> None:
    """Same key + same body → the same batch (no second one); same key + another body → 409; no key → 400."""
    client = _client(embedded)
    first = _post(client, {"items": ITEMS})
    again = _post(client, {"items": ITEMS})
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    conflict = _post(client, {"items": ITEMS[:2]})
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "idempotency_conflict" and conflict.json()["field"] == "Idempotency-Key"
    missing = client.post("/v1/batches", json={"items": ITEMS})
    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_required"
    _wait(client, first.json()["id"])


def test_concurrent_posts_with_one_key_make_one_batch(embedded: Settings) -> None:
    """Eight threads racing the same key and body end with one batch row, settled by the unique constraint."""
    submission = batches.BatchSubmission([{"name": "Race Condition Ltd"}] * 3)
    barrier = threading.Barrier(8)
    ids: list[str] = []

    def post() -> None:
        barrier.wait()
        ids.append(batches.create_batch(embedded, "race", "same-sha", submission).batch_id)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 8 and len(set(ids)) == 1
    with session_scope(embedded.database_url) as session:
        assert session.scalar(select(func.count()).select_from(BatchChunk)) == 1


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (b"{not json", 400, "malformed_json", "body"),
        (b"\xff\xfe{}", 400, "encoding_invalid", "body"),
        (b"[1, 2]", 422, "validation_error", "body"),
        (b'{"items": []}', 422, "validation_error", "items"),
        (b'{"items": "x"}', 422, "validation_error", "items"),
        (b'{"items": [{"name": "a"}], "extra": 1}', 422, "validation_error", "extra"),
        (b'{"items": [{"name": "ok"}, {"name": "x", "country": "XX"}]}', 422, "validation_error", "items[1].country"),
        (
            b'{"items": [{"name": "x", "date_of_birth": "1990-02-30"}]}',
            422,
            "validation_error",
            "items[0].date_of_birth",
        ),
        (b'{"items": [{"name": "bad\\u0007name"}]}', 422, "validation_error", "items[0].name"),
        (b'{"items": [{"nam": "typo"}]}', 422, "validation_error", "items[0].name"),
        (b'{"items": [7]}', 422, "validation_error", "items[0]"),
        (b'{"items": [{"name": "x"}], "callback_url": "ftp://x"}', 422, "validation_error", "callback_url"),
        (b'{"items": [{"name": "x"}], "as_of": "yesterday"}', 422, "validation_error", "as_of"),
    ],
)
def test_bad_json_bodies_are_clear_4xx(embedded: Settings, body: bytes, status: int, code: str, field: str) -> None:
    """Each malformed body is a 4xx with a stable code naming the field, and nothing is recorded."""
    client = _client(embedded)
    response = client.post(
        "/v1/batches", content=body, headers={"Idempotency-Key": "bad", "Content-Type": "application/json"}
    )
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert response.json()["field"] == field
    assert client.post("/v1/batches", json={"items": ITEMS}, headers={"Idempotency-Key": "bad"}).status_code == 202


def test_huge_names_too_many_items_and_big_bodies(embedded: Settings) -> None:
    """A 10 MB name is a 422 on the name (under the byte limit) or a 413 (over it); item and byte limits are 413."""
    client = _client(embedded)
    huge = _post(client, {"items": [{"name": "A" * 10_000_000}]}, key="huge")
    assert huge.status_code == 422 and huge.json()["field"] == "items[0].name"

    small = embedded.model_copy(update={"batch_max_items": 3, "batch_max_bytes": 2048})
    client = _client(small)
    too_many = _post(client, {"items": ITEMS}, key="many")
    assert too_many.status_code == 413 and too_many.json()["field"] == "items"
    too_big = _post(client, {"items": [{"name": "B" * 5000}]}, key="big")
    assert too_big.status_code == 413 and too_big.json()["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (b"reference,country\nx,DE\n", "csv_columns_missing", "columns"),
        (b"name,colour\nx,red\n", "csv_columns_unknown", "columns"),
        (b"", "validation_error", "columns"),
        ("name,country\nMüller,XX\n".encode(), "validation_error", "items[0].country"),
        ("name\nMüller\n".encode("latin-1"), "encoding_invalid", "body"),
        (b"name,identifiers\nx,passport\n", "validation_error", "items[0].identifiers"),
        (b"name\nx,y\n", "validation_error", "items[0]"),
        (b"name\n" + b"C" * 200_000 + b"\n", "validation_error", "body"),
    ],
)
def test_bad_csv_uploads_are_clear_4xx(embedded: Settings, body: bytes, code: str, field: str) -> None:
    """Missing or unknown columns, wrong encodings, bad cells and oversized fields each name what is wrong."""
    client = _client(embedded)
    response = client.post("/v1/batches", content=body, headers={"Idempotency-Key": "c", "Content-Type": "text/csv"})
    assert 400 <= response.status_code < 500, response.text
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_other_request_errors(embedded: Settings) -> None:
    """Unknown batch ids are 404; a foreign content type 415; a forged cursor and an unknown decision 422."""
    client = _client(embedded)
    for url in ("/v1/batches/nope", "/v1/batches/nope/results", "/v1/batches/" + "x" * 500 + "/deliveries"):
        response = client.get(url)
        assert response.status_code == 404 and response.json() == {
            "code": "not_found",
            "message": response.json()["message"],
            "field": "batch_id",
        }
    wrong = client.post("/v1/batches", content=b"x", headers={"Idempotency-Key": "k", "Content-Type": "text/plain"})
    assert wrong.status_code == 415 and wrong.json()["field"] == "Content-Type"
    batch_id = _post(client, {"items": ITEMS}).json()["id"]
    _wait(client, batch_id)
    assert client.get(f"/v1/batches/{batch_id}/results?cursor=zzz").json()["field"] == "cursor"
    assert client.get(f"/v1/batches/{batch_id}/results?decision=maybe").status_code == 422


def test_replayed_chunk_writes_nothing_twice_and_completes_once(embedded: Settings) -> None:
    """A chunk run twice (a redelivered message) leaves one result per item, exact counters and one completion."""
    submission = batches.BatchSubmission([dict(i) for i in ITEMS * 2])
    created = batches.create_batch(embedded, "replay", "sha", submission)
    (bid, first), (_, second), (_, last) = created.chunks
    assert batches.run_chunk(embedded, bid, first).status == "done"
    assert batches.run_chunk(embedded, bid, first).status == "skipped"  # state guard: the chunk is done
    # The worker died after its commit but before the chunk row said done: the replay inserts nothing.
    with session_scope(embedded.database_url) as session:
        session.execute(update(BatchChunk).where(BatchChunk.chunk_no == first).values(status="running"))
    replay = batches.run_chunk(embedded, bid, first)
    assert (replay.status, replay.inserted) == ("done", 0)
    assert batches.run_chunk(embedded, bid, second).status == "done"
    assert batches.run_chunk(embedded, bid, last).status == "completed"
    with session_scope(embedded.database_url) as session:
        session.execute(update(BatchChunk).values(status="running"))
    assert [batches.run_chunk(embedded, bid, no).status for no in (first, second, last)] == ["skipped"] * 3
    with session_scope(embedded.database_url) as session:
        assert session.scalar(select(func.count()).select_from(BatchResult)) == 10
        # One audit event per stored item: the replayed chunk logged nothing twice.
        logged = session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "item.screened")).all()
        assert sorted(logged) == sorted(f"{bid}:{seq}" for seq in range(10))
    summary = batches.get_summary(embedded, created.batch_id)
    assert summary is not None and summary["counts"]["processed"] == 10 and summary["status"] == "completed"


def test_sweeper_re_enqueues_stuck_chunks_only(embedded: Settings) -> None:
    """Chunks idle past the timeout are returned once (their clock is reset); fresh ones are left alone."""
    created = batches.create_batch(embedded, "sweep", "sha", batches.BatchSubmission([{"name": "x"}] * 9))
    assert batches.sweep(embedded).chunks == []
    old = datetime.now(UTC) - timedelta(seconds=embedded.chunk_timeout_seconds + 5)
    with session_scope(embedded.database_url) as session:
        session.execute(update(BatchChunk).where(BatchChunk.chunk_no < 2).values(touched_at=old, status="running"))
    assert sorted(batches.sweep(embedded).chunks) == [(created.batch_id, 0), (created.batch_id, 1)]
    assert batches.sweep(embedded).chunks == []


def test_webhook_is_signed_retried_with_backoff_and_each_attempt_stored(embedded: Settings) -> None:
    """The completion webhook fails twice, then succeeds: three attempt rows, one success, a verifiable signature."""
    receiver = WebhookReceiver(fail_first=2)
    try:
        client = _client(embedded)
        batch_id = _post(client, {"items": ITEMS, "callback_url": receiver.url}).json()["id"]
        _wait(client, batch_id)
        deadline = time.monotonic() + 20
        while (
            time.monotonic() < deadline and client.get(f"/v1/batches/{batch_id}").json()["webhook_state"] == "pending"
        ):
            time.sleep(0.05)
        attempts = client.get(f"/v1/batches/{batch_id}/deliveries").json()["deliveries"]
        assert [(a["attempt"], a["ok"], a["status_code"]) for a in attempts] == [
            (1, False, 500),
            (2, False, 500),
            (3, True, 204),
        ]
        headers, body = receiver.requests[-1]
        assert webhooks.verify(embedded.webhook_secret, headers[webhooks.SIGNATURE_HEADER], body)
        assert not webhooks.verify("another-secret", headers[webhooks.SIGNATURE_HEADER], body)
        assert not webhooks.verify(embedded.webhook_secret, headers[webhooks.SIGNATURE_HEADER], body + b" ")
        payload = json.loads(body)
        assert payload["event"] == "batch.completed" and payload["batch"]["counts"]["processed"] == len(ITEMS)
        assert headers[webhooks.EVENT_ID_HEADER] == f"{batch_id}:batch.completed"
        # Nothing is due any more: a redelivered task or a sweep sends nothing.
        assert webhooks.deliver(embedded, batch_id).status == "skipped"
        assert len(receiver.requests) == 3
    finally:
        receiver.close()


def test_signature_rejects_stale_timestamps() -> None:
    """A signature older than the tolerance is refused even with the right secret (replay protection)."""
    header = webhooks.sign("s" * 16, 1_000, b"{}")
    assert webhooks.verify("s" * 16, header, b"{}", now=1_100)
    assert not webhooks.verify("s" * 16, header, b"{}", now=2_000)
    assert not webhooks.verify("s" * 16, "garbage", b"{}")


def test_production_refuses_the_default_webhook_secret() -> None:
    """The development webhook secret is refused in production, like the database and broker defaults."""
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        Settings(
            environment="production",
            database_url="postgresql+psycopg://u@h/db",
            broker_url="redis://h:6379/0",
            _env_file=None,  # type: ignore[call-arg]
        )
