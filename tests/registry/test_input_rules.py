"""No 5xx from any input: each request an outside probe found to fail, on SQLite and PostgreSQL.

- text no database can store (U+0000, lone surrogates) is refused with 422 naming the field,
  in paths, queries, cookies, JSON bodies and forms, before anything is stored;
- JSON nested deeper than /validate's ``too-deep`` limit is refused before it is parsed,
  and only once the caller's key has been checked;
- a time whose offset moves it out of range is a 422, not an ``OverflowError``;
- an unexpected error is a 500 with a request id and ``Connection: close``;
- ``HEAD`` answers on every ``GET`` resource;
- ``dxs registry import`` refuses a row PostgreSQL cannot store, naming it, and leaves the target untouched.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from dxs.registry.input_rules import MAX_DEPTH, json_too_deep
from tests.registry.conftest import LINK

NUL = "\x00"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def refused(got, code: str, where: str) -> None:
    assert got.status_code == 422, got.text
    body = got.json()
    assert body["code"] == code and body["message"].startswith(where + ":"), body


def link_count(client, world) -> int:
    return client.get("/api/v1/links", headers=world.office).json()["total"]


# --------------------------------------------------------------------------- the text rule


def test_a_nul_in_a_query_parameter_is_refused_naming_it(client):
    got = client.get("/api/v1/agencies?q=a%00b")
    refused(got, "invalid_text", "query parameter q")
    assert "U+0000" in got.json()["message"]


def test_a_nul_in_a_path_segment_is_refused_naming_it(client, world):
    refused(client.get("/api/v1/agencies/R%00D"), "invalid_text", "path segment 4")
    refused(client.get("/api/v1/agencies/R%00D/keys", headers=world.office), "invalid_text", "path segment 4")


def test_a_nul_in_the_sign_in_form_is_refused_naming_the_field(client):
    got = client.post("/my/login", data={"key": "dxs_abcdefgh_" + NUL + "secret"})
    refused(got, "invalid_text", "form field key")


def test_a_nul_in_the_key_cookie_is_refused(client):
    got = client.get("/my/links", headers={"Cookie": 'dxs_key="dxs_ab\\000cd_x"'})
    refused(got, "invalid_text", "cookie dxs_key")


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ('"purpose": "a\\u0000b"', "body field purpose"),
        ('"purpose": "lone \\ud800 high"', "body field purpose"),
        ('"purpose": "lone \\udc00 low"', "body field purpose"),
        ('"legal_basis": "\\u0000"', "body field legal_basis"),
    ],
)
def test_bad_text_in_a_json_body_is_refused_and_nothing_is_stored(client, world, raw, where):
    before = link_count(client, world)
    base = json.dumps({k: v for k, v in LINK.items() if k not in ("purpose", "legal_basis")})[:-1]
    body = base + ', "purpose": "p", "legal_basis": "l", ' + raw + "}"
    got = client.post("/api/v1/links", content=body, headers={**world.rd, "Content-Type": "application/json"})
    refused(got, "invalid_text", where)
    assert got.json()["details"][0]["location"] == ["body", where.rpartition(" ")[2]]
    assert link_count(client, world) == before


def test_the_field_is_named_in_nested_bodies_and_keys(client, world, link_id):
    record = {"record_id": "r" + NUL, "window_start": "2024-05-01T00:00:00Z", "window_end": "2024-05-01T01:00:00Z", "messages": 1}
    got = client.post(f"/api/v1/links/{link_id}/events", json={"records": [record]}, headers=world.rd)
    refused(got, "invalid_text", "body field records[0].record_id")
    got = client.post(f"/api/v1/links/{link_id}/events", json={"records": [{"a" + NUL: 1}]}, headers=world.rd)
    refused(got, "invalid_text", "body field records[0].a\\u0000")
    assert "in its name" in got.json()["message"]
    assert client.get(f"/api/v1/links/{link_id}/events", headers=world.rd).json()["total"] == 0


def test_office_writes_follow_the_same_rule(client, world):
    agency = {"code": "NSO", "name_th": "สำนักงานสถิติแห่งชาติ", "name_en": "National Statistical" + NUL + " Office",
              "sector": "finance", "kind": "ministry-department"}
    refused(client.post("/api/v1/agencies", json=agency, headers=world.office), "invalid_text", "body field name_en")
    refused(client.patch("/api/v1/agencies/RD", json={"name_en": NUL}, headers=world.office), "invalid_text", "body field name_en")
    assert client.get("/api/v1/agencies/NSO").status_code == 404
    assert client.get("/api/v1/agencies/RD").json()["name_en"] == "Revenue Department"


def test_a_utf16_body_cannot_hide_a_nul(client, world):
    body = json.dumps({**LINK, "purpose": "a" + NUL}).encode("utf-16")
    got = client.post("/api/v1/links", content=body, headers={**world.rd, "Content-Type": "application/json"})
    refused(got, "invalid_text", "body field purpose")


def test_good_text_still_passes(client, world):
    """Surrogate pairs (an emoji written as escapes), Thai, and brackets or backslashes inside strings."""
    purpose = "ส่งข้อมูล 😀 " + "[" * 1000 + " \\u0000 as text"
    body = json.dumps({**LINK, "purpose": purpose})  # ensure_ascii: the emoji as a \\ud83d\\ude00 pair
    assert "\\ud83d\\ude00" in body
    got = client.post("/api/v1/links", content=body, headers={**world.rd, "Content-Type": "application/json"})
    assert got.status_code == 201, got.text
    assert got.json()["purpose"] == purpose
    assert client.get("/api/v1/agencies", params={"q": "กรม"}).status_code == 200


# --------------------------------------------------------------------------- depth, and keys first


def test_json_deeper_than_the_limit_is_refused_before_it_is_parsed(client, world, link_id):
    for depth in (MAX_DEPTH + 1, 958, 5000):
        deep = f'{{"purpose": {nested(depth)}}}'
        got = client.post("/api/v1/links", content=deep, headers={**world.rd, "Content-Type": "application/json"})
        refused(got, "too_deep", "body")
        events = f'{{"records": [{{"x": {nested(depth)}}}]}}'
        got = client.post(f"/api/v1/links/{link_id}/events", content=events, headers={**world.rd, "Content-Type": "application/json"})
        refused(got, "too_deep", "body")
    at_limit = f'{{"records": [{{"x": {nested(MAX_DEPTH - 3)}}}]}}'  # exactly MAX_DEPTH levels: a validation error, not too deep
    got = client.post(f"/api/v1/links/{link_id}/events", content=at_limit, headers={**world.rd, "Content-Type": "application/json"})
    assert got.status_code == 422 and got.json()["code"] == "invalid_request", got.text


def test_office_bodies_have_the_same_depth_limit(client, world):
    got = client.patch("/api/v1/agencies/RD", content=f'{{"name_en": {nested(2000)}}}', headers={**world.office, "Content-Type": "application/json"})
    refused(got, "too_deep", "body")


def test_the_limit_is_validates_too_deep(client):
    """MAX_DEPTH is the depth at which /validate reports ``too-deep`` for a document."""

    def rules(depth: int) -> list[str]:
        xml = "<a>" * depth + "</a>" * depth
        got = client.post("/api/v1/validate", params={"standard": "th.test.permit", "name": "d.xml"}, content=xml)
        assert got.status_code == 200, got.text
        return [i["rule"] for d in got.json()["documents"] for i in d["issues"]]

    assert "too-deep" not in rules(MAX_DEPTH)
    assert "too-deep" in rules(MAX_DEPTH + 1)


def test_depth_counts_brackets_outside_strings_only():
    assert not json_too_deep(b'{"a": "' + b"[" * 5000 + b'"}', 256)
    assert not json_too_deep(("[" + "[]," * 5000 + "[]]").encode(), 256)
    assert json_too_deep(nested(257).encode(), 256) and not json_too_deep(nested(256).encode(), 256)
    assert json_too_deep(b'{"a": "\\"[", "b": ' + nested(300).encode() + b"}", 256)  # an escaped quote does not end a string


@pytest.mark.parametrize("who", ["garbage", "revoked", "none"])
def test_the_key_is_checked_before_the_body(client, world, link_id, who):
    headers = {"garbage": {"Authorization": "Bearer dxs_nope_nope"}, "revoked": world.revoked, "none": {}}[who]
    codes = {"garbage": "invalid_key", "revoked": "key_revoked", "none": "unauthenticated"}
    for path, body in (
        ("/api/v1/links", nested(5000)),  # deep
        ("/api/v1/links", '{"x": 1}'),  # not a link
        ("/api/v1/links", '{"purpose": "\\u0000"}'),  # bad text
        (f"/api/v1/links/{link_id}/events", nested(5000)),
        (f"/api/v1/links/{link_id}/events", "not json"),
        ("/api/v1/agencies", nested(5000)),
    ):
        got = client.post(path, content=body, headers={**headers, "Content-Type": "application/json"})
        assert got.status_code == 401 and got.json()["code"] == codes[who], (path, body[:20], got.text)


def test_an_events_body_is_not_read_for_a_revoked_key(app, world, link_id):
    """The key is refused before the first byte of the body is asked for."""
    asked = []

    async def receive():
        asked.append(True)
        return {"type": "http.request", "body": b'{"records": []}', "more_body": False}

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    token = world.revoked["Authorization"].encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": f"/api/v1/links/{link_id}/events", "raw_path": f"/api/v1/links/{link_id}/events".encode(), "root_path": "",
        "query_string": b"", "headers": [(b"authorization", token), (b"content-type", b"application/json"), (b"content-length", b"15")],
        "client": ("127.0.0.1", 1), "server": ("testserver", 80), "state": {},
    }
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 401 and json.loads(sent[1]["body"])["code"] == "key_revoked"
    assert asked == []


# --------------------------------------------------------------------------- times


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "0001-01-01T00:30:00+01:00"])
def test_a_time_its_offset_moves_out_of_range_is_a_422(client, world, link_id, moment):
    for name in ("since", "until"):
        got = client.get(f"/api/v1/links/{link_id}/events", params={name: moment}, headers=world.rd)
        assert got.status_code == 422 and got.json()["message"].startswith(f"query.{name}:"), got.text
        assert "out of range" in got.json()["message"]
    got = client.get("/api/v1/checks/one-sided", params={"since": moment}, headers=world.office)
    assert got.status_code == 422 and "out of range" in got.json()["message"], got.text


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59+14:00"])
def test_times_at_the_edges_of_the_range_are_answered(client, world, link_id, moment):
    for name in ("since", "until"):
        got = client.get(f"/api/v1/links/{link_id}/events", params={name: moment}, headers=world.rd)
        assert got.status_code == 200, got.text
    assert client.get("/api/v1/checks/one-sided", params={"since": moment}, headers=world.office).status_code == 200


# --------------------------------------------------------------------------- unexpected errors


def test_an_unexpected_error_is_a_500_with_a_request_id_and_connection_close(client, monkeypatch, caplog):
    from dxs.registry.services import agencies

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(agencies, "list_agencies", boom)
    with caplog.at_level(logging.ERROR, logger="registry"):
        got = client.get("/api/v1/agencies")
    assert got.status_code == 500 and got.headers["connection"] == "close"
    body = got.json()
    assert body["code"] == "internal_error" and body["request_id"] == got.headers["x-request-id"]
    assert body["request_id"] in body["message"] and "secret internals" not in got.text
    traces = [r for r in caplog.records if r.exc_info]
    assert len(traces) == 1 and body["request_id"] in traces[0].getMessage()
    assert client.get("/api/v1/standards").status_code == 200  # and the service goes on


# --------------------------------------------------------------------------- HEAD


def _get_routes(app):
    from fastapi.routing import iter_route_contexts

    for route in iter_route_contexts(app.routes):
        if "GET" in (route.methods or ()) and route.path:
            yield route.path


def test_every_get_resource_answers_head(app, client, world, link_id):
    known = {
        "{link_id}": str(link_id), "{code}": "RD", "{standard_id}": "th.test.permit", "{version}": "1.1.0",
        "{path:path}": "schema.json", "{sector}": "finance",
        "{request_id}": "1", "{group_id}": "1",  # none yet: GET and HEAD both answer 404
    }
    paths = list(_get_routes(app))
    assert len(paths) > 25
    for template in paths:
        path = template
        for name, value in known.items():
            path = path.replace(name, value)
        assert "{" not in path, template
        got, head = client.get(path, headers=world.office), client.head(path, headers=world.office)
        assert head.status_code == got.status_code, (template, head.status_code, got.status_code)
        assert head.content == b"", template
        assert head.headers.get("content-type") == got.headers.get("content-type"), template
        if got.status_code == 200 and "content-length" in got.headers and template not in ("/api/v1/log/checkpoint",):
            assert head.headers.get("content-length") == got.headers["content-length"], template


def test_head_on_a_write_only_resource_is_a_405_as_get_is(client):
    assert client.head("/api/v1/keys/1/revoke").status_code == client.get("/api/v1/keys/1/revoke").status_code == 405


# --------------------------------------------------------------------------- moving a registry


def test_import_refuses_a_row_postgresql_cannot_store_and_touches_nothing(fresh_db_url, backend, tmp_path):
    """A SQLite registry written before the rule may hold a NUL: the import names the row, exits 2, keeps nothing."""
    from sqlalchemy import create_engine, inspect

    from dxs.registry.api_models import AgencyCreate
    from dxs.registry.db import Database
    from dxs.registry.services import agencies
    from dxs.registry.services.callers import Caller
    from dxs.registry.signing import load_or_create_signer
    from tests.kit.dxs import dxs
    from tests.kit.world import seed

    world = seed(f"sqlite:///{tmp_path / 'old.sqlite'}", tmp_path / "log.key")
    old = Database(world.url, signer=load_or_create_signer(world.log_key))
    try:
        with old.write() as tx:  # as the service stored it before text was checked
            agencies.create(tx=tx, caller=Caller.system("test"), data=AgencyCreate(
                code="NUL", name_th="ทดสอบ", name_en="Bad" + NUL + "Name", sector="finance", kind="ministry-department"))
    finally:
        old.dispose()
    exported = dxs("registry", "export", str(tmp_path / "backup.jsonl"), "--database", world.url, "--log-key", str(world.log_key))
    assert exported.returncode == 0, exported.stderr
    got = dxs("registry", "import", str(tmp_path / "backup.jsonl"), "--database", fresh_db_url)
    assert got.returncode == 2, (got.stdout, got.stderr)
    assert "Traceback" not in got.stderr
    assert "agencies id 4" in got.stderr and "name_en" in got.stderr and "U+0000" in got.stderr, got.stderr
    engine = create_engine(fresh_db_url)
    try:
        assert inspect(engine).get_table_names() == []  # not even migrated
    finally:
        engine.dispose()
