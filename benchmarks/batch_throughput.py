"""Benchmark: 100,000 counterparties through API → Redis → 2 worker processes → PostgreSQL, all real lists.

Prints the POST time (validate + store + enqueue), the screening wall time, items per second end to end
(POST sent → batch completed) and the batch's own run time. Target (issue 4): ≥ 2,000 items/s on 2 cores.

    .venv/bin/python benchmarks/batch_throughput.py [--items 100000] [--postgres SERVER_URL] [--database URL]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._stack import Processes, api_headers, database, free_port, private_redis
from service.db.repositories import iter_entries
from service.db.session import session_scope
from service.screening_service import select_versions


def counterparties(url: str, count: int, seed: int = 4) -> list[dict[str, Any]]:
    """A quarter listed names (perturbed), three quarters clean invented names: a realistic ERP mix."""
    rng = random.Random(seed)
    with session_scope(url) as session:
        names = [e.primary_name for v in select_versions(session, None) for e in iter_entries(session, v.version_id)]
    first = ["Anna", "Lukas", "Marta", "Pierre", "Sofia", "Jonas", "Elena", "Tomasz", "Ingrid", "Paolo", "Kenji"]
    last = ["Kowalczyk", "Lindqvist", "Moreau", "Brandt", "Esposito", "Novak", "Haugen", "Van Dijk", "Ortega"]
    words = ["Nordlicht", "Harbour", "Verdi", "Kestrel", "Alpine", "Delta", "Meridian", "Summit", "Orchid", "Granite"]
    forms = ["GmbH", "Ltd", "SRL", "BV", "SA", "AB", "Oy", "LLC"]
    items: list[dict[str, Any]] = []
    for i in range(count):
        if i % 4 == 0:
            tokens = rng.choice(names).split()
            if i % 8 == 0 and len(tokens) > 1:
                tokens = tokens[::-1]
            items.append({"reference": f"L{i}", "name": " ".join(tokens)[:500]})
        elif i % 4 == 1:
            items.append({"reference": f"P{i}", "name": f"{rng.choice(first)} {rng.choice(last)}", "type": "person"})
        else:
            name = f"{rng.choice(words)} {rng.choice(words)} {rng.choice(forms)}"
            items.append({"reference": f"O{i}", "name": name, "type": "organization", "country": "DE"})
    return items


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", help="reuse a database that already has the lists imported")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    with database(args.postgres, args.database) as url, private_redis() as broker:
        logs = Path(tempfile.mkdtemp(prefix="bench-batch-"))
        procs = Processes(
            {
                "SCREENING_DATABASE_URL": url,
                "SCREENING_BROKER_URL": broker,
                "SCREENING_DOWNLOAD_DIR": str(logs / "downloads"),
                "SCREENING_CHUNK_TIMEOUT_SECONDS": "600",
            },
            logs,
        )
        try:
            api = procs.serve(free_port())
            auth = api_headers(url)
            procs.start("worker", "worker", "--concurrency", str(args.concurrency))
            started = time.perf_counter()
            procs.wait_for_log("worker", "ready.", 300)
            print(f"worker ready (index built before fork) in {time.perf_counter() - started:.1f}s", flush=True)
            items = counterparties(url, args.items)
            body = json.dumps({"items": items}).encode()
            print(f"{len(items)} items, {len(body) / 1e6:.1f} MB of JSON", flush=True)
            sent = time.perf_counter()
            response = httpx.post(
                f"{api}/v1/batches",
                content=body,
                headers={**auth, "Content-Type": "application/json", "Idempotency-Key": f"bench-{time.time()}"},
                timeout=600,
            )
            accepted = time.perf_counter()
            if response.status_code != 202:
                print(response.status_code, response.text[:500])
                return 1
            batch_id = response.json()["id"]
            print(f"POST answered 202 in {accepted - sent:.2f}s", flush=True)
            batch: dict[str, Any] = {}
            last_report = 0.0
            # One client for every poll: a new one per request builds an SSL context (about 50 ms of CPU), which
            # took a tenth of a core from the two the measured processes share.
            with httpx.Client(base_url=api, headers=auth, timeout=30) as poller:
                while time.perf_counter() - sent < args.timeout:
                    batch = poller.get(f"/v1/batches/{batch_id}").json()
                    if batch["status"] in ("completed", "failed"):
                        break
                    if time.perf_counter() - last_report > 10:
                        last_report = time.perf_counter()
                        print(f"  {batch['counts']['processed']} / {batch['counts']['total']}", flush=True)
                    time.sleep(0.5)
            done = time.perf_counter()
            wall = done - sent
            counts = batch["counts"]
            print(f"status {batch['status']}: {counts}")
            print(f"wall time (POST sent → completed): {wall:.1f}s → {counts['processed'] / wall:,.0f} items/s")
            run = batch["timings"]["run_seconds"]
            if run:
                print(
                    f"batch run time (first chunk started → completed): {run:.1f}s"
                    f" → {counts['processed'] / run:,.0f} items/s"
                )
            return 0 if batch["status"] == "completed" else 1
        finally:
            procs.stop()


if __name__ == "__main__":
    sys.exit(main())
