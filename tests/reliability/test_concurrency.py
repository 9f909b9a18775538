"""Clients racing to send event batches to two workers on PostgreSQL: nothing lost, nothing twice."""

from __future__ import annotations

import pytest

from dxs.registry import admin
from tests.kit.dxs import Server
from tests.stress.concurrency import send_concurrently


@pytest.mark.slow
def test_what_was_acknowledged_is_stored_exactly_once(postgres_world, tmp_path):
    with Server(postgres_world.url, postgres_world.log_key, workers=2, log_file=tmp_path / "server.log") as server:
        figures = send_concurrently(postgres_world, server.base, clients=8, batches=4, records=50, seed=8)
    assert figures.problems == [], "\n".join(figures.problems[:20])
    assert figures.events_acknowledged == figures.events_stored == 8 * 4 * 50
    assert figures.aborted_connections and figures.duplicate_deliveries and figures.replays
    assert figures.server_errors == 0 and "Traceback" not in server.output()
    report = admin.verify(postgres_world.url, log_key=postgres_world.log_key)
    assert report.ok, report.findings
