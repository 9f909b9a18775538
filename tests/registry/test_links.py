"""Declaring, changing and ending links; only announced versions; history kept."""

from __future__ import annotations

import json

from tests.registry.conftest import LINK


def test_declare_and_read_a_link(client, world, link_id):
    got = client.get(f"/api/v1/links/{link_id}", headers=world.cgd).json()
    assert got["provider"] == "RD" and got["consumer"] == "CGD" and got["standard"] == "th.test.permit"
    assert got["version"] == "1.1.0" and got["status"] == "active" and got["revision"] == 1
    assert got["created_at"].endswith("Z")
    # the bystander cannot see that the link exists; the office sees it
    assert client.get(f"/api/v1/links/{link_id}", headers=world.dopa).status_code == 404
    assert client.get(f"/api/v1/links/{link_id}", headers=world.office).status_code == 200
    assert client.get(f"/api/v1/links/{link_id}").status_code == 401


def test_the_consumer_may_declare_too(client, world):
    assert client.post("/api/v1/links", json=LINK, headers=world.cgd).status_code == 201


def test_only_announced_versions_of_catalog_standards(client, world):
    deprecated = client.post("/api/v1/links", json=LINK | {"version": "1.0.0"}, headers=world.rd)
    assert deprecated.status_code == 422 and deprecated.json()["code"] == "standard_not_announced"
    unknown = client.post("/api/v1/links", json=LINK | {"version": "9.9.9"}, headers=world.rd)
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_standard"
    nostd = client.post("/api/v1/links", json=LINK | {"standard": "th.nope"}, headers=world.rd)
    assert nostd.json()["code"] == "unknown_standard"


def test_parties_must_be_two_registered_agencies(client, world):
    same = client.post("/api/v1/links", json=LINK | {"consumer": "RD"}, headers=world.rd)
    assert same.status_code == 422 and same.json()["code"] == "same_agency"
    ghost = client.post("/api/v1/links", json=LINK | {"consumer": "GHOST"}, headers=world.rd)
    assert ghost.status_code == 422 and ghost.json()["code"] == "unknown_agency"
    extra = client.post("/api/v1/links", json=LINK | {"colour": "blue"}, headers=world.rd)
    assert extra.status_code == 422 and extra.json()["code"] == "invalid_request"
    dates = client.post("/api/v1/links", json=LINK | {"start_date": "2024-05-01", "end_date": "2024-04-01"}, headers=world.rd)
    assert dates.status_code == 422


def test_change_suspend_and_end_keep_history(client, world, link_id):
    url = f"/api/v1/links/{link_id}"
    assert client.patch(url, json={"purpose": "Payments"}, headers=world.cgd).json()["revision"] == 2
    assert client.patch(url, json={"status": "suspended"}, headers=world.rd).json()["status"] == "suspended"
    unchanged = client.patch(url, json={"status": "suspended"}, headers=world.rd).json()
    assert unchanged["revision"] == 3  # nothing changed, no new revision
    ended = client.patch(url, json={"status": "ended"}, headers=world.rd).json()
    assert ended["status"] == "ended" and ended["end_date"] is not None
    again = client.patch(url, json={"status": "active"}, headers=world.rd)
    assert again.status_code == 409 and again.json()["code"] == "link_ended"
    history = client.get(f"{url}/history", headers=world.rd).json()
    assert [(h["revision"], h["change"]) for h in history] == [(1, "declared"), (2, "changed"), (3, "changed"), (4, "ended")]
    assert history[1]["state"]["purpose"] == "Payments" and history[0]["actor"].startswith("agency:RD/key:")
    assert history[1]["actor"].startswith("agency:CGD/key:")


def test_moving_to_another_version_must_be_announced(client, world, link_id):
    got = client.patch(f"/api/v1/links/{link_id}", json={"version": "1.0.0"}, headers=world.rd)
    assert got.status_code == 422 and got.json()["code"] == "standard_not_announced"


def test_list_links_filters_and_pages(client, world, link_id):
    for purpose in ("a", "b", "c"):
        client.post("/api/v1/links", json=LINK | {"purpose": purpose}, headers=world.cgd)
    client.patch(f"/api/v1/links/{link_id}", json={"status": "ended"}, headers=world.rd)
    mine = client.get("/api/v1/links", headers=world.rd).json()
    assert mine["total"] == 4
    assert client.get("/api/v1/links", params={"status": "active"}, headers=world.rd).json()["total"] == 3
    page = client.get("/api/v1/links", params={"limit": 2, "offset": 2}, headers=world.rd).json()
    assert len(page["items"]) == 2 and page["limit"] == 2 and page["offset"] == 2
    assert client.get("/api/v1/links", headers=world.dopa).json()["total"] == 0
    assert client.get("/api/v1/links", headers=world.office).json()["total"] == 4
    side = client.get("/api/v1/links", params={"agency": "CGD", "side": "provider"}, headers=world.office).json()
    assert side["total"] == 0
    bad = client.get("/api/v1/links", params={"limit": 0}, headers=world.rd)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"


def test_a_bad_declaration_body_is_answered_with_its_place(client, world):
    """The declaration route reads its body itself (for speed); its refusals are the same as every other route's."""
    missing = client.post("/api/v1/links", json={k: v for k, v in LINK.items() if k != "purpose"}, headers=world.rd).json()
    assert missing["code"] == "invalid_request" and missing["message"] == "body.purpose: Field required"
    assert missing["details"][0]["location"] == ["body", "purpose"]
    extra = client.post("/api/v1/links", json=LINK | {"colour": "blue"}, headers=world.rd).json()
    assert extra["message"] == "body.colour: Extra inputs are not permitted"
    not_json = client.post("/api/v1/links", content=b'{"provider": ', headers=world.rd | {"Content-Type": "application/json"})
    assert not_json.status_code == 422 and not_json.json()["message"].startswith("body.13: JSON decode error")
    not_object = client.post("/api/v1/links", json=["RD"], headers=world.rd).json()
    assert not_object["code"] == "invalid_request" and not_object["details"][0]["location"] == ["body"]
    as_text = json.dumps(LINK).encode()
    for content_type in ("text/plain", None):  # a body not sent as JSON is not read as JSON
        headers = world.rd | ({"Content-Type": content_type} if content_type else {})
        refused = client.post("/api/v1/links", content=as_text, headers=headers)
        assert refused.status_code == 422 and refused.json()["details"][0]["location"] == ["body"], content_type
    sent_as = client.post("/api/v1/links", content=as_text, headers=world.rd | {"Content-Type": "application/vnd.dxs+json; charset=utf-8"})
    assert sent_as.status_code == 201
    empty = client.post("/api/v1/links", content=b"", headers=world.rd | {"Content-Type": "application/json"}).json()
    assert empty["message"] == "body: Field required"
    not_text = client.post("/api/v1/links", content=b"\xff\xfe\xfd", headers=world.rd | {"Content-Type": "application/json"})
    assert not_text.status_code == 400 and not_text.json()["message"] == "There was an error parsing the body"
    # a write needs a key before anything else is looked at
    assert client.post("/api/v1/links", content=b"nonsense").json()["code"] == "unauthenticated"
