"""Event ingestion: whole batches, idempotent retries, natural keys that never count twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re

import pytest

from dxs.registry.api.writes import Writer
from dxs.registry.api_models import EventBatch, EventRecord, LinkUpdate
from dxs.registry.errors import Invalid
from dxs.registry.services import events, links, verification
from tests.conftest import ROOT
from tests.registry.conftest import LINK
from tests.registry.test_writes import queued_behind_a_busy_thread, token


@pytest.fixture
def link_id(client, world) -> int:
    """RD → CGD, in force from 2024 (the records below are of 2024): a link's events must fall in its period."""
    got = client.post("/api/v1/links", json=LINK | {"start_date": "2024-01-01"}, headers=world.rd)
    assert got.status_code == 201, got.text
    return got.json()["id"]


def records(n: int, *, start: int = 0, day: str = "2024-05-01") -> list[dict]:
    base = dt.datetime.fromisoformat(f"{day}T00:00:00+07:00")
    return [
        {
            "record_id": f"r{i}",
            "window_start": (base + dt.timedelta(minutes=i)).isoformat(),
            "window_end": (base + dt.timedelta(minutes=i + 1)).isoformat(),
            "messages": 10,
            "bytes": 2048,
            "succeeded": 9,
            "failed": 1,
            "valid": 8,
            "invalid": 2,
        }
        for i in range(start, start + n)
    ]


def test_a_batch_is_stored_and_counted(client, world, link_id):
    got = client.post(f"/api/v1/links/{link_id}/events", json={"records": records(3)}, headers=world.rd)
    assert got.status_code == 201, got.text
    body = got.json()
    assert body | {"log_seq": 0} == {
        "link_id": link_id, "reporter": "RD", "side": "provider", "received": 3, "accepted": 3, "duplicates": 0, "log_seq": 0,
    }
    listed = client.get(f"/api/v1/links/{link_id}/events", headers=world.cgd).json()
    assert listed["total"] == 3
    first = listed["items"][0]
    # times come back in UTC whatever zone they were sent in
    assert first["window_start"] == "2024-04-30T17:00:00Z" and first["reporter"] == "RD" and first["side"] == "provider"


def test_consumer_reports_the_same_windows_separately(client, world, link_id):
    assert client.post(f"/api/v1/links/{link_id}/events", json={"records": records(2)}, headers=world.rd).json()["accepted"] == 2
    got = client.post(f"/api/v1/links/{link_id}/events", json={"records": records(2)}, headers=world.cgd).json()
    assert got["accepted"] == 2 and got["side"] == "consumer"
    assert client.get(f"/api/v1/links/{link_id}/events", params={"reporter": "CGD"}, headers=world.rd).json()["total"] == 2


def test_a_late_retry_never_counts_twice(client, world, link_id):
    url = f"/api/v1/links/{link_id}/events"
    assert client.post(url, json={"records": records(5)}, headers=world.rd).json()["accepted"] == 5
    again = client.post(url, json={"records": records(7)}, headers=world.rd).json()  # 5 old + 2 new
    assert (again["received"], again["accepted"], again["duplicates"]) == (7, 2, 5)
    repeated = records(2) + records(1)  # a duplicate inside one batch is ignored too
    inside = client.post(url, json={"records": repeated}, headers=world.rd).json()
    assert (inside["accepted"], inside["duplicates"]) == (0, 3)
    assert client.get(url, headers=world.rd).json()["total"] == 7


def test_idempotency_key_replays_the_stored_answer(client, world, link_id):
    url = f"/api/v1/links/{link_id}/events"
    headers = world.rd | {"Idempotency-Key": "batch-2024-05-01"}
    first = client.post(url, json={"records": records(4)}, headers=headers)
    replay = client.post(url, json={"records": records(4)}, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json() and replay.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    other = client.post(url, json={"records": records(5)}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    # keys belong to an agency: the consumer may use the same key for its own batch
    assert client.post(url, json={"records": records(4)}, headers=world.cgd | {"Idempotency-Key": "batch-2024-05-01"}).status_code == 201


def test_a_batch_is_stored_whole_or_not_at_all(client, world, link_id):
    url = f"/api/v1/links/{link_id}/events"
    bad = records(3)
    bad[2]["window_end"] = bad[2]["window_start"]
    got = client.post(url, json={"records": bad}, headers=world.rd)
    assert got.status_code == 422 and got.json()["code"] == "invalid_request" and "records.2" in got.json()["message"]
    negative = records(1)
    negative[0]["messages"] = -1
    assert client.post(url, json={"records": negative}, headers=world.rd).status_code == 422
    assert client.post(url, content=b"{not json", headers=world.rd | {"Content-Type": "application/json"}).status_code == 422
    assert client.post(url, json={"records": []}, headers=world.rd).status_code == 422
    assert client.get(url, headers=world.rd).json()["total"] == 0


def test_batch_limit(client, world, link_id):
    url = f"/api/v1/links/{link_id}/events"
    big = client.post(url, json={"records": records(10_001)}, headers=world.rd)
    assert big.status_code == 413 and big.json()["code"] == "batch_too_large"
    assert client.post(url, json={"records": records(10_000)}, headers=world.rd).json()["accepted"] == 10_000


def test_only_parties_report(client, world, link_id):
    url = f"/api/v1/links/{link_id}/events"
    assert client.post(url, json={"records": records(1)}, headers=world.dopa).status_code == 404
    assert client.post(url, json={"records": records(1)}, headers=world.office).status_code == 403
    assert client.post(url, json={"records": records(1)}).status_code == 401
    assert client.post("/api/v1/links/9999/events", json={"records": records(1)}, headers=world.rd).status_code == 404


@pytest.mark.parametrize("field", ["record_id", "window_start", "messages"])
def test_records_need_their_fields(client, world, link_id, field):
    rec = records(1)[0]
    del rec[field]
    got = client.post(f"/api/v1/links/{link_id}/events", json={"records": [rec]}, headers=world.rd)
    assert got.status_code == 422 and field in got.json()["message"]


def test_events_list_filters_and_pages(client, world, link_id):
    url = f"/api/v1/links/{link_id}/events"
    client.post(url, json={"records": records(10)}, headers=world.rd)
    page = client.get(url, params={"limit": 4, "offset": 8}, headers=world.rd).json()
    assert page["total"] == 10 and [i["record_id"] for i in page["items"]] == ["r8", "r9"]
    since = client.get(url, params={"since": "2024-04-30T17:05:00Z"}, headers=world.rd).json()
    assert since["total"] == 5
    assert LINK["provider"] == "RD"


def test_any_zone_and_precision_is_stored_as_the_same_utc_instant(client, world, link_id):
    """The fast path turns times into UTC text itself: it must agree with a plain conversion."""
    url = f"/api/v1/links/{link_id}/events"
    sent = [
        ("a", "2024-05-01T07:00:00+07:00", "2024-05-01T07:00:00.5+07:00", "2024-05-01T00:00:00Z"),
        ("b", "2024-04-30T19:30:00.123456-04:30", "2024-05-01T00:00:01Z", "2024-05-01T00:00:00.123456Z"),
        ("c", "2024-12-31T23:59:59.999999+00:00", "2025-01-01T00:00:00Z", "2024-12-31T23:59:59.999999Z"),
        ("d", "2024-03-01T05:00:00+05:00", "2024-03-01T00:00:00.000001+00:00", "2024-03-01T00:00:00Z"),
    ]
    batch = [{"record_id": rid, "window_start": start, "window_end": end, "messages": 1} for rid, start, end, _ in sent]
    got = client.post(url, json={"records": batch}, headers=world.rd)
    assert got.status_code == 201 and got.json()["accepted"] == 4, got.text
    listed = {i["record_id"]: i for i in client.get(url, headers=world.rd).json()["items"]}
    assert {rid: listed[rid]["window_start"] for rid, *_ in sent} == {rid: utc for rid, _, _, utc in sent}
    # the same windows written in another zone are the same natural key: counted once
    again = [dict(r, window_start=utc) for r, (*_, utc) in zip(batch, sent, strict=True)]
    assert client.post(url, json={"records": again}, headers=world.rd).json()["duplicates"] == 4


def test_a_window_must_end_after_it_starts_whatever_the_zones(client, world, link_id):
    rec = {"record_id": "x", "window_start": "2024-05-01T07:00:00+07:00", "window_end": "2024-05-01T00:00:00Z", "messages": 1}
    got = client.post(f"/api/v1/links/{link_id}/events", json={"records": [records(1)[0], rec]}, headers=world.rd)
    assert got.status_code == 422 and got.json()["message"].startswith("records.1.window_end")
    assert client.get(f"/api/v1/links/{link_id}/events", headers=world.rd).json()["total"] == 0


@pytest.mark.parametrize("record_id", ["r1", "ก-๑", "tab\there", 'quote"back\\slash', "\x00\x1f\x7f", "\u2028\u2029", "😀", "é" * 128])
def test_the_batch_digest_is_the_canonical_json_of_its_rows(record_id):
    """The digest is computed with orjson for speed; verify and older logs use canonical JSON."""
    import hashlib

    from dxs.registry.canonical import canonical_json
    from dxs.registry.services.logged_states import event_digest

    rows = [[f"2024-05-01T00:00:0{i}.000000Z", "2024-05-01T00:01:00.000000Z", record_id, i, 2**62, 0, 1, 2, 3] for i in range(3)]
    assert event_digest(rows) == hashlib.sha256(canonical_json(sorted(rows)).encode()).hexdigest()


@pytest.mark.parametrize(
    ("change", "place"),
    [
        ({"messages": -1}, "records.0.messages"),
        ({"messages": True}, "records.0.messages"),
        ({"window_start": "2024-02-30T00:00:00Z"}, "records.0.window_start"),
        ({"window_start": "2024-05-01T00:00:00"}, "records.0.window_start"),  # no zone: not RFC 3339
        ({"record_id": ""}, "records.0.record_id"),
        ({"colour": "red"}, "records.0"),
    ],
)
def test_a_bad_record_is_refused_with_its_place(client, world, link_id, change, place):
    got = client.post(f"/api/v1/links/{link_id}/events", json={"records": [records(1)[0] | change]}, headers=world.rd)
    assert got.status_code == 422 and got.json()["message"].startswith(place + ":"), got.text
    assert client.get(f"/api/v1/links/{link_id}/events", headers=world.rd).json()["total"] == 0


def test_a_body_that_is_not_json_is_refused(client, world, link_id):
    got = client.post(f"/api/v1/links/{link_id}/events", content=b'{"records": [', headers=world.rd | {"Content-Type": "application/json"})
    assert got.status_code == 422 and "not JSON" in got.json()["message"]


def test_whole_numbers_written_as_decimals_count_and_verify(client, world, link_id, database, signer):
    """JSON's 12.0 is an integer to the schema: it is stored, counted and hashed as 12."""
    from dxs.registry.services import verification

    rec = records(1)[0] | {"messages": 12.0, "bytes": 2048.0}
    assert client.post(f"/api/v1/links/{link_id}/events", json={"records": [rec]}, headers=world.rd).status_code == 201
    item = client.get(f"/api/v1/links/{link_id}/events", headers=world.rd).json()["items"][0]
    assert (item["messages"], item["bytes"]) == (12, 2048) and type(item["messages"]) is int
    with database.transaction(write=False) as s:
        assert verification.verify(s, verifier=signer).ok


def test_a_key_used_only_to_send_events_shows_its_last_use(client, world, link_id):
    made = client.post("/api/v1/agencies/RD/keys", json={"label": "reporting job"}, headers=world.office).json()
    sent = client.post(f"/api/v1/links/{link_id}/events", json={"records": records(1)}, headers={"Authorization": f"Bearer {made['key']}"})
    assert sent.status_code == 201
    listed = client.get("/api/v1/agencies/RD/keys", headers=world.office).json()
    assert next(k for k in listed if k["id"] == made["id"])["last_used_at"] is not None


def test_lower_case_rfc3339_times_are_read(client, world, link_id):
    rec = records(1)[0] | {"window_start": "2024-05-01t00:00:00z", "window_end": "2024-05-01t00:01:00+07:00"}
    rec["window_end"] = "2024-05-01t07:01:00+07:00"
    got = client.post(f"/api/v1/links/{link_id}/events", json={"records": [rec]}, headers=world.rd)
    assert got.status_code == 201, got.text
    assert client.get(f"/api/v1/links/{link_id}/events", headers=world.rd).json()["items"][0]["window_end"] == "2024-05-01T00:01:00Z"


@pytest.mark.parametrize(("method", "path"), [("post", "/api/v1/links"), ("post", "/api/v1/links/1/events"), ("patch", "/api/v1/links/1"), ("post", "/api/v1/agencies")])
def test_a_write_without_a_key_is_401_whatever_its_body(client, method, path):
    got = client.request(method.upper(), path, json={"nothing": "right"})
    assert got.status_code == 401 and got.json()["code"] == "unauthenticated", got.text


# --------------------------------------------------------------------------- records that cannot count


def log_size(client, world) -> int:
    return client.get("/api/v1/log/entries", params={"limit": 1}, headers=world.office).json()["total"]


def refused(client, world, link: int, batch: list[dict], *, code: str) -> str:
    """Send ``batch``; assert it is refused whole (422 with ``code``, no record, no log entry); its message."""
    url, before = f"/api/v1/links/{link}/events", log_size(client, world)
    got = client.post(url, json={"records": batch}, headers=world.rd)
    assert got.status_code == 422 and got.json()["code"] == code, got.text
    assert client.get(url, headers=world.rd).json()["total"] == 0
    assert log_size(client, world) == before
    return got.json()["message"]


@pytest.mark.parametrize(
    ("counts", "reason"),
    [
        ({"messages": 10, "succeeded": 10, "failed": 1}, "succeeded + failed (11) is more than messages (10)"),
        ({"messages": 5, "succeeded": 5, "failed": 0, "valid": 999, "invalid": 0}, "valid + invalid (999) is more than messages (5)"),
        ({"messages": 0, "succeeded": 0, "failed": 1, "valid": 0, "invalid": 0}, "succeeded + failed (1) is more than messages (0)"),
        ({"messages": 5, "succeeded": 6, "failed": 0, "valid": 3, "invalid": 3},
         "succeeded + failed (6) is more than messages (5); valid + invalid (6) is more than messages (5)"),
    ],
)
def test_outcomes_that_do_not_fit_in_the_messages_are_refused(client, world, link_id, counts, reason):
    batch = records(3)
    batch[1] |= counts
    message = refused(client, world, link_id, batch, code="invalid_request")
    assert message == f"records.1 (record_id 'r1'): {reason}"


def test_outcomes_may_fill_the_messages_exactly_or_leave_some_uncounted(client, world, link_id):
    batch = records(2)
    batch[0] |= {"messages": 7, "succeeded": 5, "failed": 2, "valid": 0, "invalid": 7}
    batch[1] |= {"messages": 7, "succeeded": 1, "failed": 0, "valid": 3, "invalid": 0}  # the rest not (yet) known
    got = client.post(f"/api/v1/links/{link_id}/events", json={"records": batch}, headers=world.rd)
    assert got.status_code == 201 and got.json()["accepted"] == 2, got.text


def test_every_record_that_cannot_count_is_named(client, world, link_id):
    batch = records(5)
    batch[1]["failed"] = 100
    batch[3]["invalid"] = 100
    message = refused(client, world, link_id, batch, code="invalid_request")
    assert message == (
        "2 records cannot count: records.1 (record_id 'r1'): succeeded + failed (109) is more than messages (10); "
        "records.3 (record_id 'r3'): valid + invalid (108) is more than messages (10)"
    )
    many = records(60)
    for rec in many:
        rec["valid"] = 11
    message = refused(client, world, link_id, many, code="invalid_request")
    assert message.startswith("60 records cannot count: records.0 (record_id 'r0'): valid + invalid (13)")
    assert "records.49 (record_id 'r49')" in message and "records.50 " not in message and message.endswith("; and 10 more")


def test_a_model_refuses_what_the_api_refuses():
    hour = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    good = {"record_id": "a", "window_start": hour, "window_end": hour + dt.timedelta(hours=1), "messages": 5}
    assert EventRecord(**good, succeeded=4, failed=1, valid=5).messages == 5
    with pytest.raises(ValueError, match=r"valid \+ invalid \(999\) is more than messages \(5\)"):
        EventRecord(**good, valid=999)
    # records made without their model (the demo) are checked as the batch is prepared
    batch = EventBatch.model_construct(records=[EventRecord.model_construct(**good, succeeded=9, failed=0, valid=0, invalid=0, bytes=0)])
    with pytest.raises(events.RecordsRefused) as caught:
        events.prepare(batch, postgres=False)
    assert [(r.index, r.record_id, r.field) for r in caught.value.refused] == [(0, "a", None)]


def dated_link(client, world, start: str, end: str | None = None, **extra: str) -> int:
    got = client.post("/api/v1/links", json=LINK | {"start_date": start, "end_date": end, **extra}, headers=world.rd)
    assert got.status_code == 201, got.text
    return got.json()["id"]


# The link runs through May 2024 in Bangkok: from 2024-04-30T17:00Z to 2024-05-31T17:00Z. A window
# must lie wholly inside: one that straddles either edge is refused too (it would count traffic from
# outside the link's life; the sender splits it at the edge).
INSIDE = [
    ("2024-05-01T00:00:00+07:00", "2024-05-01T01:00:00+07:00"),  # starts at the first instant
    ("2024-04-30T17:00:00Z", "2024-04-30T17:00:00.000001Z"),  # the same instant, written in UTC
    ("2024-05-31T23:00:00+07:00", "2024-06-01T00:00:00+07:00"),  # ends at the last instant (windows are half-open)
    ("2024-05-31T16:00:00Z", "2024-05-31T17:00:00Z"),
    ("2024-04-30T17:00:00Z", "2024-05-31T17:00:00Z"),  # the whole period in one window
]
OUTSIDE = [
    ("2024-04-30T23:00:00+07:00", "2024-05-01T00:00:00+07:00", "records.0.window_start", "is before the link's period"),
    ("2024-04-30T16:59:59.999999Z", "2024-04-30T17:30:00Z", "records.0.window_start", "is before the link's period"),  # straddles the start
    ("2024-05-31T23:30:00+07:00", "2024-06-01T00:30:00+07:00", "records.0.window_end", "split the window there"),  # straddles the end
    ("2024-05-31T16:00:00Z", "2024-05-31T17:00:00.000001Z", "records.0.window_end", "split the window there"),
    ("2024-06-01T00:00:00+07:00", "2024-06-01T01:00:00+07:00", "records.0.window_start", "is after the link's period"),
    ("2024-05-31T17:00:00Z", "2024-05-31T18:00:00Z", "records.0.window_start", "is after the link's period"),
    ("2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z", "records.0.window_start", "is before the link's period"),  # around it
]


@pytest.mark.parametrize(("start", "end"), INSIDE)
def test_a_window_within_the_links_period_counts(client, world, start, end):
    link = dated_link(client, world, "2024-05-01", "2024-05-31")
    rec = {"record_id": "b", "window_start": start, "window_end": end, "messages": 1}
    got = client.post(f"/api/v1/links/{link}/events", json={"records": [rec]}, headers=world.rd)
    assert got.status_code == 201 and got.json()["accepted"] == 1, got.text


@pytest.mark.parametrize(("start", "end", "place", "reason"), OUTSIDE)
def test_a_window_outside_the_links_period_is_refused_at_bangkok_midnight(client, world, start, end, place, reason):
    link = dated_link(client, world, "2024-05-01", "2024-05-31")
    rec = {"record_id": "b", "window_start": start, "window_end": end, "messages": 1}
    message = refused(client, world, link, [rec], code="outside_link_period")
    assert message.startswith(f"{place} (record_id 'b'): ") and reason in message
    if "before" in reason:
        assert message.endswith("which starts on 2024-05-01 (Bangkok midnight, 2024-04-30T17:00:00.000000Z)")
    else:
        assert "which ends with 2024-05-31 (Bangkok midnight after it, 2024-05-31T17:00:00.000000Z)" in message


def test_one_window_outside_refuses_the_whole_batch_and_each_is_named(client, world):
    link = dated_link(client, world, "2024-05-01", "2024-05-31")
    batch = records(3, day="2024-05-31")  # 00:00–00:03 on 31 May, Bangkok
    batch[0]["window_start"] = "2024-04-30T16:00:00Z"
    batch[2] |= {"window_start": "2024-06-01T08:00:00+07:00", "window_end": "2024-06-01T09:00:00+07:00"}
    message = refused(client, world, link, batch, code="outside_link_period")
    assert message.startswith("2 records cannot count: records.0.window_start (record_id 'r0'): 2024-04-30T16:00:00.000000Z is before")
    assert "; records.2.window_start (record_id 'r2'): 2024-06-01T01:00:00.000000Z is after" in message
    assert "records.1" not in message


def test_a_link_without_an_end_takes_any_later_window(client, world):
    link = dated_link(client, world, "2024-05-01")
    rec = {"record_id": "late", "window_start": "2099-12-31T23:00:00Z", "window_end": "2100-01-01T00:00:00Z", "messages": 1}
    assert client.post(f"/api/v1/links/{link}/events", json={"records": [rec]}, headers=world.rd).status_code == 201


def test_a_link_started_today_refuses_last_years_windows(client, world):
    """What the agencies guide's example did: declare a link (it starts today), then report 2024."""
    started_today = {k: v for k, v in LINK.items() if k != "start_date"}
    link = client.post("/api/v1/links", json=started_today, headers=world.rd).json()["id"]
    refused(client, world, link, records(1), code="outside_link_period")


def test_the_guides_events_example_is_accepted_on_its_link(client, world):
    """docs/agencies.md: the batch of its `curl` example, sent over a link declared as its link example answers."""
    guide = (ROOT / "docs" / "agencies.md").read_text(encoding="utf-8")
    start = re.search(r'"status": "active", "start_date": "(\d{4}-\d{2}-\d{2})"', guide)[1]
    body = json.loads(re.search(r"""-d '(\{"records": .*?\})'""", guide, re.S)[1])
    link = dated_link(client, world, start)
    got = client.post(f"/api/v1/links/{link}/events", json=body, headers=world.rd)
    assert got.status_code == 201 and got.json()["accepted"] == len(body["records"]), got.text


def test_demo_records_are_ones_that_count():
    import random

    from dxs.registry import demo
    from dxs.registry.times import local_midnight_utc

    for end in (None, dt.date(2023, 3, 14), demo.LAST_DAY, demo.LAST_DAY + dt.timedelta(days=40)):
        link = demo._Link("A", "B", "th.test.permit", "1.0.0", dt.date(2022, 2, 3), end, volume=5000)
        made = demo._records(random.Random(1), link, "provider", 7)
        lo, hi = local_midnight_utc(link.start), local_midnight_utc(end + dt.timedelta(days=1)) if end else None
        assert made and all(lo <= r.window_start < r.window_end and (hi is None or r.window_end <= hi) for r in made)
        assert all(r.succeeded + r.failed == r.messages and r.valid + r.invalid == r.messages for r in made)
        events.prepare(EventBatch.model_construct(records=made), postgres=False)  # the counts pass the batch check


# --------------------------------------------------------------------------- refusals among grouped writes


def ingesting(batch: list[dict], link: int) -> tuple[object, dict]:
    """``events.ingest`` and its arguments, as ``POST /links/{id}/events`` hands them to the writer."""
    return events.ingest, {"link_id": link, "batch": EventBatch(records=batch)}


def test_a_refused_batch_leaves_the_writes_grouped_with_it_their_own_answers(client, database, world, signer):
    link = dated_link(client, world, "2024-05-01", "2024-05-31")
    rd, cgd = Writer(database, token(world.rd)), Writer(database, token(world.cgd))
    outside = records(1, start=5, day="2024-06-01")
    with database.transaction(write=False) as s:
        entries_before = verification.verify(s, verifier=signer).entries
    first, refusal, last = asyncio.run(queued_behind_a_busy_thread([
        (rd, *ingesting(records(2), link)),
        (rd, *ingesting(outside, link)),
        (cgd, *ingesting(records(3), link)),
    ]))
    assert isinstance(refusal, Invalid) and refusal.code == "outside_link_period" and "records.0.window_start (record_id 'r5')" in refusal.message
    assert (first.body["accepted"], last.body["accepted"]) == (2, 3)
    assert client.get(f"/api/v1/links/{link}/events", headers=world.rd).json()["total"] == 5
    with database.transaction(write=False) as s:
        report = verification.verify(s, verifier=signer)
    assert report.ok and report.entries == entries_before + 2


def test_a_batch_is_checked_against_the_link_as_the_writes_before_it_in_its_group_left_it(client, database, world, fixture_catalog):
    """The period is read in the write, not asked for before the group: an end date set just before counts."""
    link = dated_link(client, world, "2024-05-01")
    rd = Writer(database, token(world.rd))
    ended, refusal = asyncio.run(queued_behind_a_busy_thread([
        (rd, links.change, {"catalog": fixture_catalog, "link_id": link, "data": LinkUpdate(end_date=dt.date(2024, 5, 10))}),
        (rd, *ingesting(records(1, day="2024-05-11"), link)),
    ]))
    assert ended.end_date == dt.date(2024, 5, 10)
    assert isinstance(refusal, Invalid) and refusal.code == "outside_link_period" and "ends with 2024-05-10" in refusal.message
