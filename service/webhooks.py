"""Signed completion webhooks: one HMAC-SHA256 signature scheme, one attempt row per POST, bounded backoff."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from service.batches import batch_summary
from service.db import batches_repo as repo
from service.db.models import WebhookDelivery
from service.db.session import session_scope
from service.net_policy import resolved_forbidden_reason
from service.settings import Settings

SIGNATURE_HEADER = "X-Screening-Signature"
EVENT_HEADER = "X-Screening-Event"
EVENT_ID_HEADER = "X-Screening-Event-Id"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, tolerance_seconds: float = 300, now: float | None = None) -> bool:
    """Whether a signature header is valid for this body and recent enough (receivers should do the same)."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


class _RefusedTargetError(Exception):
    """The callback host resolves to an address the SSRF policy refuses (see service.net_policy)."""


@dataclass(slots=True)
class DeliveryOutcome:
    # skipped (nothing due) | delivered | retry | gave_up
    status: str
    retry_in_seconds: float | None = None


def backoff(settings: Settings, attempt: int) -> float:
    """Exponential backoff with full-range jitter (0.5x-1.5x), capped at one hour."""
    base: float = min(settings.webhook_backoff_seconds * 2.0 ** (attempt - 1), 3600.0)
    jitter: float = random.uniform(0.5, 1.5)
    return base * jitter


def deliver(settings: Settings, batch_id: str) -> DeliveryOutcome:
    """POST the batch's due event (completed or failed) once, record the attempt, and say whether to retry."""
    with session_scope(settings.database_url) as session:
        batch = repo.get_batch(session, batch_id)
        if batch is None or batch.webhook_state != "pending" or not batch.callback_url:
            return DeliveryOutcome("skipped")
        event = "batch.completed" if batch.status == "completed" else "batch.failed"
        attempt = repo.delivery_attempts(session, batch_id, event) + 1
        url = batch.callback_url
        body = json.dumps({"event": event, "batch": batch_summary(batch)}, sort_keys=True).encode()
    timestamp = int(time.time())
    signature = sign(settings.webhook_secret, timestamp, body)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature,
        EVENT_HEADER: event,
        # Stable across retries so a receiver can drop the rare duplicate (a worker killed after the POST).
        EVENT_ID_HEADER: f"{batch_id}:{event}",
        "User-Agent": "screening-webhook/1",
    }
    status_code: int | None = None
    error: str | None = None
    started = time.perf_counter()
    refused = None if settings.webhook_allow_private_networks else resolved_forbidden_reason(url)
    try:
        if refused is not None:
            # Not retried: the target is refused by policy, not unavailable.
            raise _RefusedTargetError(f"callback_url refused: {refused}")
        response = httpx.post(
            url, content=body, headers=headers, timeout=settings.webhook_timeout_seconds, follow_redirects=False
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}: {response.text[:200]}"
    except (httpx.HTTPError, _RefusedTargetError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    duration_ms = (time.perf_counter() - started) * 1000
    ok = error is None
    with session_scope(settings.database_url) as session:
        repo.add_delivery(
            session,
            WebhookDelivery(
                batch_id=batch_id,
                event=event,
                attempt=attempt,
                url=url,
                status_code=status_code,
                ok=ok,
                error=error,
                duration_ms=duration_ms,
                signature=signature,
                sent_at=datetime.now(UTC),
            ),
        )
        if ok:
            repo.set_webhook_state(session, batch_id, "delivered")
        elif attempt >= settings.webhook_max_attempts or refused is not None:
            repo.set_webhook_state(session, batch_id, "failed")
    if ok:
        return DeliveryOutcome("delivered")
    if attempt >= settings.webhook_max_attempts or refused is not None:
        return DeliveryOutcome("gave_up")
    return DeliveryOutcome("retry", backoff(settings, attempt))
