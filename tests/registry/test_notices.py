"""Notices to agencies when a version they use is deprecated or gets a sunset (issue 20, item 5), on SQLite and PostgreSQL.

The test catalog has th.test.permit 1.0.0 deprecated (on 2021-01-15, sunset 2021-12-31) and
1.1.0 announced. A link is declared on 1.0.0 while it still stood announced (a catalog made
here), then the real catalog deprecates it: each party gets one notice, delivered to a webhook
served by a small HTTP server in the test, signed with the log key, retried after a failure
and after a restart, and never sent again once delivered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from dxs.registry import create_app
from dxs.registry.db import Database
from dxs.registry.migrate import upgrade
from dxs.registry.models import LogEntry, Notice, NoticeDelivery, Webhook
from dxs.registry.notices_delivery import DeliverySettings, claim, deliver_pass
from dxs.registry.services import notices, verification
from dxs.registry.services.callers import Caller
from dxs.registry.signing import LogVerifier, load_or_create_signer
from dxs.registry.times import utcnow
from dxs.validator import Catalog
from dxs.validator.commands import compare
from tests.registry.conftest import LINK, backup_round_trip, make_world

OLD, NEW = "th.test.permit@1.0.0", "th.test.permit@1.1.0"
#: Every write endpoint of this module, for the authorisation tests' check that every write is covered.
NOTICES_WRITES = {("PUT", "/api/v1/webhook"), ("DELETE", "/api/v1/webhook")}
SETTINGS = DeliverySettings(timeout=5, retry_base=60, retry_cap=600)


def before_deprecation(catalog: Catalog) -> Catalog:
    """The catalog as it stood before 1.0.0 was deprecated: announced, no sunset."""
    s = catalog.standard("th.test.permit")
    old = s.version("1.0.0")
    announced = dataclasses.replace(old, status="announced", sunset=None, history=tuple(h for h in old.history if h.status != "deprecated"))
    standard = dataclasses.replace(s, versions=tuple(announced if v.version == "1.0.0" else v for v in s.versions))
    return Catalog([standard if x.id == s.id else x for x in catalog], register=catalog.register)


def declare_old_link(database: Database, world, catalog: Catalog) -> int:
    """RD gives CGD permits under 1.0.0, declared while it was announced."""
    with TestClient(create_app(catalog=before_deprecation(catalog), database=database)) as c:
        got = c.post("/api/v1/links", json=LINK | {"version": "1.0.0"}, headers=world.rd)
    assert got.status_code == 201, got.text
    return got.json()["id"]


def notify(database: Database, catalog: Catalog, **options) -> notices.NotifyResult:
    with database.write() as tx:
        return notices.make_notices(tx=tx, caller=Caller.system("test"), catalog=catalog, **options)


def count(database: Database, table) -> int:
    with database.transaction(write=False) as s:
        return s.execute(select(func.count()).select_from(table)).scalar_one()


def verify(database, signer):
    with database.transaction(write=False) as s:
        return verification.verify(s, verifier=signer)


def sql(database, statement: str, **params) -> None:
    with database.transaction() as s:
        s.execute(text(statement), params)


class Clock:
    """The delivery pass's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> dt.datetime:
        return self.now

    def later(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


# --------------------------------------------------------------------------- a webhook to deliver to


@dataclass
class Received:
    path: str
    headers: Message
    body: bytes
    status: int

    @property
    def notice(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """A webhook on 127.0.0.1: records every POST and answers the statuses queued for its path (then 200)."""

    def __init__(self) -> None:
        self.got: list[Received] = []
        self.answers: dict[str, list[int]] = {}
        self.delay = 0.0  # seconds each answer takes
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                queued = receiver.answers.get(self.path) or []
                status = queued.pop(0) if queued else 200
                time.sleep(receiver.delay)
                receiver.got.append(Received(self.path, self.headers, body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def delivered(self, path: str) -> list[Received]:
        return [r for r in self.got if r.path == path and 200 <= r.status < 300]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.thread.start()
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()


def hooks(client, world, receiver: Receiver) -> None:
    """RD's and CGD's webhooks, on the receiver at /rd and /cgd."""
    for who, path in ((world.rd, "/rd"), (world.cgd, "/cgd")):
        got = client.put("/api/v1/webhook", json={"url": receiver.url(path)}, headers=who)
        assert got.status_code == 200, got.text


@pytest.fixture
def old_link(database, world, fixture_catalog) -> int:
    return declare_old_link(database, world, fixture_catalog)


# --------------------------------------------------------------------------- deciding (pure)


def _link(id, provider=1, consumer=2, version="1.0.0", status="active", end_date=None, standard="th.test.permit"):
    return SimpleNamespace(id=id, provider_id=provider, consumer_id=consumer, standard_id=standard, standard_version=version,
                           status=status, end_date=end_date)


def test_the_plan_gives_each_party_of_each_live_link_on_a_withdrawn_version_one_notice(fixture_catalog):
    today = dt.date(2026, 3, 1)
    links = [
        _link(1),  # on 1.0.0: deprecated, sunset 2021-12-31
        _link(2, version="1.1.0"),  # announced, no sunset: nothing to say
        _link(3, status="ended"),
        _link(4, end_date=dt.date(2025, 12, 31)),  # over before today
        _link(5, standard=None, version=None),  # no standard
        _link(6, standard="th.nowhere"),
    ]
    planned = notices.plan(fixture_catalog, links, set(), today=today)
    assert [(p.link_id, p.side, p.agency_id, p.kind, p.deadline, p.migrate_to) for p in planned] == [
        (1, "provider", 1, "sunset", dt.date(2021, 12, 31), "1.1.0"),
        (1, "consumer", 2, "sunset", dt.date(2021, 12, 31), "1.1.0"),
    ]
    # made before: not made again
    assert notices.plan(fixture_catalog, links, {planned[0].key}, today=today) == [planned[1]]


def test_a_deprecation_without_a_sunset_gives_the_grace_period_then_a_sunset_gives_a_second_notice(fixture_catalog):
    s = fixture_catalog.standard("th.test.permit")
    no_sunset = dataclasses.replace(s.version("1.0.0"), sunset=None)
    catalog = Catalog([dataclasses.replace(s, versions=(no_sunset, s.version("1.1.0")))])
    first = notices.plan(catalog, [_link(1)], set(), today=dt.date(2021, 2, 1), grace_days=90)
    assert {(p.kind, p.deadline) for p in first} == {("deprecated", dt.date(2021, 1, 15) + dt.timedelta(days=90))}
    later = notices.plan(fixture_catalog, [_link(1)], {p.key for p in first}, today=dt.date(2021, 3, 1))
    assert {(p.kind, p.deadline) for p in later} == {("sunset", dt.date(2021, 12, 31))} and len(later) == 2


# --------------------------------------------------------------------------- making them


def test_a_deprecation_makes_one_notice_per_party_and_notify_twice_makes_nothing_new(
    client, world, database, signer, fixture_catalog, old_link, link_id
):
    entries = count(database, LogEntry)
    made = notify(database, fixture_catalog)
    assert made.links == 1 and len(made.made) == 2  # the link on 1.1.0 (link_id) is not told anything
    by_agency = {n.agency_id: n for n in made.made}
    with database.transaction(write=False) as s:
        codes = {n.agency_id: s.execute(text("SELECT code FROM agencies WHERE id = :i"), {"i": n.agency_id}).scalar_one() for n in made.made}
    assert sorted(codes.values()) == ["CGD", "RD"]
    for n in by_agency.values():
        assert (n.link_id, n.kind, n.standard_id, n.version, n.deadline, n.migrate_to) == (
            old_link, "sunset", "th.test.permit", "1.0.0", dt.date(2021, 12, 31), "1.1.0")
        body = json.loads(n.body)
        assert body["notice_id"] == n.uid and body["agency"] == codes[n.agency_id]
        assert body["side"] == ("provider" if codes[n.agency_id] == "RD" else "consumer")
        assert body["deadline"] == "2021-12-31" and body["sunset"] == "2021-12-31" and body["deprecated_on"] == "2021-01-15"
        diff = body["migrate_to"]["diff"]
        expected = compare(fixture_catalog, [OLD, NEW]).results[0]  # what `dxs standards diff` says
        assert body["migrate_to"]["ref"] == NEW and diff["command"] == f"dxs standards diff {OLD} {NEW}"
        assert (diff["level"], diff["bump"], diff["changes"]) == (expected.level.value, expected.bump, len(expected.changes))
    # one log entry holds both, and verify holds the rows to it
    assert count(database, LogEntry) == entries + 1
    with database.transaction(write=False) as s:
        entry = s.execute(select(LogEntry).order_by(LogEntry.seq.desc()).limit(1)).scalar_one()
    assert entry.kind == "notices.created" and {x["uid"] for x in json.loads(entry.payload)["notices"]} == {n.uid for n in made.made}
    again = notify(database, fixture_catalog)
    assert again.made == [] and again.links == 1 and again.log_seq is None
    assert count(database, Notice) == 2 and count(database, LogEntry) == entries + 1
    report = verify(database, signer)
    assert report.ok, [str(f) for f in report.findings]


def test_only_the_office_makes_notices(database, world, fixture_catalog, old_link):
    from dxs.registry.errors import Forbidden

    with pytest.raises(Forbidden), database.write() as tx:
        notices.make_notices(tx=tx, caller=Caller(role="agency", agency_id=1, agency_code="RD", key_id=1), catalog=fixture_catalog)
    assert count(database, Notice) == 0


# --------------------------------------------------------------------------- webhooks


@pytest.mark.parametrize("url", [
    "http://example.org/hook",  # plain http elsewhere than this machine
    "ftp://example.org/hook",
    "https://user:secret@example.org/hook",
    "https:///nohost",
    "https://example.org/hook#part",
    "",
    " https://example.org/hook",
    "https://example.org:99999/hook",
    "not a url",
    "https://example.org/" + "x" * 2000,
])
def test_a_bad_webhook_url_is_refused_and_nothing_stored(client, world, database, url):
    entries = count(database, LogEntry)
    got = client.put("/api/v1/webhook", json={"url": url}, headers=world.rd)
    assert got.status_code == 422, got.text
    assert {"code", "message"} <= set(got.json())
    if len(url) <= notices.MAX_URL:
        assert got.json()["code"] == "bad_webhook_url" and "url" in got.json()["message"]
    assert count(database, Webhook) == 0 and count(database, LogEntry) == entries
    assert client.get("/api/v1/webhook", headers=world.rd).status_code == 404


def test_an_agency_registers_changes_and_removes_its_own_webhook_each_logged(client, world, database, signer, receiver):
    assert client.put("/api/v1/webhook", json={"url": receiver.url("/x")}, headers=world.office).json()["code"] == "agency_only"
    assert client.put("/api/v1/webhook", json={"url": receiver.url("/x")}).status_code == 401
    set_ = client.put("/api/v1/webhook", json={"url": receiver.url("/one")}, headers=world.rd)
    assert set_.status_code == 200 and set_.json()["agency"] == "RD"
    entries = count(database, LogEntry)
    assert client.put("/api/v1/webhook", json={"url": receiver.url("/one")}, headers=world.rd).status_code == 200
    assert count(database, LogEntry) == entries  # the same address: nothing changes
    moved = client.put("/api/v1/webhook", json={"url": "https://notices.example.go.th/dxs"}, headers=world.rd).json()
    assert moved["url"] == "https://notices.example.go.th/dxs" and moved["log_seq"] == entries
    assert client.get("/api/v1/webhook", headers=world.rd).json()["url"] == moved["url"]
    assert client.get("/api/v1/webhook", headers=world.cgd).status_code == 404  # CGD's own: none
    assert verify(database, signer).ok
    assert client.delete("/api/v1/webhook", headers=world.rd).status_code == 200
    assert client.delete("/api/v1/webhook", headers=world.rd).json()["code"] == "webhook_not_found"
    assert count(database, Webhook) == 0
    kinds = [e["kind"] for e in client.get("/api/v1/log/entries", params={"limit": 1000}, headers=world.office).json()["items"]]
    assert kinds.count("webhook.set") == 2 and kinds.count("webhook.removed") == 1
    report = verify(database, signer)
    assert report.ok, [str(f) for f in report.findings]


# --------------------------------------------------------------------------- delivery


def test_notices_are_delivered_signed_once_and_never_again(client, world, database, signer, fixture_catalog, old_link, receiver):
    hooks(client, world, receiver)
    made = notify(database, fixture_catalog)
    clock = Clock()
    run = deliver_pass(database, signer, settings=SETTINGS, now=clock)
    assert (run.attempted, run.delivered, run.failed, run.waiting) == (2, 2, 0, 0)
    public = LogVerifier.from_b64(signer.public_key_b64)  # as a receiver has it, from the published checkpoint
    stored = {n.uid: n.body.encode() for n in made.made}
    for path, code in (("/rd", "RD"), ("/cgd", "CGD")):
        (got,) = receiver.delivered(path)
        assert got.headers["Content-Type"] == "application/json"
        assert public.verify(got.body, got.headers["X-DXS-Signature"]), "the signature does not check with the public key"
        assert not public.verify(got.body + b" ", got.headers["X-DXS-Signature"])
        assert got.headers["X-DXS-Key-Id"] == signer.key_id
        assert got.notice["agency"] == code and got.headers["X-DXS-Notice-Id"] == got.notice["notice_id"]
        assert got.body == stored[got.notice["notice_id"]]  # the exact bytes stored when the notice was made
    clock.later(days=30)
    assert deliver_pass(database, signer, settings=SETTINGS, now=clock).attempted == 0
    assert len(receiver.got) == 2
    listed = client.get("/api/v1/notices", headers=world.rd).json()
    assert listed["total"] == 1
    delivery = listed["items"][0]["delivery"]
    assert delivery["delivered_at"] and delivery["attempts"] == 1 and delivery["next_attempt_at"] is None
    assert delivery["last_attempt"]["status_code"] == 200 and delivery["last_attempt"]["delivered"] is True


def test_a_failed_delivery_is_retried_with_backoff_and_delivered_once(client, world, database, signer, fixture_catalog, old_link, receiver):
    hooks(client, world, receiver)
    notify(database, fixture_catalog)
    receiver.answers["/rd"] = [500, 503]
    clock = Clock()
    first = deliver_pass(database, signer, settings=SETTINGS, now=clock)
    assert (first.attempted, first.delivered, first.failed, first.waiting) == (2, 1, 1, 1)
    assert "HTTP 500" in first.errors[0]
    assert deliver_pass(database, signer, settings=SETTINGS, now=clock).attempted == 0  # not before its backoff
    clock.later(seconds=61)
    second = deliver_pass(database, signer, settings=SETTINGS, now=clock)
    assert (second.attempted, second.failed) == (1, 1)
    clock.later(seconds=61)  # the backoff has doubled: 120 s
    assert deliver_pass(database, signer, settings=SETTINGS, now=clock).attempted == 0
    clock.later(seconds=60)
    third = deliver_pass(database, signer, settings=SETTINGS, now=clock)
    assert (third.attempted, third.delivered, third.waiting) == (1, 1, 0)
    clock.later(days=1)
    assert deliver_pass(database, signer, settings=SETTINGS, now=clock).attempted == 0
    assert [r.status for r in receiver.got if r.path == "/rd"] == [500, 503, 200]
    assert len(receiver.delivered("/rd")) == len(receiver.delivered("/cgd")) == 1
    assert len({r.notice["notice_id"] for r in receiver.got if r.path == "/rd"}) == 1  # one notice, one id, every attempt
    (rd,) = client.get("/api/v1/notices", headers=world.rd).json()["items"]
    assert rd["delivery"]["attempts"] == 3
    with database.transaction(write=False) as s:
        attempts = s.execute(select(NoticeDelivery.status_code, NoticeDelivery.delivered).order_by(NoticeDelivery.id)).all()
    assert sorted(attempts, key=str) == sorted([(500, False), (200, True), (503, False), (200, True)], key=str)
    # the delivery bookkeeping is not logged, and verify still holds
    assert verify(database, signer).ok


def test_an_unreachable_webhook_is_retried_and_a_notice_waits_for_an_agency_without_one(
    client, world, database, signer, fixture_catalog, old_link, receiver
):
    # RD's webhook points at a closed port; CGD has none yet
    closed = Receiver()
    dead = closed.url("/gone")
    closed.server.server_close()
    assert client.put("/api/v1/webhook", json={"url": dead}, headers=world.rd).status_code == 200
    notify(database, fixture_catalog)
    clock = Clock()
    run = deliver_pass(database, signer, settings=SETTINGS, now=clock)
    assert (run.attempted, run.failed, run.waiting, run.no_webhook) == (1, 1, 1, 1)
    assert "ConnectError" in run.errors[0]
    # registering a webhook makes its waiting notices due at once, even in the middle of a backoff
    hooks(client, world, receiver)
    clock.now = utcnow()
    after = deliver_pass(database, signer, settings=SETTINGS, now=clock)
    assert (after.attempted, after.delivered, after.waiting, after.no_webhook) == (2, 2, 0, 0)


def test_a_claimed_notice_is_not_claimed_again_until_its_lease_ends(client, world, database, signer, fixture_catalog, old_link, receiver):
    hooks(client, world, receiver)
    notify(database, fixture_catalog)
    now = utcnow()
    assert len(claim(database, now=now, settings=SETTINGS)) == 2
    assert claim(database, now=now, settings=SETTINGS) == []  # another worker finds nothing to send
    # the worker died before recording anything: once the lease is over, they are due again
    again = claim(database, now=now + SETTINGS.lease + dt.timedelta(seconds=1), settings=SETTINGS)
    assert len(again) == 2 and count(database, NoticeDelivery) == 0


def test_after_a_restart_undelivered_notices_are_delivered_and_delivered_ones_never_again(fresh_db_url, signer, fixture_catalog, receiver):
    upgrade(fresh_db_url)
    first = Database(fresh_db_url, signer=signer)
    try:
        world = make_world(first)
        declare_old_link(first, world, fixture_catalog)
        with TestClient(create_app(catalog=fixture_catalog, database=first)) as client:
            hooks(client, world, receiver)
        notify(first, fixture_catalog)
        receiver.answers["/rd"] = [500]
        clock = Clock()
        run = deliver_pass(first, signer, settings=SETTINGS, now=clock)
        assert (run.delivered, run.failed) == (1, 1)
    finally:
        first.dispose()
    clock.later(minutes=5)
    restarted = Database(fresh_db_url, signer=signer)  # a new process: nothing kept but the database
    try:
        run = deliver_pass(restarted, signer, settings=SETTINGS, now=clock)
        assert (run.attempted, run.delivered, run.waiting) == (1, 1, 0)
    finally:
        restarted.dispose()
    clock.later(days=7)
    once_more = Database(fresh_db_url, signer=signer)
    try:
        assert deliver_pass(once_more, signer, settings=SETTINGS, now=clock).attempted == 0
        assert notify(once_more, fixture_catalog).made == []
        report = verify(once_more, signer)
        assert report.ok, [str(f) for f in report.findings]
    finally:
        once_more.dispose()
    assert len(receiver.delivered("/rd")) == len(receiver.delivered("/cgd")) == 1
    assert [r.status for r in receiver.got if r.path == "/rd"] == [500, 200]


def test_two_deliverers_at_once_never_send_the_same_notice(fresh_db_url, signer, fixture_catalog, receiver):
    """Two processes' worth of deliverers (a Database each), passing at the same time over ten notices."""
    upgrade(fresh_db_url)
    setup = Database(fresh_db_url, signer=signer)
    try:
        world = make_world(setup)
        for _ in range(5):
            declare_old_link(setup, world, fixture_catalog)
        with TestClient(create_app(catalog=fixture_catalog, database=setup)) as client:
            hooks(client, world, receiver)
        assert len(notify(setup, fixture_catalog).made) == 10
    finally:
        setup.dispose()
    receiver.delay = 0.05  # each send takes a while: the two passes overlap
    workers = [Database(fresh_db_url, signer=signer) for _ in range(2)]
    runs: list = []
    small = dataclasses.replace(SETTINGS, batch=3)  # several claims each, interleaved

    def work(database: Database) -> None:
        runs.append(deliver_pass(database, signer, settings=small))

    try:
        threads = [threading.Thread(target=work, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for w in workers:
            w.dispose()
    assert len(runs) == 2 and sum(r.delivered for r in runs) == 10
    assert all(r.delivered for r in runs), "one deliverer did everything: the passes did not overlap"
    ids = [r.notice["notice_id"] for r in receiver.got]
    assert len(ids) == len(set(ids)) == 10


# --------------------------------------------------------------------------- the outbox


def test_an_agency_sees_only_its_own_notices_and_the_office_sees_all(client, world, database, fixture_catalog, old_link):
    notify(database, fixture_catalog)
    rd = client.get("/api/v1/notices", headers=world.rd).json()
    assert rd["total"] == 1 and rd["items"][0]["agency"] == "RD" and rd["items"][0]["body"]["side"] == "provider"
    assert rd["items"][0]["delivery"] == {"delivered_at": None, "attempts": 0, "next_attempt_at": rd["items"][0]["delivery"]["next_attempt_at"],
                                          "last_attempt": None}
    assert client.get("/api/v1/notices", headers=world.dopa).json()["total"] == 0
    other = client.get("/api/v1/notices", params={"agency": "CGD"}, headers=world.rd)
    assert other.status_code == 403 and other.json()["code"] == "not_your_agency"
    assert client.get("/api/v1/notices").status_code == 401
    office = client.get("/api/v1/notices", headers=world.office).json()
    assert office["total"] == 2 and {n["agency"] for n in office["items"]} == {"RD", "CGD"}
    assert client.get("/api/v1/notices", params={"agency": "CGD"}, headers=world.office).json()["total"] == 1
    assert client.get("/api/v1/notices", params={"delivered": "true"}, headers=world.office).json()["total"] == 0
    assert client.get("/api/v1/notices", params={"agency": "NOPE"}, headers=world.office).status_code == 404


# --------------------------------------------------------------------------- verify and backup


@pytest.mark.parametrize(
    ("statement", "table", "column"),
    [
        ("UPDATE notices SET deadline = '2031-12-31' WHERE id = :notice", "notices", "deadline"),
        ("UPDATE notices SET body = '{}' WHERE id = :notice", "notices", "body_sha256"),
        ("UPDATE notices SET migrate_to = NULL WHERE id = :notice", "notices", "migrate_to"),
        ("UPDATE webhooks SET url = 'https://elsewhere.example/' WHERE id = :webhook", "webhooks", "url"),
    ],
)
def test_verify_names_a_changed_notice_or_webhook(client, world, database, signer, fixture_catalog, old_link, receiver, statement, table, column):
    hooks(client, world, receiver)
    made = notify(database, fixture_catalog)
    with database.transaction(write=False) as s:
        webhook = s.execute(select(Webhook.id).order_by(Webhook.id).limit(1)).scalar_one()
    ids = {"notice": made.made[0].id, "webhook": webhook}
    sql(database, statement, **{k: v for k, v in ids.items() if f":{k}" in statement})
    report = verify(database, signer)
    named = [f for f in report.findings if (f.table, f.column) == (table, column)]
    assert named, [str(f) for f in report.findings]
    assert named[0].row == str(ids["notice" if table == "notices" else "webhook"])


def test_the_delivery_state_is_outside_the_log(database, signer, world, fixture_catalog, old_link):
    made = notify(database, fixture_catalog)
    sql(database, "UPDATE notices SET attempts = 7, next_attempt_at = NULL WHERE id = :n", n=made.made[0].id)
    assert verify(database, signer).ok


def test_export_and_import_carry_webhooks_notices_and_their_deliveries(fresh_db_url, second_db_url, fixture_catalog, signer, tmp_path, receiver):
    upgrade(fresh_db_url)
    source = Database(fresh_db_url, signer=signer)
    try:
        world = make_world(source)
        declare_old_link(source, world, fixture_catalog)
        with TestClient(create_app(catalog=fixture_catalog, database=source)) as client:
            hooks(client, world, receiver)
        notify(source, fixture_catalog)
        receiver.answers["/rd"] = [500]
        deliver_pass(source, signer, settings=SETTINGS)
        counts, result = backup_round_trip(source, second_db_url, tmp_path, signer.public_key_b64)
    finally:
        source.dispose()
    assert (counts["webhooks"], counts["notices"], counts["notice_deliveries"]) == (2, 2, 2)
    assert result.report.ok and result.rows == counts
    restored = Database(second_db_url, signer=signer)
    try:
        # the restored registry knows what was delivered: only RD's notice is sent, once its backoff is over
        run = deliver_pass(restored, signer, settings=SETTINGS, now=lambda: utcnow() + dt.timedelta(hours=1))
        assert (run.attempted, run.delivered) == (1, 1)
    finally:
        restored.dispose()
    assert len(receiver.delivered("/rd")) == len(receiver.delivered("/cgd")) == 1


# --------------------------------------------------------------------------- the command line


def test_dxs_registry_notify_and_deliver(tmp_path, monkeypatch, fixture_catalog, receiver):
    """The command line is the same on both databases: once, on a SQLite file."""
    from dxs import cli
    from tests.conftest import FIXTURE_CATALOG

    url, key = f"sqlite:///{tmp_path / 'r.sqlite'}", tmp_path / "log.key"
    upgrade(url)
    database = Database(url, signer=load_or_create_signer(key))
    try:
        world = make_world(database)
        declare_old_link(database, world, fixture_catalog)
        with TestClient(create_app(catalog=fixture_catalog, database=database)) as client:
            hooks(client, world, receiver)
    finally:
        database.dispose()
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    monkeypatch.delenv("DXS_CATALOG", raising=False)
    common = ["--database", url, "--log-key", str(key)]

    def run(*args: str):
        return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)

    made = run("registry", "notify", *common, "--catalog", str(FIXTURE_CATALOG))
    assert made.exit_code == 0 and "2 notices made (1 live link on deprecated or sunset versions" in made.output, made.output
    again = run("registry", "notify", *common, "--catalog", str(FIXTURE_CATALOG))
    assert again.exit_code == 0 and "0 notices made" in again.output
    sent = run("registry", "deliver", "--once", *common)
    assert sent.exit_code == 0 and "2 attempted, 2 delivered, 0 failed" in sent.output, sent.output
    assert run("registry", "deliver", "--once", *common).output.startswith("0 attempted")
    verified = run("registry", "verify", *common)
    assert verified.exit_code == 0, verified.output
    assert len(receiver.got) == 2


# --------------------------------------------------------------------------- the portal's page


def sign_in(client, headers) -> None:
    got = client.post("/my/login", data={"key": headers["Authorization"].split()[1]}, follow_redirects=False)
    assert got.status_code == 303, got.text


def test_an_agency_reads_its_notices_and_their_delivery_in_the_portal(client, world, database, signer, fixture_catalog, old_link, receiver):
    assert "Sign in with your agency's API key" in client.get("/my/notices").text
    notify(database, fixture_catalog)
    sign_in(client, world.rd)
    page = client.get("/my/notices").text
    assert "กรมสรรพากร" in page and "1 notice" in page and f"{OLD}</a>" in page and "not delivered" in page
    assert "registered no webhook" in page and "<th>Agency</th>" not in page  # its own notices only
    assert 'href="/my/notices"' in page  # in the menu
    hooks(client, world, receiver)
    deliver_pass(database, signer, settings=SETTINGS, now=Clock())
    page = client.get("/my/notices").text
    assert "delivered" in page and "not delivered" not in page and receiver.url("/rd") in page and "1 attempt" in page
    client.post("/my/logout", follow_redirects=False)
    client.cookies.clear()
    sign_in(client, world.office)
    every = client.get("/my/notices").text
    assert "2 notices" in every and "<th>Agency</th>" in every and "<code>CGD</code>" in every


def test_the_notices_page_without_a_valid_session_shows_no_notice(client, world, database, fixture_catalog, old_link):
    notify(database, fixture_catalog)
    client.cookies.set("dxs_session", "not-a-session")
    page = client.get("/my/notices")
    assert OLD not in page.text and page.status_code == 401
