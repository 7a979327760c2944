"""Load the real lists of config/sources.shared.toml for benchmarks, skipping lists whose parser is missing."""

from __future__ import annotations

import dataclasses
import pickle
import sys
from pathlib import Path

from service.core.model import ListEntry, detect_script

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path("/tmp/screening-bench-lists.pickle")  # outside the project: parsed entries, keyed by source mtimes


def load_real_lists(
    sources_file: Path = ROOT / "config" / "sources.shared.toml",
) -> tuple[list[ListEntry], dict[str, str]]:
    """All entries of the shared lists plus list id → version label (file date or mtime)."""
    from service.lists import registry
    from service.lists.sources import load_sources

    sources = load_sources(sources_file)
    stamp: list[object] = [
        (s.id, s.format, [(str(p), p.stat().st_mtime if p.exists() else 0) for p in s.paths]) for s in sources
    ]
    # Parser changes invalidate the cache too.
    stamp.append(sorted((p.name, p.stat().st_mtime) for p in (ROOT / "service" / "lists").glob("*.py")))
    if CACHE.exists():
        try:
            cached_stamp, cached_entries, cached_versions = pickle.loads(CACHE.read_bytes())
            if cached_stamp == stamp:
                return cached_entries, cached_versions
        except Exception:
            pass
    entries = []
    versions: dict[str, str] = {}
    for src in sources:
        try:
            parsed = registry.parse(src.format, src.paths, src.id)
        except Exception as exc:
            print(f"note: skipping {src.id} ({src.format}): {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        entries.extend(parsed.entries)
        published = parsed.published or src.published
        versions[src.id] = published.isoformat() if published else "unversioned"
    CACHE.write_bytes(pickle.dumps((stamp, entries, versions)))
    return entries, versions


def written_apart(entries: list[ListEntry], script: str) -> tuple[list[tuple[str, ListEntry]], list[ListEntry]]:
    """Cross-script recall's data: each listed name written in `script` with its entry (where the entry also has a
    name in another script), and every entry without its names in `script`."""
    queries: list[tuple[str, ListEntry]] = []
    rest: list[ListEntry] = []
    for entry in entries:
        written = [n for n in entry.names if detect_script(n.value) == script]
        others = tuple(n for n in entry.names if n not in written)
        if written and others:
            queries += [(n.value, entry) for n in written]
        if others:
            rest.append(dataclasses.replace(entry, names=others))
    return queries, rest
