"""SIGKILL in the middle of ingestion, again and again: nothing acknowledged lost, nothing half-stored.

Each round starts `dxs serve`, first resends every batch not yet acknowledged (same
``Idempotency-Key``: what was committed before the crash comes back as the stored
answer), lets clients send new batches, and kills the whole server with SIGKILL at a
random moment. At the end every acknowledged batch must be stored whole, no batch
partly, and `dxs registry verify` (run as a separate command) must pass.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.kit.dxs import Server, dxs
from tests.kit.world import World

__all__ = ["CrashFigures", "crash_and_recover"]


@dataclass
class CrashFigures:
    crashes: int = 0
    survived: int = 0
    batches_acknowledged: int = 0
    batches_replayed_after_crash: int = 0
    problems: list[str] = field(default_factory=list)


def _batch(key: str, size: int) -> bytes:
    records = [
        {"record_id": f"{key}-r{k}", "window_start": "2024-06-01T00:00:00Z", "window_end": "2024-06-01T01:00:00Z", "messages": 1}
        for k in range(size)
    ]
    return json.dumps({"records": records}).encode()


def crash_and_recover(world: World, folder: Path, *, rounds: int, clients: int, records: int, seed: int, workers: int = 1) -> CrashFigures:
    """Run ``rounds`` of ingest-then-SIGKILL against ``world``; return what held."""
    import httpx

    rng = random.Random(seed)
    figures = CrashFigures()
    path = f"/api/v1/links/{world.link_id}/events"
    acked: dict[str, int] = {}  # key → records the acknowledgement accepted
    pending: set[str] = set()  # sent, not (yet) acknowledged
    lock = threading.Lock()
    serial = iter(range(10**9))

    def send(http: httpx.Client, key: str) -> bool:
        try:
            answer = http.post(path, content=_batch(key, records), headers={"Idempotency-Key": key, "Content-Type": "application/json"})
        except httpx.HTTPError:
            return False  # the server died under us: the batch stays pending
        if answer.status_code == 201:
            with lock:
                acked[key] = answer.json()["accepted"]
                pending.discard(key)
                if answer.headers.get("Idempotent-Replayed") == "true":
                    figures.batches_replayed_after_crash += 1
            return True
        with lock:
            figures.problems.append(f"{key}: HTTP {answer.status_code} {answer.text[:120]}")
        return False

    for round_number in range(rounds + 1):
        last = round_number == rounds
        server = Server(world.url, world.log_key, workers=workers, log_file=folder / f"server-{round_number}.log").start()
        stop = threading.Event()
        with httpx.Client(base_url=server.base, timeout=30, headers=world.bearer("RD")) as http:
            for key in sorted(pending):  # recovery: resend what was never acknowledged
                if not send(http, key):
                    figures.problems.append(f"{key}: not acknowledged after restart {round_number}")
        if last:
            server.stop()
            break

        def client_loop(number: int) -> None:
            with httpx.Client(base_url=server.base, timeout=30, headers=world.bearer("RD")) as http:
                while not stop.is_set():
                    key = f"crash{round_number}-c{number}-{next(serial)}"
                    with lock:
                        pending.add(key)
                    if not send(http, key):
                        return

        threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.3, 1.5))  # a random point in the middle of ingestion
        server.kill()
        figures.crashes += 1
        stop.set()
        for t in threads:
            t.join(timeout=60)
        figures.survived += 1  # counted again below if the end state does not hold

    stored = stored_records_by_batch(world, records)
    for key, accepted in acked.items():
        if stored.get(key, 0) != records or accepted != records:
            figures.problems.append(f"{key}: acknowledged ({accepted} accepted) but {stored.get(key, 0)} of {records} records stored")
    half = [key for key, n in stored.items() if n not in (0, records)]
    if half:
        figures.problems.append(f"{len(half)} batches half-stored, e.g. {half[:3]}")
    verify = dxs("registry", "verify", "--database", world.url, "--log-key", str(world.log_key), timeout=300)
    if verify.returncode != 0:
        figures.problems.append(f"dxs registry verify failed: {verify.stdout[-500:]} {verify.stderr[-300:]}")
    if figures.problems:
        figures.survived = 0
    figures.batches_acknowledged = len(acked)
    return figures


def stored_records_by_batch(world: World, records: int) -> dict[str, int]:
    """Batch key → records stored for it."""
    from sqlalchemy import text

    from dxs.registry.db import make_engine

    engine = make_engine(world.url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT record_id FROM exchange_events WHERE record_id LIKE 'crash%'"))
            counts: dict[str, int] = {}
            for (record_id,) in rows:
                key = record_id.rsplit("-r", 1)[0]
                counts[key] = counts.get(key, 0) + 1
            return counts
    finally:
        engine.dispose()

