"""Impact and reality checks for the office."""

from __future__ import annotations

import datetime as dt

from tests.registry.conftest import LINK
from tests.registry.test_events import records


def test_impact_of_a_standard_version(client, world, link_id):
    client.post("/api/v1/links", json=LINK | {"purpose": "second"}, headers=world.cgd)
    ended = client.post("/api/v1/links", json=LINK | {"purpose": "old"}, headers=world.cgd).json()["id"]
    client.patch(f"/api/v1/links/{ended}", json={"status": "ended"}, headers=world.cgd)
    got = client.get("/api/v1/checks/impact", params={"standard": "th.test.permit", "version": "1.1.0"}, headers=world.office).json()
    assert got["links"] == 2 and got["by_version"] == {"1.1.0": 2}
    assert client.get("/api/v1/checks/impact", params={"standard": "th.test.permit", "version": "1.0.0"}, headers=world.office).json()["links"] == 0
    assert client.get("/api/v1/checks/impact", params={"standard": "th.test.permit"}, headers=world.rd).status_code == 403


def test_silent_links_and_one_sided_reports(client, world, link_id):
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date().isoformat()  # Bangkok
    quiet = client.post("/api/v1/links", json=LINK | {"purpose": "quiet", "start_date": today}, headers=world.cgd).json()["id"]
    recent = dt.datetime.now(dt.UTC).date().isoformat()
    client.post(f"/api/v1/links/{link_id}/events", json={"records": records(2, day=recent)}, headers=world.rd)
    # a link that starts today is not silent yet, one that reported today neither; a cutoff of 0 days is refused
    assert client.get("/api/v1/checks/silent-links", params={"days": 0}, headers=world.office).status_code == 422
    assert client.get("/api/v1/checks/silent-links", params={"days": 1}, headers=world.office).json() == []
    one = client.get("/api/v1/checks/one-sided", headers=world.office).json()
    assert [(o["link"]["id"], o["reported_by"], o["records"]) for o in one] == [(link_id, "provider", 2)]
    client.post(f"/api/v1/links/{link_id}/events", json={"records": records(2, day=recent)}, headers=world.cgd)
    assert client.get("/api/v1/checks/one-sided", headers=world.office).json() == []
    assert quiet != link_id


def test_silent_links_service(database, world, client, link_id):
    from dxs.registry.services import link_checks as checks
    from dxs.registry.services.callers import Caller

    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=40)
    with database.transaction(write=False) as s:
        found = checks.silent_links(s, caller=Caller.system(), days=30, now=later)
        assert [f.link.id for f in found] == [link_id] and found[0].last_event is None
    client.post(f"/api/v1/links/{link_id}/events", json={"records": records(1, day=(later - dt.timedelta(days=2)).date().isoformat())}, headers=world.rd)
    with database.transaction(write=False) as s:
        assert checks.silent_links(s, caller=Caller.system(), days=30, now=later) == []


def test_a_link_that_started_long_ago_is_silent_however_recently_it_was_declared(client, world):
    """As after `dxs demo seed`: the rows are new, the exchanges are not."""
    old = client.post("/api/v1/links", json=LINK | {"purpose": "since 2024", "start_date": "2024-01-01"}, headers=world.rd)
    assert old.status_code == 201, old.text
    found = client.get("/api/v1/checks/silent-links", params={"days": 30}, headers=world.office).json()
    assert [f["link"]["id"] for f in found] == [old.json()["id"]]
