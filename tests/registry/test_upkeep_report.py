"""`dxs report upkeep` and `/upkeep` (activity 4.4): reviews due, use per version, links to move,
older code lists and shared components.

The figures are checked on a small registry built here over the test catalog (th.test.permit:
1.0.0 deprecated with a sunset on 2021-12-31, 1.1.0 announced on 2021-01-15), the shared
components on the bundled catalog (the citizen profile embeds the Thai address), and the
code lists on catalogs made in the test. The demo registry is listed end to end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dxs.registry.api_models import AgencyCreate
from dxs.registry.models import Agency, ExchangeEvent, ExchangeLink
from dxs.registry.reporting import upkeep
from dxs.registry.services import agencies, log
from dxs.registry.services.callers import Caller
from dxs.validator import Catalog
from dxs.validator.catalog import Standard, StandardVersion
from dxs.validator.codelists import CodeList
from tests.conftest import need
from tests.kit.world import SAMPLE_REGISTERED_ON

TODAY = dt.date(2026, 3, 1)
UTC = dt.UTC


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=UTC)


def add_links(database, links: dict[str, tuple[str, str, str, str]], events: dict[str, int]) -> dict[str, int]:
    """Parties U1..U3 and ``links`` (name → provider, consumer, standard@version, status), each with
    ``events[name]`` messages reported by its provider in January 2026 (inside the 12 months to TODAY)."""
    operator = Caller.system("test")
    with database.write() as tx:
        for code in ("U1", "U2", "U3"):
            agencies.create(tx=tx, caller=operator, data=AgencyCreate(
                code=code, name_th=f"หน่วยงาน {code}", name_en=f"Agency {code}", sector="health", kind="ministry-department",
                registered_on=SAMPLE_REGISTERED_ON))
    ids: dict[str, int] = {}
    with database.write() as tx:
        s = tx.session
        seq = log.append(tx, actor="test", kind="test.upkeep", payload={"rows": "upkeep report fixture"})
        a = {code: s.query(Agency).filter_by(code=code).one().id for code in ("U1", "U2", "U3")}
        now = _at("2026-01-01T00:00:00")
        for name, (provider, consumer, ref, status) in links.items():
            standard, _, version = ref.partition("@")
            row = ExchangeLink(provider_id=a[provider], consumer_id=a[consumer], standard_id=standard, standard_version=version,
                               purpose="test", status=status, start_date=dt.date(2019, 1, 1), created_at=now, updated_at=now, log_seq=seq)
            s.add(row)
            s.flush()
            ids[name] = row.id
            if events.get(name):
                s.add(ExchangeEvent(link_id=row.id, reporter_id=row.provider_id, side="provider", record_id=name,
                                    window_start=_at("2026-01-10T00:00:00"), window_end=_at("2026-01-11T00:00:00"),
                                    messages=events[name], bytes=0, succeeded=events[name], failed=0, valid=0, invalid=0,
                                    received_at=now, log_seq=seq))
                s.add(ExchangeEvent(link_id=row.id, reporter_id=row.provider_id, side="provider", record_id=name + "-old",
                                    window_start=_at("2024-01-10T00:00:00"), window_end=_at("2024-01-11T00:00:00"),
                                    messages=10_000, bytes=0, succeeded=0, failed=0, valid=0, invalid=0,
                                    received_at=now, log_seq=seq))  # two years before: never counted
    return ids


PERMIT_LINKS = {
    "old": ("U1", "U2", "th.test.permit@1.0.0", "active"),
    "new": ("U2", "U3", "th.test.permit@1.1.0", "active"),
    "ended": ("U1", "U3", "th.test.permit@1.1.0", "ended"),
}


@pytest.fixture
def permit_links(database):
    return add_links(database, PERMIT_LINKS, {"old": 30, "new": 70, "ended": 5})


def compute(database, catalog: Catalog, **options) -> upkeep.UpkeepReport:
    with database.transaction(write=False) as session:
        return upkeep.compute(session, catalog, **options)


def test_review_falls_due_five_years_after_the_last_revision(database, fixture_catalog, permit_links):
    report = compute(database, fixture_catalog, today=TODAY)
    (permit,) = report.standards
    # last revision: 1.1.0 announced 2021-01-15; due 2026-01-15; 2026-03-01 is 16 + 28 + 1 = 45 days past it
    assert (permit.last_revision, permit.review_due, permit.overdue_days) == (dt.date(2021, 1, 15), dt.date(2026, 1, 15), 45)
    assert permit.latest == "th.test.permit@1.1.0" and report.overdue == (permit,)
    later = compute(database, fixture_catalog, today=TODAY, review_years=6).standards[0]
    assert later.review_due == dt.date(2027, 1, 15) and not later.overdue
    with pytest.raises(ValueError, match="at least 1 year"):
        compute(database, fixture_catalog, today=TODAY, review_years=0)


def test_each_version_counts_its_live_links_and_all_its_traffic(database, fixture_catalog, permit_links):
    versions = {v.version: v for v in compute(database, fixture_catalog, today=TODAY).standards[0].versions}
    # 1.1.0: one live link (the ended one is not live), messages of both links 70 + 5 (the 10,000 of 2024 are outside)
    assert (versions["1.1.0"].live_links, versions["1.1.0"].messages, versions["1.1.0"].agencies) == (1, 75, 2)
    assert (versions["1.0.0"].live_links, versions["1.0.0"].messages, versions["1.0.0"].sunset) == (1, 30, dt.date(2021, 12, 31))


def test_links_past_sunset_and_on_deprecated_versions_are_listed_with_parties_and_traffic(database, fixture_catalog, permit_links):
    report = compute(database, fixture_catalog, today=TODAY)
    (moved,) = report.past_sunset
    assert moved.link.id == permit_links["old"] and moved.reason == "past-sunset" and moved.latest == "th.test.permit@1.1.0"
    assert (moved.link.provider.code, moved.link.consumer.code, moved.link.messages) == ("U1", "U2", 30)
    assert report.deprecated == ()
    # before the sunset, the same link is on a deprecated version, not past its sunset
    earlier = compute(database, fixture_catalog, today=dt.date(2021, 6, 1))
    assert [m.link.id for m in earlier.deprecated] == [permit_links["old"]] and earlier.past_sunset == ()


def test_the_citizen_profile_embeds_the_thai_address_and_its_links_are_touched(database, bundled_catalog):
    ids = add_links(database, {"profile": ("U1", "U2", "th.dopa.citizen-profile@2.0.0", "active")}, {"profile": 12})
    report = compute(database, bundled_catalog, today=TODAY)
    address = next(c for c in report.components if c.id == "th.dopa.thai-address")
    held = {u.embedding.ref: u for u in address.embedded_in}
    # each version copies ThaiAddressComponents.xsd: 1.0.0 holds the address 1.0.0 (no longer the latest), 2.0.0 holds 1.0.1
    assert held["th.dopa.citizen-profile@1.0.0"].embedding.component_version == "1.0.0"
    assert not held["th.dopa.citizen-profile@1.0.0"].current
    current = held["th.dopa.citizen-profile@2.0.0"]
    assert (current.embedding.component_version, current.current, current.embedding.how) == ("1.0.1", True, "xsd-import")
    assert [k.id for k in current.links] == [ids["profile"]] and current.messages == 12
    assert address.standards == ("th.dopa.citizen-profile",) and address.links == 1
    assert all(c.id != "th.dopa.citizen-profile" for c in report.components)  # nothing embeds the profile


def _standard(tmp_path: Path, standard_id: str, versions: list[StandardVersion]) -> Standard:
    return Standard(id=standard_id, title_th="ทดสอบ", title_en="Test", owner="TEST", sector="commerce", legal_basis="",
                    base_standard="", licence="", contact="", folder=tmp_path / standard_id, versions=tuple(versions))


def _version(tmp_path: Path, standard_id: str, version: str, status: str = "announced", **fields) -> StandardVersion:
    folder = tmp_path / standard_id / version
    folder.mkdir(parents=True, exist_ok=True)
    return StandardVersion(standard_id=standard_id, version=version, status=status, folder=folder, **fields)


def _list(ident: str, agency: str, version: str) -> CodeList:
    return CodeList(id=ident, file=Path(f"{ident}.xsd"), agency=agency, version=version, title_en=ident)


def test_code_lists_older_than_the_catalog_holds_elsewhere(tmp_path):
    a = _version(tmp_path, "x.a", "1.0.0", code_lists=(_list("Currency", "ISO", "2012-08-31"), _list("Unit", "UNECE", "D14A"),
                                                      _list("Country", "ISO", "SecondEdition2006")))
    b = _version(tmp_path, "x.b", "2.0.0", code_lists=(_list("Currency", "ISO", "2016"), _list("Unit", "UNECE", "D16B"),
                                                      _list("Country", "ISO", "2010"), _list("Province", "TISI", "1.0")))
    gone = _version(tmp_path, "x.c", "1.0.0", status="retired", code_lists=(_list("Province", "TISI", "0.9"),))
    catalog = Catalog([_standard(tmp_path, "x.a", [a]), _standard(tmp_path, "x.b", [b]), _standard(tmp_path, "x.c", [gone])])
    lags = upkeep.code_list_lags(catalog)
    # a year alone is its first day (2016 is newer than 2012-08-31); D16B is a later directory than D14A;
    # "SecondEdition2006" reads as neither, so it is not compared; a retired version is not upkeep
    assert [(c.standard, c.list_id, c.list_version, c.newer_version, c.newer_in) for c in lags] == [
        ("x.a", "Currency", "2012-08-31", "2016", ("x.b@2.0.0",)),
        ("x.a", "Unit", "D14A", "D16B", ("x.b@2.0.0",)),
    ]
    assert upkeep.list_version_key("1.10") > upkeep.list_version_key("1.9")
    assert upkeep.list_version_key("SecondEdition2006") is None


def test_a_json_schema_ref_to_another_standard_is_a_shared_component(tmp_path):
    base = "https://standards.example/x.address/1.0.0/schema.json"
    address = _version(tmp_path, "x.address", "1.0.0")
    (address.folder / "schema.json").write_text(json.dumps({"$id": base, "$defs": {"Address": {"type": "string"}}}))
    profile = _version(tmp_path, "x.profile", "1.0.0")
    (profile.folder / "schema.json").write_text(json.dumps({
        "$id": "https://standards.example/x.profile/1.0.0/schema.json",
        "properties": {"home": {"$ref": "../../x.address/1.0.0/schema.json#/$defs/Address"}, "own": {"$ref": "#/$defs/Own"}}}))
    address = dataclasses.replace(address, json_schema=address.folder / "schema.json")
    profile = dataclasses.replace(profile, json_schema=profile.folder / "schema.json")
    catalog = Catalog([_standard(tmp_path, "x.address", [address]), _standard(tmp_path, "x.profile", [profile])])
    found = upkeep.embeddings(catalog)
    assert list(found) == ["x.address"]
    (e,) = found["x.address"]
    assert (e.ref, e.component_version, e.how) == ("x.profile@1.0.0", "1.0.0", "json-ref")


def test_every_rendering_carries_the_lists_and_the_review_setting(database, fixture_catalog, permit_links):
    report = compute(database, fixture_catalog, today=TODAY)
    table = upkeep.report_table(report)
    assert "Review due (Review due = last revision + 5 years (a setting, not an official rule).)" in table
    assert "OVERDUE by 45 days" in table and f"link {permit_links['old']}: th.test.permit@1.0.0" in table
    assert "does not record the newest version of each code list at its source" in table
    lines = upkeep.report_csv(report).splitlines()
    assert lines[0].startswith("section,standard,version,version_status,last_revision,review_due,overdue_days")
    assert any(line.startswith("review,th.test.permit,1.1.0,,2021-01-15,2026-01-15,45,") for line in lines)
    assert any(line.startswith(f"past-sunset,th.test.permit,1.0.0,deprecated,,,,2021-12-31,,,30,{permit_links['old']},U1,U2,") for line in lines)
    data = json.loads(upkeep.report_json(report))
    assert data["review_years"] == 5 and data["links_past_sunset"][0]["messages_12_months"] == 30
    assert data["code_lists"]["note"]["en"].startswith("The catalog does not record")
    html = upkeep.report_html(report)
    assert "การดูแลมาตรฐาน" in html and "เลยกำหนด 45 วัน" in html and "ค่าที่ตั้งได้ ไม่ใช่ข้อกำหนดทางการ" in html


def test_the_pdf_opens_with_thai_text(database, fixture_catalog, permit_links, tmp_path):
    from dxs.registry.reporting.pdf import PdfUnavailable, font_families, html_to_pdf

    report = compute(database, fixture_catalog, today=TODAY)
    try:
        data = html_to_pdf(upkeep.report_html(report), footer="test")
    except PdfUnavailable as exc:
        need(False, str(exc))
    assert data[:5] == b"%PDF-"
    need(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext) is not installed")
    need(bool(font_families()), "no Thai font is installed (apt-get install fonts-thai-tlwg)")
    path = tmp_path / "upkeep.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    text = re.sub(r"\s+(?=[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])", "", text)
    assert "Upkeep of standards" in text and "overdue by 45 days" in text
    assert re.search(r"[\u0e00-\u0e7f]{4,}", text), "no Thai text was extracted"


def test_the_office_sees_the_page_and_no_one_else(client, world, permit_links):
    page = client.get("/upkeep?review_years=6", headers=world.office)
    assert page.status_code == 200 and "การดูแลมาตรฐาน" in page.text and "th.test.permit@1.0.0" in page.text
    assert 'value="6"' in page.text
    assert client.head("/upkeep", headers=world.office).status_code == 200
    assert client.get("/upkeep").status_code == 401
    assert client.get("/upkeep", headers=world.rd).status_code == 403
    data = client.get("/upkeep?format=json", headers=world.office)
    assert data.status_code == 200 and data.json()["report"] == "upkeep"
    assert client.get("/upkeep?review_years=0", headers=world.office).status_code == 422


def test_dxs_report_upkeep_runs_on_the_demo_registry(small_demo_registry, tmp_path):
    from dxs import cli

    table = CliRunner().invoke(cli.main, ["report", "upkeep", "--database", small_demo_registry])
    assert table.exit_code == 0, table.output
    assert "Upkeep of standards (activity 4.4)" in table.output and "DEMO DATA" in table.output
    assert "th.dopa.thai-address (latest th.dopa.thai-address@1.0.1): embedded in th.dopa.citizen-profile" in table.output
    data = json.loads(CliRunner().invoke(cli.main, ["report", "upkeep", "--format", "json", "--review-years", "3",
                                                    "--database", small_demo_registry]).output)
    assert data["review_years"] == 3 and data["demo"] is True
    assert sum(v["live_links"] for s in data["standards"] for v in s["versions"]) > 0  # the demo's links are on catalog versions
    target = tmp_path / "upkeep.csv"
    got = CliRunner().invoke(cli.main, ["report", "upkeep", "--format", "csv", "-o", str(target), "--database", small_demo_registry])
    assert got.exit_code == 0 and target.read_text(encoding="utf-8").startswith("section,standard,version")
    refused = CliRunner().invoke(cli.main, ["report", "upkeep", "--review-years", "0", "--database", small_demo_registry])
    assert refused.exit_code == 2 and "--review-years" in refused.output
