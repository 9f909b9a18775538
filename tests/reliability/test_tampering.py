"""Every table × {update, delete, reorder} behind the service's back, and every column the service serves or
relies on: `dxs registry verify` names the first bad entry (and the table, row and column, for a column)."""

from __future__ import annotations

import pytest

from tests.stress.tamper import CASES, tamper_matrix


def test_the_cases_cover_every_table_and_every_kind_of_change():
    for action in ("updated", "deleted", "reordered"):
        assert sum(action in name for name in CASES) >= 6  # log entries, agencies, keys, links, link revisions, events


def test_the_cases_cover_every_column_verify_was_missing():
    """Link revisions' actor, change and time, the log head's frontier, events' received_at and the stored
    idempotent answers each have a case that must name the column."""
    for case in (
        "link revision actor forged", "link revision change relabelled", "link revision time moved", "log head frontier changed",
        "event received_at moved", "idempotent answer edited", "idempotent status edited", "idempotent request hash edited",
        "idempotent answer time moved", "idempotent answer removed", "idempotent answer planted",
    ):
        assert case in CASES


def test_every_tampering_is_named_on_sqlite(sqlite_world, tmp_path):
    figures = tamper_matrix(sqlite_world, tmp_path, via_cli=False)
    assert figures.problems == [], "\n".join(figures.problems)
    assert figures.detected == figures.cases == len(CASES)


@pytest.mark.slow
def test_every_tampering_is_named_on_postgresql_through_the_command(postgres_world, tmp_path):
    figures = tamper_matrix(postgres_world, tmp_path, via_cli=True)
    assert figures.problems == [], "\n".join(figures.problems)
    assert figures.detected == figures.cases == len(CASES)
