"""`dxs serve --workers N`: N uvicorn processes sharing the connections evenly.

uvicorn's own workers share one listening socket, and whichever worker wakes first
accepts every connection that is waiting: sixteen clients that connect together all
land on one worker while the others idle (``SO_REUSEPORT`` spreads them at random,
which is not much better with few, long-lived connections). Here the supervisor
accepts each connection and hands it to the workers in turn over a Unix socket pair
(as Node's cluster module does on Linux); each worker serves it as uvicorn would.
The supervisor restarts a worker that dies and stops them all on SIGINT or SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import selectors
import signal
import socket
import time
from typing import Any

__all__ = ["APP", "PROTOCOL", "ListenError", "run"]

#: The app factory every worker builds from the environment, and the HTTP protocol it speaks.
APP = "dxs.registry.app:create_app_from_env"
PROTOCOL = "dxs.registry.serving:GuardedHttpToolsProtocol"  # slow request heads are cut off (slowloris)

log = logging.getLogger("uvicorn.error")


def _worker(channel: socket.socket, options: dict[str, Any]) -> None:
    import uvicorn

    from .serving import hand_over_often, install_redaction

    install_redaction()  # keys and secrets never in this worker's log lines (uvicorn's set-up keeps the filter)
    hand_over_often()  # a validation thread holds up the event loop for 1 ms at a time, not 5

    class HandedServer(uvicorn.Server):
        """A uvicorn server that listens on nothing and serves the connections it is handed."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=[])  # the app and its lifespan; no listener
            config, loop = self.config, asyncio.get_running_loop()

            def protocol() -> asyncio.Protocol:  # as uvicorn makes one for each connection it accepts
                return config.http_protocol_class(config=config, server_state=self.server_state, app_state=self.lifespan.state)

            def receive() -> None:
                try:
                    data, fds, _, _ = socket.recv_fds(channel, 16, 64)
                except BlockingIOError:
                    return
                if not data:  # end of stream: the supervisor is gone
                    loop.remove_reader(channel.fileno())
                    self.should_exit = True
                for fd in fds:
                    loop.create_task(serve(socket.socket(fileno=fd)))

            async def serve(sock: socket.socket) -> None:
                try:
                    await loop.connect_accepted_socket(protocol, sock)
                except OSError:  # the client hung up between the supervisor's accept and now
                    sock.close()

            channel.setblocking(False)
            loop.add_reader(channel.fileno(), receive)

    HandedServer(uvicorn.Config(APP, factory=True, http=PROTOCOL, **options)).run()


class ListenError(Exception):
    """The port cannot be listened on (taken, or not an address of this machine)."""

    exit_code = 2  # ``dxs serve`` refuses it as a configuration error


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ListenError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def run(host: str, port: int, *, workers: int, log_level: str) -> None:
    """Serve on ``host:port`` until SIGINT or SIGTERM; one process unless ``workers`` > 1."""
    import uvicorn

    from .serving import hand_over_often, install_redaction

    install_redaction()  # the supervisor's lines, and a single worker's (see registry.serving)
    hand_over_often()  # for a single worker, which runs in this process
    options: dict[str, Any] = {"log_level": log_level}
    if workers == 1:
        uvicorn.run(APP, factory=True, host=host, port=port, http=PROTOCOL, **options)
        return
    listener = _listen(host, port)
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> tuple[multiprocessing.process.BaseProcess, socket.socket]:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        process = context.Process(target=_worker, args=(theirs, options), daemon=False)
        process.start()
        theirs.close()
        ours.setblocking(False)  # a stuck worker must not stop the others getting connections
        return process, ours

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    log.info("Started supervisor [%s]: %s workers, connections handed out in turn", os.getpid(), workers)
    running = [start() for _ in range(workers)]
    started = [time.monotonic()] * workers
    retry_at = [0.0] * workers  # a worker that keeps dying at start-up is retried less and less often
    backoff = [0.0] * workers
    turn = 0
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    try:
        while not stopping:
            now = time.monotonic()
            for i, (process, channel) in enumerate(running):
                if process.is_alive() or stopping:
                    continue
                if not retry_at[i]:
                    backoff[i] = min(max(backoff[i] * 2, 1.0), 30.0) if now - started[i] < 10 else 0.0
                    retry_at[i] = now + backoff[i]
                    log.warning("Worker [%s] exited with %s; starting another in %.0f s", process.pid, process.exitcode, backoff[i])
                if now >= retry_at[i]:
                    channel.close()
                    running[i], started[i], retry_at[i] = start(), now, 0.0
            if not selector.select(timeout=0.2):
                continue
            try:
                connection, _ = listener.accept()
            except BlockingIOError:
                continue
            except OSError as exc:  # out of file descriptors, say: wait rather than spin
                log.error("cannot accept a connection: %s", exc)
                time.sleep(0.1)
                continue
            with connection:  # the worker has its own copy once it is sent
                for _ in range(workers):
                    process, channel = running[turn]
                    turn = (turn + 1) % workers
                    try:
                        socket.send_fds(channel, [b"c"], [connection.fileno()])
                        break
                    except OSError:  # that worker is dead, restarting or not keeping up: the next one
                        continue
    finally:
        selector.close()
        listener.close()
        for process, channel in running:
            channel.close()  # a worker sees its channel close, and finishes what it has
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        for process, _ in running:
            process.join()
