"""Anonymous load: 8 clients without a key send the largest documents they may, while an agency declares links.

What an agency must still get: its link declarations answered with p99 under
:data:`P99_LIMIT_MS`, and the server (every process) under :data:`MEMORY_LIMIT_MB`
resident. The anonymous clients do not wait for ``Retry-After`` (an attacker would not):
each sends its next document as soon as the last is answered. Some of them are
refused with 429 (the anonymous budget), none with a 5xx. All traffic is on 127.0.0.1;
every loop is bounded in count and time.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.kit import ROOT
from tests.kit.dxs import Server
from tests.kit.world import LINK, World

__all__ = ["MEMORY_LIMIT_MB", "P99_LIMIT_MS", "AnonLoadFigures", "anonymous_load", "max_size_document"]

P99_LIMIT_MS = 100.0
MEMORY_LIMIT_MB = 500.0
#: The standard the anonymous documents name: JSON, so that parsing and checking them is Python's own work (the GIL's).
STANDARD = "th.dga.dataset-metadata@2.1.0"
MARK = b"load-0000000000"
EXAMPLE = ROOT / "standards" / "th.dga.dataset-metadata" / "2.1.0" / "examples" / "valid" / "community-learning-centres-register.json"


@dataclass
class AnonLoadFigures:
    declarations: int = 0
    quiet_p99_ms: float = 0.0
    loaded_p99_ms: float = 0.0
    loaded_median_ms: float = 0.0
    anonymous_sent: int = 0
    anonymous_validated: int = 0
    anonymous_429: int = 0
    anonymous_413: int = 0
    peak_memory_mb: float = 0.0
    base_memory_mb: float = 0.0
    document_bytes: int = 0
    problems: list[str] = field(default_factory=list)


def max_size_document(size: int) -> bytes:
    """A real dataset description whose resources repeat to fill ``size`` bytes: each one is parsed and checked against the schema."""
    base = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    base["name"] = MARK.decode()  # each request makes it its own (:func:`_numbered`): no cache answers for the validator
    item = base["resources"][0]
    one = len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()) + 1
    base["resources"] = [item] * max(1, (size - len(json.dumps(base, ensure_ascii=False).encode())) // one)
    data = json.dumps(base, ensure_ascii=False, separators=(",", ":")).encode()
    while len(data) > size and len(base["resources"]) > 1:
        base["resources"].pop()
        data = json.dumps(base, ensure_ascii=False, separators=(",", ":")).encode()
    return data + b" " * (size - len(data))


def _numbered(document: bytes, n: int) -> bytes:
    return document.replace(MARK, f"load-{n:010d}".encode(), 1)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("inf")


def _server_memory_mb(pid: int) -> float:
    """Resident memory of the server: the process and all its children (workers), in MB."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / (1024 * 1024)


def _declare(client, world: World, count: int, tag: str) -> list[float]:
    """``count`` link declarations by RD, one after another; their latencies in ms (a failure is infinite)."""
    took = []
    for i in range(count):
        started = time.perf_counter()
        answer = client.post("/api/v1/links", json=LINK | {"purpose": f"{tag} {i}"}, headers=world.bearer("RD"))
        took.append((time.perf_counter() - started) * 1000 if answer.status_code == 201 else float("inf"))
        time.sleep(0.02)
    return took


def anonymous_load(
    world: World, folder: Path, *, clients: int = 8, declarations: int = 200, seconds: float = 60.0, workers: int = 2,
    env: dict[str, str] | None = None,
) -> AnonLoadFigures:
    """Run the scenario on a `dxs serve` over ``world`` (see the module's doc); ``env`` adds to the server's environment."""
    import httpx

    from dxs.registry.limits import anonymous_max_document

    figures = AnonLoadFigures()
    size = int((env or {}).get("DXS_ANON_MAX_DOCUMENT") or anonymous_max_document())
    document = max_size_document(size)
    figures.document_bytes = len(document)
    stop = threading.Event()
    statuses: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    with Server(world.url, world.log_key, workers=workers, log_file=folder / "server.log", env=env) as server:
        figures.base_memory_mb = _server_memory_mb(server.proc.pid)
        with httpx.Client(base_url=server.base, timeout=30) as agency:
            _declare(agency, world, 10, "warm-up")
            quiet = _declare(agency, world, declarations // 2, "quiet")

            def anonymous(who: int) -> None:
                with httpx.Client(base_url=server.base, timeout=60) as client:
                    n = who * 1_000_000
                    while not stop.is_set() and time.monotonic() < deadline:
                        n += 1
                        try:
                            status = client.post(
                                "/api/v1/validate", params={"standard": STANDARD, "name": "big.json"}, content=_numbered(document, n)
                            ).status_code
                        except httpx.HTTPError:
                            status = 0  # the server closed a refused upload mid-send
                        with lock:
                            statuses.append(status)

            peak = [figures.base_memory_mb]

            def watch() -> None:
                while not stop.is_set() and time.monotonic() < deadline + 5:
                    peak[0] = max(peak[0], _server_memory_mb(server.proc.pid))
                    time.sleep(0.1)

            threads = [threading.Thread(target=anonymous, args=(i,)) for i in range(clients)] + [threading.Thread(target=watch)]
            for t in threads:
                t.start()
            try:
                time.sleep(2.0)  # the flood is on before the agency is measured
                loaded = _declare(agency, world, declarations, "loaded")
            finally:
                stop.set()
                for t in threads:
                    t.join(timeout=90)
            # a key sent where it must not be (the query string): refused, and not written to the log
            agency.get("/api/v1/links", params={"key": world.keys["RD"]})
        figures.peak_memory_mb = peak[0]
        log_text = server.output()
    figures.declarations = len(quiet) + len(loaded)
    figures.quiet_p99_ms = _p(quiet, 0.99)
    figures.loaded_p99_ms = _p(loaded, 0.99)
    figures.loaded_median_ms = statistics.median(loaded) if loaded else float("inf")
    figures.anonymous_sent = len(statuses)
    figures.anonymous_validated = statuses.count(200)
    figures.anonymous_429 = statuses.count(429)
    figures.anonymous_413 = statuses.count(413)
    if any(t == float("inf") for t in quiet + loaded):
        figures.problems.append(f"anonymous load: {sum(t == float('inf') for t in quiet + loaded)} link declarations failed")
    if figures.loaded_p99_ms >= P99_LIMIT_MS:
        figures.problems.append(f"anonymous load: link declarations p99 {figures.loaded_p99_ms:.0f} ms (limit {P99_LIMIT_MS:.0f} ms)")
    if figures.peak_memory_mb >= MEMORY_LIMIT_MB:
        figures.problems.append(f"anonymous load: the server reached {figures.peak_memory_mb:.0f} MB (limit {MEMORY_LIMIT_MB:.0f} MB)")
    if not figures.anonymous_429:
        figures.problems.append("anonymous load: no anonymous request was refused with 429")
    if any(s >= 500 for s in statuses):
        figures.problems.append(f"anonymous load: {sum(s >= 500 for s in statuses)} anonymous requests got a 5xx")
    from .leaks import key_leaks, key_shapes

    leaked = key_leaks(log_text, world.secrets)
    if leaked or key_shapes(log_text):
        figures.problems.append(f"anonymous load: a key is in the server's log: {leaked or key_shapes(log_text)}")
    if "Traceback" in log_text:
        figures.problems.append("anonymous load: the server logged a traceback")
    return figures
