"""`dxs demo seed` and `dxs report indicators` end to end, on a SQLite file."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dxs.registry import admin
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A small demo registry (the same seeding code as the full one)."""
    from dxs import cli
    folder = tmp_path_factory.mktemp("demo")
    url, key = f"sqlite:///{folder / 'demo.sqlite'}", folder / "log.key"
    got = CliRunner().invoke(cli.main, ["demo", "seed", "--scale", "0.2", "--database", url, "--log-key", str(key)])
    assert got.exit_code == 0, got.output
    return url, key, got.output


def test_seed_says_what_it_seeded_and_the_log_verifies(seeded):
    url, key, output = seeded
    assert "agencies in 10 sectors" in output and "event records" in output
    report = admin.verify(url, log_key=key)
    assert report.ok, report.findings


def test_seed_is_reproducible_and_refuses_a_full_registry(seeded, tmp_path):
    from dxs import cli
    url, key, output = seeded
    again = CliRunner().invoke(cli.main, ["demo", "seed", "--scale", "0.2", "--database", f"sqlite:///{tmp_path / 'b.sqlite'}", "--log-key", str(key)])
    assert again.output.splitlines()[:4] == output.splitlines()[:4]
    refused = CliRunner().invoke(cli.main, ["demo", "seed", "--database", url, "--log-key", str(key)])
    assert refused.exit_code == 2 and "already has agencies" in refused.output
    skipped = CliRunner().invoke(cli.main, ["demo", "seed", "--if-empty", "--database", url, "--log-key", str(key)])
    assert skipped.exit_code == 0 and "no demo data added" in skipped.output


def test_report_table_json_csv(seeded):
    from dxs import cli
    url, _, _ = seeded
    table = CliRunner().invoke(cli.main, ["report", "indicators", "--year", "2568", "--database", url])
    assert table.exit_code == 0, table.output
    assert "year 2025 (BE 2568)" in table.output and "DEMO DATA" in table.output and "log checkpoint" in table.output
    assert "Indicator 16 — agencies exchanging data under common standards" in table.output  # the definition
    data = json.loads(CliRunner().invoke(cli.main, ["report", "indicators", "--year", "2021", "--fiscal", "--format", "json", "--database", url]).output)
    assert data["period"]["calendar"] == "fiscal" and data["period"]["start"] == "2020-10-01" and data["demo"] is True
    assert data["indicator15"]["target"] == 10 and [y["period"]["ce"] for y in data["trend"]][0] == 2017
    csv_text = CliRunner().invoke(cli.main, ["report", "indicators", "--year", "2025", "--format", "csv", "--database", url]).output
    default = json.loads(CliRunner().invoke(cli.main, ["report", "indicators", "--year", "2021", "--format", "json", "--database", url]).output)
    assert default["period"]["calendar"] == "fiscal" and default["period"]["end"] == "2021-09-30"  # fiscal years by default
    calendar = json.loads(CliRunner().invoke(cli.main, ["report", "indicators", "--year", "2021", "--calendar", "--format", "json", "--database", url]).output)
    assert calendar["period"]["calendar"] == "calendar" and calendar["period"]["start"] == "2021-01-01"
    assert csv_text.startswith("indicator,year_ce,year_be,calendar") and ",public-administration,observed (headline)," in csv_text


def test_report_html_and_charts(seeded, tmp_path):
    from dxs import cli
    url, _, _ = seeded
    html, png = tmp_path / "report.html", tmp_path / "chart.png"
    got = CliRunner().invoke(cli.main, ["report", "indicators", "--year", "2025", "--format", "html", "-o", str(html), "--chart", str(png), "--database", url])
    assert got.exit_code == 0, got.output
    text = html.read_text(encoding="utf-8")
    assert text.count("<svg") == 3 and "ข้อมูลสาธิต" in text
    assert not any(fetch in text for fetch in ('src="http', "<link", "<script", "@import"))  # self-contained
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = CliRunner().invoke(cli.main, ["report", "indicators", "--chart", str(tmp_path / "x.gif"), "--database", url])
    assert bad.exit_code == 2


def test_report_without_a_database_is_a_configuration_error(tmp_path):
    from dxs import cli
    got = CliRunner().invoke(cli.main, ["report", "indicators", "--database", f"sqlite:///{tmp_path / 'none.sqlite'}"])
    assert got.exit_code == 2 and "no registry database" in got.output


def test_thai_font_is_found_or_charts_fall_back_to_english():
    from dxs.registry.reporting import charts

    font = charts.thai_font()
    assert font is None or isinstance(font, str)
    assert (ROOT / "registry" / "static" / "echarts.min.js").stat().st_size > 100_000


def test_real_register_gives_indicator15_for_2560_to_2564_with_its_caveat(seeded):
    """The bundled register of announcements, year by year, beside the plan's target of 10 (fiscal and calendar)."""
    from dxs import cli
    url, _, _ = seeded
    expected = {  # hand-read from standards/announcements.toml: ETDA's ขมธอ. numbers and DGA's guideline-free row
        2560: ["ขมธอ. 3-2560"], 2561: [], 2562: [], 2563: ["ขมธอ. 22-2563", "ขมธอ. 24-2563", "ขมธอ. 25-2563"], 2564: [],
    }
    for year, labels in expected.items():
        data = json.loads(CliRunner().invoke(cli.main, ["report", "indicators", "--year", str(year), "--format", "json", "--database", url]).output)
        i15 = data["indicator15"]
        assert sorted(a["label"] for a in i15["announcements"]) == labels, year
        assert i15["headline"] == len(labels) and i15["target"] == 10 and i15["met"] is False
        assert all(a["issuer"] == "สพธอ. (ETDA)" for a in i15["announcements"])
    table = CliRunner().invoke(cli.main, ["report", "indicators", "--year", "2563", "--database", url]).output
    assert "Indicator 15 — standards announced: 3 (new 3, revisions 0) · target 10, not met" in table
    assert "lower bound" in table and "ขมธอ. 22-2563" in table


def test_publish_freezes_a_year_and_refuses_a_second_publication(seeded, tmp_path):
    import shutil

    from dxs import cli
    url, key, _ = seeded
    copy = tmp_path / "copy.sqlite"
    shutil.copy(url.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    run = lambda *args: CliRunner().invoke(cli.main, ["report", "indicators", *args, "--database", url, "--log-key", str(key)])  # noqa: E731
    assert run("--replace").exit_code == 2
    first = run("--year", "2565", "--publish", "--format", "json")
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["published"]["log_entry"] > 0 and data["revised"] is False
    assert data["published"]["sectors"]["national"]["agencies"] == data["indicator16"]["national"]["agencies"]
    twice = run("--year", "2565", "--publish")
    assert twice.exit_code == 2 and "was published on" in twice.output and "--replace" in twice.output
    unfinished = run("--year", "2600", "--publish")
    assert unfinished.exit_code == 2 and "once it has ended" in unfinished.output
    replaced = json.loads(run("--year", "2565", "--publish", "--replace", "--format", "json").output)
    assert replaced["published"]["log_entry"] > data["published"]["log_entry"]
    assert admin.verify(url, log_key=key).ok  # the publications are log entries like any other


def test_report_pdf_of_the_demo_registry(seeded, tmp_path):
    import shutil
    import subprocess

    from dxs import cli
    from tests.conftest import need

    url, _, _ = seeded
    target = tmp_path / "report.pdf"
    got = CliRunner().invoke(cli.main, ["report", "indicators", "--year", "2568", "--format", "pdf", "-o", str(target), "--database", url])
    assert got.exit_code == 0, got.output
    assert target.read_bytes()[:5] == b"%PDF-"
    need(shutil.which("pdftotext") is not None, "poppler-utils (pdftotext) is not installed")
    text = subprocess.run(["pdftotext", str(target), "-"], check=True, capture_output=True, text=True).stdout
    assert "DEMO DATA" in text and "National (all key sectors)" in text and "Sign-off" in text


def test_seed_gives_every_party_a_kind_and_dates(seeded):
    from dxs.registry.parties import juristic_id_problem

    url, _, output = seeded
    assert "3 in 2023; 2 provincial units dissolved in 2022; 1 moved sector" in output and "6 made-up private companies" in output
    parties = {a["code"]: a for a in admin.list_agencies(url)}
    assert {a["kind"] for a in parties.values()} == {
        "ministry-department", "local-administration", "state-enterprise", "public-organisation", "independent-body", "private-juristic-person"}
    assert parties["BOT"]["kind"] == "independent-body" and parties["DGA"]["kind"] == "public-organisation" and parties["GSB"]["kind"] == "state-enterprise"
    companies = [a for a in parties.values() if a["kind"] == "private-juristic-person"]
    assert len(companies) == 6 and all(a["juristic_id"].startswith("099999") and juristic_id_problem(a["juristic_id"]) is None for a in companies)
    assert sum(a["dissolved_on"] is not None for a in parties.values()) == 2
    assert [str(since) for since, _ in parties["BOI"]["sectors"]] == ["2016-10-01", "2021-10-01"]
