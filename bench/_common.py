"""What every benchmark shares: timing, scratch databases, and docs/performance.md.

Each benchmark module ``bench/bench_*.py`` has a ``main() -> str`` that runs its
measurements and returns a Markdown section; :func:`write_section` replaces that
section in docs/performance.md so the file always holds the latest run. What the
tests share too (PostgreSQL, the machine's description, a running server) comes from
:mod:`tests.kit`, which never imports ``bench``.
"""

from __future__ import annotations

import re
import resource
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.kit import ROOT
from tests.kit.postgres import postgres_database, postgres_problem

PERFORMANCE_MD = ROOT / "docs" / "performance.md"
WORK = ROOT / ".bench"  # generated inputs; ignored by git


def fresh_sqlite(name: str) -> Path:
    """A SQLite file under .bench/ that does not exist yet (an earlier run's, with its WAL, removed)."""
    path = WORK / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


@contextmanager
def scratch_postgres(tag: str) -> Iterator[str | None]:
    """A new empty database on the test PostgreSQL server, dropped afterwards; ``None`` (and why,
    printed) when no server answers, so that the benchmark's PostgreSQL rows say "not measured"."""
    problem = postgres_problem()
    if problem is not None:
        print(f"PostgreSQL not measured: {problem}")
        yield None
        return
    with postgres_database(f"bench_{tag}") as url:
        yield url


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """The fastest of ``repeat`` wall-clock timings of ``fn()``, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def best_of_each(repeat: int, *fns: Callable[[], object]) -> list[float]:
    """The fastest of ``repeat`` timings of each of ``fns``, taken in turn so that a slow spell of the machine falls on all of them alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - started)
    return best


def run_timed(cmd: list[str], **kwargs) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run a command; return (seconds, peak RSS of the child in KiB, result)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, **kwargs)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before), result


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(name: str, body: str) -> None:
    """Replace (or add) the ``## name`` section of docs/performance.md."""
    text = PERFORMANCE_MD.read_text(encoding="utf-8") if PERFORMANCE_MD.exists() else "# Performance\n"
    section = f"## {name}\n\n{body.strip()}\n\n"
    pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    PERFORMANCE_MD.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
