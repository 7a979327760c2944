"""`lists.refresh` through a real Redis broker and a real `screening worker` process (not eager mode)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from celery import Celery

from service.db import repositories as repo
from service.db.session import session_scope
from service.settings import Settings
from tests.conftest import REDIS_URL, service_missing
from tests.support.processes import stop_group
from tests.test_versions import V1, write_sdn

pytestmark = pytest.mark.redis


@pytest.fixture
def broker() -> str:
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except redis.RedisError:
        service_missing(f"Redis at {REDIS_URL}")
    client.flushdb()  # db 15 belongs to the tests
    return REDIS_URL


@pytest.fixture
def worker(settings: Settings, broker: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A `screening worker` subprocess on the test broker and database."""
    env = {
        **os.environ,
        "SCREENING_DATABASE_URL": settings.database_url,
        "SCREENING_BROKER_URL": broker,
        "SCREENING_SOURCES_FILE": str(settings.sources_file),
        "SCREENING_DOWNLOAD_DIR": str(settings.download_dir),
    }
    log = (tmp_path / "worker.log").open("wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "screening"), "worker", "--concurrency", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield proc
    stop_group(proc)
    log.close()


def test_refresh_task_runs_on_a_real_worker(
    settings: Settings, broker: str, worker: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    """A task sent to Redis is consumed by the worker process, which imports the list into the database."""
    path = write_sdn(tmp_path / "list", V1)
    settings.sources_file.write_text(
        f'[[list]]\nid = "ofac-test"\nname = "t"\nformat = "ofac-csv"\npaths = ["{path}"]\n', encoding="utf-8"
    )
    client = Celery("test-client", broker=broker)
    client.send_task("lists.refresh")
    deadline = time.monotonic() + 90
    version_id = None
    while time.monotonic() < deadline and version_id is None:
        assert worker.poll() is None, (tmp_path / "worker.log").read_text(errors="replace")
        with session_scope(settings.database_url) as session:
            src = repo.get_source(session, "ofac-test")
            version_id = src.active_version_id if src else None
        time.sleep(0.5)
    assert version_id is not None, (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
    with session_scope(settings.database_url) as session:
        version = repo.get_version(session, version_id)
        assert version is not None and version.entity_count == 3
