"""Indicators speed: ``GET /api/v1/indicators`` over 1,000,000 events, 5,000 agencies, 20,000 links.

Target (issue 7): the indicators endpoint answers in under one second on PostgreSQL and
on SQLite (the aggregation runs in SQL). The rows are bulk-loaded straight into the
tables (COPY on PostgreSQL, executemany on SQLite) — this measures the query, not
ingestion, which the registry benchmark covers — after one agency registered through
the service, so the log has a signed checkpoint that covers every event. Timings are
through HTTP against a real ``dxs serve`` on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from pathlib import Path

import httpx

from bench._common import WORK, fresh_sqlite, scratch_postgres, table, write_section
from bench.bench_registry import _server

AGENCIES, LINKS, EVENTS = 5_000, 20_000, 1_000_000
TARGET_SECONDS = 1.0
REPEAT = 5
from dxs.validator.sectors import SECTORS  # noqa: E402  (the catalog's vocabulary)


def _rows(catalog) -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    """Agencies, links, events and the agencies' sector rows as driver rows (ids from 2: agency 1 is the one made through the service)."""
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    versions = [v for v in catalog.versions() if v.is_announced and v.announced]
    agencies = [(i, f"B{i:05d}", f"หน่วยงาน {i}", f"Agency {i}", SECTORS[i % len(SECTORS)], "active", now, 0, "ministry-department", SINCE)
                for i in range(2, AGENCIES + 2)]
    sectors = [(i, SECTORS[i % len(SECTORS)], SINCE, 0) for i in range(2, AGENCIES + 2)]
    links = []
    for i in range(1, LINKS + 1):
        v = rng.choice(versions)
        provider, consumer = rng.sample(range(2, AGENCIES + 2), 2)
        start = max(v.announced, dt.date(2017, 1, 1)) + dt.timedelta(days=rng.randint(0, 900))
        end = start + dt.timedelta(days=rng.randint(200, 2000)) if rng.random() < 0.2 else None
        links.append((i, provider, consumer, v.standard_id, v.version, "bench", "", "ended" if end else "active", start, end, 1, now, now, 0))
    events = []
    per_link = EVENTS // LINKS
    for n in range(EVENTS):
        link = links[n % LINKS]
        start = dt.datetime.combine(link[8], dt.time(1), dt.UTC) + dt.timedelta(days=7 * (n // LINKS) + rng.randint(0, 6))
        events.append((link[0], link[1], "provider", f"r{n}", start, start + dt.timedelta(hours=1), 10, 1000, 10, 0, 10, 0, now, 0))
    assert len(events) == per_link * LINKS
    return agencies, links, events, sectors


SINCE = dt.date(2016, 10, 1)  # every bench agency exists over every period counted
AGENCY_COLUMNS = "id, code, name_th, name_en, sector, status, created_at, log_seq, kind, registered_on"
SECTOR_COLUMNS = "agency_id, sector, since, log_seq"
LINK_COLUMNS = ("id, provider_id, consumer_id, standard_id, standard_version, purpose, legal_basis, status, start_date, end_date, "
                "revision, created_at, updated_at, log_seq")
EVENT_COLUMNS = "link_id, reporter_id, side, record_id, window_start, window_end, messages, bytes, succeeded, failed, valid, invalid, received_at, log_seq"


def _load_sqlite(path: Path, rows: tuple[list, list, list, list]) -> float:
    import sqlite3

    def text(value: object) -> object:
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return value.isoformat() if isinstance(value, dt.date) else value

    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for name, columns, data in (("agencies", AGENCY_COLUMNS, rows[0]), ("agency_sectors", SECTOR_COLUMNS, rows[3]), ("exchange_links", LINK_COLUMNS, rows[1]), ("exchange_events", EVENT_COLUMNS, rows[2])):
        marks = ", ".join("?" for _ in columns.split(","))
        conn.executemany(f"INSERT INTO {name} ({columns}) VALUES ({marks})", ([text(v) for v in row] for row in data))
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - started


def _load_postgres(url: str, rows: tuple[list, list, list, list]) -> float:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for name, columns, data in (("agencies", AGENCY_COLUMNS, rows[0]), ("agency_sectors", SECTOR_COLUMNS, rows[3]), ("exchange_links", LINK_COLUMNS, rows[1]), ("exchange_events", EVENT_COLUMNS, rows[2])):
            with cur.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        conn.commit()
        conn.autocommit = True
        # the steady state of a registry, not the minutes after a bulk load: otherwise autovacuum's pass
        # over the million new rows runs during the timings, on the same two cores
        cur.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def _prepare(url: str, key_file: Path, catalog, rows, load) -> float:
    from dxs.registry import admin
    from dxs.registry.api_models import AgencyCreate

    admin.migrate(url)
    admin.create_agency(url, key_file, AgencyCreate(code="OFFICE", name_th="สำนักงาน", name_en="Office", sector="statistics", kind="ministry-department"))
    return load(rows)


def _time(base: str, path: str, params: dict) -> tuple[float, float, dict]:
    with httpx.Client(base_url=base, timeout=120) as client:
        first = client.get(path, params=params)
        first.raise_for_status()
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            client.get(path, params=params).raise_for_status()
            times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), first.json()


def _measure(name: str, url: str, key_file: Path, catalog, rows, load, workers: int) -> list[list[object]]:
    loaded = _prepare(url, key_file, catalog, rows, load)
    out = []
    with _server(url, key_file, workers) as (base, _pid):
        for label, path, params in (
            ("`GET /api/v1/indicators?year=2024`", "/api/v1/indicators", {"year": 2024}),
            ("`… ?year=2564&fiscal=true`", "/api/v1/indicators", {"year": 2564, "fiscal": "true"}),
            ("`GET /api/v1/indicators/sectors/health?year=2024`", "/api/v1/indicators/sectors/health", {"year": 2024}),
            ("`GET /api/v1/indicators/trend` (2017–2026)", "/api/v1/indicators/trend", {}),
        ):
            best, median, body = _time(base, path, params)
            ok = "yes" if median < TARGET_SECONDS else "**no**"
            out.append([name, label, f"{best * 1000:.0f}", f"{median * 1000:.0f}", ok])
            print(f"{name} {path} {params}: best {best * 1000:.0f} ms, median {median * 1000:.0f} ms")
            if path == "/api/v1/indicators":
                health = next(s for s in body["indicator16"]["sectors"] if s["sector"] == "health")
                print(f"  health: {health['agencies']} agencies, declared {health['declared']}, observed {health['observed']}")
    print(f"{name}: loaded in {loaded:.1f} s")
    return out


def main() -> str:
    from dxs.validator import catalog_folders, load_catalog

    WORK.mkdir(exist_ok=True)
    catalog = load_catalog(catalog_folders())
    rows = _rows(catalog)
    key_file = WORK / "indicators-log.key"
    results: list[list[object]] = []
    sqlite_file = fresh_sqlite("indicators-bench.sqlite")
    results += _measure("SQLite", f"sqlite:///{sqlite_file}", key_file, catalog, rows, lambda r: _load_sqlite(sqlite_file, r), 1)
    with scratch_postgres("indicators") as url:
        if url is None:
            results.append(["PostgreSQL", "not reachable", "", "", "not measured"])
        else:
            results += _measure("PostgreSQL", url, key_file, catalog, rows, lambda r: _load_postgres(url, r), 2)
    body = (
        f"{EVENTS:,} event records, {AGENCIES:,} agencies in {len(SECTORS)} sectors, {LINKS:,} links over the catalog's "
        "announced versions (20% ended), bulk-loaded, then timed through HTTP to a real `dxs serve` on 127.0.0.1 "
        f"(best and median of {REPEAT} after one warm-up request). Target: under {TARGET_SECONDS:.0f} s.\n\n"
        + table(["database", "request", "best ms", "median ms", "under 1 s"], results)
        + "\n\n**What it costs.** Indicator 16 counts a party as exchanging only on its own reports, so each link in "
        "force in a year is probed once per side: an index-only seek on `(link_id, reporter_id, window_start, messages, "
        "log_seq)` that stops at the first record. A year is one statement (some 15,000 narrow rows here: two party "
        "ids, the standard's position, which sides reported), then the parties as they stood that year (read once per "
        "request) are tallied in Python. The trend repeats this for each of its 10 years; before parties needed their "
        "own evidence (issue 16) it was one probe per link and the tally ran in SQL (trend 0.59 s on SQLite), the first "
        "version of the own-evidence count took 2.2 s. PostgreSQL is measured after `VACUUM ANALYZE`, the steady "
        "state of a registry: right after a bulk load, autovacuum's pass over the new rows ran during the timings."
    )
    write_section("Indicators", body)
    return body
