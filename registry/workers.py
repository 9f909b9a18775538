"""`dxs serve --workers N`: N uvicorn processes, each with its own listening socket.

uvicorn's own workers share one listening socket, and whichever worker wakes first
accepts every connection that is waiting: sixteen clients that connect together all
land on one worker while the others idle. Here each worker binds the port itself with
``SO_REUSEPORT``, so the kernel spreads new connections over the workers (as nginx's
``reuseport`` and gunicorn's ``--reuse-port`` do). The supervisor restarts a worker
that dies and stops them all on SIGINT or SIGTERM.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from typing import Any

__all__ = ["APP", "PROTOCOL", "run"]

#: The app factory every worker builds from the environment, and the HTTP protocol it speaks.
APP = "registry.app:create_app_from_env"
PROTOCOL = "registry.serving:GuardedHttpToolsProtocol"  # slow request heads are cut off (slowloris)

log = logging.getLogger("uvicorn.error")


def _listen(host: str, port: int, *, backlog: int = 2048) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    if backlog:
        sock.listen(backlog)
    return sock


def _worker(sock: socket.socket, options: dict[str, Any]) -> None:
    import uvicorn

    uvicorn.Server(uvicorn.Config(APP, factory=True, http=PROTOCOL, **options)).run(sockets=[sock])


def run(host: str, port: int, *, workers: int, log_level: str) -> None:
    """Serve on ``host:port`` until SIGINT or SIGTERM; one process unless ``workers`` > 1."""
    import uvicorn

    options: dict[str, Any] = {"log_level": log_level}
    if workers == 1:
        uvicorn.run(APP, factory=True, host=host, port=port, http=PROTOCOL, **options)
        return
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> tuple[multiprocessing.process.BaseProcess, socket.socket]:
        # Every worker's socket listens from the start, before any worker has loaded the
        # app: the first worker ready would otherwise get every early connection.
        sock = _listen(host, port)
        process = context.Process(target=_worker, args=(sock, options), daemon=False)
        process.start()
        return process, sock

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    log.info("Started supervisor [%s] with %s workers sharing port %s", os.getpid(), workers, port)
    running = [start() for _ in range(workers)]
    try:
        while not stopping:
            time.sleep(0.2)
            for i, (process, sock) in enumerate(running):
                if not process.is_alive() and not stopping:
                    log.warning("Worker [%s] exited with %s; starting another", process.pid, process.exitcode)
                    sock.close()
                    running[i] = start()
    finally:
        for process, _ in running:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)  # each finishes the requests it has, then exits
        for process, sock in running:
            process.join()
            sock.close()
