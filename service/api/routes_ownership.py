"""`/v1/ownership`: load the organisation's ownership graph (JSON list of edges or CSV) and page through it.
Shipment screening uses the stored edges valid on each shipment's ship date (see `service.ownership_store`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from service import ownership_store as store
from service.access import Principal, Role
from service.api.deps import SessionDep, SettingsDep, allow
from service.batches import PayloadTooLargeError, UnsupportedMediaTypeError
from service.db.session import session_scope
from service.settings import Settings

router = APIRouter(prefix="/v1", tags=["ownership"])
MAX_BODY_BYTES = 20 * 1024 * 1024

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/OwnershipEdgeIn"}},
            },
            "text/csv": {"schema": {"type": "string", "description": "header row: " + ",".join(store.CSV_COLUMNS)}},
        },
    }
}


async def _read_body(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:  # chunked uploads carry no length: stop as soon as the limit is crossed
            raise PayloadTooLargeError(f"the body is larger than {MAX_BODY_BYTES} bytes; split it", field="body")
        chunks.append(chunk)
    return b"".join(chunks)


def _store(settings: Settings, principal: Principal, media: str, body: bytes) -> dict[str, Any]:
    edges = store.parse_json_edges(body) if media == "application/json" else store.parse_csv_edges(body)
    with session_scope(settings.database_url) as session:
        stored = store.store_edges(
            session, principal.org_id, edges, actor=principal.audit_actor(), key_id=principal.key_id
        )
    return {"created": len(stored), "items": stored}


@router.post("/ownership", status_code=201, openapi_extra=_BODY_DOC)
async def load_ownership(
    request: Request,
    settings: SettingsDep,
    principal: Annotated[Principal, Depends(allow(Role.SUBMITTER, Role.ADMIN))],
) -> dict[str, Any]:
    """Add ownership/control edges to the organisation's graph: a JSON list of edges (owner, owned, percent 0-100,
    control_type shares|voting|call_option|board_appointment, valid_from, valid_to, owner_country, owner_listed,
    source) or CSV with those columns. The first invalid edge rejects the whole body (422 naming the field)."""
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media not in ("application/json", "text/csv"):
        raise UnsupportedMediaTypeError(
            f"send application/json or text/csv, not {media or 'no content type'!r}", field="content-type"
        )
    body = await _read_body(request)
    return await run_in_threadpool(_store, settings, principal, media, body)


@router.get("/ownership")
def list_ownership(
    session: SessionDep,
    principal: Annotated[Principal, Depends(allow(Role.SUBMITTER, Role.ANALYST, Role.AUDITOR, Role.ADMIN))],
    on: Annotated[date | None, Query(description="only edges valid on this date")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The organisation's stored edges in load order, a page at a time."""
    after = -1
    if cursor:
        if not cursor.isdigit():
            raise store.OwnershipInputError("cursor is not one returned by this API (use next_cursor)", field="cursor")
        after = int(cursor)
    return store.edge_page(session, principal.org_id, after, limit, on)
