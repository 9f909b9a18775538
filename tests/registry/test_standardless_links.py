"""Links declared without a catalog standard: declared, refused, changed, evented, verified, backed up and
reported beside indicator 16 (never in it), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select, text

from dxs.registry.api_models import DOCUMENT_FIELDS
from dxs.registry.models import ExchangeLink, LogEntry
from dxs.registry.reporting import indicators, render
from dxs.registry.reporting.config import IndicatorConfig
from dxs.registry.reporting.periods import Period
from dxs.registry.services import links as link_service
from dxs.registry.services import verification
from tests.registry.conftest import LINK

#: An exchange no catalog standard covers: a made-up document, as an agency would name it.
PAPER = {
    "provider": "DOPA",
    "consumer": "CGD",
    "document_name": "  แบบคำร้องขอเบิกเงินที่สแกนจากกระดาษ · scanned payment request forms  ",
    "document_format": "paper-scan",
    "yearly_volume": 12000,
    "followed_standard": "",
    "purpose": "Payment requests",
    "start_date": "2024-01-01",
}


def _records(prefix: str, n: int = 3) -> list[dict[str, object]]:
    return [
        {"record_id": f"{prefix}{i}", "window_start": f"2024-03-{i + 1:02d}T01:00:00Z", "window_end": f"2024-03-{i + 1:02d}T02:00:00Z", "messages": 5}
        for i in range(n)
    ]


def _stored(database) -> tuple[int, int]:
    """How many links and log entries the registry holds."""
    with database.transaction(write=False) as s:
        return (
            s.execute(select(func.count()).select_from(ExchangeLink)).scalar_one(),
            s.execute(select(func.count()).select_from(LogEntry)).scalar_one(),
        )


def _verify(database, signer) -> verification.VerifyReport:
    with database.transaction(write=False) as s:
        return verification.verify(s, verifier=signer)


@pytest.fixture
def paper_id(client, world) -> int:
    got = client.post("/api/v1/links", json=PAPER, headers=world.dopa)
    assert got.status_code == 201, got.text
    return got.json()["id"]


# --------------------------------------------------------------------------- declaring


def test_declare_a_link_without_a_standard(client, world, paper_id, link_id):
    got = client.get(f"/api/v1/links/{paper_id}", headers=world.cgd).json()
    assert got["standard"] is None and got["version"] is None
    assert got["document_name"] == "แบบคำร้องขอเบิกเงินที่สแกนจากกระดาษ · scanned payment request forms"  # trimmed
    assert got["document_format"] == "paper-scan" and got["yearly_volume"] == 12000 and got["followed_standard"] == ""
    under = client.get(f"/api/v1/links/{link_id}", headers=world.cgd).json()
    assert under["standard"] == "th.test.permit" and under["document_name"] == "" and under["document_format"] is None
    # the log entry holds what the link carries
    entry = client.get("/api/v1/log/entries", params={"after": got["log_seq"] - 1, "limit": 1}, headers=world.office).json()["items"][0]
    assert entry["kind"] == "link.declared" and entry["payload"]["link"]["document_format"] == "paper-scan"
    assert entry["payload"]["link"]["standard_id"] is None and entry["payload"]["link"]["yearly_volume"] == 12000


def test_list_links_without_a_standard(client, world, paper_id, link_id):
    def ids(**params: str) -> list[int]:
        return [x["id"] for x in client.get("/api/v1/links", params=params, headers=world.office).json()["items"]]

    assert ids(standard="none") == [paper_id]
    assert ids(standard="th.test.permit") == [link_id]
    assert ids(document_format="paper-scan") == [paper_id] and ids(document_format="csv") == []
    assert sorted(ids()) == sorted([paper_id, link_id])
    bad = client.get("/api/v1/links", params={"document_format": "docx"}, headers=world.office)
    assert bad.status_code == 422


def test_a_foreign_standard_followed_is_kept(client, world):
    got = client.post("/api/v1/links", json=PAPER | {"document_format": "other", "followed_standard": "HL7 v2.5"}, headers=world.cgd)
    assert got.status_code == 201, got.text
    assert got.json()["followed_standard"] == "HL7 v2.5" and got.json()["yearly_volume"] == 12000


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"standard": "th.test.permit", "version": "1.1.0"}, "invalid_request", ["both", "document_name, document_format, yearly_volume", "standard and version"]),
        ({"document_name": None, "document_format": None, "yearly_volume": None}, "invalid_request", ["neither", "document_name"]),
        ({"document_name": "   "}, "invalid_request", ["document_name", "empty"]),
        ({"document_format": "docx"}, "invalid_request", ["docx", "xml, json, csv, pdf, paper-scan, other"]),
        ({"document_format": None}, "invalid_request", ["document_format is required", "paper-scan"]),
        ({"yearly_volume": -5}, "invalid_request", ["yearly_volume", "greater than or equal to 0"]),
        ({"consumer": "GHOST"}, "unknown_agency", ["GHOST"]),
        ({"consumer": "DOPA"}, "same_agency", ["two different agencies"]),
    ],
    ids=["both", "neither", "empty-name", "unknown-format", "no-format", "negative-volume", "unknown-partner", "same-party"],
)
def test_bad_declarations_are_refused_and_nothing_is_stored(client, world, database, change, code, words):
    before = _stored(database)
    got = client.post("/api/v1/links", json=PAPER | change, headers=world.dopa)
    assert got.status_code == 422, got.text
    body = got.json()
    assert body["code"] == code and all(w in body["message"] for w in words), body["message"]
    assert _stored(database) == before


def test_the_published_request_schema_lists_the_formats(client):
    schema = client.get("/openapi.json").json()["paths"]["/api/v1/links"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert '"enum": ["xml", "json", "csv", "pdf", "paper-scan", "other"]' in json.dumps(schema["properties"]["document_format"])
    assert "standard" not in schema.get("required", []) and "document_name" not in schema.get("required", [])


# --------------------------------------------------------------------------- changing


def test_change_a_link_without_a_standard(client, world, paper_id, link_id, database):
    url = f"/api/v1/links/{paper_id}"
    changed = client.patch(url, json={"document_format": "pdf", "yearly_volume": None, "followed_standard": "PDF/A-3"}, headers=world.cgd)
    assert changed.status_code == 200, changed.text
    got = changed.json()
    assert (got["document_format"], got["yearly_volume"], got["followed_standard"], got["revision"]) == ("pdf", None, "PDF/A-3", 2)
    history = client.get(f"{url}/history", headers=world.dopa).json()
    assert history[1]["state"]["document_format"] == "pdf" and history[0]["state"]["document_format"] == "paper-scan"
    before = _stored(database)
    version = client.patch(url, json={"version": "1.1.0"}, headers=world.dopa)
    assert version.status_code == 422 and version.json()["code"] == "link_without_standard"
    empty = client.patch(url, json={"document_name": " "}, headers=world.dopa)
    assert empty.status_code == 422 and "document_name" in empty.json()["message"]
    document = client.patch(f"/api/v1/links/{link_id}", json={"document_format": "csv"}, headers=world.rd)
    assert document.status_code == 422 and document.json()["code"] == "link_has_standard"
    assert "document_format" in document.json()["message"]
    assert _stored(database) == before
    ended = client.patch(url, json={"status": "ended"}, headers=world.dopa).json()
    assert ended["status"] == "ended" and ended["document_name"].startswith("แบบคำร้อง")


# --------------------------------------------------------------------------- events, verify, backup


def test_events_over_a_link_without_a_standard_verify(client, world, paper_id, database, signer):
    sent = client.post(f"/api/v1/links/{paper_id}/events", json={"records": _records("d")}, headers=world.dopa)
    assert sent.status_code == 201 and sent.json()["accepted"] == 3, sent.text
    assert client.post(f"/api/v1/links/{paper_id}/events", json={"records": _records("c", 1)}, headers=world.cgd).status_code == 201
    report = _verify(database, signer)
    assert report.ok, report.findings


def test_verify_finds_a_document_name_changed_behind_the_log(client, world, paper_id, database, signer):
    with database.transaction() as s:
        s.execute(text("UPDATE exchange_links SET document_name = 'something else' WHERE id = :id"), {"id": paper_id})
    findings = [str(f) for f in _verify(database, signer).findings]
    assert any(f.startswith(f"link {paper_id} differs") and "document_name" in f for f in findings), findings


def test_links_logged_before_the_document_fields_still_verify(client, world, database, signer, monkeypatch):
    """An entry written before revision 0004 has no document fields: read as empty, and still held to them."""
    current = link_service.link_state
    monkeypatch.setattr(link_service, "link_state", lambda link: {k: v for k, v in current(link).items() if k not in DOCUMENT_FIELDS})
    old = client.post("/api/v1/links", json=LINK, headers=world.rd).json()["id"]
    client.patch(f"/api/v1/links/{old}", json={"purpose": "older"}, headers=world.rd)
    monkeypatch.undo()
    report = _verify(database, signer)
    assert report.ok, report.findings
    with database.transaction() as s:
        s.execute(text("UPDATE exchange_links SET followed_standard = 'forged' WHERE id = :id"), {"id": old})
    findings = [str(f) for f in _verify(database, signer).findings]
    assert any(f.startswith(f"link {old} differs") and "followed_standard" in f for f in findings), findings


def test_export_and_import_carry_links_without_a_standard(tmp_path, fresh_db_url):
    from fastapi.testclient import TestClient

    from dxs.registry import backup
    from dxs.registry.db import Database
    from tests.kit.world import app_for, seed

    world = seed(f"sqlite:///{tmp_path / 'source.sqlite'}", tmp_path / "log.key")
    app = app_for(world)
    try:
        with TestClient(app) as client:
            made = client.post("/api/v1/links", json=PAPER | {"followed_standard": "ISO 20022"}, headers=world.bearer("DOPA"))
            assert made.status_code == 201, made.text
            sent = client.post(f"/api/v1/links/{made.json()['id']}/events", json={"records": _records("d")}, headers=world.bearer("DOPA"))
            assert sent.status_code == 201, sent.text
    finally:
        app.state.database.dispose()
    path = tmp_path / "backup.jsonl"
    backup.export_file(world.url, path, log_key=world.log_key)
    restored = backup.restore(fresh_db_url, path)
    assert restored.ok, restored.refused
    target = Database(fresh_db_url, signer=None)
    try:
        with target.transaction(write=False) as s:
            link = s.get(ExchangeLink, made.json()["id"])
            assert link is not None and link.standard_id is None and link.standard_version is None
            assert (link.document_format, link.yearly_volume, link.followed_standard) == ("paper-scan", 12000, "ISO 20022")
            assert link.document_name == PAPER["document_name"].strip()
    finally:
        target.dispose()


# --------------------------------------------------------------------------- indicator 16


def test_indicator16_counts_only_links_under_a_standard(client, world, link_id, paper_id, database, fixture_catalog):
    """2024, finance (RD, CGD, DOPA): RD → CGD under th.test.permit, RD reports; DOPA → CGD without a standard,
    DOPA reports. RD is observed; DOPA exchanges only without a standard: not in the indicator, beside it."""
    assert client.post(f"/api/v1/links/{link_id}/events", json={"records": _records("r")}, headers=world.rd).status_code == 201
    assert client.post(f"/api/v1/links/{paper_id}/events", json={"records": _records("d")}, headers=world.dopa).status_code == 201
    config = IndicatorConfig(key_sectors=("finance", "health"))
    with database.transaction(write=False) as s:
        report = indicators.report(s, catalog=fixture_catalog, period=Period.of(2024, fiscal=False), config=config)
    finance = report.indicator16.sector("finance")
    assert (finance.agencies, finance.declared, finance.observed) == (3, 2, 1)  # DOPA is in neither
    assert (finance.no_standard_declared, finance.no_standard_observed) == (1, 1)  # DOPA (CGD counts as declared)
    national = report.indicator16.national
    assert (national.observed, national.no_standard_declared, national.no_standard_observed) == (1, 1, 1)
    assert finance.standards == ("th.test.permit",)
    # every rendering shows the figure beside the indicator
    table = render.report_table(report)
    assert "no standard decl./obs." in table and "1 / 1 (33.3%)" in table
    rows = list(csv.DictReader(io.StringIO(render.report_csv(report))))
    beside = {r["measure"]: r["value"] for r in rows if r["sector"] == "finance" and r["measure"].startswith("no standard")}
    assert beside == {"no standard observed": "1", "no standard declared": "1"}
    html = render.report_html(report, indicators.Trend((report.period,), (report.indicator15,), (report.indicator16,), report.provenance, config), charts={})
    assert "ไม่มีมาตรฐานกลาง" in html and "1 / 1 (33.3%)" in html
    body = client.get("/api/v1/indicators", params={"year": 2024, "fiscal": "false"}).json()
    sector = next(x for x in body["indicator16"]["sectors"] if x["sector"] == "finance")
    assert (sector["observed"], sector["no_standard_declared"], sector["no_standard_observed"]) == (1, 1, 1)
    assert body["indicator16"]["national"]["no_standard_observed"] == 1 and "no_standard" in body["definitions"]
    # the office's drill-down names DOPA among the units missing, as exchanging without a standard
    missing = client.get("/api/v1/indicators/sectors/finance", params={"year": 2024, "fiscal": "false"}).json()["missing"]
    assert {(m["code"], m["declared"], m["without_standard"]) for m in missing} == {("CGD", True, False), ("DOPA", False, True)}
    drill = client.get("/api/v1/indicators/sectors/finance", params={"year": 2024, "fiscal": "false", "format": "csv"}).text
    assert "DOPA" in drill and "no link in force; exchanging without a standard" in drill


def test_a_party_observed_under_a_standard_is_not_counted_beside_it(client, world, link_id, database, fixture_catalog):
    """RD reports over both kinds of link: it is observed, and not among those exchanging only without a standard."""
    rd_paper = client.post("/api/v1/links", json=PAPER | {"provider": "RD"}, headers=world.rd).json()["id"]
    assert client.post(f"/api/v1/links/{link_id}/events", json={"records": _records("r")}, headers=world.rd).status_code == 201
    assert client.post(f"/api/v1/links/{rd_paper}/events", json={"records": _records("p")}, headers=world.rd).status_code == 201
    with database.transaction(write=False) as s:
        i16 = indicators.indicator16(s, fixture_catalog, Period.of(2024, fiscal=False), IndicatorConfig(key_sectors=("finance",)), log_size=10**9)
    finance = i16.sector("finance")
    assert (finance.observed, finance.no_standard_declared, finance.no_standard_observed) == (1, 0, 0)


# --------------------------------------------------------------------------- portal


def test_my_links_shows_the_document_in_place_of_a_standard(client, world, paper_id, link_id):
    signed = client.post("/my/login", data={"key": world.cgd["Authorization"].split()[1]}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    page = client.get("/my/links").text
    assert "แบบคำร้องขอเบิกเงินที่สแกนจากกระดาษ · scanned payment request forms" in page
    assert "no catalog standard" in page and "scanned paper" in page and "12,000 / ปี · a year" in page
    assert "th.test.permit@1.1.0" in page  # the link under a standard as before
    assert "/standards/None" not in page
