"""Thin tasks: take ids or names, call service functions, return a JSON-able summary."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import OperationalError

from service.refresh import refresh_all
from service.settings import get_settings
from workers.celery_app import celery_app


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
