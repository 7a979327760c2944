"""Serving the API in several processes, each accepting connections on a listening socket of its own.

uvicorn's multi-process mode shares one listening socket, and a process's event loop accepts every connection that
is waiting when it wakes. Twenty clients connecting at once landed 17 to 3 on two processes, and 20 to 0 on three;
the busy process's interpreter lock then capped all of them while the others idled. Here each process gets its own
SO_REUSEPORT socket on the same port, and the kernel spreads new connections over the sockets by a hash of the
addresses. The parent binds the sockets and keeps them: a process that dies is replaced on its socket, whose waiting
connections stay queued for the replacement.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

APP = "service.api.app:create_app"
BACKLOG = 2048  # uvicorn's default

logger = logging.getLogger(__name__)


def balanced_by_kernel() -> bool:
    """Linux spreads connections over the SO_REUSEPORT sockets of a port; elsewhere the option means other things."""
    return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on (host, port) that other SO_REUSEPORT sockets of this user may share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def _serve_on(sock: socket.socket) -> None:
    """One API process: uvicorn on an already listening socket (the app reads its settings from the environment)."""
    uvicorn.Server(uvicorn.Config(APP, factory=True, backlog=BACKLOG)).run(sockets=[sock])


def serve_processes(host: str, port: int, workers: int) -> None:
    """Run `workers` API processes until SIGINT or SIGTERM, replacing any that dies."""
    sockets = [listening_socket(host, port) for _ in range(workers)]
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or connections of the parent

    def start(sock: socket.socket) -> BaseProcess:
        process = spawn.Process(target=_serve_on, args=(sock,), name="screening-api")
        process.start()
        return process

    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes = [start(sock) for sock in sockets]
    try:
        while not stopping:
            for i, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    logger.warning("API process %s exited (%s); starting another", process.pid, process.exitcode)
                    processes[i] = start(sockets[i])
            time.sleep(0.5)
    finally:
        # uvicorn shuts down gracefully on SIGTERM, also after a SIGINT the terminal sent the whole group.
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()
        for sock in sockets:
            sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
