"""`screening serve --workers N`: each API process accepts on a listening socket of its own, so the kernel spreads
simultaneous connections over the processes; a process that dies is replaced on its socket."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from service.api.server import balanced_by_kernel
from tests.support.processes import stop_group

BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif(not balanced_by_kernel(), reason="per-process SO_REUSEPORT sockets are Linux's")


def _tcp_sockets(port: int, state: str) -> set[str]:
    """Inodes of the TCP sockets whose local port is `port`, in a /proc/net/tcp state ("0A" listen, "01" open)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                found.add(fields[9])
    return found


def _sockets_of(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _api_processes(parent: int) -> list[int]:
    """The parent's live API processes (multiprocessing's spawned interpreters)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [
        int(pid)
        for pid in children
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        and Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] != "Z"
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def served(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    database = tmp_path / "screening.db"
    database.write_bytes(sqlite_template.read_bytes())
    port = _free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("SCREENING_")}
    env |= {"SCREENING_DATABASE_URL": f"sqlite:///{database}", "SCREENING_DOWNLOAD_DIR": str(tmp_path / "downloads")}
    log = (tmp_path / "serve.log").open("wb")
    parent = subprocess.Popen(
        [str(BIN / "screening"), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait(lambda: _health(port), 60, f"the API to answer; log: {tmp_path / 'serve.log'}")
        yield parent, port
    finally:
        stop_group(parent, timeout=30)
        assert parent.returncode == 0, (tmp_path / "serve.log").read_text(errors="replace")[-3000:]


def _health(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code in (200, 503)
    except httpx.HTTPError:
        return False


def _listener_of(pid: int, port: int) -> set[str]:
    return _sockets_of(pid) & _tcp_sockets(port, "0A")


def test_each_process_accepts_on_its_own_socket_and_connections_reach_both(
    served: tuple[subprocess.Popen[bytes], int],
) -> None:
    parent, port = served
    children = _api_processes(parent.pid)
    assert len(children) == 2
    listeners = [_listener_of(pid, port) for pid in children]
    assert all(len(own) == 1 for own in listeners), listeners
    assert listeners[0] != listeners[1]

    # Sixteen clients connecting at once, as a load generator's do: a shared socket let one process take them all.
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
    try:
        for client in clients:
            client.sendall(f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        for client in clients:
            assert client.recv(4096).startswith(b"HTTP/1.1 ")
        opened = _tcp_sockets(port, "01")
        per_process = [len(_sockets_of(pid) & opened) for pid in children]
    finally:
        for client in clients:
            client.close()
    # The kernel hashes the addresses: all 16 on one socket has a chance of 2 in 65,536.
    assert sum(per_process) == 16 and min(per_process) >= 1, per_process


def test_a_process_that_dies_is_replaced_on_its_socket(served: tuple[subprocess.Popen[bytes], int]) -> None:
    parent, port = served
    victim, survivor = _api_processes(parent.pid)
    its_socket = _listener_of(victim, port)
    os.kill(victim, signal.SIGKILL)

    def replaced() -> bool:
        others = [pid for pid in _api_processes(parent.pid) if pid not in (victim, survivor)]
        return len(others) == 1 and _listener_of(others[0], port) == its_socket and _health(port)

    _wait(replaced, 60, "a replacement process on the dead one's socket")
    assert survivor in _api_processes(parent.pid)
