"""`dxs serve --workers N`: several processes on one database, nothing lost, log intact."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from dxs.registry import admin
from dxs.registry.api_models import AgencyCreate
from tests.kit.dxs import Server


@pytest.mark.slow
def test_two_workers_share_one_database(fresh_db_url, tmp_path):
    key_file = tmp_path / "log.key"
    if not fresh_db_url.startswith("sqlite"):
        admin.migrate(fresh_db_url)  # only a new SQLite file is migrated by `serve` itself
    server = Server(fresh_db_url, key_file, workers=2, log_file=tmp_path / "serve.log", env={"DXS_LOG_LEVEL": "warning"}).start()
    base = server.base
    try:
        for code in ("RD", "CGD"):
            admin.create_agency(fresh_db_url, key_file, AgencyCreate(code=code, name_th=code, name_en=code, sector="finance", kind="ministry-department"))
        rd = {"Authorization": "Bearer " + admin.create_key(fresh_db_url, key_file, agency="RD", office=False, label="")[1]}
        link = {"provider": "RD", "consumer": "CGD", "standard": "th.etda.e-tax-invoice-receipt.tax-invoice", "version": "2.1.0", "purpose": "p", "start_date": "2024-01-01"}

        def work(i: int) -> tuple[int, int]:
            with httpx.Client(base_url=base, headers=rd, timeout=30) as c:
                made = c.post("/api/v1/links", json=link)
                recs = [{"record_id": f"{i}-{j}", "window_start": "2024-05-01T00:00:00Z", "window_end": "2024-05-01T01:00:00Z", "messages": 1} for j in range(50)]
                sent = c.post(f"/api/v1/links/{made.json()['id']}/events", json={"records": recs}, headers={"Idempotency-Key": f"k{i}"})
                return made.status_code, sent.status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(work, range(24)))
        assert statuses == [(201, 201)] * 24
        report = admin.verify(fresh_db_url, log_key=key_file)
        assert report.ok, report.findings
        assert report.entries == 2 + 1 + 24 * 2
    finally:
        server.stop()
    assert "workers: 2" in server.output()


@pytest.mark.slow
def test_workers_get_connections_in_turn(tmp_path):
    """Sixteen clients connecting at once are shared out evenly, not left to whichever worker woke first."""
    import socket
    import time

    import psutil

    server = Server(f"sqlite:///{tmp_path / 'r.sqlite'}", tmp_path / "log.key", workers=2, log_file=tmp_path / "serve.log").start()
    try:
        clients = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(16)]

        def held() -> list[int]:
            children = psutil.Process(server.proc.pid).children()  # the workers (and multiprocessing's helper)
            return sorted(len([c for c in p.net_connections("tcp") if c.status == "ESTABLISHED"]) for p in children)

        # the server answers once one worker is up; the other may still be starting (a busy CI
        # machine): its share waits in its channel until it takes them, so give it time to
        deadline = time.monotonic() + 15
        while held()[-2:] != [8, 8] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert held()[-2:] == [8, 8], held()
        for c in clients:
            c.close()
    finally:
        server.stop()


def test_a_taken_port_is_a_clear_error(tmp_path):
    import socket
    import subprocess
    import sys

    from tests.conftest import ROOT

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        got = subprocess.run(
            [sys.executable, "-m", "dxs.cli", "serve", "--port", str(port), "--workers", "2", "--database", f"sqlite:///{tmp_path / 'r.sqlite'}"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
    assert got.returncode == 2 and f"cannot listen on 127.0.0.1:{port}: Address already in use" in got.stderr, got.stderr[-500:]
