"""Anonymous load, small: a few clients without a key flood /validate; they get 429s, the agency's writes go through.

The full-size scenario (8 clients, the largest documents, p99 and memory measured) is
``make stress`` (:mod:`tests.stress.anon_load`); this one asserts behaviour, not timings.
"""

from __future__ import annotations

from tests.stress.anon_load import anonymous_load


def test_anonymous_clients_are_refused_with_429_while_the_agency_declares_links(sqlite_world, tmp_path):
    tight = {"DXS_ANON_MAX_DOCUMENT": "200000", "DXS_ANON_VALIDATE_PER_CLIENT": "1", "DXS_ANON_VALIDATE_IN_FLIGHT": "2"}
    figures = anonymous_load(sqlite_world, tmp_path, clients=4, declarations=6, seconds=4, workers=1, env=tight)
    assert figures.anonymous_429 > 0 and figures.anonymous_validated > 0
    assert figures.declarations == 3 + 6  # quiet (half) and under load: every one answered 201
    # timings and memory are for `make stress`; everything else it checks must hold here too
    kept = [p for p in figures.problems if "p99" not in p and "MB (limit" not in p]
    assert kept == []
