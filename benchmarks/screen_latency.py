"""Benchmark: POST /v1/screen latency under 20 concurrent clients, against all real lists.

Serves the API with uvicorn on 127.0.0.1 only, warms the index, then 20 client threads send a bounded number of
requests (default 100 each) within a bounded time. Prints p50, p90, p99 and max. Target (issue 4): p99 ≤ 50 ms.

The clients share the server's two cores, so they use the standard library's keep-alive `http.client`: httpx spent
about 1.1 ms of CPU per request (0.3 ms for http.client), time taken from the server and, with 20 threads on one
GIL, counted into the latencies as client-side queueing. `--client httpx` measures the old way.

    .venv/bin/python benchmarks/screen_latency.py [--clients 20] [--requests 100] [--database URL]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._stack import Processes, api_headers, database, free_port
from benchmarks.batch_throughput import counterparties


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100, help="per client")
    parser.add_argument("--max-seconds", type=float, default=120)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", help="reuse a database that already has the lists imported")
    parser.add_argument("--api-workers", type=int, default=2, help="API processes (`screening serve --workers`)")
    parser.add_argument("--client", choices=("http.client", "httpx"), default="http.client")
    args = parser.parse_args()
    with database(args.postgres, args.database) as url:
        logs = Path(tempfile.mkdtemp(prefix="bench-screen-"))
        procs = Processes({"SCREENING_DATABASE_URL": url, "SCREENING_DOWNLOAD_DIR": str(logs / "downloads")}, logs)
        try:
            api = procs.serve(free_port(), args.api_workers)
            auth = api_headers(url)
            started = time.perf_counter()
            # Each API process builds its index on its first request: warm them all on parallel connections.
            warm = [
                threading.Thread(
                    target=lambda: httpx.post(
                        f"{api}/v1/screen", json={"name": "warm up"}, headers=auth, timeout=300
                    ).raise_for_status()
                )
                for _ in range(4 * args.api_workers)
            ]
            for thread in warm:
                thread.start()
            for thread in warm:
                thread.join()
            print(f"index built by the first request in {time.perf_counter() - started:.1f}s", flush=True)
            items = counterparties(url, args.clients * args.requests)
            latencies: list[float] = []
            errors: list[str] = []
            deadline = time.perf_counter() + args.max_seconds
            lock = threading.Lock()

            host, port = api.removeprefix("http://").split(":")
            headers = {**auth, "Content-Type": "application/json"}

            def post_stdlib(connection: http.client.HTTPConnection, item: dict[str, object]) -> tuple[int, str]:
                connection.request("POST", "/v1/screen", body=json.dumps(item), headers=headers)
                response = connection.getresponse()
                return response.status, response.read().decode(errors="replace")

            def client(offset: int) -> None:
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                with httpx.Client(base_url=api, headers=auth, timeout=30) as session:
                    for item in items[offset * args.requests : (offset + 1) * args.requests]:
                        if time.perf_counter() > deadline:
                            return
                        t0 = time.perf_counter()
                        if args.client == "httpx":
                            answer = session.post("/v1/screen", json=item)
                            status, text = answer.status_code, answer.text
                        else:
                            status, text = post_stdlib(connection, item)
                        elapsed = time.perf_counter() - t0
                        with lock:
                            latencies.append(elapsed)
                            if status != 200:
                                errors.append(f"{status} {text[:200]}")
                connection.close()

            threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
            t_start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            total = time.perf_counter() - t_start
            ordered = sorted(latencies)

            def pct(p: float) -> float:
                return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

            print(
                f"{len(ordered)} requests from {args.clients} clients in {total:.1f}s"
                f" ({len(ordered) / total:,.0f} req/s)"
            )
            print(
                f"p50 {pct(0.50):.1f} ms  p90 {pct(0.90):.1f} ms  p99 {pct(0.99):.1f} ms"
                f"  max {ordered[-1] * 1000:.1f} ms"
                f"  mean {statistics.mean(ordered) * 1000:.1f} ms  errors {len(errors)}"
            )
            for error in errors[:5]:
                print("  ", error)
            return 0 if not errors else 1
        finally:
            procs.stop()


if __name__ == "__main__":
    sys.exit(main())
