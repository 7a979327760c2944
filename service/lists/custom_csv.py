"""`custom-csv`: a simple, strictly validated CSV for internal lists (own blacklists, customer exits, PEP lists).

File: UTF-8 (a BOM is fine), comma-separated, standard CSV quoting, one header row, one row per listed party::

    entity_id,entity_type,name,aliases,weak_aliases,date_of_birth,nationality,country,identifiers,programs,listed_on,remarks
    C-0001,person,Ivan PETROV,Иван Петров,Vanya,1970-03-12|1971,RU,RU|CY,passport:7512345:RU,EXIT,2024-05-01,Exited
    C-0002,organization,Acme Trading LLC,Acme Trading,,,,AE,registration:12345:AE|tax:99-123,INTERNAL,2023-01-15,

Columns (`entity_id`, `entity_type` and `name` are required; the others may be left out of the header or empty):

- `entity_id` — your stable id for the party, unique in the file (used to track changes between imports).
- `entity_type` — `person`, `organization`, `vessel`, `aircraft` or `unknown` (case-insensitive).
- `name` — the primary name, non-empty.
- `aliases` — strong alternative names, `|`-separated.
- `weak_aliases` — low-quality names (nicknames, short forms), `|`-separated; matched, scored lower and labelled weak.
- `date_of_birth` — `|`-separated dates: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
- `nationality` — `|`-separated ISO 3166 alpha-2/alpha-3 codes or English country names.
- `country` — `|`-separated countries of address, registration or residence (same forms).
- `identifiers` — `|`-separated `type:number` or `type:number:country`, where `type` is one of passport,
  national_id, tax, registration, imo, mmsi, swift, lei, aircraft_serial, aircraft_tail, call_sign, crypto_wallet,
  email, website, phone, other. A number that itself contains `:` must be followed by `:country`, which may be
  empty (`crypto_wallet:abc:def:`).
- `programs` — `|`-separated programme / reason codes.
- `listed_on` — the date the party was listed, `YYYY-MM-DD`.
- `remarks` — free text.

Any error — unknown or missing column, empty id or name, repeated id, bad entity type, date, country or identifier,
a row with the wrong number of cells — rejects the whole file with a message naming the row number (the header is
row 1) and the column, so a half-valid list is never imported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from service.core.countries import to_iso2
from service.core.errors import ListFormatError
from service.core.model import (
    IDENTIFIER_TYPES,
    EntityType,
    Identifier,
    ListEntry,
    Name,
    NameKind,
    ParsedList,
    PartialDate,
)
from service.lists.common import csv_rows, read_text, require_entries

FORMAT = "custom-csv"
COLUMNS = (
    "entity_id",
    "entity_type",
    "name",
    "aliases",
    "weak_aliases",
    "date_of_birth",
    "nationality",
    "country",
    "identifiers",
    "programs",
    "listed_on",
    "remarks",
)
REQUIRED = ("entity_id", "entity_type", "name")
_PARTIAL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class _RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _split(value: str) -> list[str]:
    return [v for v in (" ".join(p.split()) for p in value.split("|")) if v]


def _partial_date(value: str, column: str) -> PartialDate:
    if not _PARTIAL.match(value):
        raise _RowError(column, f"{value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    try:
        return PartialDate.parse_iso(value)
    except ValueError as exc:
        raise _RowError(column, f"{value!r} is not a valid date ({exc})") from exc


def _full_date(value: str, column: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _RowError(column, f"{value!r} is not a date (use YYYY-MM-DD)") from exc


def _country(value: str, column: str) -> str:
    code = to_iso2(value)
    if code is None:
        raise _RowError(column, f"{value!r} is not a recognised country (use an ISO 3166 code)")
    return code


def _identifier(value: str, column: str) -> Identifier:
    pieces = value.split(":")
    if len(pieces) < 2:
        raise _RowError(column, f"{value!r} is not type:number or type:number:country")
    kind = pieces[0].strip().lower()
    if kind not in IDENTIFIER_TYPES:
        raise _RowError(column, f"identifier type {kind!r} is not one of {', '.join(sorted(IDENTIFIER_TYPES))}")
    if len(pieces) == 2:
        number, country = pieces[1], ""
    else:
        number, country = ":".join(pieces[1:-1]), pieces[-1]
    number = number.strip()
    if not number:
        raise _RowError(column, f"{value!r} has an empty number")
    return Identifier(type=kind, number=number, country=_country(country.strip(), column) if country.strip() else None)


def _row_entry(rec: dict[str, str], list_id: str, raw: str) -> ListEntry:
    entity_id = rec["entity_id"].strip()
    if not entity_id:
        raise _RowError("entity_id", "is empty")
    type_text = rec["entity_type"].strip().lower()
    try:
        entity_type = EntityType(type_text)
    except ValueError as exc:
        raise _RowError(
            "entity_type", f"{rec['entity_type']!r} is not one of {', '.join(t.value for t in EntityType)}"
        ) from exc
    name = " ".join(rec["name"].split())
    if not name:
        raise _RowError("name", "is empty")
    names = [Name(value=name, kind=NameKind.PRIMARY)]
    seen = {name.casefold()}
    for column, kind in (("aliases", NameKind.ALIAS), ("weak_aliases", NameKind.WEAK_ALIAS)):
        for alias in _split(rec.get(column, "")):
            if alias.casefold() not in seen:
                seen.add(alias.casefold())
                names.append(Name(value=alias, kind=kind))
    dobs = tuple(dict.fromkeys(_partial_date(v, "date_of_birth") for v in _split(rec.get("date_of_birth", ""))))
    nationalities = tuple(dict.fromkeys(_country(v, "nationality") for v in _split(rec.get("nationality", ""))))
    countries = tuple(dict.fromkeys(_country(v, "country") for v in _split(rec.get("country", ""))))
    identifiers = tuple(dict.fromkeys(_identifier(v, "identifiers") for v in _split(rec.get("identifiers", ""))))
    listed_text = rec.get("listed_on", "").strip()
    return ListEntry(
        list_id=list_id,
        entity_id=entity_id,
        entity_type=entity_type,
        names=tuple(names),
        dates_of_birth=dobs,
        nationalities=nationalities,
        countries=countries,
        identifiers=identifiers,
        programs=tuple(dict.fromkeys(_split(rec.get("programs", "")))),
        listed_on=_full_date(listed_text, "listed_on") if listed_text else None,
        remarks=rec.get("remarks", "").strip() or None,
        raw=raw,
    )


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse internal-list CSV files, rejecting the file on the first invalid row."""
    entries: list[ListEntry] = []
    ids: dict[str, str] = {}
    for path in paths:
        rows = csv_rows(read_text(path))
        header = [c.strip().lower() for c in next(rows, [])]
        unknown = [c for c in header if c not in COLUMNS]
        if unknown:
            raise ListFormatError(
                f"{FORMAT}: {path.name} row 1: unknown column(s) {', '.join(unknown)}; allowed: {', '.join(COLUMNS)}",
                field=unknown[0],
            )
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ListFormatError(
                f"{FORMAT}: {path.name} row 1: missing required column(s) {', '.join(missing)}", field=missing[0]
            )
        if len(set(header)) != len(header):
            raise ListFormatError(f"{FORMAT}: {path.name} row 1: a column is repeated", field="header")
        for row_number, row in enumerate(rows, start=2):
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise ListFormatError(
                    f"{FORMAT}: {path.name} row {row_number}: {len(row)} cells, expected {len(header)}",
                    field="row",
                )
            rec = dict(zip(header, row, strict=True))
            raw = json.dumps({k: v for k, v in rec.items() if v}, ensure_ascii=False)
            try:
                entry = _row_entry(rec, list_id, raw)
            except _RowError as err:
                raise ListFormatError(
                    f"{FORMAT}: {path.name} row {row_number}, column {err.column}: {err.message}", field=err.column
                ) from err
            if entry.entity_id in ids:
                raise ListFormatError(
                    f"{FORMAT}: {path.name} row {row_number}, column entity_id: {entry.entity_id!r} "
                    f"already used ({ids[entry.entity_id]})",
                    field="entity_id",
                )
            ids[entry.entity_id] = f"{path.name} row {row_number}"
            entries.append(entry)
    require_entries(len(entries), [p.name for p in paths], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=None, warnings=[])
