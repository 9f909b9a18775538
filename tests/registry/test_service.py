"""Service-wide behaviour: validation as a service, errors as JSON, commits before answers."""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURE_CATALOG
from tests.registry.conftest import LINK

EXAMPLES = FIXTURE_CATALOG / "th.test.permit" / "1.1.0" / "examples"


def test_validate_gives_the_cli_json_report(client):
    from dxs.validator import DocumentValidator, load_catalog
    from dxs.validator.render import JsonRenderer

    path = EXAMPLES / "invalid" / "missing-holder.json"
    got = client.post("/api/v1/validate", params={"name": path.name}, content=path.read_bytes())
    assert got.status_code == 200
    expected = JsonRenderer().render([DocumentValidator(load_catalog([FIXTURE_CATALOG])).validate_bytes(path.read_bytes(), path.name)])
    assert got.json() == json.loads(expected)
    assert got.json()["summary"] == {"documents": 1, "valid": 0, "invalid": 1}


def test_validate_against_a_named_standard(client):
    xml = (EXAMPLES / "valid" / "malee.xml").read_bytes()
    got = client.post("/api/v1/validate", params={"standard": "th.test.permit@1.1.0"}, content=xml).json()
    assert got["documents"][0]["valid"] and got["documents"][0]["standard"] == "th.test.permit@1.1.0"
    unknown = client.post("/api/v1/validate", params={"standard": "th.nope"}, content=xml)
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_standard"


def test_errors_are_json_with_a_stable_code(client):
    assert client.get("/api/v1/nowhere").json() == {"code": "not_found", "message": "Not Found"}
    assert client.delete("/api/v1/links").json()["code"] == "method_not_allowed"


def test_an_unexpected_error_is_a_500_without_a_trace(client, world, monkeypatch):
    from dxs.registry.services import links

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(links, "declare", boom)
    got = client.post("/api/v1/links", json=LINK, headers=world.rd)
    assert got.status_code == 500 and got.json()["code"] == "internal_error"
    assert "secret internals" not in got.text and "Traceback" not in got.text


def test_no_2xx_when_the_commit_fails(client, world, monkeypatch):
    """The commit happens before the answer is sent, so a failed commit is never a 201."""
    from sqlalchemy.orm import Session

    def failing_commit(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Session, "commit", failing_commit)
    got = client.post("/api/v1/links", json=LINK, headers=world.rd)
    assert got.status_code == 500 and got.json()["code"] == "internal_error"


@pytest.mark.parametrize("path", ["/openapi.json", "/docs"])
def test_openapi_and_docs(client, path):
    assert client.get(path).status_code == 200


def test_openapi_describes_the_event_batch(client):
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/v1/links/{link_id}/events"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "record_id" in body["properties"]["records"]["items"]["properties"]
    params = {p["name"] for p in spec["paths"]["/api/v1/links/{link_id}/events"]["post"]["parameters"]}
    assert "idempotency-key" in {p.lower() for p in params}
