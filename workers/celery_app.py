"""The Celery application: configured from Settings; late acks so a killed worker loses time, never work."""

from __future__ import annotations

from celery import Celery

from service.settings import get_settings


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
            }
        },
        timezone="UTC",
    )
    return app


celery_app = make_celery()
