"""Shared benchmark plumbing: a PostgreSQL database with every real list imported, a private Redis, processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.db.migrate import upgrade  # noqa: E402
from service.refresh import refresh_all  # noqa: E402
from service.settings import Settings  # noqa: E402
from tests.support.databases import create_database, drop_database  # noqa: E402

SOURCES = ROOT / "config" / "sources.shared.toml"
BIN = Path(sys.executable).parent


def api_headers(url: str, role: str = "submitter") -> dict[str, str]:
    """A fresh API key of `role` in the benchmark organisation, as request headers (authentication is always on)."""
    from service.access import Role
    from service.db.session import session_scope
    from service.keys import create_key

    with session_scope(url) as session:
        _, token = create_key(session, org_id="bench", role=Role(role), name=f"benchmark {role}")
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def database(server: str, existing: str | None) -> Iterator[str]:
    """A database with all real lists active: `existing` as is, or a fresh one on `server`, dropped afterwards."""
    if existing:
        yield existing
        return
    url = create_database(server, prefix="screening_bench")
    try:
        upgrade(url)
        started = time.perf_counter()
        settings = Settings(database_url=url, sources_file=SOURCES, _env_file=None)
        reports = refresh_all(settings)
        print(f"imported {len(reports)} lists in {time.perf_counter() - started:.1f}s", flush=True)
        yield url
    finally:
        drop_database(server, url)


@contextmanager
def private_redis() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.kill()
        proc.wait()


class Processes:
    """`screening ...` subprocesses with a shared environment, logs in a folder, all stopped on exit."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = {**os.environ, **env}
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []
        logs.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [str(BIN / "screening"), *args], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append(proc)
        return proc

    def serve(self, port: int, workers: int = 1) -> str:
        self.start("api", "serve", "--port", str(port), "--workers", str(workers))
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/health", timeout=2)
                return url
            except httpx.HTTPError:
                time.sleep(0.2)
        raise SystemExit(f"the API did not start; see {self.logs / 'api.log'}")

    def wait_for_log(self, name: str, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in (self.logs / f"{name}.log").read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise SystemExit(f"{name} did not log {text!r} in {timeout}s; see {self.logs / f'{name}.log'}")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
