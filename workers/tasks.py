"""Thin tasks: take ids or names, call service functions, return a JSON-able summary."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.exc import OperationalError

from service import batches, webhooks
from service.refresh import refresh_all
from service.settings import get_settings
from workers.celery_app import celery_app
from workers.dispatch import enqueue, enqueue_later

log = logging.getLogger(__name__)


@celery_app.task(
    name="lists.refresh",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def refresh_lists(only: list[str] | None = None) -> list[dict[str, Any]]:
    """Fetch or read every configured list and import what changed; one list's failure never stops the others."""
    return [report.to_dict() for report in refresh_all(get_settings(), only)]


@celery_app.task(name="batches.screen_chunk", acks_late=True, reject_on_worker_lost=True)
def screen_chunk(batch_id: str, chunk_no: int) -> dict[str, Any]:
    """Screen one chunk; on error re-enqueue it with backoff until its attempts run out, then fail the batch.

    Attempts are counted in the database (a SIGKILLed attempt counts too), so retries stay bounded across
    workers; the webhook is enqueued only after the commit that finished or failed the batch.
    """
    settings = get_settings()
    try:
        outcome = batches.run_chunk(settings, batch_id, chunk_no)
    except Exception as exc:
        log.exception("chunk %s/%s failed", batch_id, chunk_no)
        attempts = batches.record_chunk_error(settings, batch_id, chunk_no, f"{type(exc).__name__}: {exc}")
        if attempts >= settings.chunk_max_attempts:
            if batches.fail(settings, batch_id, f"chunk {chunk_no} failed {attempts} times: {exc}"):
                enqueue("webhook.deliver", batch_id)
            return {"status": "failed"}
        enqueue_later("batches.screen_chunk", min(2.0**attempts, 300.0), batch_id, chunk_no)
        return {"status": "retry", "attempts": attempts}
    if outcome.webhook_due:
        enqueue("webhook.deliver", batch_id)
    return {"status": outcome.status, "inserted": outcome.inserted}


@celery_app.task(name="webhook.deliver", acks_late=True, reject_on_worker_lost=True)
def deliver_webhook(batch_id: str) -> dict[str, Any]:
    """Send the batch's due webhook once; schedule the next attempt with backoff while attempts remain."""
    outcome = webhooks.deliver(get_settings(), batch_id)
    if outcome.retry_in_seconds is not None:
        enqueue_later("webhook.deliver", outcome.retry_in_seconds, batch_id)
    return {"status": outcome.status}


@celery_app.task(name="batches.sweep", acks_late=True)
def sweep_batches() -> dict[str, int]:
    """Re-enqueue chunks stuck past the chunk timeout and webhooks whose enqueue was lost."""
    result = batches.sweep(get_settings())
    for batch_id, chunk_no in result.chunks:
        enqueue("batches.screen_chunk", batch_id, chunk_no)
    for batch_id in result.webhooks:
        enqueue("webhook.deliver", batch_id)
    if result.chunks or result.webhooks:
        log.warning("sweeper re-enqueued %d chunks and %d webhooks", len(result.chunks), len(result.webhooks))
    return {"chunks": len(result.chunks), "webhooks": len(result.webhooks)}
