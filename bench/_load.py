"""A light HTTP/1.1 load generator: concurrent keep-alive clients on one asyncio loop.

Python HTTP clients in threads spend milliseconds of CPU per request (and fight over
the GIL), on the same two cores as the server they measure; this one sends prebuilt
requests and reads answers by ``Content-Length``, so nearly all the CPU is the
server's, as it would be with `wrk` or `hey` on another machine.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["Load", "post_request", "run_clients", "send_in_turn"]


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """No garbage collection while measuring: the benchmark's process holds the whole
    registry in memory, and one full collection (tens of ms) would be charged to every
    request in flight. The load itself makes little garbage; it is collected after."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def post_request(base: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The bytes of one ``POST`` with a JSON body on a kept-alive connection."""
    host = urlsplit(base).netloc
    head = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json", f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@dataclass
class Load:
    """Latencies in ms, in completion order, and the answers that were not what was expected."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _run(base: str, request: bytes, clients: int, per_client: int, pace: float | None, expect: int) -> Load:
    parts = urlsplit(base)
    load = Load()
    ready = asyncio.Barrier(clients)

    async def client(n: int) -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            writer.write(request)  # warm up: connect, and the server's first-use work
            await _answer(reader)
            await ready.wait()
            began = time.perf_counter() + (pace or 0) * n / clients  # paced clients spread over one period
            for i in range(per_client):
                if pace:
                    await asyncio.sleep(max(0.0, began + i * pace - time.perf_counter()))
                t0 = time.perf_counter()
                writer.write(request)
                status, body = await _answer(reader)
                load.latencies.append((time.perf_counter() - t0) * 1000)
                if status != expect:
                    load.failures.append(f"{status}: {body[:200]!r}")
        finally:
            writer.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    return load


def run_clients(
    base: str, request: bytes, *, clients: int, per_client: int, pace: float | None = None, expect: int = 201
) -> Load:
    """``clients`` connections each sending ``request`` ``per_client`` times, one at a time.

    ``pace=None``: the next request goes the moment the last is answered (a closed loop,
    as `wrk -c N`). Otherwise each client starts one request every ``pace`` seconds.
    """
    with _no_gc_pauses():
        return asyncio.run(_run(base, request, clients, per_client, pace, expect))


async def _in_turn(base: str, requests: list[bytes]) -> list[tuple[int, bytes]]:
    parts = urlsplit(base)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    answers = []
    try:
        for request in requests:
            writer.write(request)
            answers.append(await _answer(reader))
    finally:
        writer.close()
    return answers


async def _streams(base: str, streams: list[list[bytes]]) -> tuple[float, list[tuple[int, bytes]]]:
    started = time.perf_counter()
    answers = await asyncio.gather(*(_in_turn(base, requests) for requests in streams))
    return time.perf_counter() - started, [a for stream in answers for a in stream]


def send_in_turn(base: str, *streams: list[bytes]) -> tuple[float, list[tuple[int, bytes]]]:
    """Each stream of requests on its own kept-alive connection, the next request sent once
    the last is answered, all streams at once; the seconds taken and every answer."""
    with _no_gc_pauses():
        return asyncio.run(_streams(base, list(streams)))
