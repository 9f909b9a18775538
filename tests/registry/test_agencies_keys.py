"""Agencies and API keys over the API."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.registry.conftest import bearer
from dxs.validator.years import BANGKOK

NSO = {"code": "NSO", "name_th": "สำนักงานสถิติแห่งชาติ", "name_en": "National Statistical Office", "sector": "statistics", "kind": "ministry-department"}


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


def test_an_office_key_is_never_bound_to_an_agency(client, world, database):
    refused = client.post("/api/v1/agencies/DOPA/keys", json={"role": "office"}, headers=world.office)
    assert refused.status_code == 422 and refused.json()["code"] == "office_key_with_agency"
    assert "an office key belongs to no agency" in refused.json()["message"] and "'DOPA'" in refused.json()["message"]
    assert [k["role"] for k in client.get("/api/v1/agencies/DOPA/keys", headers=world.office).json()] == ["agency"]  # nothing issued
    # an office key without an agency is what the office gets, and it acts as the office
    from dxs.registry.services import keys
    from dxs.registry.services.callers import Caller

    with database.write() as tx:
        office, secret = keys.create(tx=tx, caller=Caller.system("test"), agency_code=None, role="office")
    assert office.agency_id is None
    assert client.post("/api/v1/agencies", json=NSO, headers=bearer(secret)).status_code == 201


def test_the_command_line_refuses_an_office_key_for_an_agency(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from dxs import cli

    monkeypatch.setenv("DXS_DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite'}")
    monkeypatch.setenv("DXS_LOG_KEY", str(tmp_path / "log.key"))
    run = lambda *args: CliRunner().invoke(cli.main, list(args))  # noqa: E731
    run("registry", "migrate")
    run("registry", "agency", "add", "RD", "--name-th", "ก", "--name-en", "RD", "--sector", "finance", "--kind", "ministry-department")
    refused = run("registry", "key", "create", "RD", "--office")
    assert refused.exit_code == 2 and "an office key belongs to no agency" in refused.output and "dxs_" not in refused.output
    made = run("registry", "key", "create", "--office")
    assert made.exit_code == 0 and made.stdout.startswith("dxs_")


# --------------------------------------------------------------------------- kinds, dates, sector history

KINDS = "use one of ministry-department, local-administration, state-enterprise, public-organisation, independent-body, private-juristic-person, foreign-party"
#: Illustrative juristic person IDs (099999… is no real company): one that passes the check digit, and one that does not.
GOOD_ID, BAD_ID = "0999990000010", "0999990000011"
COMPANY = {"code": "ACME", "name_th": "บริษัท ตัวอย่างการค้า จำกัด", "name_en": "Example Trading Co., Ltd.", "sector": "commerce",
           "kind": "private-juristic-person"}


@pytest.mark.parametrize(("body", "said"), [({}, "no kind given"), ({"kind": "ministry"}, "unknown kind 'ministry'")])
def test_a_missing_or_unknown_kind_is_refused_with_the_valid_ones(client, world, body, said):
    nso = {k: v for k, v in NSO.items() if k != "kind"} | body
    refused = client.post("/api/v1/agencies", json=nso, headers=world.office)
    assert refused.status_code == 422 and refused.json()["message"].startswith("body.kind:")
    assert f"{said}: {KINDS}" in refused.text
    assert client.get("/api/v1/agencies/NSO").status_code == 404  # nothing stored
    changed = client.patch("/api/v1/agencies/RD", json={"kind": "bank"}, headers=world.office)
    assert changed.status_code == 422 and f"unknown kind 'bank': {KINDS}" in changed.text
    assert client.get("/api/v1/agencies/RD").json()["kind"] == "ministry-department"
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AgencyCreate"]
    assert "kind" in schema["required"] and "foreign-party" in schema["properties"]["kind"]["enum"]


def test_a_party_is_read_with_its_kind_dates_and_sectors(client, world):
    made = client.post("/api/v1/agencies", json=NSO | {"kind": "public-organisation", "registered_on": "2016-10-01"}, headers=world.office)
    assert made.status_code == 201, made.text
    got = client.get("/api/v1/agencies/NSO").json()
    assert got["kind"] == "public-organisation" and got["kind_name_th"] == "องค์การมหาชน" and got["government"] is True
    assert got["registered_on"] == "2016-10-01" and got["dissolved_on"] is None and got["juristic_id"] is None
    assert got["sectors"] == [{"sector": "statistics", "since": "2016-10-01"}]
    today = dt.datetime.now(BANGKOK).date().isoformat()
    later = client.post("/api/v1/agencies", json=NSO | {"code": "NSO2"}, headers=world.office).json()
    assert later["registered_on"] == today and later["sectors"] == [{"sector": "statistics", "since": today}]  # today in Bangkok


@pytest.mark.parametrize(
    ("juristic", "said"),
    [
        ({}, "juristic_id: a private-juristic-person must carry its 13-digit juristic person ID"),
        ({"juristic_id": BAD_ID}, "body.juristic_id: Value error, the check digit of '0999990000011' is wrong: the 13th digit should be 0, not 1"),
        ({"juristic_id": "099999000001"}, "body.juristic_id: Value error, a juristic person ID is 13 digits"),
        ({"juristic_id": "1999990000010"}, "body.juristic_id: Value error, a juristic person ID starts with 0"),
    ],
)
def test_a_private_juristic_person_needs_a_juristic_id_whose_check_digit_holds(client, world, juristic, said):
    refused = client.post("/api/v1/agencies", json=COMPANY | juristic, headers=world.office)
    assert refused.status_code == 422 and refused.json()["message"].startswith(said), refused.text
    assert client.get("/api/v1/agencies/ACME").status_code == 404


def test_a_private_juristic_person_is_registered_and_kept_apart(client, world):
    made = client.post("/api/v1/agencies", json=COMPANY | {"juristic_id": "0-9999-90000-01-0"}, headers=world.office)
    assert made.status_code == 201, made.text
    assert made.json()["juristic_id"] == GOOD_ID and made.json()["government"] is False
    # a government party may carry one, checked all the same
    assert client.patch("/api/v1/agencies/RD", json={"juristic_id": BAD_ID}, headers=world.office).status_code == 422
    assert client.patch("/api/v1/agencies/RD", json={"juristic_id": GOOD_ID}, headers=world.office).json()["juristic_id"] == GOOD_ID
    # the private party cannot lose its ID; it can become a foreign party, which needs none
    emptied = client.patch("/api/v1/agencies/ACME", json={"juristic_id": None}, headers=world.office)
    assert emptied.status_code == 422 and emptied.json()["code"] == "juristic_id_required"
    assert client.patch("/api/v1/agencies/ACME", json={"kind": "foreign-party", "juristic_id": None}, headers=world.office).status_code == 200
    listed = client.get("/api/v1/agencies", params={"kind": "foreign-party"}).json()
    assert [a["code"] for a in listed["items"]] == ["ACME"]
    assert client.get("/api/v1/agencies", params={"kind": "ministry-department"}).json()["total"] == 3
    unknown = client.get("/api/v1/agencies", params={"kind": "company"})
    assert unknown.status_code == 422 and f"unknown kind 'company': {KINDS}" in unknown.text


def test_dates_are_checked(client, world):
    refused = client.post("/api/v1/agencies", json=NSO | {"registered_on": "2020-01-01", "dissolved_on": "2020-01-01"}, headers=world.office)
    assert refused.status_code == 422 and refused.json()["message"].startswith("dissolved_on: 2020-01-01 is not after registered_on")
    assert client.get("/api/v1/agencies/NSO").status_code == 404
    made = client.post("/api/v1/agencies", json=NSO | {"registered_on": "2016-10-01", "dissolved_on": "2022-10-01"}, headers=world.office)
    assert made.status_code == 201 and made.json()["dissolved_on"] == "2022-10-01"
    assert client.patch("/api/v1/agencies/NSO", json={"registered_on": "2023-01-01"}, headers=world.office).status_code == 422
    assert client.patch("/api/v1/agencies/NSO", json={"registered_on": None}, headers=world.office).status_code == 422
    undone = client.patch("/api/v1/agencies/NSO", json={"dissolved_on": None}, headers=world.office).json()
    assert undone["dissolved_on"] is None and undone["registered_on"] == "2016-10-01"


def test_a_sector_change_is_added_to_the_history(client, world):
    rd = "/api/v1/agencies/RD"

    def change(body):
        return client.patch(rd, json=body, headers=world.office)

    assert change({"sector": "commerce", "sector_since": "2020-10-01"}).json()["sectors"] == [
        {"sector": "finance", "since": "2016-10-01"}, {"sector": "commerce", "since": "2020-10-01"}]
    got = client.get(rd).json()
    assert got["sector"] == "commerce" and len(got["sectors"]) == 2
    # a change dated on the latest change's day replaces it; back to the sector before it undoes it
    assert change({"sector": "health", "sector_since": "2020-10-01"}).json()["sectors"][-1] == {"sector": "health", "since": "2020-10-01"}
    undone = change({"sector": "finance", "sector_since": "2020-10-01"}).json()
    assert undone["sectors"] == [{"sector": "finance", "since": "2016-10-01"}] and undone["sector"] == "finance"
    # without a date: from today in Bangkok
    today = dt.datetime.now(BANGKOK).date().isoformat()
    assert change({"sector": "land"}).json()["sectors"][-1] == {"sector": "land", "since": today}
    # the party's first day moves its first sector row with it
    moved = change({"registered_on": "2015-01-01"}).json()
    assert moved["sectors"][0] == {"sector": "finance", "since": "2015-01-01"}


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"sector": "health", "sector_since": "2019-01-01"}, "sector_since: 2019-01-01 is before the latest sector change (2020-10-01)"),
        ({"sector": "health", "sector_since": "2010-01-01"}, "sector_since: 2010-01-01 is before registered_on 2016-10-01"),
        ({"sector_since": "2021-01-01"}, "sector_since: give it with sector"),
        ({"sector": "health", "sector_since": "2024-01-01", "dissolved_on": "2023-01-01"}, "sector_since: 2024-01-01 is not before dissolved_on"),
        ({"dissolved_on": "2020-10-01"}, "dissolved_on: 2020-10-01 is not after the sector change of 2020-10-01"),
        ({"registered_on": "2020-10-01"}, "registered_on: 2020-10-01 is not before the sector change of 2020-10-01"),
        ({"sector": "Health", "sector_since": "2021-01-01"}, "body.sector: Value error, unknown sector 'Health'"),
        ({"sector": "health", "sector_since": "2021-02-30"}, "body.sector_since: Input should be a valid date"),
    ],
)
def test_a_bad_sector_change_is_refused_and_nothing_is_stored(client, world, body, said):
    assert client.patch("/api/v1/agencies/RD", json={"sector": "commerce", "sector_since": "2020-10-01"}, headers=world.office).status_code == 200
    before = client.get("/api/v1/agencies/RD").json()
    refused = client.patch("/api/v1/agencies/RD", json=body, headers=world.office)
    assert refused.status_code == 422 and refused.json()["message"].startswith(said), refused.text
    assert client.get("/api/v1/agencies/RD").json() == before


def test_the_kinds_and_the_juristic_id_check():
    from dxs.registry.parties import GOVERNMENT_KINDS, PARTY_KINDS, juristic_id_problem

    assert GOVERNMENT_KINDS == {"ministry-department", "local-administration", "state-enterprise", "public-organisation", "independent-body"}
    assert PARTY_KINDS["private-juristic-person"].th == "นิติบุคคลเอกชน" and not PARTY_KINDS["foreign-party"].government
    assert juristic_id_problem(GOOD_ID) is None
    assert "13th digit should be 0, not 1" in (juristic_id_problem(BAD_ID) or "")
    assert "13 digits" in (juristic_id_problem("099999000001") or "") and "13 digits" in (juristic_id_problem("09999900000１0") or "")
