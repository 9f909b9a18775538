"""`make stress` (`python -m tests.stress.run`): every reliability scenario at full size; prints the figures, writes docs/reliability.md.

Each scenario is bounded in count and time; all traffic is on 127.0.0.1. PostgreSQL
(127.0.0.1:5432, user postgres) is required: the concurrency, crash, tamper and
backup scenarios run on it.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from tests.kit import ROOT
from tests.kit.dxs import Server
from tests.kit.machine import machine
from tests.kit.postgres import postgres_database, postgres_problem, scratch_database
from tests.kit.world import app_for, seed

RELIABILITY_MD = ROOT / "docs" / "reliability.md"
SEED = 20240501


def _table(rows: list[tuple[str, object]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


def main() -> int:
    problem = postgres_problem()
    if problem:
        print(f"PostgreSQL is needed on 127.0.0.1:5432: {problem}")
        return 2
    from .authz import run_matrix
    from .backup_check import round_trip
    from .concurrency import send_concurrently
    from .crashes import crash_and_recover
    from .fuzz import fuzz_app
    from .hostile import HostileFigures, through_cli, through_library, through_server
    from .tamper import CASES, populate, tamper_matrix

    started = time.monotonic()
    figures: dict[str, object] = {}
    problems: list[str] = []
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="dxs-stress-") as tmp:
        work = Path(tmp)

        def section(name: str) -> Path:
            folder = work / name
            folder.mkdir()
            print(f"== {name}", flush=True)
            timings[name] = time.monotonic()
            return folder

        def done(name: str) -> None:
            timings[name] = time.monotonic() - timings[name]

        # ------------------------------------------------------------------ fuzzing
        folder = section("fuzzing")
        world = seed(f"sqlite:///{folder / 'r.sqlite'}", folder / "log.key")
        fuzzed = fuzz_app(app_for(world), world, examples=10, seed=SEED)
        figures.update(requests=fuzzed.requests, server_errors=fuzzed.server_errors, schema_violations=fuzzed.schema_violations, leaks=fuzzed.leaks, operations=fuzzed.operations)
        problems += fuzzed.problems
        done("fuzzing")

        # ------------------------------------------------------------------ authorisation
        folder = section("authorisation")
        world = seed(f"sqlite:///{folder / 'r.sqlite'}", folder / "log.key")
        import httpx
        from .leaks import key_leaks

        with Server(world.url, world.log_key, log_file=folder / "server.log", env={"DXS_LOG_LEVEL": "debug"}) as server, httpx.Client(base_url=server.base, timeout=30) as client:
            authz = run_matrix(client, world)
        logged = key_leaks(server.output(), world.secrets)
        figures.update(auth_cells=authz.cells, auth_correct=authz.correct, keys_in_logs=len(logged))
        problems += authz.problems + [f"a key is in the server's log: {k}" for k in logged]
        done("authorisation")

        # ------------------------------------------------------------------ hostile input
        folder = section("hostile input")
        hostile = HostileFigures()
        through_library(hostile)
        through_cli(hostile)
        world = seed(f"sqlite:///{folder / 'r.sqlite'}", folder / "log.key")
        others = through_server(hostile, world, folder / "server.log", idle=2, total=6, head=4)
        figures.update(hostile_tried=hostile.tried, hostile_answered=hostile.answered, hostile_slowest=hostile.slowest, hostile_memory=hostile.peak_memory_mb, others_served=others["others_served"], others_slowest=others["others_slowest"])
        problems += hostile.problems
        done("hostile input")

        # ------------------------------------------------------------------ anonymous load
        folder = section("anonymous load")
        from .anon_load import anonymous_load

        with postgres_database("anonload") as url:
            world = seed(url, folder / "log.key")
            anon = anonymous_load(world, folder, clients=8, declarations=200, seconds=60, workers=2)
        figures.update(
            anon_p99=anon.loaded_p99_ms, anon_median=anon.loaded_median_ms, anon_quiet_p99=anon.quiet_p99_ms, anon_declared=anon.declarations,
            anon_memory=anon.peak_memory_mb, anon_idle_memory=anon.base_memory_mb, anon_sent=anon.anonymous_sent,
            anon_validated=anon.anonymous_validated, anon_429=anon.anonymous_429, anon_bytes=anon.document_bytes,
        )
        problems += anon.problems
        done("anonymous load")

        # ------------------------------------------------------------------ concurrency
        folder = section("concurrency")
        with postgres_database("stress") as url:
            world = seed(url, folder / "log.key")
            with Server(url, world.log_key, workers=2, log_file=folder / "server.log") as server:
                racing = send_concurrently(world, server.base, clients=32, batches=12, records=200, seed=SEED)
            from dxs.registry import admin

            verified = admin.verify(url, log_key=world.log_key)
            if not verified.ok:
                problems.append(f"concurrency: verify failed: {verified.findings[:3]}")
            if "Traceback" in server.output():
                problems.append("concurrency: the server logged a traceback")
        figures.update(
            events_sent=racing.events_sent, events_acknowledged=racing.events_acknowledged, events_stored=racing.events_stored,
            duplicates=racing.duplicate_deliveries, aborted=racing.aborted_connections, short_timeouts=racing.short_timeouts,
            replays=racing.replays, concurrency_5xx=racing.server_errors, batches=racing.batches,
        )
        problems += racing.problems
        done("concurrency")

        # ------------------------------------------------------------------ crashes
        folder = section("crashes")
        crashes = survived = acked = 0
        for kind in ("sqlite", "postgresql"):
            sub = folder / kind
            sub.mkdir()
            with scratch_database(kind, sub, "crash") as url:
                world = seed(url, sub / "log.key")
                crashed = crash_and_recover(world, sub, rounds=5, clients=6, records=200, seed=SEED, workers=1 if kind == "sqlite" else 2)
            crashes += crashed.crashes
            survived += crashed.survived
            acked += crashed.batches_acknowledged
            problems += [f"crashes ({kind}): {p}" for p in crashed.problems]
        figures.update(crashes=crashes, crashes_survived=survived, crash_batches=acked)
        done("crashes")

        # ------------------------------------------------------------------ tampering
        folder = section("tampering")
        detected = cases = 0
        for kind in ("sqlite", "postgresql"):
            sub = folder / kind
            sub.mkdir()
            with scratch_database(kind, sub, "tamper") as url:
                world = seed(url, sub / "log.key")
                populate(world)
                tampered = tamper_matrix(world, sub, via_cli=True)
            detected += tampered.detected
            cases += tampered.cases
            problems += [f"tampering ({kind}): {p}" for p in tampered.problems]
        figures.update(tamper_cases=cases, tamper_detected=detected, tamper_kinds=len(CASES))
        done("tampering")

        # ------------------------------------------------------------------ backup
        folder = section("backup")
        world = seed(f"sqlite:///{folder / 'r.sqlite'}", folder / "log.key")
        populate(world)
        with postgres_database("backup") as url:
            backup = round_trip(world, folder, url)
        figures.update(backup_copies=backup.copies, backup_rows=backup.rows, backup_identical=backup.identical, backup_refusals=backup.refusals)
        problems += backup.problems
        done("backup")

    elapsed = time.monotonic() - started
    rows = [
        ("requests tried (fuzzing, every operation × 4 callers)", f"{figures['requests']:,}"),
        ("5xx answers", figures["server_errors"]),
        ("schema violations", figures["schema_violations"]),
        ("keys, SQL, paths or traces leaked", f"{figures['leaks']} in answers, {figures['keys_in_logs']} keys in the server log"),
        ("authorisation cells correct", f"{figures['auth_correct']} of {figures['auth_cells']}"),
        ("hostile inputs tried / answered", f"{figures['hostile_tried']} / {figures['hostile_answered']} (slowest {figures['hostile_slowest']:.2f} s, peak {figures['hostile_memory']:.0f} MB)"),
        ("others served meanwhile", f"{figures['others_served']} requests, slowest {figures['others_slowest'] * 1000:.0f} ms"),
        ("link declarations under anonymous load (8 clients, largest anonymous documents)", f"p99 {figures['anon_p99']:.0f} ms, median {figures['anon_median']:.0f} ms (quiet: p99 {figures['anon_quiet_p99']:.0f} ms; {figures['anon_declared']} declared)"),
        ("server memory under anonymous load", f"peak {figures['anon_memory']:.0f} MB (idle {figures['anon_idle_memory']:.0f} MB), documents of {figures['anon_bytes']:,} bytes"),
        ("anonymous validations: sent / validated / refused 429", f"{figures['anon_sent']:,} / {figures['anon_validated']:,} / {figures['anon_429']:,}"),
        ("events sent / acknowledged / stored", f"{figures['events_sent']:,} / {figures['events_acknowledged']:,} / {figures['events_stored']:,}"),
        ("duplicates delivered", f"{figures['duplicates']} (+ {figures['aborted']} aborted connections, {figures['short_timeouts']} impatient retries, {figures['replays']} replays)"),
        ("crashes survived", f"{figures['crashes_survived']} of {figures['crashes']} SIGKILLs ({figures['crash_batches']} batches acknowledged)"),
        ("tamper cases detected", f"{figures['tamper_detected']} of {figures['tamper_cases']}"),
        ("backup round trip", f"{figures['backup_copies']} copies, {figures['backup_rows']} rows, identical: {figures['backup_identical']}, {figures['backup_refusals']} of 3 bad imports refused"),
        ("problems", len(problems)),
    ]
    print("\nFigures")
    print(_table(rows))
    for p in problems[:40]:
        print(f"  PROBLEM  {p}")
    _write_markdown(rows, problems, timings, elapsed, machine())
    return 0 if not problems else 1


def _write_markdown(rows: list[tuple[str, object]], problems: list[str], timings: dict[str, float], elapsed: float, host: str) -> None:
    table = "| figure | value |\n|---|---|\n" + "\n".join(f"| {name} | {value} |" for name, value in rows)
    took = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items())
    text = RELIABILITY_MD.read_text(encoding="utf-8") if RELIABILITY_MD.exists() else ""
    head, marker, _ = text.partition("## Latest run")
    if not marker:
        head = text or "# Reliability\n\n"
    latest = (
        f"## Latest run\n\n{dt.date.today().isoformat()} on {host}; {elapsed:.0f} s in all ({took}).\n\n{table}\n"
        + ("\nProblems found:\n\n" + "\n".join(f"- {p}" for p in problems[:40]) + "\n" if problems else "\nNo problems found.\n")
    )
    RELIABILITY_MD.write_text(head.rstrip("\n") + "\n\n" + latest, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:]:  # it takes no arguments: `--help` (or anything) says what it does
        print(__doc__)
        sys.exit(0 if sys.argv[1:] in (["-h"], ["--help"]) else 2)
    sys.exit(main())
