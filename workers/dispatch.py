"""Enqueue a task: to Celery over the broker when one is configured, else to an in-process worker thread.

The in-process path runs the very same task functions (`task.run`), so embedded mode and the distributed
deployment execute identical code.
"""

from __future__ import annotations

import logging
import threading
import time
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


def drain(timeout: float = 120) -> None:
    """Wait until the in-process worker has run everything queued so far (tests, orderly shutdown)."""
    _local_executor().submit(lambda: None).result(timeout=timeout)


def enqueue_later(task_name: str, delay_seconds: float, *args: Any) -> None:
    """Send a task to run after a delay: a Celery countdown with a broker, a timer thread in embedded mode."""
    import workers.tasks  # noqa: F401  (registers the tasks on celery_app)

    if get_settings().broker_url:
        celery_app.send_task(task_name, args=list(args), countdown=delay_seconds)
        return
    timer = threading.Timer(delay_seconds, enqueue, args=(task_name, *args))
    timer.daemon = True
    timer.start()


class EmbeddedScheduler:
    """Beat for embedded mode: enqueue `lists.refresh` every interval and `batches.sweep` every sweep interval."""

    def __init__(self, interval_seconds: float, sweep_interval_seconds: float | None = None) -> None:
        self.interval = interval_seconds
        self.sweep_interval = sweep_interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="screening-beat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        tick = min(self.interval, self.sweep_interval or self.interval)
        next_refresh = time.monotonic() + self.interval
        next_sweep = time.monotonic() + (self.sweep_interval or float("inf"))
        while not self._stop.wait(tick):
            now = time.monotonic()
            if now >= next_refresh:
                next_refresh = now + self.interval
                self._enqueue("lists.refresh")
            if self.sweep_interval and now >= next_sweep:
                next_sweep = now + self.sweep_interval
                self._enqueue("batches.sweep")

    @staticmethod
    def _enqueue(task_name: str) -> None:
        try:
            enqueue(task_name)
        except Exception:
            log.exception("embedded %s failed", task_name)
