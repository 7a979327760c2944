"""Benchmark: import every real list in ../shared/data into a fresh PostgreSQL database.

Prints, per list and in total, parse time (the in-run baseline: what any importer must spend reading the files)
and store time (hash, diff, insert, activate), entity counts, and the process's peak resident memory.
Target (issue 2): all lists in under 60 s.

    .venv/bin/python benchmarks/import_lists.py [--postgres URL] [--sqlite]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.db.migrate import upgrade  # noqa: E402
from service.db.session import engine_for, session_scope  # noqa: E402
from service.lists.sources import load_sources  # noqa: E402
from service.versions import import_parsed, parse_files  # noqa: E402
from tests.support.databases import create_database, drop_database  # noqa: E402

SOURCES = ROOT / "config" / "sources.shared.toml"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(url: str) -> float:
    upgrade(url)
    sources = load_sources(SOURCES)
    missing = [p for s in sources for p in s.paths if not p.exists()]
    if missing:
        print(f"skipped: ../shared/data is not beside the project ({missing[0]} missing)")
        return 0.0
    total_parse = total_store = 0.0
    total_entities = 0
    print(f"{'list':12} {'format':15} {'entities':>9} {'parse s':>8} {'store s':>8} {'peak RSS MB':>12}")
    wall = time.perf_counter()
    for source in sources:
        parsed, sha, parse_seconds = parse_files(source.format, list(source.paths), source.id)
        started = time.perf_counter()
        with session_scope(url) as session:
            result = import_parsed(
                session,
                list_id=source.id,
                name=source.name,
                parsed=parsed,
                sha256=sha,
                source=str(source.paths),
                published=source.published,
                now=datetime.now(UTC),
                parse_seconds=parse_seconds,
            )
        store_seconds = time.perf_counter() - started
        total_parse += parse_seconds
        total_store += store_seconds
        total_entities += result.entity_count
        print(
            f"{source.id:12} {source.format:15} {result.entity_count:9d} {parse_seconds:8.2f} "
            f"{store_seconds:8.2f} {peak_rss_mb():12.0f}"
        )
        del parsed
    wall = time.perf_counter() - wall
    print(f"{'TOTAL':12} {'':15} {total_entities:9d} {total_parse:8.2f} {total_store:8.2f} {peak_rss_mb():12.0f}")
    print(
        f"wall time {wall:.1f} s (target < 60 s: {'met' if wall < 60 else 'NOT met'}); "
        f"baseline parse-only {total_parse:.1f} s, storage overhead {total_store:.1f} s"
    )
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite", action="store_true", help="also run against a SQLite file")
    args = parser.parse_args()
    url = create_database(args.postgres, prefix="screening_bench")
    try:
        print(f"PostgreSQL ({url.rsplit('/', 1)[-1]})")
        run(url)
    finally:
        engine_for(url).dispose()
        drop_database(args.postgres, url)
    if args.sqlite:
        path = ROOT / "var" / "bench_import.db"
        path.unlink(missing_ok=True)
        print("\nSQLite")
        run(f"sqlite:///{path}")
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
