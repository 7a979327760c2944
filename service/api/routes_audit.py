"""`/v1/audit`: page and filter audit events, stream them as JSONL or CSV, verify the hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from service import audit
from service.access import Principal, Role
from service.api.deps import SettingsDep, allow
from service.db.audit_repo import EventFilter

router = APIRouter(prefix="/v1/audit", tags=["audit"])

# The chain read is always the caller's organisation's: there is no parameter to name another one.
Auditor = Annotated[Principal, Depends(allow(Role.AUDITOR, Role.ADMIN))]


def _filter(
    org: str,
    since: datetime | None,
    until: datetime | None,
    action: str | None,
    object_type: str | None,
    object_id: str | None,
    actor: str | None,
) -> EventFilter:
    return EventFilter(org, since, until, action, object_type, object_id, actor)


@router.get("/events")
def list_events(
    settings: SettingsDep,
    principal: Auditor,
    since: Annotated[datetime | None, Query(alias="from", description="events at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(alias="to", description="events before (ISO 8601)")] = None,
    action: Annotated[str | None, Query(description="e.g. batch.received, list_version.activated")] = None,
    object_type: Annotated[str | None, Query(description="batch, list_version, audit_log")] = None,
    object_id: Annotated[str | None, Query()] = None,
    actor: Annotated[str | None, Query(description="system, cli, api or a key id")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Events in chain order, filtered and cursor-paged."""
    where = _filter(principal.org_id, since, until, action, object_type, object_id, actor)
    return audit.event_page(settings.database_url, where, cursor, limit)


@router.get("/events/export")
def export_events(
    settings: SettingsDep,
    principal: Auditor,
    format: Annotated[str, Query(description="jsonl or csv")] = "jsonl",
    since: Annotated[datetime | None, Query(alias="from")] = None,
    until: Annotated[datetime | None, Query(alias="to")] = None,
    action: Annotated[str | None, Query()] = None,
    object_type: Annotated[str | None, Query()] = None,
    object_id: Annotated[str | None, Query()] = None,
    actor: Annotated[str | None, Query()] = None,
) -> StreamingResponse:
    """Every matching event, streamed in constant memory; the export itself is recorded first."""
    fmt = audit.check_format(format)
    where = _filter(principal.org_id, since, until, action, object_type, object_id, actor)
    media = "application/x-ndjson" if fmt == "jsonl" else "text/csv; charset=utf-8"
    return StreamingResponse(
        audit.iter_export(settings.database_url, fmt, where, principal.audit_actor()),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="audit-{principal.org_id}.{fmt}"'},
    )


@router.get("/verify")
async def verify_chain(
    settings: SettingsDep,
    principal: Auditor,
    head: Annotated[
        str | None, Query(description="SEQ:HASH from an earlier verify: it must still be in the chain")
    ] = None,
) -> dict[str, Any]:
    """Recompute the organisation's chain: ok with the count and head, or the first broken link."""
    results = await run_in_threadpool(
        audit.verify_all, settings.database_url, principal.org_id, audit.parse_anchor(head)
    )
    return results[0].to_dict()
