"""`GET /health`: database, broker and the active list versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from service.api.deps import SettingsDep
from service.db import repositories as repo
from service.db.session import session_scope

router = APIRouter(tags=["health"])


@router.get("/health")
def health(settings: SettingsDep) -> JSONResponse:
    """Report each dependency; 503 when the database or the configured broker does not answer."""
    body: dict[str, Any] = {"status": "ok"}
    try:
        with session_scope(settings.database_url) as session:
            session.execute(text("SELECT 1"))
            active = repo.active_versions(session)
            body["lists"] = {
                src.list_id: {"version": v.label, "entity_count": v.entity_count, "sha256": v.sha256}
                for src, v in active
            }
        body["database"] = {"ok": True, "backend": "sqlite" if settings.is_sqlite else "postgresql"}
    except Exception as exc:  # health must describe failures, not raise them
        body["database"] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        body["lists"] = {}
        body["status"] = "degraded"
    if settings.broker_url:
        try:
            import redis

            client = redis.Redis.from_url(settings.broker_url, socket_timeout=2, socket_connect_timeout=2)
            client.ping()
            body["broker"] = {"ok": True, "mode": "celery", "url": settings.broker_url.split("@")[-1]}
        except Exception as exc:
            body["broker"] = {"ok": False, "mode": "celery", "error": f"{type(exc).__name__}: {exc}"}
            body["status"] = "degraded"
    else:
        body["broker"] = {"ok": True, "mode": "in-process"}
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)
