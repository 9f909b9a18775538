"""Every table × {update, delete, reorder} behind the service's back: `dxs registry verify` names the first bad entry."""

from __future__ import annotations

import pytest

from tests.stress.tamper import CASES, tamper_matrix

def test_the_cases_cover_every_table_and_every_kind_of_change():
    for action in ("updated", "deleted", "reordered"):
        assert sum(action in name for name in CASES) == 6  # log entries, agencies, keys, links, link revisions, events


def test_every_tampering_is_named_on_sqlite(sqlite_world, tmp_path):
    figures = tamper_matrix(sqlite_world, tmp_path, via_cli=False)
    assert figures.problems == [], "\n".join(figures.problems)
    assert figures.detected == figures.cases == len(CASES)


@pytest.mark.slow
def test_every_tampering_is_named_on_postgresql_through_the_command(postgres_world, tmp_path):
    figures = tamper_matrix(postgres_world, tmp_path, via_cli=True)
    assert figures.problems == [], "\n".join(figures.problems)
    assert figures.detected == figures.cases == len(CASES)
