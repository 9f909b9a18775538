"""Schemathesis against the service's own OpenAPI document: a fixed sample of every operation."""

from __future__ import annotations

import logging

import pytest

from tests.kit.world import app_for
from tests.stress.fuzz import fuzz_app, fuzz_hostile
from tests.stress.leaks import key_leaks


class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.mark.slow
def test_every_operation_answers_as_documented_for_every_caller(sqlite_world):
    captured = _Captured()
    logging.getLogger().addHandler(captured)
    try:
        figures = fuzz_app(app_for(sqlite_world), sqlite_world, examples=1, derandomize=True)
    finally:
        logging.getLogger().removeHandler(captured)
    assert figures.operations >= 24 and figures.requests >= 200, figures
    assert (figures.server_errors, figures.schema_violations, figures.leaks) == (0, 0, 0), "\n".join(figures.problems)
    assert {401, 403, 404, 422, 200}.issubset(figures.statuses)
    assert not key_leaks("\n".join(captured.lines), sqlite_world.secrets)


def test_the_openapi_document_declares_every_error_in_its_real_shape(sqlite_world):
    document = app_for(sqlite_world).openapi()
    assert document["components"]["schemas"]["Error"]["required"] == ["code", "message"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {s: r for s, r in operation["responses"].items() if s[0] in "45"}
            assert "500" in errors, (method, path)
            for status, response in errors.items():
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, (method, path, status)
            if any(p["name"] == "authorization" for p in operation.get("parameters", [])):
                assert {"401", "403"} <= set(errors), (method, path)
            if "requestBody" in operation:
                assert {"413", "408"} <= set(errors), (method, path)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_hostile_text_deep_json_and_extreme_times_never_make_a_5xx(backend, request):
    """NUL, lone surrogates, JSON nested past any limit and times pushed out of range by their offsets,
    in every path and query parameter and body: refused in the {code, message} shape, never a 500."""
    world = request.getfixturevalue("sqlite_world" if backend == "sqlite" else "postgres_world")
    figures = fuzz_hostile(app_for(world), world, examples=6)
    assert figures.operations >= 24 and figures.requests >= 150, figures
    assert (figures.server_errors, figures.schema_violations) == (0, 0), "\n".join(figures.problems)
    assert 422 in figures.statuses
