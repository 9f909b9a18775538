"""Hostile documents through the CLI, the library, the API and the upload form; oversized and slow requests."""

from __future__ import annotations

import pytest

from stress._world import Server
from stress.hostile import HOSTILE, MEMORY_LIMIT_MB, HostileFigures, oversized, server_memory_mb, slow_clients, through_api, through_cli, through_library


def test_library_and_cli_answer_every_hostile_document_in_time():
    figures = HostileFigures()
    through_library(figures)
    through_cli(figures)
    assert figures.problems == []
    assert figures.tried == figures.answered == 2 * len(HOSTILE)
    assert figures.peak_memory_mb < MEMORY_LIMIT_MB


@pytest.mark.slow
def test_the_service_answers_hostile_oversized_and_slow_requests_and_keeps_serving(sqlite_world, tmp_path):
    figures = HostileFigures()
    timeouts = {"DXS_BODY_IDLE_TIMEOUT": "1.5", "DXS_BODY_TIMEOUT": "4", "DXS_HEAD_TIMEOUT": "3"}
    with Server(sqlite_world.url, sqlite_world.log_key, log_file=tmp_path / "server.log", env=timeouts) as server:
        through_api(figures, server.base, server_memory_mb(server.proc.pid))
        oversized(figures, server.base, sqlite_world.bearer("RD"), sqlite_world.link_id)
        others = slow_clients(figures, server.base, idle=1.5, total=4, head=3)
    assert figures.problems == [], "\n".join(figures.problems)
    assert figures.tried == figures.answered == 2 * len(HOSTILE) + 6 + 3
    assert others["others_served"] > 20
    assert figures.peak_memory_mb < MEMORY_LIMIT_MB
