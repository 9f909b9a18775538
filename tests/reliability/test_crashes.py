"""The server killed with SIGKILL mid-ingestion, several times: acknowledged batches survive whole."""

from __future__ import annotations

import pytest

from tests.stress.crashes import crash_and_recover


@pytest.mark.slow
def test_acknowledged_batches_survive_sigkill(sqlite_world, tmp_path):
    figures = crash_and_recover(sqlite_world, tmp_path, rounds=3, clients=4, records=200, seed=3)
    assert figures.problems == [], "\n".join(figures.problems[:20])
    assert figures.crashes == figures.survived == 3
    assert figures.batches_acknowledged > 10
