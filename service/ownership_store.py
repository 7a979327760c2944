"""An organisation's stored ownership graph: edges loaded by `POST /v1/ownership` (JSON or CSV), listed by
`GET /v1/ownership`, and the part of it a shipment needs (edges valid on the ship date that lead up to a party).

Edge ends are names or the caller's party references, resolved against a shipment's parties exactly like the
inline `ownership` edges of a shipment (see `service.shipments`).
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service import audit
from service.core.errors import ScreeningError
from service.core.ownership import ControlType
from service.db.models import OwnershipEdgeRow
from service.db.session import session_scope
from service.inputs import first_error
from service.shipments import OwnershipEdgeIn, norm_label

CSV_COLUMNS = (
    "owner",
    "owned",
    "percent",
    "control_type",
    "valid_from",
    "valid_to",
    "owner_country",
    "owner_listed",
    "source",
)
REQUIRED_CSV_COLUMNS = ("owner", "owned")
MAX_EDGES_PER_POST = 10_000
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n", ""}


class OwnershipInputError(ScreeningError):
    code = "validation_error"
    status = 422


class MalformedOwnershipBodyError(ScreeningError):
    code = "malformed_body"
    status = 400


def _edge_error(exc: ValidationError, where: str) -> OwnershipInputError:
    field, message = first_error(exc, where)
    if field == where:  # a whole-edge check of the core: name the field its message is about
        for name, clue in (("percent", "percent"), ("valid_to", "valid_to"), ("owned", "itself")):
            if clue in message:
                field = f"{where}.{name}"
                break
    return OwnershipInputError(message, field=field)


def validate_edges(raw_items: Sequence[object], prefix: str = "edges") -> list[OwnershipEdgeIn]:
    """Each raw item as an OwnershipEdgeIn; the first bad one rejects the whole body, naming the field."""
    if not raw_items:
        raise OwnershipInputError(f"{prefix}: at least one edge is required", field=prefix)
    if len(raw_items) > MAX_EDGES_PER_POST:
        raise OwnershipInputError(
            f"{prefix}: at most {MAX_EDGES_PER_POST} edges per request, got {len(raw_items)}", field=prefix
        )
    edges = []
    for i, raw in enumerate(raw_items):
        where = f"{prefix}[{i}]"
        if not isinstance(raw, dict):
            raise OwnershipInputError(f"{where}: each edge must be an object with owner and owned", field=where)
        try:
            edges.append(OwnershipEdgeIn.model_validate(raw))
        except ValidationError as exc:
            raise _edge_error(exc, where) from None
    return edges


def parse_json_edges(body: bytes) -> list[OwnershipEdgeIn]:
    """A JSON list of edges, or {"edges": [...]}."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise MalformedOwnershipBodyError(f"body is not valid UTF-8 JSON ({exc})", field="body") from None
    if isinstance(data, dict) and set(data) == {"edges"}:
        data = data["edges"]
    if not isinstance(data, list):
        raise OwnershipInputError('body must be a list of edges (or {"edges": [...]})', field="body")
    return validate_edges(data)


def _csv_item(row: dict[str, str], where: str) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for column, cell in row.items():
        value = (cell or "").strip()
        if column == "owner_listed":
            if value.lower() not in _TRUE | _FALSE:
                raise OwnershipInputError(f"{where}.owner_listed: expected true or false, got {value!r}", field=where)
            item[column] = value.lower() in _TRUE
        elif value:
            item[column] = value
    return item


def parse_csv_edges(body: bytes) -> list[OwnershipEdgeIn]:
    """CSV with a header row of the documented columns (`owner`, `owned` required)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedOwnershipBodyError(f"the CSV body is not UTF-8 ({exc.reason})", field="body") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        columns = [c.strip() for c in (reader.fieldnames or [])]
        reader.fieldnames = columns
        missing = [c for c in REQUIRED_CSV_COLUMNS if c not in columns]
        if missing:
            raise OwnershipInputError(
                f"the CSV is missing column(s) {', '.join(missing)}; expected {','.join(CSV_COLUMNS)}", field="columns"
            )
        unknown = [c for c in columns if c not in CSV_COLUMNS]
        if unknown:
            raise OwnershipInputError(
                f"unknown CSV column(s) {', '.join(unknown)}; allowed: {','.join(CSV_COLUMNS)}", field="columns"
            )
        items: list[object] = []
        for i, row in enumerate(reader):
            where = f"edges[{i}]"
            if None in row:
                raise OwnershipInputError(f"{where} (line {reader.line_num}): more cells than columns", field=where)
            items.append(_csv_item(row, where))
    except csv.Error as exc:
        raise OwnershipInputError(f"the CSV cannot be read (line {reader.line_num}: {exc})", field="body") from None
    return validate_edges(items)


def edge_dict(row: OwnershipEdgeRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "owner": row.owner,
        "owned": row.owned,
        "percent": None if row.percent is None else f"{row.percent.normalize():f}",
        "control_type": row.control_type,
        "valid_from": row.valid_from.isoformat() if row.valid_from else None,
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        "owner_country": row.owner_country,
        "owner_listed": row.owner_listed,
        "source": row.source,
        "created_by": row.created_by,
    }


def store_edges(
    session: Session, org_id: str, edges: Sequence[OwnershipEdgeIn], *, actor: audit.Actor, key_id: str | None
) -> list[dict[str, Any]]:
    """Insert the edges for the organisation and append one `ownership.loaded` event in the same transaction."""
    now = datetime.now(UTC)
    rows = [
        OwnershipEdgeRow(
            org_id=org_id,
            owner=e.owner,
            owned=e.owned,
            percent=e.percent,
            control_type=e.control_type.value,
            valid_from=e.valid_from,
            valid_to=e.valid_to,
            owner_country=e.owner_country,
            owner_listed=e.owner_listed,
            source=e.source,
            created_by=key_id,
            created_at=now,
        )
        for e in edges
    ]
    session.add_all(rows)
    session.flush()
    stored = [edge_dict(r) for r in rows]
    audit.append_event(
        session,
        action="ownership.loaded",
        object_type="ownership_graph",
        object_id=org_id,
        payload={
            "edges": len(rows),
            "first_id": rows[0].id,
            "last_id": rows[-1].id,
            "content_sha256": audit.content_sha256([e.model_dump(mode="json") for e in edges]),
        },
        actor=actor,
        org_id=org_id,
        now=now,
    )
    return stored


def edge_page(session: Session, org_id: str, after: int, limit: int, on: date | None) -> dict[str, Any]:
    """One page of the organisation's edges in id order (only those valid on `on` when given)."""
    query = select(OwnershipEdgeRow).where(OwnershipEdgeRow.org_id == org_id, OwnershipEdgeRow.id > after)
    if on is not None:
        query = query.where(
            (OwnershipEdgeRow.valid_from.is_(None)) | (OwnershipEdgeRow.valid_from <= on),
            (OwnershipEdgeRow.valid_to.is_(None)) | (OwnershipEdgeRow.valid_to >= on),
        )
    rows = session.scalars(query.order_by(OwnershipEdgeRow.id).limit(limit + 1)).all()
    items = [edge_dict(r) for r in rows[:limit]]
    return {"items": items, "next_cursor": str(items[-1]["id"]) if len(rows) > limit and items else None}


def _to_in(row: OwnershipEdgeRow) -> OwnershipEdgeIn:
    # Rows were validated on the way in; model_construct skips re-validating thousands of edges per batch chunk.
    return OwnershipEdgeIn.model_construct(
        owner=row.owner,
        owned=row.owned,
        percent=row.percent,
        control_type=ControlType(row.control_type),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        owner_country=row.owner_country,
        owner_listed=row.owner_listed,
        source=row.source or f"stored edge {row.id}",
    )


MAX_INDEXED_DATES = 366


@dataclass(frozen=True)
class OrgGraph:
    """An organisation's stored edges, loaded once per request or batch chunk; `relevant` picks a shipment's part."""

    edges: tuple[OwnershipEdgeIn, ...]
    # Edges valid on a date by normalised owned label, per date: a batch of shipments indexes each date once.
    _by_date: dict[date, dict[str, list[OwnershipEdgeIn]]] = field(default_factory=dict, compare=False, repr=False)

    def _into(self, on: date) -> dict[str, list[OwnershipEdgeIn]]:
        into = self._by_date.get(on)
        if into is None:
            into = {}
            for e in self.edges:
                if (e.valid_from is None or e.valid_from <= on) and (e.valid_to is None or e.valid_to >= on):
                    into.setdefault(norm_label(e.owned), []).append(e)
            if len(self._by_date) >= MAX_INDEXED_DATES:
                self._by_date.clear()
            self._by_date[on] = into
        return into

    def relevant(self, on: date, labels: Iterable[str]) -> list[OwnershipEdgeIn]:
        """Edges valid on `on` reachable upwards (owner of owner of ...) from any of the parties' labels."""
        if not self.edges:
            return []
        into = self._into(on)
        reached = {norm_label(label) for label in labels}
        frontier = list(reached)
        out: list[OwnershipEdgeIn] = []
        while frontier:
            for edge in into.get(frontier.pop(), ()):
                out.append(edge)
                owner = norm_label(edge.owner)
                if owner not in reached:
                    reached.add(owner)
                    frontier.append(owner)
        return out


EMPTY_GRAPH = OrgGraph(())


_GRAPHS: dict[tuple[str, str], tuple[tuple[int | None, int], OrgGraph]] = {}
_GRAPHS_LOCK = threading.Lock()


def load_org_graph(db_url: str, org_id: str | None) -> OrgGraph:
    """Every stored edge of the organisation (the empty graph for None). Edges are only ever added, so the loaded
    graph is reused while the organisation's (max id, count) is unchanged: one cheap query per synchronous screen."""
    if org_id is None:
        return EMPTY_GRAPH
    mine = OwnershipEdgeRow.org_id == org_id
    with session_scope(db_url) as session:
        stamp_row = session.execute(select(func.max(OwnershipEdgeRow.id), func.count()).where(mine)).one()
        stamp = (stamp_row[0], int(stamp_row[1]))
        with _GRAPHS_LOCK:
            cached = _GRAPHS.get((db_url, org_id))
        if cached is not None and cached[0] == stamp:
            return cached[1]
        rows = session.scalars(select(OwnershipEdgeRow).where(mine).order_by(OwnershipEdgeRow.id)).all()
        graph = OrgGraph(tuple(_to_in(r) for r in rows))
    with _GRAPHS_LOCK:
        _GRAPHS[(db_url, org_id)] = (stamp, graph)
    return graph
