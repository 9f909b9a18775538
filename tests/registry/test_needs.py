"""Requests for standards and the office's need groups (activity 4.1), on SQLite and PostgreSQL.

An agency files and reads only its own requests; the office merges, groups, sets priorities
and statuses. Every change is a log entry holding the row's new state, ``verify`` holds the
rows to it, and a backup carries them.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from dxs.registry.db import Database
from dxs.registry.migrate import upgrade
from dxs.registry.models import LogEntry, NeedGroup, NeedGroupLink, StandardRequest
from dxs.registry.services import verification
from tests.registry.conftest import backup_round_trip, make_world

REQUEST = {
    "document_type": "หนังสือรับรองการฝึกอบรม · training certificate",
    "sectors": ["education", "public-administration"],
    "partners": [],
    "yearly_volume": 120000,
    "urgency": "high",
    "urgency_reason": "ตัวอย่าง · an illustrative reason",
    "legal_driver": "an illustrative regulation",
}
STANDARDLESS_LINK = {
    "provider": "RD",
    "consumer": "CGD",
    "document_name": "รายงานการรับชำระเงินรายวัน · daily payment receipt export",
    "document_format": "csv",
    "yearly_volume": 5200,
    "purpose": "Daily receipts",
    "start_date": "2024-01-01",
}
GROUP = {"name_th": "หนังสือรับรองการฝึกอบรม", "name_en": "Training certificates"}

#: Office-only writes: (method, path, body) with {request}, {other} (a second request), {group}, {link} filled in.
#: Paths as the OpenAPI document names them, for test_authorisation's check that every write is covered.
OFFICE_WRITES = {
    "set request status": ("PATCH", "/api/v1/requests/{request_id}", {"status": "planned"}),
    "merge request": ("POST", "/api/v1/requests/{request_id}/merge", {"into": "{other}"}),
    "create group": ("POST", "/api/v1/need-groups", GROUP),
    "change group": ("PATCH", "/api/v1/need-groups/{group_id}", {"priority": 1}),
    "group request": ("POST", "/api/v1/need-groups/{group_id}/requests", {"request": "{request}"}),
    "ungroup request": ("DELETE", "/api/v1/need-groups/{group_id}/requests/{request_id}", None),
    "group link": ("POST", "/api/v1/need-groups/{group_id}/links", {"link": "{link}"}),
    "ungroup link": ("DELETE", "/api/v1/need-groups/{group_id}/links/{link_id}", None),
}
#: Every write endpoint of this module, for tests/registry/test_authorisation.py.
NEEDS_WRITES = {(m, p) for m, p, _ in OFFICE_WRITES.values()} | {("POST", "/api/v1/requests")}


def file(client, who, **changes):
    got = client.post("/api/v1/requests", json=REQUEST | changes, headers=who)
    assert got.status_code == 201, got.text
    return got.json()


def entries(client, world, kind: str) -> list[dict]:
    got = client.get("/api/v1/log/entries", params={"kind": kind, "limit": 1000}, headers=world.office)
    assert got.status_code == 200, got.text
    return got.json()["items"]


def entry_at(client, world, seq: int) -> dict:
    got = client.get("/api/v1/log/entries", params={"after": seq - 1, "limit": 1}, headers=world.office).json()["items"]
    assert got and got[0]["seq"] == seq
    return got[0]


@pytest.fixture
def link(client, world) -> int:
    """A link declared without a catalog standard."""
    got = client.post("/api/v1/links", json=STANDARDLESS_LINK, headers=world.rd)
    assert got.status_code == 201, got.text
    return got.json()["id"]


def stored(database) -> tuple[int, int, int, int]:
    """How many requests, groups, group links and log entries are stored."""
    with database.transaction(write=False) as s:
        return tuple(s.execute(select(func.count()).select_from(t)).scalar_one() for t in (StandardRequest, NeedGroup, NeedGroupLink, LogEntry))


def verify(database, signer):
    with database.transaction(write=False) as s:
        return verification.verify(s, verifier=signer)


# --------------------------------------------------------------------------- the whole life of a request


def test_a_request_filed_merged_grouped_planned_and_announced_each_logged(client, world, link, database, signer):
    mine = file(client, world.rd, partners=["CGD", "DOPA", "CGD"])
    assert mine["agency"] == "RD" and mine["status"] == "open" and mine["sectors"] == REQUEST["sectors"]
    assert mine["partners"] == ["CGD", "DOPA"] and mine["yearly_volume"] == 120000 and mine["revision"] == 1 and mine["group"] is None
    filed = entry_at(client, world, mine["log_seq"])
    assert filed["kind"] == "request.filed" and filed["actor"].startswith("agency:RD/")
    assert filed["payload"]["request"]["document_type"] == REQUEST["document_type"]

    duplicate = file(client, world.cgd, document_type="ใบรับรองการอบรม · training certificate", partners=["RD"])
    merged = client.post(f"/api/v1/requests/{duplicate['id']}/merge", json={"into": mine["id"]}, headers=world.office)
    assert merged.status_code == 200, merged.text
    assert merged.json()["status"] == "merged" and merged.json()["merged_into"] == mine["id"] and merged.json()["revision"] == 2
    logged = entry_at(client, world, merged.json()["log_seq"])
    assert logged["kind"] == "request.merged" and logged["actor"].startswith("office/")
    assert logged["payload"]["request"]["merged_into_id"] == mine["id"] and logged["payload"]["request"]["status"] == "merged"

    group = client.post("/api/v1/need-groups", json=GROUP, headers=world.office)
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]
    assert group.json()["status"] == "open" and group.json()["priority"] is None
    assert entry_at(client, world, group.json()["log_seq"])["kind"] == "need_group.created"

    grouped = client.post(f"/api/v1/need-groups/{group_id}/requests", json={"request": mine["id"]}, headers=world.office)
    assert grouped.status_code == 200 and grouped.json()["group"]["id"] == group_id
    assert entry_at(client, world, grouped.json()["log_seq"])["payload"]["request"]["group_id"] == group_id
    with_link = client.post(f"/api/v1/need-groups/{group_id}/links", json={"link": link}, headers=world.office)
    assert with_link.status_code == 200 and with_link.json()["links"] == [link] and with_link.json()["requests"] == [mine["id"]]
    assert entries(client, world, "need_group.link_added")[-1]["payload"]["group_link"] == {"group_id": group_id, "link_id": link}

    planned = client.patch(f"/api/v1/need-groups/{group_id}", json={"status": "planned", "priority": 1, "status_note": "in next year's plan"}, headers=world.office)
    assert planned.status_code == 200, planned.text
    assert (planned.json()["status"], planned.json()["priority"], planned.json()["revision"]) == ("planned", 1, 2)
    assert entry_at(client, world, planned.json()["log_seq"])["payload"]["group"]["status"] == "planned"

    announced = client.patch(f"/api/v1/need-groups/{group_id}", json={"status": "announced", "announced_as": "th.test.permit@1.1.0"}, headers=world.office)
    assert announced.status_code == 200, announced.text
    assert announced.json()["announced_as"] == "th.test.permit@1.1.0" and announced.json()["status_note"] == ""  # a new status, a new note
    request_announced = client.patch(f"/api/v1/requests/{mine['id']}", json={"status": "announced", "announced_as": "th.test.permit"}, headers=world.office)
    assert request_announced.status_code == 200 and request_announced.json()["announced_as"] == "th.test.permit"
    assert entry_at(client, world, request_announced.json()["log_seq"])["kind"] == "request.changed"

    # the agency follows its request: announced, and the group it is in
    seen = client.get(f"/api/v1/requests/{mine['id']}", headers=world.rd).json()
    assert seen["status"] == "announced" and seen["group"] == {
        "id": group_id, "name_th": GROUP["name_th"], "name_en": GROUP["name_en"], "status": "announced", "announced_as": "th.test.permit@1.1.0",
    }
    # the same answer again changes nothing and writes no entry
    before = stored(database)
    again = client.patch(f"/api/v1/requests/{mine['id']}", json={"status": "announced"}, headers=world.office)
    assert again.status_code == 200 and again.json()["revision"] == seen["revision"] and stored(database) == before

    # taken out again, each logged
    out = client.delete(f"/api/v1/need-groups/{group_id}/links/{link}", headers=world.office)
    assert out.status_code == 200 and out.json()["links"] == []
    ungrouped = client.delete(f"/api/v1/need-groups/{group_id}/requests/{mine['id']}", headers=world.office)
    assert ungrouped.status_code == 200 and ungrouped.json()["group"] is None
    assert entry_at(client, world, ungrouped.json()["log_seq"])["kind"] == "request.ungrouped"
    assert [e["kind"] for e in entries(client, world, "need_group.link_removed")] == ["need_group.link_removed"]
    report = verify(database, signer)
    assert report.ok, [str(f) for f in report.findings]


def test_merging_a_request_others_were_merged_into_moves_them_along(client, world):
    a, b, c = (file(client, who) for who in (world.rd, world.cgd, world.dopa))
    group = client.post("/api/v1/need-groups", json=GROUP, headers=world.office).json()
    client.post(f"/api/v1/need-groups/{group['id']}/requests", json={"request": b["id"]}, headers=world.office)
    assert client.post(f"/api/v1/requests/{a['id']}/merge", json={"into": b["id"]}, headers=world.office).status_code == 200
    moved = client.post(f"/api/v1/requests/{b['id']}/merge", json={"into": c["id"]}, headers=world.office)
    assert moved.status_code == 200 and moved.json()["group"] is None  # a merged request leaves its group
    everyone = {r["id"]: r for r in client.get("/api/v1/requests", headers=world.office).json()["items"]}
    assert everyone[a["id"]]["merged_into"] == c["id"] and everyone[b["id"]]["merged_into"] == c["id"]
    into_merged = client.post(f"/api/v1/requests/{c['id']}/merge", json={"into": a["id"]}, headers=world.office)
    assert into_merged.status_code == 409 and into_merged.json()["code"] == "already_merged" and f"request {c['id']}" in into_merged.json()["message"]
    to_self = client.post(f"/api/v1/requests/{c['id']}/merge", json={"into": c["id"]}, headers=world.office)
    assert to_self.status_code == 422 and "itself" in to_self.json()["message"]
    # given a status again, a merged request is no longer merged
    reopened = client.patch(f"/api/v1/requests/{a['id']}", json={"status": "open"}, headers=world.office)
    assert reopened.status_code == 200 and reopened.json()["merged_into"] is None and reopened.json()["status"] == "open"


# --------------------------------------------------------------------------- who may


def test_an_agency_sees_only_its_own_requests(client, world):
    mine, theirs = file(client, world.rd), file(client, world.cgd)
    listed = client.get("/api/v1/requests", headers=world.rd).json()
    assert [r["id"] for r in listed["items"]] == [mine["id"]] and listed["total"] == 1
    hidden = client.get(f"/api/v1/requests/{theirs['id']}", headers=world.rd)
    assert hidden.status_code == 404 and hidden.json()["code"] == "request_not_found"
    assert client.get(f"/api/v1/requests/{theirs['id']}", headers=world.cgd).status_code == 200
    asked = client.get("/api/v1/requests", params={"agency": "CGD"}, headers=world.rd)
    assert asked.status_code == 403 and asked.json()["code"] == "not_your_agency"
    everyone = client.get("/api/v1/requests", headers=world.office).json()
    assert {r["id"] for r in everyone["items"]} == {mine["id"], theirs["id"]}
    assert [r["id"] for r in client.get("/api/v1/requests", params={"agency": "CGD"}, headers=world.office).json()["items"]] == [theirs["id"]]
    assert client.get("/api/v1/requests").status_code == 401
    assert client.get("/api/v1/need-groups", headers=world.rd).status_code == 403
    assert client.get("/api/v1/need-groups", headers=world.office).status_code == 200


@pytest.mark.parametrize("caller", ["none", "revoked", "own", "other", "office"])
@pytest.mark.parametrize("action", list(OFFICE_WRITES))
def test_only_the_office_merges_groups_and_sets_statuses(client, world, database, link, action, caller):
    mine, other = file(client, world.rd), file(client, world.cgd)
    group = client.post("/api/v1/need-groups", json=GROUP, headers=world.office).json()
    if action == "ungroup request":
        client.post(f"/api/v1/need-groups/{group['id']}/requests", json={"request": mine["id"]}, headers=world.office)
    if action == "ungroup link":
        client.post(f"/api/v1/need-groups/{group['id']}/links", json={"link": link}, headers=world.office)
    method, path, body = OFFICE_WRITES[action]
    ids = {"request": mine["id"], "other": other["id"], "group": group["id"], "link": link}
    url = path.format(request_id=mine["id"], group_id=group["id"], link_id=link)
    body = None if body is None else {k: (ids[v[1:-1]] if isinstance(v, str) and v[1:-1] in ids else v) for k, v in body.items()}
    headers = {"none": {}, "revoked": world.revoked, "own": world.rd, "other": world.dopa, "office": world.office}[caller]
    before = stored(database)
    got = client.request(method, url, json=body, headers=headers)
    expected = {"none": 401, "revoked": 401, "own": 403, "other": 403, "office": 201 if action == "create group" else 200}[caller]
    assert got.status_code == expected, got.text
    if caller != "office":
        assert set(got.json()) == {"code", "message"} and stored(database) == before


@pytest.mark.parametrize("caller", ["none", "revoked", "office"])
def test_only_an_agency_files_a_request(client, world, database, caller):
    headers = {"none": {}, "revoked": world.revoked, "office": world.office}[caller]
    before = stored(database)
    got = client.post("/api/v1/requests", json=REQUEST, headers=headers)
    assert got.status_code == {"none": 401, "revoked": 401, "office": 403}[caller]
    assert set(got.json()) == {"code", "message"} and stored(database) == before
    if caller == "office":
        assert got.json()["code"] == "agency_only"


# --------------------------------------------------------------------------- bad input


BAD_REQUESTS = {
    "unknown sector": ({"sectors": ["space"]}, 422, "invalid_request", "unknown sector 'space'"),
    "no sector": ({"sectors": []}, 422, "invalid_request", "sectors"),
    "empty document type": ({"document_type": "   "}, 422, "invalid_request", "document_type"),
    "no document type": ({"document_type": None}, 422, "invalid_request", "document_type"),
    "volume below zero": ({"yearly_volume": -1}, 422, "invalid_request", "yearly_volume"),
    "unknown urgency": ({"urgency": "yesterday"}, 422, "invalid_request", "urgency"),
    "unknown partner": ({"partners": ["CGD", "GHOST"]}, 422, "unknown_agency", "'GHOST' is not a registered agency"),
    "own agency as partner": ({"partners": ["RD"]}, 422, "invalid_request", "your own agency"),
    "for another agency": ({"agency": "CGD"}, 403, "request_for_another_agency", "not for 'CGD'"),
    "an unknown field": ({"status": "announced"}, 422, "invalid_request", "status"),
}


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_a_bad_request_is_refused_and_nothing_stored(client, world, database, case):
    changes, status, code, words = BAD_REQUESTS[case]
    before = stored(database)
    got = client.post("/api/v1/requests", json=REQUEST | changes, headers=world.rd)
    assert got.status_code == status, got.text
    assert got.json()["code"] == code and words in got.json()["message"], got.json()
    assert stored(database) == before


def test_a_request_for_its_own_agency_by_name_is_filed(client, world):
    assert file(client, world.rd, agency="RD")["agency"] == "RD"


def test_an_oversized_body_is_refused_unread(client, world, database):
    before = stored(database)
    got = client.post("/api/v1/requests", json=REQUEST | {"urgency_reason": "x" * (2 * 1024 * 1024)}, headers=world.rd)
    assert got.status_code == 413 and got.json()["code"] == "payload_too_large"
    assert stored(database) == before


def test_status_rules_are_kept(client, world, database, link, signer):
    mine = file(client, world.rd)
    group = client.post("/api/v1/need-groups", json=GROUP, headers=world.office).json()
    before = stored(database)
    cases = [
        ("PATCH", f"/api/v1/need-groups/{group['id']}", {"status": "announced"}, 422, "announced_as_required"),
        ("PATCH", f"/api/v1/need-groups/{group['id']}", {"status": "announced", "announced_as": "th.nope"}, 422, "unknown_standard"),
        ("PATCH", f"/api/v1/need-groups/{group['id']}", {"status": "announced", "announced_as": "th.test.permit@9.9.9"}, 422, "unknown_standard"),
        ("PATCH", f"/api/v1/need-groups/{group['id']}", {"status": "declined"}, 422, "reason_required"),
        ("PATCH", f"/api/v1/need-groups/{group['id']}", {"announced_as": "th.test.permit"}, 422, "invalid_request"),
        ("PATCH", f"/api/v1/need-groups/{group['id']}", {"name_en": None}, 422, "invalid_request"),
        ("PATCH", f"/api/v1/requests/{mine['id']}", {"status": "declined", "status_note": ""}, 422, "reason_required"),
        ("PATCH", f"/api/v1/requests/{mine['id']}", {"status": "merged"}, 422, "invalid_request"),
        ("POST", "/api/v1/need-groups", GROUP | {"status": "announced"}, 422, "announced_as_required"),
        ("POST", "/api/v1/need-groups", GROUP | {"name_th": ""}, 422, "invalid_request"),
        ("POST", f"/api/v1/requests/{mine['id']}/merge", {"into": 999999}, 404, "request_not_found"),
        ("POST", "/api/v1/need-groups/999999/requests", {"request": mine["id"]}, 404, "group_not_found"),
        ("POST", f"/api/v1/need-groups/{group['id']}/links", {"link": 999999}, 404, "link_not_found"),
        ("DELETE", f"/api/v1/need-groups/{group['id']}/links/{link}", None, 404, "not_in_group"),
    ]
    for method, url, body, status, code in cases:
        got = client.request(method, url, json=body, headers=world.office)
        assert (got.status_code, got.json()["code"]) == (status, code), (url, body, got.text)
    assert stored(database) == before
    declined = client.patch(f"/api/v1/requests/{mine['id']}", json={"status": "declined", "status_note": "covered by th.test.permit"}, headers=world.office)
    assert declined.status_code == 200 and declined.json()["status_note"] == "covered by th.test.permit"


def test_a_link_under_a_standard_or_in_another_group_stays_out(client, world, link, link_id):
    first = client.post("/api/v1/need-groups", json=GROUP, headers=world.office).json()
    second = client.post("/api/v1/need-groups", json=GROUP | {"name_en": "Other"}, headers=world.office).json()
    standard = client.post(f"/api/v1/need-groups/{first['id']}/links", json={"link": link_id}, headers=world.office)
    assert standard.status_code == 422 and standard.json()["code"] == "link_has_standard" and "th.test.permit@1.1.0" in standard.json()["message"]
    assert client.post(f"/api/v1/need-groups/{first['id']}/links", json={"link": link}, headers=world.office).status_code == 200
    again = client.post(f"/api/v1/need-groups/{first['id']}/links", json={"link": link}, headers=world.office)
    assert again.status_code == 200 and again.json()["links"] == [link]  # already there: nothing changes
    elsewhere = client.post(f"/api/v1/need-groups/{second['id']}/links", json={"link": link}, headers=world.office)
    assert elsewhere.status_code == 409 and elsewhere.json()["code"] == "in_another_group"


# --------------------------------------------------------------------------- verify


@pytest.fixture
def needs_made(client, world, link):
    """Two requests (one merged), a planned group with a request and a standard-less link."""
    mine, duplicate = file(client, world.rd), file(client, world.cgd)
    client.post(f"/api/v1/requests/{duplicate['id']}/merge", json={"into": mine["id"]}, headers=world.office)
    group = client.post("/api/v1/need-groups", json=GROUP | {"status": "planned", "priority": 2}, headers=world.office).json()
    client.post(f"/api/v1/need-groups/{group['id']}/requests", json={"request": mine["id"]}, headers=world.office)
    client.post(f"/api/v1/need-groups/{group['id']}/links", json={"link": link}, headers=world.office)
    return {"request": mine["id"], "duplicate": duplicate["id"], "group": group["id"], "link": link}


def sql(database, statement: str, **params) -> None:
    with database.transaction() as s:
        s.execute(text(statement), params)


def test_verify_holds_requests_and_groups_to_the_log(database, signer, needs_made):
    report = verify(database, signer)
    assert report.ok, [str(f) for f in report.findings]


@pytest.mark.parametrize(
    ("statement", "table", "column"),
    [
        ("UPDATE standard_requests SET urgency = 'low' WHERE id = :request", "standard_requests", "urgency"),
        ("UPDATE standard_requests SET sectors = '[\"health\"]' WHERE id = :request", "standard_requests", "sectors"),
        ("UPDATE standard_requests SET merged_into_id = NULL WHERE id = :duplicate", "standard_requests", "merged_into_id"),
        ("UPDATE need_groups SET priority = 1 WHERE id = :group", "need_groups", "priority"),
        ("UPDATE need_groups SET log_seq = 0 WHERE id = :group", "need_groups", "log_seq"),
    ],
)
def test_verify_names_a_changed_column(database, signer, needs_made, statement, table, column):
    sql(database, statement, **{k: v for k, v in needs_made.items() if f":{k}" in statement})
    report = verify(database, signer)
    named = [f for f in report.findings if (f.table, f.column) == (table, column)]
    assert named, [str(f) for f in report.findings]
    row = str(needs_made["duplicate" if ":duplicate" in statement else ("group" if table == "need_groups" else "request")])
    assert named[0].row == row and named[0].seq is not None


def test_verify_finds_a_group_link_removed_or_added_behind_the_log(database, signer, needs_made):
    sql(database, "DELETE FROM need_group_links WHERE link_id = :link", link=needs_made["link"])
    removed = verify(database, signer)
    assert any(f.table == "need_group_links" and "missing from the database" in str(f) for f in removed.findings), [str(f) for f in removed.findings]
    sql(database, "INSERT INTO need_group_links (group_id, link_id, log_seq) VALUES (:group, :link, 1)", group=needs_made["group"], link=needs_made["link"])
    planted = verify(database, signer)
    assert any(f.table == "need_group_links" and f.column == "log_seq" for f in planted.findings), [str(f) for f in planted.findings]


# --------------------------------------------------------------------------- backup


def test_export_and_import_carry_requests_and_groups(fresh_db_url, second_db_url, fixture_catalog, signer, tmp_path):
    from fastapi.testclient import TestClient

    from dxs.registry import create_app

    upgrade(fresh_db_url)
    source = Database(fresh_db_url, signer=signer)
    try:
        world = make_world(source)
        with TestClient(create_app(catalog=fixture_catalog, database=source)) as client:
            link = client.post("/api/v1/links", json=STANDARDLESS_LINK, headers=world.rd).json()["id"]
            first, later = file(client, world.rd), file(client, world.cgd)
            # merged into a later request: the import must put the later one first
            assert client.post(f"/api/v1/requests/{first['id']}/merge", json={"into": later["id"]}, headers=world.office).status_code == 200
            group = client.post("/api/v1/need-groups", json=GROUP | {"priority": 1, "status": "planned"}, headers=world.office).json()
            client.post(f"/api/v1/need-groups/{group['id']}/requests", json={"request": later["id"]}, headers=world.office)
            client.post(f"/api/v1/need-groups/{group['id']}/links", json={"link": link}, headers=world.office)
        counts, result = backup_round_trip(source, second_db_url, tmp_path, signer.public_key_b64)
    finally:
        source.dispose()
    assert (counts["standard_requests"], counts["need_groups"], counts["need_group_links"]) == (2, 1, 1)
    assert result.report.ok and result.rows == counts
    restored = Database(second_db_url, signer=signer)
    try:
        with restored.transaction(write=False) as s:
            rows = {r.id: (r.status, r.merged_into_id, r.group_id) for r in s.execute(select(StandardRequest)).scalars()}
        assert rows == {first["id"]: ("merged", later["id"], None), later["id"]: ("open", None, group["id"])}
        # the restored registry goes on: new ids follow the imported ones
        with TestClient(create_app(catalog=fixture_catalog, database=restored)) as client:
            assert file(client, world.dopa)["id"] == later["id"] + 1
    finally:
        restored.dispose()


# --------------------------------------------------------------------------- the portal


def _sign_in(client, headers) -> None:
    signed = client.post("/my/login", data={"key": headers["Authorization"].split()[1]}, follow_redirects=False)
    assert signed.status_code == 303, signed.text


def _form(client) -> dict[str, str]:
    page = client.get("/my/requests")
    assert page.status_code == 200, page.text
    token = re.search(r'name="form_token" value="([0-9a-f]+)"', page.text)
    assert token, "the page has no request form"
    return {
        "form_token": token.group(1), "document_type": "ใบรับรองการอบรม · training certificate", "sectors": ["education", "health"],
        "partners": "CGD, DOPA", "yearly_volume": "12,000", "urgency": "high", "urgency_reason": "", "legal_driver": "",
    }


def test_the_portal_files_a_request_and_shows_only_the_agencys_own(client, world, database):
    assert "Sign in" in client.get("/my/requests").text and 'name="form_token"' not in client.get("/my/requests").text
    _sign_in(client, world.rd)
    sent = client.post("/my/requests", data=_form(client), follow_redirects=False)
    assert sent.status_code == 303, sent.text
    page = client.get(sent.headers["location"]).text
    got = client.get("/api/v1/requests", headers=world.rd).json()["items"]
    assert sent.headers["location"] == f"/my/requests?filed={got[0]['id']}" and f"Request {got[0]['id']} was filed" in page
    assert "ใบรับรองการอบรม · training certificate" in page and "12,000" in page
    assert [(r["sectors"], r["partners"], r["yearly_volume"]) for r in got] == [(["education", "health"], ["CGD", "DOPA"], 12000)]
    assert entries(client, world, "request.filed")[-1]["actor"].startswith("agency:RD/")
    client.post("/my/logout", follow_redirects=False)
    client.cookies.clear()
    _sign_in(client, world.cgd)
    assert "ใบรับรองการอบรม" not in client.get("/my/requests").text


def test_the_portal_refuses_a_bad_or_forged_form_and_stores_nothing(client, world, database):
    _sign_in(client, world.rd)
    form = _form(client)
    before = stored(database)
    bad = client.post("/my/requests", data=form | {"sectors": ["space"]})
    assert bad.status_code == 422 and "unknown sector" in bad.text and 'value="ใบรับรองการอบรม · training certificate"' in bad.text
    ghost = client.post("/my/requests", data=form | {"partners": "GHOST"})
    assert ghost.status_code == 422 and "not a registered agency" in ghost.text
    forged = client.post("/my/requests", data=form | {"form_token": "0" * 64})
    assert forged.status_code == 403
    cross_site = client.post("/my/requests", data=form, headers={"Origin": "https://evil.example"})
    assert cross_site.status_code == 403
    client.cookies.clear()
    assert client.post("/my/requests", data=form).status_code == 401
    assert stored(database) == before


def test_the_menu_leads_to_my_requests(client):
    assert 'href="/my/requests"' in client.get("/").text


def test_another_session_cannot_reuse_a_form(client, world, database):
    """The form token is bound to the session: a page of RD's session does not serve CGD's."""
    _sign_in(client, world.rd)
    form = _form(client)
    client.cookies.clear()
    _sign_in(client, world.cgd)
    before = stored(database)
    assert client.post("/my/requests", data=form).status_code == 403
    assert stored(database) == before


def test_office_sees_every_request_on_the_portal_without_a_form(client, world):
    file(client, world.rd)
    file(client, world.cgd, document_type="แบบคำขออื่น · another form")
    client.post("/my/login", data={"key": world.office["Authorization"].split()[1]}, follow_redirects=False)
    page = client.get("/my/requests").text
    assert "another form" in page and "หนังสือรับรองการฝึกอบรม" in page and 'name="form_token"' not in page


# --------------------------------------------------------------------------- the demo


def test_the_demo_seed_has_requests_and_groups_for_the_needs_report(bundled_catalog, tmp_path):
    from dxs.registry import admin
    from dxs.registry.demo import seed_registry

    url, key = f"sqlite:///{tmp_path / 'demo.sqlite'}", tmp_path / "log.key"
    seed_registry(url, bundled_catalog, log_key=key, scale=0.05)
    database = Database(url, signer=None)
    try:
        with database.transaction(write=False) as s:
            requests = s.execute(select(StandardRequest)).scalars().all()
            groups = s.execute(select(NeedGroup).order_by(NeedGroup.priority)).scalars().all()
            links = s.execute(select(NeedGroupLink)).scalars().all()
    finally:
        database.dispose()
    assert len(requests) == 6 and [r.status for r in requests].count("merged") == 1
    assert [(g.name_en, g.status, g.priority) for g in groups] == [("Laboratory results", "planned", 1), ("Certificates of origin", "open", 2)]
    assert sum(r.group_id is not None for r in requests) == 4 and {x.group_id for x in links} <= {g.id for g in groups}
    report = admin.verify(url, log_key=key)
    assert report.ok, [str(f) for f in report.findings]
