"""`dxs report needs` and `/needs` (activity 4.1): the ranked list of standards needed.

A small registry built here (five agencies in four sectors, four standard-less links, a link on
a standard, seven requests, three groups) is ranked, and each figure is checked against the
count worked out by hand in the comments. The demo registry is listed end to end.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from dxs.registry.api_models import AgencyCreate
from dxs.registry.models import Agency, ExchangeEvent, ExchangeLink, NeedGroup, NeedGroupLink, StandardRequest
from dxs.registry.reporting import needs
from dxs.registry.services import agencies, log
from dxs.registry.services.callers import Caller
from tests.conftest import need
from tests.kit.world import SAMPLE_REGISTERED_ON

#: The day the list is computed for: traffic counts over 2024-07-01 .. 2025-06-30 (Bangkok).
TODAY = dt.date(2025, 6, 30)
UTC = dt.UTC
#: code → sector
PARTIES = {"N1": "finance", "N2": "health", "N3": "health", "N4": "education", "N5": "commerce"}


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=UTC)


def build(database) -> dict[str, int]:
    """The registry the figures below are worked out on; returns every row's id by its name."""
    operator = Caller.system("test")
    ids: dict[str, int] = {}
    with database.write() as tx:
        for code, sector in PARTIES.items():
            agencies.create(tx=tx, caller=operator, data=AgencyCreate(
                code=code, name_th=f"หน่วยงาน {code}", name_en=f"Agency {code}", sector=sector, kind="ministry-department",
                registered_on=SAMPLE_REGISTERED_ON))
    with database.write() as tx:
        s = tx.session
        seq = log.append(tx, actor="test", kind="test.needs", payload={"rows": "needs report fixture"})
        a = {code: s.query(Agency).filter_by(code=code).one().id for code in PARTIES}
        now = _at("2025-06-01T00:00:00")

        def link(name: str, provider: str, consumer: str, *, status: str = "active", standard: tuple[str, str] | None = None) -> None:
            row = ExchangeLink(
                provider_id=a[provider], consumer_id=a[consumer], standard_id=standard[0] if standard else None,
                standard_version=standard[1] if standard else None, document_name="" if standard else f"เอกสาร {name}",
                document_format=None if standard else "pdf", yearly_volume=None if standard else 1000, purpose="test",
                status=status, start_date=dt.date(2023, 1, 1), created_at=now, updated_at=now, log_seq=seq)
            s.add(row)
            s.flush()
            ids[name] = row.id

        link("L1", "N1", "N2")
        link("L2", "N3", "N1")
        link("L3", "N4", "N5")
        link("L4", "N2", "N3", status="ended")
        link("L5", "N1", "N2", standard=("th.test.permit", "1.1.0"))

        def event(name: str, side: str, messages: int, start: str) -> None:
            row = s.get(ExchangeLink, ids[name])
            s.add(ExchangeEvent(
                link_id=ids[name], reporter_id=row.provider_id if side == "provider" else row.consumer_id, side=side,
                record_id=f"{name}-{side}-{start}", window_start=_at(start), window_end=_at(start) + dt.timedelta(days=1),
                messages=messages, bytes=0, succeeded=messages, failed=0, valid=0, invalid=0, received_at=now, log_seq=seq))

        event("L1", "provider", 100, "2025-01-10T00:00:00")
        event("L1", "consumer", 80, "2025-01-10T00:00:00")  # the same exchange from the other side: L1 counts 100
        event("L1", "provider", 1000, "2024-06-01T00:00:00")  # before the 12 months: not counted
        event("L2", "consumer", 50, "2025-03-01T00:00:00")
        event("L3", "provider", 400, "2024-07-01T00:00:00")  # inside: the window opens at Bangkok midnight, 2024-06-30 17:00 UTC
        event("L4", "provider", 999, "2025-01-10T00:00:00")  # an ended link is no longer a need
        event("L5", "provider", 5000, "2025-01-10T00:00:00")  # a link on a standard is not a need

        def group(name: str, status: str, priority: int | None = None) -> None:
            row = NeedGroup(name_th=f"กลุ่ม {name}", name_en=f"Group {name}", priority=priority, status=status,
                            created_at=now, updated_at=now, log_seq=seq)
            s.add(row)
            s.flush()
            ids[name] = row.id

        group("G1", "open", priority=2)
        group("G2", "announced")
        group("G3", "planned")
        s.add_all([NeedGroupLink(group_id=ids["G1"], link_id=ids["L1"], log_seq=seq),
                   NeedGroupLink(group_id=ids["G1"], link_id=ids["L2"], log_seq=seq)])

        def request(name: str, agency: str, urgency: str, created: str, *, sectors: tuple[str, ...] = (), status: str = "open",
                    group_name: str | None = None, merged_into: str | None = None) -> None:
            row = StandardRequest(
                agency_id=a[agency], document_type=f"คำขอ {name}", sectors=json.dumps(list(sectors)), partners="[]",
                urgency=urgency, status=status, group_id=ids[group_name] if group_name else None,
                merged_into_id=ids[merged_into] if merged_into else None, created_at=_at(created), updated_at=now, log_seq=seq)
            s.add(row)
            s.flush()
            ids[name] = row.id

        request("R1", "N4", "medium", "2024-01-05T03:00:00", sectors=("education",), group_name="G1")
        request("R2", "N5", "critical", "2024-03-01T03:00:00", sectors=("commerce", "finance"))
        request("R3", "N1", "low", "2023-11-01T03:00:00", sectors=("land",), status="merged", merged_into="R2")
        request("R7", "N4", "low", "2023-06-01T03:00:00", status="merged", merged_into="R3")  # a chain: counts toward R2
        request("R4", "N2", "high", "2024-02-01T03:00:00", status="declined")
        request("R5", "N3", "high", "2025-01-01T03:00:00")
        request("R6", "N2", "high", "2024-12-01T03:00:00")
    return ids


@pytest.fixture
def built(database):
    return build(database)


@pytest.fixture
def report(database, built) -> needs.NeedsReport:
    with database.transaction(write=False) as session:
        return needs.compute(session, today=TODAY)


def test_the_list_is_ranked_by_volume_then_agencies_sectors_urgency_and_age(report, built):
    order = [(r.kind, r.id) for r in report.rows]
    assert order == [("link", built["L3"]), ("group", built["G1"]), ("request", built["R2"]), ("request", built["R6"]),
                     ("request", built["R5"]), ("group", built["G3"])]
    assert [r.rank for r in report.rows] == [1, 2, 3, 4, 5, 6]
    assert report.window == needs.Window(dt.date(2024, 7, 1), dt.date(2025, 6, 30))


def test_each_figure_is_the_count_worked_out_by_hand(report, built):
    rows = {r.key: r for r in report.rows}
    l3, g1, r2 = rows[f"link:{built['L3']}"], rows[f"group:{built['G1']}"], rows[f"request:{built['R2']}"]
    # L3: 400 messages on the window's first day; its two parties, in two sectors
    assert (l3.messages, l3.agencies, l3.sectors, l3.urgency, l3.oldest) == (400, ("N4", "N5"), ("commerce", "education"), None, None)
    # G1: L1 counts its larger side (100, not 100 + 80, not the 1000 before the window), L2 50;
    # agencies: R1's N4 and the links' N1, N2, N3; sectors: R1's education, and finance, health of the parties
    assert g1.messages == 150
    assert g1.agencies == ("N1", "N2", "N3", "N4") and g1.sectors == ("education", "finance", "health")
    assert (g1.urgency, g1.oldest, g1.priority) == ("medium", dt.date(2024, 1, 5), 2)
    assert [q.id for q in g1.requests] == [built["R1"]] and {k.id for k in g1.links} == {built["L1"], built["L2"]}
    # R2 with R3 merged into it and R7 merged into R3: their agencies, sectors, urgency and age count toward R2
    assert r2.messages == 0 and r2.agencies == ("N1", "N4", "N5")
    assert r2.sectors == ("commerce", "education", "finance", "land")
    assert (r2.urgency, r2.oldest) == ("critical", dt.date(2023, 6, 1))
    assert [m.id for m in r2.requests[0].family()] == [built["R2"], built["R3"], built["R7"]]


def test_closed_merged_ended_and_standard_links_are_not_needs(report, built):
    keys = {r.key for r in report.rows}
    for name, kind in (("R3", "request"), ("R7", "request"), ("R4", "request"), ("L4", "link"), ("L5", "link"), ("G2", "group")):
        assert f"{kind}:{built[name]}" not in keys, name
    assert (report.closed_groups, report.closed_requests) == (1, 1)


def test_the_ranking_rule_is_stated_in_every_rendering(report):
    table = needs.report_table(report)
    assert "Ranking: Ranked by each of these in turn" in table and "2024-07-01 to 2025-06-30" in table
    lines = needs.report_csv(report).splitlines()
    assert lines[0].startswith("rank,kind,id,name_th,name_en,status,office_priority,messages_12_months,agencies")
    assert lines[1].startswith("1,link,") and ",400,2,N4;N5," in lines[1]
    data = json.loads(needs.report_json(report))
    assert data["ranking"]["en"].startswith("Ranked by") and data["needs"][1]["messages_12_months"] == 150
    assert data["needs"][2]["requests"][0]["merged"][0]["merged"][0]["document_type"] == "คำขอ R7"
    html = needs.report_html(report)
    assert "มาตรฐานที่ต้องการ" in html and "เกณฑ์การจัดลำดับ" in html and RANK_TH in html
    assert "<nav" not in html  # a file to keep: no menu


RANK_TH = "ปริมาณข้อความที่แลกเปลี่ยนจริงใน 12 เดือนล่าสุด"


def test_the_pdf_opens_with_thai_text(report, tmp_path):
    from dxs.registry.reporting.pdf import PdfUnavailable, font_families, html_to_pdf

    try:
        data = html_to_pdf(needs.report_html(report), footer="test")
    except PdfUnavailable as exc:
        need(False, str(exc))
    assert data[:5] == b"%PDF-"
    need(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext) is not installed")
    need(bool(font_families()), "no Thai font is installed (apt-get install fonts-thai-tlwg)")
    path = tmp_path / "needs.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    text = re.sub(r"\s+(?=[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])", "", text)  # the space pdftotext sets before a shifted mark
    assert "Standards needed" in text and "Ranking rule" in text
    assert "มาตรฐานที่ต้องการ" in text  # the Thai title (marks stacked on one letter may come out reordered, so not those)
    assert "Group G1" in text


def test_the_office_sees_the_page_and_no_one_else(client, world, built):
    page = client.get("/needs", headers=world.office)
    assert page.status_code == 200 and "มาตรฐานที่ต้องการ" in page.text and "กลุ่ม G1" in page.text
    assert 'href="/needs"' in page.text  # served with the registry's menu
    head = client.head("/needs", headers=world.office)
    assert head.status_code == 200 and head.content == b"" and head.headers["content-type"] == page.headers["content-type"]
    assert client.get("/needs").status_code == 401
    refused = client.get("/needs", headers=world.rd)
    assert refused.status_code == 403 and "/my/links" in refused.text and "กลุ่ม G1" not in refused.text
    csv_text = client.get("/needs?format=csv", headers=world.office)
    assert csv_text.status_code == 200 and csv_text.headers["content-type"].startswith("text/csv")
    assert csv_text.text.startswith("rank,kind,id")
    assert client.get("/needs?format=xml", headers=world.office).status_code == 422


def test_the_signed_in_office_session_opens_the_page(client, world, built):
    key = world.office["Authorization"].removeprefix("Bearer ")
    signed_in = client.post("/my/login", data={"key": key}, follow_redirects=False)
    assert signed_in.status_code == 303
    assert client.get("/needs").status_code == 200


def test_dxs_report_needs_runs_on_the_demo_registry(small_demo_registry, tmp_path):
    from dxs import cli

    table = CliRunner().invoke(cli.main, ["report", "needs", "--database", small_demo_registry])
    assert table.exit_code == 0, table.output
    assert "Standards needed (activity 4.1)" in table.output and "DEMO DATA" in table.output and "Ranking:" in table.output
    data = json.loads(CliRunner().invoke(cli.main, ["report", "needs", "--format", "json", "--database", small_demo_registry]).output)
    assert data["demo"] is True and [n["rank"] for n in data["needs"]] == list(range(1, len(data["needs"]) + 1))
    target = tmp_path / "needs.html"
    html = CliRunner().invoke(cli.main, ["report", "needs", "--format", "html", "-o", str(target), "--database", small_demo_registry])
    assert html.exit_code == 0, html.output
    assert "มาตรฐานที่ต้องการ" in target.read_text(encoding="utf-8")


def test_dxs_report_needs_without_a_registry_is_a_configuration_error(tmp_path):
    from dxs import cli

    got = CliRunner().invoke(cli.main, ["report", "needs", "--database", f"sqlite:///{tmp_path / 'none.sqlite'}"])
    assert got.exit_code == 2 and "no registry database" in got.output
