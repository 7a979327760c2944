"""Enqueue a task: to Celery over the broker when one is configured, else to an in-process worker thread.

The in-process path runs the very same task functions (`task.run`), so embedded mode and the distributed
deployment execute identical code.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from service.settings import get_settings
from workers.celery_app import celery_app

log = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _local_executor() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="screening-worker")
        return _executor


def enqueue(task_name: str, *args: Any) -> Future[Any] | None:
    """Send a task by name; returns a Future in embedded mode (tests may wait on it), None with a broker."""
    import workers.tasks  # noqa: F401  (registers the tasks on celery_app)

    if get_settings().broker_url:
        celery_app.send_task(task_name, args=list(args))
        return None
    task = celery_app.tasks[task_name]
    return _local_executor().submit(task.run, *args)


class EmbeddedScheduler:
    """Beat for embedded mode: enqueue `lists.refresh` every interval in a daemon thread."""

    def __init__(self, interval_seconds: float) -> None:
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="screening-beat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                enqueue("lists.refresh")
            except Exception:
                log.exception("embedded refresh failed")
