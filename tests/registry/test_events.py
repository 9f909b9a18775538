"""Event ingestion: whole batches, idempotent retries, natural keys that never count twice."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.registry.conftest import LINK


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

    from registry.canonical import canonical_json
    from registry.services.logged_states import event_digest

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
    from registry.services import verification

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
