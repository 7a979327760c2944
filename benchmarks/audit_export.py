"""Benchmark: stream-export 1,000,000 audit events from PostgreSQL in constant memory.

Fills a throw-away database with a valid chain (computed in Python, written with COPY), then runs each
measurement in a fresh process so its peak RSS (getrusage ru_maxrss) is its own:

- baseline-copy:   `COPY (SELECT ... ORDER BY org_id, seq) TO STDOUT`, bytes read and dropped (the server's rate)
- baseline-select: the repository's server-side cursor, rows fetched and dropped (no formatting)
- export-jsonl / export-csv: `service.audit.iter_export` as the API and CLI stream it
- verify:          `service.audit.verify` recomputing every hash

Each step runs at a tenth of the events first and then at all of them: equal peak RSS at both sizes is the
"constant memory" claim.

    .venv/bin/python benchmarks/audit_export.py [--events 1000000] [--postgres SERVER_URL]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service import audit  # noqa: E402
from service.db import audit_repo  # noqa: E402
from service.db.audit_repo import EventFilter  # noqa: E402
from service.db.migrate import upgrade  # noqa: E402
from service.db.session import engine_for, session_scope  # noqa: E402
from tests.support.databases import create_database, drop_database  # noqa: E402

STEPS = ("baseline-copy", "baseline-select", "export-jsonl", "export-csv", "verify")
COLUMNS = (*audit.HASHED_FIELDS, "prev_hash", "hash")
ACTIONS = ("batch.received", "batch.items_screened", "batch.completed", "list_version.activated", "export.performed")


def fill(url: str, count: int) -> float:
    """Append `count` events to the default chain with COPY; seconds taken."""
    began = time.perf_counter()
    with session_scope(url) as session:
        head = audit_repo.chain_head(session, audit.DEFAULT_ORG)
    start = head[0] if head else 0
    base = datetime(2026, 1, 1, tzinfo=UTC)
    raw = engine_for(url).raw_connection()
    try:
        cursor = raw.cursor()
        sql = f"COPY audit_event ({', '.join(COLUMNS)}) FROM STDIN"
        with cursor.copy(sql) as copy:
            for n in range(start, start + count):
                row = audit.prepare_event(
                    org_id=audit.DEFAULT_ORG,
                    occurred_at=base + timedelta(milliseconds=n),
                    actor=audit.SYSTEM,
                    action=ACTIONS[n % len(ACTIONS)],
                    object_type="batch",
                    object_id=f"b-{n // 100:08d}",
                    payload={
                        "chunk_no": n % 100,
                        "items": 500,
                        "decisions": {"CLEAR": 480, "REVIEW": 19, "BLOCK": 1},
                        "list_versions": {"ofac-sdn": "ofac-sdn@2026-01-01#1", "un": "un@2026-01-01#2"},
                        "algorithm": "rapidfuzz-token-align/1",
                    },
                ).sealed(head)
                head = (row["seq"], row["hash"])
                copy.write_row([row[c] for c in COLUMNS])  # the payload is already its JSON text
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - began


def step(url: str, name: str) -> dict[str, object]:
    """Run one measurement in this process: events, seconds, events/s, bytes, peak RSS."""
    began = time.perf_counter()
    events = size = 0
    if name == "baseline-copy":
        raw = engine_for(url).raw_connection()
        cursor = raw.cursor()
        query = f"COPY (SELECT {', '.join(COLUMNS)} FROM audit_event ORDER BY org_id, seq) TO STDOUT"
        with cursor.copy(query) as copy:
            for data in copy:
                size += len(data)
                events += bytes(data).count(b"\n")
        raw.close()
    elif name == "baseline-select":
        with session_scope(url) as session:
            for _ in audit_repo.stream_events(session, EventFilter()):
                events += 1
    elif name in ("export-jsonl", "export-csv"):
        fmt = name.split("-")[1]
        for text in audit.iter_export(url, fmt, EventFilter()):
            size += len(text.encode("utf-8"))
            events += text.count("\n")
        events -= fmt == "csv"  # the header
    elif name == "verify":
        with session_scope(url) as session:
            result = audit.verify(session)
        assert result.ok, result.to_dict()
        events = result.count
    seconds = time.perf_counter() - began
    return {
        "step": name,
        "events": events,
        "seconds": round(seconds, 2),
        "events_per_s": round(events / seconds),
        "mb": round(size / 1e6, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def measure(url: str) -> list[dict[str, object]]:
    out = []
    for name in STEPS:
        run = subprocess.run(
            [sys.executable, __file__, "--step", name, "--database", url], check=True, capture_output=True, text=True
        )
        out.append(json.loads(run.stdout.strip().splitlines()[-1]))
        print(json.dumps(out[-1]), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.database, args.step)))
        return
    url = create_database(args.postgres, prefix="screening_bench_audit")
    try:
        upgrade(url)
        tenth = args.events // 10
        for count in (tenth, args.events - tenth):
            seconds = fill(url, count)
            print(f"appended {count:,} chained events with COPY in {seconds:.1f}s ({count / seconds:,.0f} events/s)")
            measure(url)
    finally:
        engine_for(url).dispose()
        drop_database(args.postgres, url)


if __name__ == "__main__":
    main()
