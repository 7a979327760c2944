"""Batches through real processes: `screening serve` → Redis → `screening worker` processes → PostgreSQL, with
`screening beat` running the sweeper. PostgreSQL only (several processes writing at once is the point).

Lists: the real UN consolidated XML and OFAC consolidated non-SDN files (about 1,450 entities, so each worker builds
its index in about a second).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import func, select

from service import webhooks
from service.db.models import BatchResult
from service.db.repositories import iter_entries
from service.db.session import engine_for, session_scope
from service.refresh import import_files
from service.screening_service import select_versions
from service.settings import Settings
from tests.conftest import REDIS_URL, _truncate, service_missing, shared_path
from tests.support.auth import bearer, make_key
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
BIN = Path(sys.executable).parent
SECRET = "test-webhook-secret-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """The processes of one test, started on demand and all stopped at teardown."""

    settings: Settings
    broker: str
    tmp: Path
    port: int = field(default_factory=_free_port)
    procs: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    # Sends a submitter key of the test organisation (made when the API starts).
    http: httpx.Client = field(default_factory=httpx.Client)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SCREENING_DATABASE_URL": self.settings.database_url,
            "SCREENING_BROKER_URL": self.broker,
            "SCREENING_SOURCES_FILE": str(self.tmp / "sources.toml"),
            "SCREENING_DOWNLOAD_DIR": str(self.tmp / "downloads"),
            "SCREENING_BATCH_CHUNK_SIZE": "50",
            "SCREENING_CHUNK_TIMEOUT_SECONDS": "4",
            "SCREENING_SWEEP_INTERVAL_SECONDS": "1",
            "SCREENING_WEBHOOK_SECRET": SECRET,
            "SCREENING_WEBHOOK_BACKOFF_SECONDS": "0.2",
            "SCREENING_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",  # the test receiver listens on 127.0.0.1
        }

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        (self.tmp / "downloads").mkdir(exist_ok=True)
        log = (self.tmp / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            [str(BIN / "screening"), *args],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append((name, proc))
        return proc

    def api(self) -> str:
        self.http = httpx.Client(headers=bearer(make_key(self.settings.database_url, "acme", "submitter")))
        self.start("api", "serve", "--port", str(self.port))
        url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.http.get(f"{url}/v1/lists", timeout=1).status_code == 200:
                    return url
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError(self.logs())

    def worker(self, name: str, concurrency: int) -> subprocess.Popen[bytes]:
        return self.start(name, "worker", "--concurrency", str(concurrency))

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.tmp.glob("*.log"))

    def stop(self) -> None:
        self.http.close()
        for _, proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _, proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture
def pg_settings(postgres_url: str, tmp_path: Path) -> Iterator[Settings]:
    """The session's PostgreSQL database, emptied, with the UN and OFAC consolidated lists imported."""
    _truncate(postgres_url)
    settings = Settings(
        database_url=postgres_url,
        download_dir=tmp_path / "downloads",
        webhook_allow_private_networks=True,
        _env_file=None,  # type: ignore[call-arg]
    )
    import_files(settings, list_id="un-sc", name="UN", fmt="un-xml", paths=[shared_path("un", "consolidated.xml")])
    cons = shared_path("ofac", "consolidated_nonsdn_2025-12-19")
    import_files(settings, list_id="ofac-cons", name="OFAC cons", fmt="ofac-csv", paths=[cons])
    yield settings
    engine_for(postgres_url).dispose()
    _truncate(postgres_url)


def _redis_up(url: str) -> str:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
    except redis.RedisError:
        service_missing(f"Redis at {url}")
    client.flushdb()
    return url


@pytest.fixture
def stack(pg_settings: Settings, tmp_path: Path) -> Iterator[Stack]:
    stack = Stack(pg_settings, _redis_up(REDIS_URL), tmp_path)
    yield stack
    stack.stop()


def counterparties(settings: Settings, count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Real-looking counterparties: half listed names with perturbations (case, order, typos, legal forms), half
    clean invented names."""
    rng = random.Random(seed)
    with session_scope(settings.database_url) as session:
        names = [
            (entry.primary_name, entry.entity_type.value)
            for version in select_versions(session, None)
            for entry in iter_entries(session, version.version_id)
        ]
    first = ["Anna", "Lukas", "Marta", "Pierre", "Sofia", "Jonas", "Elena", "Tomasz", "Ingrid", "Paolo"]
    last = ["Kowalczyk", "Lindqvist", "Moreau", "Brandt", "Esposito", "Novak", "Haugen", "Van Dijk", "Ortega"]
    firms = ["Nordlicht Logistik GmbH", "Blue Harbour Foods Ltd", "Atelier Verdi SRL", "Kestrel Components BV"]
    items: list[dict[str, Any]] = []
    for i in range(count):
        if i % 2 == 0:
            name, kind = rng.choice(names)
            tokens = name.split()
            style = i % 8
            if style == 2 and len(tokens) > 1:
                tokens = tokens[::-1]
            elif style == 4:
                tokens = [t.lower() for t in tokens]
            elif style == 6 and len(tokens[0]) > 4:
                tokens[0] = tokens[0][:2] + tokens[0][3:]
            item = {"reference": f"L{i}", "name": " ".join(tokens)[:500]}
            if kind in ("person", "organization", "vessel", "aircraft"):
                item["type"] = kind
        elif i % 4 == 1:
            item = {"reference": f"P{i}", "name": f"{rng.choice(first)} {rng.choice(last)}", "type": "person"}
            item["date_of_birth"] = f"{rng.randint(1950, 2000)}-{rng.randint(1, 12):02d}"
        else:
            item = {"reference": f"O{i}", "name": f"{rng.choice(firms)} {i}", "type": "organization", "country": "DE"}
        items.append(item)
    return items


def _wait_for(predicate: Callable[[], bool], timeout: float, stack: Stack, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}\n{stack.logs()}")


def _batch(stack: Stack, api: str, batch_id: str) -> dict[str, Any]:
    body: dict[str, Any] = stack.http.get(f"{api}/v1/batches/{batch_id}", timeout=10).json()
    return body


def _result_rows(settings: Settings, batch_id: str) -> tuple[int, int]:
    with session_scope(settings.database_url) as session:
        total = session.scalar(select(func.count()).where(BatchResult.batch_id == batch_id))
        distinct = session.scalar(
            select(func.count(func.distinct(BatchResult.seq))).where(BatchResult.batch_id == batch_id)
        )
    return int(total or 0), int(distinct or 0)


def test_end_to_end_1000_counterparties(stack: Stack) -> None:
    """1,000 counterparties: one batch for concurrent same-key posts, completion, paging, CSV, a signed webhook."""
    receiver = WebhookReceiver()
    api = stack.api()
    stack.worker("worker", 2)
    items = counterparties(stack.settings, 1000)
    body = json.dumps({"items": items, "callback_url": receiver.url}).encode()
    headers = {"Idempotency-Key": "e2e-1", "Content-Type": "application/json"}
    answers: list[httpx.Response] = []

    def post() -> None:
        answers.append(stack.http.post(f"{api}/v1/batches", content=body, headers=headers, timeout=60))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [202] * 4, [a.text for a in answers]
    ids = {a.json()["id"] for a in answers}
    assert len(ids) == 1
    batch_id = ids.pop()
    assert answers[0].headers["location"] == f"/v1/batches/{batch_id}"

    _wait_for(lambda: _batch(stack, api, batch_id)["status"] == "completed", 120, stack, "completion")
    batch = _batch(stack, api, batch_id)
    counts = batch["counts"]
    assert counts["processed"] == counts["total"] == 1000
    assert counts["clear"] + counts["review"] + counts["block"] == 1000
    assert set(batch["list_versions"]) == {"un-sc", "ofac-cons"}

    pages: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = stack.http.get(f"{api}/v1/batches/{batch_id}/results", params={"limit": 300, "cursor": cursor}).json()
        pages.extend(page["items"])
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert [r["seq"] for r in pages] == list(range(1000))
    assert [r["reference"] for r in pages] == [i["reference"] for i in items]
    listed = [r for r in pages if r["reference"].startswith("L")]
    clean = [r for r in pages if not r["reference"].startswith("L")]
    assert sum(r["decision"] != "CLEAR" for r in listed) >= 0.6 * len(listed)
    assert sum(r["decision"] == "CLEAR" for r in clean) >= 0.9 * len(clean)

    export = stack.http.get(f"{api}/v1/batches/{batch_id}/results", headers={"Accept": "text/csv"}, timeout=30)
    assert export.status_code == 200
    assert len(export.text.strip().splitlines()) == 1001

    _wait_for(lambda: len(receiver.requests) >= 1, 30, stack, "the webhook")
    time.sleep(1)
    assert len(receiver.requests) == 1
    headers_in, raw = receiver.requests[0]
    assert webhooks.verify(SECRET, headers_in[webhooks.SIGNATURE_HEADER], raw)
    payload = json.loads(raw)
    assert payload["event"] == "batch.completed" and payload["batch"]["counts"] == counts
    deliveries = stack.http.get(f"{api}/v1/batches/{batch_id}/deliveries").json()["deliveries"]
    assert [(d["attempt"], d["ok"]) for d in deliveries] == [(1, True)]
    receiver.server.shutdown()


def test_worker_killed_mid_batch_second_worker_finishes(stack: Stack) -> None:
    """SIGKILL the only worker mid-chunk: the sweeper re-enqueues its chunk, a second worker finishes the batch,
    exactly one result per item, and the webhook fires once."""
    receiver = WebhookReceiver()
    api = stack.api()
    stack.start("beat", "beat")
    first = stack.worker("worker-a", 1)
    items = counterparties(stack.settings, 1000, seed=11)
    response = stack.http.post(
        f"{api}/v1/batches",
        json={"items": items, "callback_url": receiver.url},
        headers={"Idempotency-Key": "kill-1"},
        timeout=60,
    )
    assert response.status_code == 202
    batch_id = response.json()["id"]
    _wait_for(lambda: _batch(stack, api, batch_id)["counts"]["processed"] >= 100, 60, stack, "progress")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    killed_at = _batch(stack, api, batch_id)["counts"]["processed"]
    assert killed_at < 1000, "the batch finished before the kill; make it bigger"
    stack.worker("worker-b", 1)
    _wait_for(
        lambda: _batch(stack, api, batch_id)["status"] == "completed", 120, stack, "completion by the second worker"
    )
    assert _result_rows(stack.settings, batch_id) == (1000, 1000)
    assert _batch(stack, api, batch_id)["counts"]["processed"] == 1000
    _wait_for(lambda: len(receiver.requests) >= 1, 30, stack, "the webhook")
    time.sleep(3)  # a duplicate would come from a second completion or a sweep: give it the time to show
    assert len(receiver.requests) == 1
    receiver.server.shutdown()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    """A redis-server of our own (no persistence) that the test may kill and restart on the same port."""
    binary = shutil.which("redis-server")
    if binary is None:
        service_missing("redis-server binary")
        raise AssertionError
    port = _free_port()
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(proc)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(port=port, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError("private redis-server did not start")

    def kill() -> None:
        procs[-1].kill()
        procs[-1].wait()

    start()
    yield f"redis://127.0.0.1:{port}/0", start, kill
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_redis_restarted_mid_batch_still_completes(
    pg_settings: Settings, tmp_path: Path, private_redis: tuple[str, Callable[[], None], Callable[[], None]]
) -> None:
    """Redis dies mid-batch and comes back empty (queued messages lost): workers reconnect, the sweeper
    re-enqueues the lost chunks, and the batch completes with one result per item."""
    url, start_redis, kill_redis = private_redis
    stack = Stack(pg_settings, url, tmp_path)
    try:
        api = stack.api()
        stack.start("beat", "beat")
        stack.worker("worker", 1)
        items = counterparties(pg_settings, 1000, seed=13)
        response = stack.http.post(
            f"{api}/v1/batches", json={"items": items}, headers={"Idempotency-Key": "redis-1"}, timeout=60
        )
        assert response.status_code == 202
        batch_id = response.json()["id"]
        _wait_for(lambda: _batch(stack, api, batch_id)["counts"]["processed"] >= 50, 60, stack, "progress")
        kill_redis()
        assert _batch(stack, api, batch_id)["counts"]["processed"] < 1000, "the batch finished before Redis died"
        time.sleep(1.5)
        start_redis()
        _wait_for(lambda: _batch(stack, api, batch_id)["status"] == "completed", 150, stack, "completion after restart")
        assert _result_rows(pg_settings, batch_id) == (1000, 1000)
    finally:
        stack.stop()
