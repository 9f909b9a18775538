"""`dxs demo seed` and `dxs report indicators` end to end, on a SQLite file."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from registry import admin
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A small demo registry (the same seeding code as the full one)."""
    import cli

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
    import cli

    url, key, output = seeded
    again = CliRunner().invoke(cli.main, ["demo", "seed", "--scale", "0.2", "--database", f"sqlite:///{tmp_path / 'b.sqlite'}", "--log-key", str(key)])
    assert again.output.splitlines()[:4] == output.splitlines()[:4]
    refused = CliRunner().invoke(cli.main, ["demo", "seed", "--database", url, "--log-key", str(key)])
    assert refused.exit_code == 2 and "already has agencies" in refused.output
    skipped = CliRunner().invoke(cli.main, ["demo", "seed", "--if-empty", "--database", url, "--log-key", str(key)])
    assert skipped.exit_code == 0 and "no demo data added" in skipped.output


def test_report_table_json_csv(seeded):
    import cli

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
    import cli

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
    import cli

    got = CliRunner().invoke(cli.main, ["report", "indicators", "--database", f"sqlite:///{tmp_path / 'none.sqlite'}"])
    assert got.exit_code == 2 and "no registry database" in got.output


def test_thai_font_is_found_or_charts_fall_back_to_english():
    from registry.reporting import charts

    font = charts.thai_font()
    assert font is None or isinstance(font, str)
    assert (ROOT / "registry" / "static" / "echarts.min.js").stat().st_size > 100_000
