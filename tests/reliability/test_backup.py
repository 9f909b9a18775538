"""`dxs registry export` / `import`: SQLite → PostgreSQL → SQLite, the same registry every time."""

from __future__ import annotations

import pytest

from tests.stress.backup_check import round_trip
from tests.stress.tamper import populate


@pytest.mark.slow
def test_a_populated_registry_round_trips_through_postgresql(sqlite_world, postgres_url, tmp_path):
    populate(sqlite_world)
    figures = round_trip(sqlite_world, tmp_path, postgres_url)
    assert figures.problems == [], "\n".join(figures.problems)
    assert figures.copies == 2 and figures.identical and figures.rows > 20
    assert figures.refusals == 3
