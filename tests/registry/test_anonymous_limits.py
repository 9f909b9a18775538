"""Limits for anonymous work: 429 with Retry-After past a budget, a smaller document, keyed callers unaffected."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from dxs.registry.throttling import AnonymousLimits, Budget, Refused, ValidationPool, _Ledger, route_class
from tests.conftest import FIXTURE_CATALOG

EXAMPLES = FIXTURE_CATALOG / "th.test.permit" / "1.1.0" / "examples"
GOOD = (EXAMPLES / "valid" / "malee.xml").read_bytes()


def _app(database, fixture_catalog, monkeypatch, **env: str):
    """An app made after ``env`` is set (budgets are read when the app is made)."""
    from fastapi.testclient import TestClient

    from dxs.registry import create_app

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return TestClient(create_app(catalog=fixture_catalog, database=database), raise_server_exceptions=False)


def test_an_anonymous_flood_of_validations_gets_429_with_retry_after_and_a_key_does_not(database, fixture_catalog, world, monkeypatch):
    client = _app(database, fixture_catalog, monkeypatch, DXS_ANON_VALIDATE_BURST="3", DXS_ANON_VALIDATE_RATE="6")
    answers = [client.post("/api/v1/validate", content=GOOD) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["code"] == "too_many_requests" and "6 a minute without an API key" in refused.json()["message"]
    assert int(refused.headers["retry-after"]) == 10  # one request's worth at 6 a minute
    # the portal's upload form draws on the same budget
    assert client.post("/validate", files={"document": ("malee.xml", GOOD, "application/xml")}).status_code == 429
    # a caller with a key is not counted
    assert all(client.post("/api/v1/validate", content=GOOD, headers=world.rd).status_code == 200 for _ in range(5))
    # and a made-up key does not buy a way round: it is checked, 401, before the body is read
    bogus = client.post("/api/v1/validate", content=GOOD, headers={"Authorization": "Bearer dxs_nope_nope"})
    assert bogus.status_code == 401 and bogus.json()["code"] == "invalid_key"
    assert client.post("/api/v1/validate", content=GOOD, headers=world.revoked).status_code == 401


def test_anonymous_documents_are_smaller_than_keyed_ones(database, fixture_catalog, world, monkeypatch):
    client = _app(database, fixture_catalog, monkeypatch, DXS_ANON_MAX_DOCUMENT="100000")
    big = b'{"pad": "' + b"x" * 200_000 + b'"}'
    anonymous = client.post("/api/v1/validate", content=big)
    assert anonymous.status_code == 413 and anonymous.json()["code"] == "payload_too_large"
    assert "100,000 bytes without an API key; with one, up to 33,554,432 bytes" in anonymous.json()["message"]
    keyed = client.post("/api/v1/validate", content=big, headers=world.rd)
    assert keyed.status_code == 200 and keyed.json()["summary"]["documents"] == 1
    page = client.post("/validate", files={"document": ("big.json", big, "application/json")})
    assert page.status_code == 413


def test_heavy_indicator_queries_are_limited_for_anonymous_callers(database, fixture_catalog, world, monkeypatch):
    client = _app(database, fixture_catalog, monkeypatch, DXS_ANON_INDICATORS_BURST="2", DXS_ANON_INDICATORS_RATE="60")
    trend = [client.get("/api/v1/indicators/trend", params={"from": 2024, "to": 2024}) for _ in range(3)]
    assert [t.status_code for t in trend] == [200, 200, 429]
    assert trend[-1].headers["retry-after"] == "1" and trend[-1].json()["code"] == "too_many_requests"
    assert client.get("/api/v1/indicators", params={"year": 2024}).status_code == 429  # the year report shares the budget
    assert client.get("/api/v1/indicators/trend", params={"from": 2024, "to": 2024}, headers=world.office).status_code == 200
    assert client.get("/api/v1/indicators/trend", headers={"X-API-Key": "dxs_nope_nope"}).status_code == 401
    assert client.get("/api/v1/standards").status_code == 200  # the catalog is not limited


def test_too_many_at_once_from_one_client_or_from_everyone():
    now = [0.0]
    ledger = _Ledger(Budget(rate=60, burst=100, per_client=2, in_flight=3), clock=lambda: now[0])
    ledger.enter("a", "validations")
    ledger.enter("a", "validations")
    with pytest.raises(Refused, match="too many validations at once from your address"):
        ledger.enter("a", "validations")
    ledger.enter("b", "validations")
    with pytest.raises(Refused, match="busy with validations for callers without an API key") as busy:
        ledger.enter("c", "validations")
    assert busy.value.retry_after == 1
    ledger.leave("a")
    ledger.enter("c", "validations")  # room again once one is done


def test_the_rate_refills_with_time():
    now = [0.0]
    ledger = _Ledger(Budget(rate=30, burst=1, per_client=5, in_flight=5), clock=lambda: now[0])
    ledger.enter("a", "x")
    ledger.leave("a")
    with pytest.raises(Refused) as early:
        ledger.enter("a", "x")
    assert early.value.retry_after == 2  # 30 a minute: one every 2 s
    now[0] = 2.0
    ledger.enter("a", "x")


def test_only_the_heavy_routes_are_limited():
    assert route_class("POST", "/api/v1/validate") == route_class("POST", "/validate") == "validate"
    assert route_class("GET", "/api/v1/indicators/trend") == route_class("GET", "/api/v1/indicators/sectors/finance") == "indicators"
    assert route_class("GET", "/api/v1/indicators") == "indicators"
    assert route_class("GET", "/validate") is None and route_class("POST", "/api/v1/links") is None
    assert route_class("GET", "/api/v1/indicators/publications") is None


def test_validations_run_on_their_own_bounded_threads():
    pool = ValidationPool(keyed=2, anonymous=1)
    seen: list[str] = []
    running, most = [0], [0]
    lock = threading.Lock()

    def work() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            seen.append(threading.current_thread().name)
        threading.Event().wait(0.05)
        with lock:
            running[0] -= 1

    async def many() -> None:
        await asyncio.gather(*(pool.run(work, anonymous=True) for _ in range(4)))

    asyncio.run(many())
    assert most[0] == 1 and all(name.startswith("dxs-validate-anon") for name in seen)


def test_a_schema_the_server_cannot_use_is_reported_without_its_path(client, monkeypatch, caplog):
    from dxs.registry.api import validate as validate_api
    from dxs.validator.errors import SchemaLoadError

    class Broken:
        def validate_bytes(self, data, name):
            raise SchemaLoadError("/srv/dxs/standards/th.test.permit/1.1.0/rules.sch", "queryBinding xslt2 needs the saxonche package")

    monkeypatch.setattr(validate_api, "_validator", lambda catalog, standard: Broken())
    with caplog.at_level(logging.ERROR, logger="registry"):
        got = client.post("/api/v1/validate", params={"standard": "th.test.permit@1.1.0"}, content=GOOD)
    assert got.status_code == 422 and got.json()["code"] == "standard_unusable"
    assert "'rules.sch'" in got.json()["message"] and "th.test.permit@1.1.0" in got.json()["message"]
    assert "/srv" not in got.text and "saxonche" not in got.text
    assert "/srv/dxs/standards" in caplog.text  # the operator has the details
    page = client.post("/validate", files={"document": ("m.xml", GOOD, "application/xml")}, data={"standard": "th.test.permit@1.1.0"})
    assert page.status_code == 422 and "/srv" not in page.text and "rules.sch" in page.text


def test_keys_and_secrets_are_redacted_from_log_lines():
    from dxs.registry.serving import RedactSecrets, redact

    key = "dxs_0123456789ab_S3cretS3cretS3cretS3cretS3cret"
    line = redact(f'127.0.0.1:5000 - "GET /api/v1/links?key={key}&status=active HTTP/1.1" 401')
    assert "S3cret" not in line and "key=[redacted]&status=active" in line
    assert "S3cret" not in redact(f"?api_key={key}") and "S3cret" not in redact(f"token {key} here")
    assert redact(f"(b'authorization', b'Bearer {key}')") == "(b'authorization', b'[redacted]')"
    assert "abc" not in redact("(b'cookie', b'dxs_session=dxs-session.abcdefghijkl')")
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', ("127.0.0.1:1", "GET", f"/x?key={key}", "1.1", 401), None)
    RedactSecrets().filter(record)
    assert "S3cret" not in record.getMessage() and "/x?key=[redacted]" in record.getMessage()


def test_the_middleware_answers_429_before_reading_the_body():
    received: list[object] = []

    async def app(scope, receive, send):  # pragma: no cover - never reached once the budget is spent
        received.append(await receive())

    limits = AnonymousLimits(app, budgets={"validate": Budget(rate=0, burst=1, per_client=1, in_flight=1)})
    sent: list[dict] = []

    async def receive():
        received.append("read")
        return {"type": "http.request", "body": b"x", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/validate", "headers": [], "client": ("10.0.0.1", 1)}

    async def two() -> None:
        limits.ledgers["validate"].enter("10.0.0.1", "validations")  # one already in flight
        await limits(scope, receive, send)

    asyncio.run(two())
    assert received == [] and sent[0]["status"] == 429
    assert (b"retry-after", b"1") in sent[0]["headers"] and (b"connection", b"close") in sent[0]["headers"]
