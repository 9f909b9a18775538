"""Agencies and API keys over the API."""

from __future__ import annotations

from tests.registry.conftest import bearer

NSO = {"code": "NSO", "name_th": "สำนักงานสถิติแห่งชาติ", "name_en": "National Statistical Office", "sector": "statistics"}


def test_the_office_registers_agencies_anyone_reads_them(client, world):
    made = client.post("/api/v1/agencies", json=NSO | {"parent": "DOPA"}, headers=world.office)
    assert made.status_code == 201 and made.json()["parent"] == "DOPA"
    again = client.post("/api/v1/agencies", json=NSO, headers=world.office)
    assert again.status_code == 409 and again.json()["code"] == "agency_exists"
    listed = client.get("/api/v1/agencies").json()
    assert [a["code"] for a in listed["items"]] == ["CGD", "DOPA", "NSO", "RD"] and listed["total"] == 4
    assert client.get("/api/v1/agencies", params={"sector": "statistics"}).json()["total"] == 1
    assert client.get("/api/v1/agencies", params={"q": "สถิติ"}).json()["items"][0]["code"] == "NSO"
    assert client.get("/api/v1/agencies", params={"parent": "DOPA"}).json()["total"] == 1
    assert client.get("/api/v1/agencies/NSO").json()["name_th"] == "สำนักงานสถิติแห่งชาติ"
    assert client.get("/api/v1/agencies/NOPE").json()["code"] == "agency_not_found"


def test_an_unknown_sector_is_refused_with_the_valid_ones(client, world):
    refused = client.post("/api/v1/agencies", json=NSO | {"sector": "Finanse"}, headers=world.office)
    assert refused.status_code == 422
    assert "unknown sector 'Finanse': use one of finance, commerce" in refused.text and "statistics" in refused.text
    assert client.get("/api/v1/agencies/NSO").status_code == 404  # nothing stored
    changed = client.patch("/api/v1/agencies/RD", json={"sector": "finanse"}, headers=world.office)
    assert changed.status_code == 422 and "unknown sector 'finanse'" in changed.text
    assert client.get("/api/v1/agencies/RD").json()["sector"] == "finance"
    # the API's description names the valid codes
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AgencyCreate"]["properties"]["sector"]
    assert "statistics" in schema["enum"]


def test_parent_cycles_are_refused(client, world):
    assert client.patch("/api/v1/agencies/RD", json={"parent": "CGD"}, headers=world.office).status_code == 200
    cycle = client.patch("/api/v1/agencies/CGD", json={"parent": "RD"}, headers=world.office)
    assert cycle.status_code == 422 and cycle.json()["code"] == "parent_cycle"


def test_a_key_is_shown_once_and_works(client, world):
    made = client.post("/api/v1/agencies/DOPA/keys", json={"label": "civil registry"}, headers=world.office).json()
    assert made["key"].startswith("dxs_") and made["prefix"] in made["key"] and made["agency"] == "DOPA"
    listed = client.get("/api/v1/agencies/DOPA/keys", headers=bearer(made["key"])).json()
    assert all("key" not in k and "secret_hash" not in k for k in listed)
    used = next(k for k in listed if k["id"] == made["id"])
    assert used["last_used_at"] is not None  # the request above used it
    assert client.get("/api/v1/agencies/RD/keys", headers=bearer(made["key"])).status_code == 403


def test_an_agency_revokes_its_own_key(client, world):
    made = client.post("/api/v1/agencies/DOPA/keys", json={}, headers=world.office).json()
    revoked = client.post(f"/api/v1/keys/{made['id']}/revoke", headers=bearer(made["key"]))
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/api/v1/links", headers=bearer(made["key"])).json()["code"] == "key_revoked"
    assert client.post(f"/api/v1/keys/{made['id']}/revoke", headers=world.office).status_code == 200  # idempotent


def test_the_office_issues_office_keys(client, world):
    made = client.post("/api/v1/agencies/DOPA/keys", json={"role": "office"}, headers=world.office).json()
    assert made["role"] == "office"
    assert client.post("/api/v1/agencies", json=NSO, headers=bearer(made["key"])).status_code == 201
