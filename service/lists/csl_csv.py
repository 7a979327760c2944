"""`csl-csv`: the US Consolidated Screening List CSV export (trade.gov, 29 columns, one row per listed party).

Multi-valued cells are `; `-joined: `alt_names`, `addresses` (each "street, city, Country, CC"), `programs`,
`dates_of_birth`, `nationalities`, `citizenships`, `places_of_birth` and `ids` (each "type, number, country").
Repeated header rows inside the file (seen in real exports) are skipped. A row with the wrong number of cells —
typically the last one of a cut download — makes the whole file invalid. Entries are built exactly as for
`csl-json` (same `source_list` codes and `<code>:<entity_number or _id>` ids).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from service.core.errors import ListFormatError
from service.core.model import ListEntry, ParsedList
from service.lists.common import csv_rows, read_text, require_entries
from service.lists.csl_json import build_entries

FORMAT = "csl-csv"
_REQUIRED = ("source", "name")
# Cells holding several values; the others are single strings.
_MULTI = (
    "alt_names",
    "addresses",
    "programs",
    "dates_of_birth",
    "nationalities",
    "citizenships",
    "places_of_birth",
    "ids",
)


def _locator(file_name: str, lines: list[int]) -> Callable[[int], str]:
    """Message prefix naming the CSV row of the i-th record."""
    return lambda i: f"{file_name} row {lines[i]}"


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse CSL CSV exports into one entry per row."""
    entries: list[ListEntry] = []
    warnings: list[str] = []
    for path in paths:
        rows = csv_rows(read_text(path))
        header = [c.strip() for c in next(rows, [])]
        missing = [c for c in _REQUIRED if c not in header]
        if missing:
            raise ListFormatError(
                f"{FORMAT}: {path.name} header lacks column(s) {', '.join(missing)}; is this a CSL CSV?",
                field="header",
            )
        records: list[dict[str, Any]] = []
        lines: list[int] = []
        for line, row in enumerate(rows, start=2):
            if not any(c.strip() for c in row):
                continue
            if [c.strip() for c in row] == header:
                warnings.append(f"{path.name}: row {line} repeats the header; skipped")
                continue
            if len(row) != len(header):
                raise ListFormatError(
                    f"{FORMAT}: {path.name} row {line} has {len(row)} fields, expected {len(header)}; "
                    "the file may be truncated",
                    field="row",
                )
            record: dict[str, Any] = {}
            for column, value in zip(header, row, strict=True):
                if value.strip():
                    record[column] = [v.strip() for v in value.split("; ") if v.strip()] if column in _MULTI else value
            records.append(record)
            lines.append(line)
        entries.extend(build_entries(records, list_id, warnings, _locator(path.name, lines)))
    require_entries(len(entries), [p.name for p in paths], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=None, warnings=warnings)
