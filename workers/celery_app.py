"""The Celery application: configured from Settings; late acks so a killed worker loses time, never work."""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery
from celery.signals import worker_init, worker_process_init

from service.settings import get_settings

log = logging.getLogger(__name__)


def make_celery() -> Celery:
    settings = get_settings()
    app = Celery("screening", include=["workers.tasks"])
    app.conf.update(
        # Embedded mode never starts a Celery worker: tasks run in-process (workers.dispatch), so the
        # in-memory transport is only a placeholder that keeps the app importable without Redis.
        broker_url=settings.broker_url or "memory://",
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 3600},
        beat_schedule={
            "refresh-lists": {
                "task": "lists.refresh",
                "schedule": float(settings.refresh_interval_seconds),
            },
            "sweep-batches": {
                "task": "batches.sweep",
                "schedule": float(settings.sweep_interval_seconds),
            },
        },
        timezone="UTC",
    )
    return app


celery_app = make_celery()


@worker_init.connect
def _warm_index(**_: Any) -> None:
    """Build the matcher index in the parent before the pool forks, so children share it instead of each
    spending ~15 s on the real lists; a child still rebuilds by itself when the active versions change."""
    from service.db.session import engine_for
    from service.screening_service import INDEXES

    url = get_settings().database_url
    try:
        INDEXES.context(url)
    except Exception:
        log.exception("could not warm the matcher index; chunks will build it on first use")
    finally:
        engine_for(url).dispose()


@worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    """A forked child must not reuse the parent's pooled database connections."""
    from service.db.session import engine_for

    engine_for(get_settings().database_url).dispose(close=False)
