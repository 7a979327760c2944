"""`/v1/batches`: submit a batch (JSON or CSV, idempotent), poll it, page or export its results, see its webhooks."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from service import batches
from service.access import Principal, Role
from service.api.deps import SettingsDep, allow
from service.core.errors import NotFoundError
from service.settings import Settings

router = APIRouter(prefix="/v1", tags=["batches"])
log = logging.getLogger(__name__)

Submitter = Annotated[Principal, Depends(allow(Role.SUBMITTER, Role.ADMIN))]
# Results are read by whoever works with them: the submitting ERP, analysts, auditors.
Reader = Annotated[Principal, Depends(allow(Role.SUBMITTER, Role.ANALYST, Role.AUDITOR, Role.ADMIN))]

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["items"],
                    "properties": {
                        "items": {"type": "array", "items": {"$ref": "#/components/schemas/ScreenRequest"}},
                        "callback_url": {"type": "string", "format": "uri"},
                        "as_of": {"type": "string", "format": "date"},
                    },
                }
            },
            "text/csv": {
                "schema": {"type": "string", "description": "header row: " + ",".join(batches.CSV_INPUT_COLUMNS)}
            },
        },
    }
}


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise batches.PayloadTooLargeError(f"the body is larger than {limit} bytes; split the batch", field="body")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        # Chunked uploads carry no length: stop reading as soon as the limit is crossed.
        if size > limit:
            raise batches.PayloadTooLargeError(f"the body is larger than {limit} bytes; split the batch", field="body")
        chunks.append(chunk)
    return b"".join(chunks)


def _ensure_batch(settings: Settings, principal: Principal, batch_id: str) -> dict[str, Any]:
    # Another organisation's batch is "not found", with the same body as an id that never existed.
    summary = batches.get_summary(settings, batch_id, principal.org_id) if len(batch_id) <= 36 else None
    if summary is None:
        raise NotFoundError(
            f"no batch {batch_id[:40]!r}; use the id from the POST /v1/batches answer", field="batch_id"
        )
    return summary


def _enqueue_chunks(chunks: list[tuple[str, int]]) -> None:
    from workers.dispatch import enqueue

    try:
        for batch_id, chunk_no in chunks:
            enqueue("batches.screen_chunk", batch_id, chunk_no)
    except Exception:
        # The batch is committed: the sweeper re-enqueues its chunks once they pass the chunk timeout.
        log.exception("could not enqueue the chunks of a committed batch; the sweeper will")


def _record(
    settings: Settings,
    principal: Principal,
    key: str,
    media: str,
    body: bytes,
    callback_url: str | None,
    as_of: str | None,
) -> batches.CreatedBatch:
    if media == "application/json":
        if callback_url is not None or as_of is not None:
            raise batches.BatchInputError(
                "for JSON bodies put callback_url and as_of in the body",
                field="callback_url" if callback_url else "as_of",
            )
        submission = batches.parse_json_submission(body, settings)
    else:
        submission = batches.parse_csv_submission(body, settings, callback_url, as_of)
    fingerprint = batches.body_fingerprint(media, body, callback_url, as_of)
    return batches.create_batch(
        settings, key, fingerprint, submission, org_id=principal.org_id, actor=principal.audit_actor()
    )


@router.post("/batches", status_code=202, openapi_extra=_BODY_DOC)
async def create_batch(
    request: Request,
    settings: SettingsDep,
    principal: Submitter,
    idempotency_key: Annotated[str | None, Header()] = None,
    callback_url: Annotated[str | None, Query(description="CSV uploads only: webhook URL")] = None,
    as_of: Annotated[str | None, Query(description="CSV uploads only: screen as of YYYY-MM-DD")] = None,
) -> JSONResponse:
    """Accept a batch once per Idempotency-Key (same body → same batch, other body → 409) and answer 202 at once."""
    key = batches.check_idempotency_key(idempotency_key)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("application/json", "text/csv"):
        raise batches.UnsupportedMediaTypeError(
            f"send application/json or text/csv, not {media or 'no content type'!r}", field="Content-Type"
        )
    body = await _read_body(request, settings.batch_max_bytes)
    # Validating up to 100,000 items is CPU work: keep it off the event loop.
    created = await run_in_threadpool(_record, settings, principal, key, media, body, callback_url, as_of)
    # Only after the commit inside create_batch (habit 6); a replayed key enqueues nothing.
    await run_in_threadpool(_enqueue_chunks, created.chunks)
    summary = await run_in_threadpool(_ensure_batch, settings, principal, created.batch_id)
    location = f"/v1/batches/{created.batch_id}"
    return JSONResponse(summary, status_code=202, headers={"Location": location})


@router.get("/batches/{batch_id}")
def get_batch(batch_id: str, settings: SettingsDep, principal: Reader) -> dict[str, Any]:
    """Status (queued, running, completed, failed), counts, timings and list versions of a batch."""
    return _ensure_batch(settings, principal, batch_id)


@router.get("/batches/{batch_id}/results", response_model=None)
def get_results(
    batch_id: str,
    request: Request,
    settings: SettingsDep,
    principal: Reader,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    decision: Annotated[str | None, Query(description="CLEAR, REVIEW or BLOCK")] = None,
) -> dict[str, Any] | StreamingResponse:
    """Results in input order, cursor-paged; `Accept: text/csv` streams the whole (filtered) set as CSV."""
    _ensure_batch(settings, principal, batch_id)
    wanted = batches.check_decision(decision)
    if "text/csv" in request.headers.get("accept", ""):
        return StreamingResponse(
            batches.iter_results_csv(
                settings, batch_id, wanted, org_id=principal.org_id, actor=principal.audit_actor()
            ),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.csv"'},
        )
    return batches.result_page(settings, batch_id, cursor, limit, wanted)


@router.get("/batches/{batch_id}/deliveries")
def get_deliveries(batch_id: str, settings: SettingsDep, principal: Reader) -> dict[str, Any]:
    """Every webhook attempt for the batch, oldest first."""
    _ensure_batch(settings, principal, batch_id)
    return {"deliveries": list(batches.list_deliveries(settings, batch_id))}
