"""`screening screen-file`: screen a CSV or JSONL file of counterparties without the server, in input order.

A JSONL line with both "ship_date" and "goods" is a shipment (`service.shipments.ShipmentIn`): it is screened as of
its own ship date (`--as-of` applies to counterparties only) and written as the shipment result document."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from service.core.errors import ScreeningError
from service.core.match_config import MatchConfig
from service.decision_settings import load_decision_config
from service.inputs import CSV_COLUMNS, CounterpartyIn, counterparty_from_csv_row, first_error
from service.ownership_store import load_org_graph
from service.screening_service import INDEXES, screen_counterparty
from service.shipments import ShipmentIn, is_shipment, screen_shipment_request


class InputFileError(ScreeningError):
    code = "input_file_invalid"
    status = 422


@dataclass(slots=True)
class FileSummary:
    total: int = 0
    clear: int = 0
    review: int = 0
    block: int = 0
    errors: int = 0


def validation_error(exc: ValidationError) -> dict[str, Any]:
    """The first pydantic error as {code, message, field} (the shape of every API error)."""
    field, message = first_error(exc)
    return {"code": "validation_error", "message": message, "field": field}


def read_items(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, dict[str, Any] | None]]:
    """Yield (line number, raw item or None, error or None) for each input record, CSV or JSONL by extension."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path.name} is not UTF-8 ({exc.reason} at byte {exc.start})", field="input") from exc
    except FileNotFoundError as exc:
        raise InputFileError(f"input file not found: {path}", field="input") from exc
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [c for c in ("name",) if c not in (reader.fieldnames or [])]
        if missing:
            raise InputFileError(
                f"{path.name}: missing column(s) {', '.join(missing)}; expected {','.join(CSV_COLUMNS)}",
                field="columns",
            )
        for number, row in enumerate(reader, start=2):
            try:
                yield number, counterparty_from_csv_row(row), None
            except ValueError as exc:
                yield number, None, {"code": "validation_error", "message": str(exc), "field": "identifiers"}
    elif path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, {"code": "malformed_json", "message": f"line {number}: {exc.msg}", "field": None}
                continue
            if not isinstance(item, dict):
                yield (
                    number,
                    None,
                    {"code": "validation_error", "message": "each line must be an object", "field": None},
                )
                continue
            yield number, item, None
    else:
        raise InputFileError(f"{path.name}: use a .csv or .jsonl file", field="input")


def screen_file(
    db_url: str,
    source: Path,
    out: TextIO,
    *,
    as_of: date | None = None,
    config: MatchConfig | None = None,
    org_id: str | None = None,
) -> FileSummary:
    """Write one JSON line per input record, in input order; invalid records get an `error` instead of a decision.
    With `org_id`, shipments use that organisation's decision settings and stored ownership graph."""
    context = INDEXES.context(db_url, as_of)
    decision_config = load_decision_config(db_url, org_id)
    graph = load_org_graph(db_url, org_id)
    summary = FileSummary()
    for number, item, error in read_items(source):
        summary.total += 1
        if item is not None and is_shipment(item):
            try:
                document = screen_shipment_request(
                    db_url,
                    ShipmentIn.model_validate(item),
                    match_config=config,
                    config=decision_config,
                    stored=graph,
                )
            except ValidationError as exc:
                error = validation_error(exc)
            except ScreeningError as exc:
                error = {"code": exc.code, "message": exc.message, "field": exc.field}
            else:
                setattr(summary, document["decision"].lower(), getattr(summary, document["decision"].lower()) + 1)
                out.write(json.dumps(document, ensure_ascii=False) + "\n")
                continue
        elif item is not None:
            try:
                counterparty = CounterpartyIn.model_validate(item)
            except ValidationError as exc:
                error = validation_error(exc)
            else:
                document = screen_counterparty(context, counterparty, config)
                setattr(summary, document["decision"].lower(), getattr(summary, document["decision"].lower()) + 1)
                out.write(json.dumps(document, ensure_ascii=False) + "\n")
                continue
        summary.errors += 1
        reference = item.get("reference") if isinstance(item, dict) else None
        out.write(json.dumps({"reference": reference, "line": number, "decision": None, "error": error}) + "\n")
    return summary
