"""Many clients sending event batches at once, retrying, duplicating and hanging up mid-request.

Each client owns its batches (distinct record ids) and sends each with an
``Idempotency-Key`` until it is acknowledged (201). On the way, chosen by a seeded
random generator, it:

- hangs up mid-body (nothing can be stored), or right after sending the whole
  request without reading the answer (the batch may be committed but unacknowledged:
  its retry with the same key must return the stored answer);
- gives up waiting after a very short timeout and retries while the first attempt
  may still be running;
- delivers an acknowledged batch again, with the same key (a replay) or a new key
  (the natural key makes every record a duplicate).

Afterwards the database must hold exactly the records of the acknowledged batches:
none lost, none twice, every acknowledgement of one key the same answer.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from tests.kit.world import World

__all__ = ["ConcurrencyFigures", "send_concurrently", "stored_records"]

MAX_ATTEMPTS = 12


@dataclass
class ConcurrencyFigures:
    clients: int = 0
    batches: int = 0
    events_sent: int = 0  # records put on the wire, retries and duplicates included
    events_acknowledged: int = 0  # records of distinct acknowledged batches
    events_stored: int = 0
    duplicate_deliveries: int = 0
    aborted_connections: int = 0
    short_timeouts: int = 0
    replays: int = 0
    server_errors: int = 0
    problems: list[str] = field(default_factory=list)


def _records(client: int, batch: int, size: int) -> list[dict[str, Any]]:
    return [
        {
            "record_id": f"c{client}-b{batch}-r{k}",
            "window_start": "2024-05-01T00:00:00Z",
            "window_end": "2024-05-01T01:00:00Z",
            "messages": 1 + k % 7,
            "bytes": 100 * (k + 1),
            "succeeded": 1 + k % 7,
        }
        for k in range(size)
    ]


def _hang_up(port: int, path: str, headers: dict[str, str], body: bytes, *, mid_body: bool) -> None:
    """Send the request (all of it, or half the body) and close the socket without reading."""
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode() + (body[: len(body) // 2] if mid_body else body))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST, not FIN


def send_concurrently(world: World, base: str, *, clients: int, batches: int, records: int, seed: int) -> ConcurrencyFigures:
    """Run the clients against ``base`` and hold the database to what was acknowledged."""
    import httpx

    figures = ConcurrencyFigures(clients=clients, batches=clients * batches)
    port = int(base.rsplit(":", 1)[1])
    path = f"/api/v1/links/{world.link_id}/events"
    lock = threading.Lock()
    acknowledged: dict[str, dict[str, Any]] = {}  # idempotency key → the first answer
    answers: dict[str, list[dict[str, Any]]] = {}

    def count(**changes: int) -> None:
        with lock:
            for name, amount in changes.items():
                setattr(figures, name, getattr(figures, name) + amount)

    def client_run(number: int) -> None:
        reporter = "RD" if number % 2 == 0 else "CGD"
        auth = world.bearer(reporter)
        with httpx.Client(base_url=base, timeout=60, headers=auth) as http:
            for b in range(batches):
                key = f"{reporter}-c{number}-b{b}"
                body = json.dumps({"records": _records(number, b, records)}).encode()
                headers = {"Idempotency-Key": key, "Content-Type": "application/json"}
                done: dict[str, Any] | None = None
                for attempt in range(MAX_ATTEMPTS):
                    # one generator per (client, batch, attempt): the faults chosen never depend on timing
                    roll = random.Random(f"{seed}-{number}-{b}-{attempt}").random()
                    count(events_sent=records)
                    if attempt < 2 and roll < 0.12:
                        _hang_up(port, path, {**auth, **headers}, body, mid_body=roll < 0.06)
                        count(aborted_connections=1)
                        continue
                    try:
                        timeout = 0.02 if attempt < 2 and roll < 0.2 else 60
                        if timeout < 1:
                            count(short_timeouts=1)
                        answer = http.post(path, content=body, headers=headers, timeout=timeout)
                    except httpx.TimeoutException:
                        continue  # the first attempt may still commit; the retry must find it
                    except httpx.TransportError:
                        time.sleep(0.05)
                        continue
                    if answer.status_code >= 500:
                        count(server_errors=1)
                        with lock:
                            figures.problems.append(f"{key}: HTTP {answer.status_code} {answer.text[:120]}")
                        time.sleep(0.05)
                        continue
                    if answer.status_code != 201:
                        with lock:
                            figures.problems.append(f"{key}: HTTP {answer.status_code} {answer.text[:160]}")
                        break
                    done = answer.json()
                    if answer.headers.get("Idempotent-Replayed") == "true":
                        count(replays=1)
                    with lock:
                        answers.setdefault(key, []).append(done)
                    break
                if done is None:
                    with lock:
                        figures.problems.append(f"{key}: never acknowledged in {MAX_ATTEMPTS} attempts")
                    continue
                with lock:
                    acknowledged.setdefault(key, done)
                # duplicate deliveries of an acknowledged batch: decided per batch, not by the shared
                # generator, so how many happen does not depend on how many retries timing caused
                roll = random.Random(f"{seed}-{number}-{b}").random()
                if roll < 0.3:
                    same_key = roll < 0.15
                    again = http.post(path, content=body, headers={**headers, "Idempotency-Key": key if same_key else key + "-again"})
                    count(duplicate_deliveries=1, events_sent=records)
                    if again.status_code != 201:
                        with lock:
                            figures.problems.append(f"{key}: duplicate delivery got HTTP {again.status_code}")
                    elif same_key:
                        if again.headers.get("Idempotent-Replayed") != "true":
                            with lock:
                                figures.problems.append(f"{key}: the same key sent again was not answered as a replay")
                        count(replays=1)
                        with lock:
                            answers[key].append(again.json())
                    elif again.json()["accepted"] != 0:
                        with lock:
                            figures.problems.append(f"{key}: a new key for the same records stored {again.json()['accepted']} again")

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client_run, range(clients)))

    for key, seen in answers.items():
        if any(a != seen[0] for a in seen):
            figures.problems.append(f"{key}: the same key was answered differently: {seen}")
    figures.events_acknowledged = sum(a["accepted"] for a in acknowledged.values())
    if figures.events_acknowledged != len(acknowledged) * records:
        figures.problems.append(f"acknowledged batches accepted {figures.events_acknowledged} records, not {len(acknowledged) * records}")
    stored = stored_records(world)
    figures.events_stored = sum(stored.values())
    twice = [r for r, n in stored.items() if n > 1]
    if twice:
        figures.problems.append(f"{len(twice)} records stored more than once, e.g. {twice[:3]}")
    expected = {f"c{k.split('-c', 1)[1].split('-b')[0]}-b{k.rsplit('-b', 1)[1]}-r{i}" for k in acknowledged for i in range(records)}
    lost = expected - set(stored)
    if lost:
        figures.problems.append(f"{len(lost)} acknowledged records are not stored, e.g. {sorted(lost)[:3]}")
    extra = set(stored) - expected
    if extra:
        figures.problems.append(f"{len(extra)} records stored that no acknowledgement covers, e.g. {sorted(extra)[:3]}")
    return figures


def stored_records(world: World) -> Counter[str]:
    """Record id → how many rows hold it, straight from the database."""
    from sqlalchemy import text

    from dxs.registry.db import make_engine

    engine = make_engine(world.url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT record_id, count(*) FROM exchange_events WHERE record_id LIKE 'c%-b%-r%' GROUP BY record_id"))
            return Counter({record_id: n for record_id, n in rows})
    finally:
        engine.dispose()
