"""Hostile documents through the CLI, the library, the API and the upload form; oversized and slow requests."""

from __future__ import annotations

import pytest

from tests.stress.hostile import HOSTILE, HOSTILE_REQUESTS, MEMORY_LIMIT_MB, HostileFigures, through_cli, through_library, through_server


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
    assert figures.tried == figures.answered == 2 * len(HOSTILE) + len(HOSTILE_REQUESTS) + 1 + 6 + 3
    assert others["others_served"] > 20
    assert figures.peak_memory_mb < MEMORY_LIMIT_MB


def test_an_unexpected_error_over_a_real_connection_closes_it_cleanly_and_the_client_goes_on(sqlite_world, monkeypatch, caplog):
    """A 500 says ``Connection: close`` and carries a request id; the trace is logged once, with that id."""
    import logging
    import threading
    import time

    import httpx
    import uvicorn

    from dxs.registry.serving import GuardedHttpToolsProtocol
    from dxs.registry.services import agencies
    from tests.kit.dxs import free_port
    from tests.kit.world import app_for

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(agencies, "list_agencies", boom)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app_for(sqlite_world), host="127.0.0.1", port=port, http=GuardedHttpToolsProtocol, lifespan="off", log_level="info"))
    thread = threading.Thread(target=server.run, daemon=True)
    with caplog.at_level(logging.INFO):
        thread.start()
        try:
            for _ in range(200):
                if server.started:
                    break
                time.sleep(0.05)
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                failed = client.get("/api/v1/agencies")
                after = client.get("/api/v1/standards")  # the same client, its next request: a new connection, no error
        finally:
            server.should_exit = True
            thread.join(10)
    assert failed.status_code == 500 and failed.headers["connection"] == "close"
    assert failed.json()["request_id"] == failed.headers["x-request-id"]
    assert after.status_code == 200
    traces = [r for r in caplog.records if r.exc_info]
    assert len(traces) == 1 and failed.headers["x-request-id"] in traces[0].getMessage()
