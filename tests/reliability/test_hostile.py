"""Hostile documents through the CLI, the library, the API and the upload form; oversized and slow requests."""

from __future__ import annotations

import pytest

from tests.stress.hostile import HOSTILE, MEMORY_LIMIT_MB, HostileFigures, through_cli, through_library, through_server


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
    others = through_server(figures, sqlite_world, tmp_path / "server.log", idle=1.5, total=4, head=3)
    assert figures.problems == [], "\n".join(figures.problems)
    assert figures.tried == figures.answered == 2 * len(HOSTILE) + 6 + 3
    assert others["others_served"] > 20
    assert figures.peak_memory_mb < MEMORY_LIMIT_MB
