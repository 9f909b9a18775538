"""Every write endpoint × {no key, a key never issued, another agency's, revoked, own, office}, on both databases."""

from __future__ import annotations

import pytest

from tests.kit.dxs import Server
from tests.kit.world import app_for
from tests.stress.authz import CALLERS, MATRIX, run_matrix
from tests.stress.leaks import key_leaks


@pytest.fixture(params=["sqlite", "postgres"])
def any_world(request):
    return request.getfixturevalue(f"{request.param}_world")


def test_the_matrix_holds_in_process(any_world):
    from fastapi.testclient import TestClient

    with TestClient(app_for(any_world), raise_server_exceptions=False) as client:
        figures = run_matrix(client, any_world)
    assert figures.problems == [], "\n".join(figures.problems)
    assert figures.cells == figures.correct == len(MATRIX) * len(CALLERS) + 4


def test_the_matrix_covers_every_write_endpoint(sqlite_world):
    writes = {
        (method.upper(), path)
        for path, operations in app_for(sqlite_world).openapi()["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete") and path != "/api/v1/validate"  # validation stores nothing
    }
    covered = {(m, p.replace("{spare_key}", "{key_id}").replace("{link}", "{link_id}").replace("/RD", "/{code}")) for m, p, _, _ in MATRIX.values()}
    from tests.registry.test_needs import NEEDS_WRITES  # requests for standards and need groups: their matrix is there

    from tests.registry.test_notices import NOTICES_WRITES  # webhooks: tested there

    assert writes == covered | NEEDS_WRITES | NOTICES_WRITES


@pytest.mark.slow
def test_no_key_reaches_the_servers_log(sqlite_world, tmp_path):
    import httpx

    server = Server(sqlite_world.url, sqlite_world.log_key, log_file=tmp_path / "server.log", env={"DXS_LOG_LEVEL": "debug"})
    with server, httpx.Client(base_url=server.base, timeout=30) as client:
        figures = run_matrix(client, sqlite_world)
        client.post("/my/login", data={"key": sqlite_world.keys["RD"]})  # the portal's sign-in form carries a key too
    assert figures.problems == [], "\n".join(figures.problems)
    output = server.output()
    assert "POST /api/v1/links" in output  # the log was captured
    assert key_leaks(output, sqlite_world.secrets) == []
