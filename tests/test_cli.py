"""`dxs` as a user runs it: exit codes, formats, inputs."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURE_CATALOG, ROOT

from dxs import cli
KIT = FIXTURE_CATALOG / "th.test.permit" / "1.1.0" / "examples"
CAT = ["--catalog", str(FIXTURE_CATALOG)]


@pytest.fixture
def run(monkeypatch):
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli.main, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


def test_valid_documents_exit_0(run):
    result = run("validate", *CAT, KIT / "valid")
    assert result.exit_code == 0, result.output
    assert "4 documents: 4 valid, 0 invalid" in result.output


def test_invalid_documents_exit_1_with_every_issue(run):
    result = run("validate", *CAT, "--format", "json", KIT / "invalid")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["summary"] == {"documents": 6, "valid": 0, "invalid": 6}
    by_name = {d["path"].rsplit("/", 1)[1]: d for d in report["documents"]}
    issue = by_name["negative-fee.json"]["issues"][0]
    assert (issue["rule"], issue["location"], issue["line"], issue["source"]) == ("minimum", "/fee", 7, "schema")
    assert by_name["bad-check-digit.xml"]["issues"][0]["rule"] == "TH-NID-CHECK"
    assert by_name["bad-check-digit.xml"]["standard"] == "th.test.permit@1.1.0"


def test_text_output_names_file_line_rule_and_location(run):
    result = run("validate", *CAT, KIT / "invalid" / "bad-permit-number.xml")
    assert result.exit_code == 1
    assert "FAIL  " in result.output and "bad-permit-number.xml (th.test.permit@1.1.0 · ตัวอย่าง · illustrative)" in result.output
    assert "3 " in result.output and "[schema:cvc-pattern-valid] /Permit/PermitNumber" in result.output


def test_thai_messages(run):
    result = run("validate", *CAT, "--lang", "th", KIT / "invalid" / "bad-national-id.json")
    assert "เลขประจำตัวประชาชน" in result.output and "ไม่ผ่าน 1" in result.output


def test_stdin_and_globs(run):
    doc = (KIT / "valid" / "malee.json").read_text(encoding="utf-8")
    assert run("validate", *CAT, "-", input=doc).exit_code == 0
    assert run("validate", *CAT, "-", input="{broken").exit_code == 1
    result = run("validate", *CAT, str(KIT / "valid" / "*.xml"))
    assert result.exit_code == 0 and "2 documents: 2 valid" in result.output


def test_no_standard_matches_exits_1(run, tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"documentType": "somebody.else"}')
    result = run("validate", *CAT, "--format", "json", other)
    assert result.exit_code == 1
    assert json.loads(result.output)["documents"][0]["issues"][0]["rule"] == "unknown-document"


def test_standard_option_holds_documents_to_a_version(run):
    result = run("validate", *CAT, "--standard", "th.test.permit@1.0.0", KIT / "valid" / "somchai.xml")
    assert result.exit_code == 1 and "th.test.permit@1.0.0" in result.output


def test_loose_schema_and_rules(run, tmp_path):
    schema = tmp_path / "s.json"
    schema.write_text('{"type": "object", "required": ["id"]}')
    (tmp_path / "ok.json").write_text('{"id": 1}')
    (tmp_path / "bad.json").write_text('{"di": 1}')
    assert run("validate", "--schema", schema, tmp_path / "ok.json").exit_code == 0
    assert run("validate", "--schema", schema, tmp_path / "bad.json").exit_code == 1
    rules = FIXTURE_CATALOG / "th.test.permit" / "1.0.0" / "rules.sch"
    assert run("validate", "--rules", rules, KIT / "invalid" / "bad-check-digit.xml").exit_code == 1
    assert run("validate", "--rules", rules, KIT / "valid" / "somchai.xml").exit_code == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--standard", "th.nope"], "no standard 'th.nope'"),
        (["--standard", "th.test.permit@9.0.0"], "no version '9.0.0'"),
        (["--schema", "/nonexistent/s.xsd"], "cannot be read"),
        (["--schema", "x.txt"], "--schema takes"),
        (["--catalog", "/nonexistent"], "does not exist"),
    ],
)
def test_configuration_errors_exit_2(run, args, message):
    result = run("validate", *CAT, *args, KIT / "valid")
    assert result.exit_code == 2
    assert message in result.output


def test_missing_path_exits_2(run):
    result = run("validate", *CAT, "/nonexistent/file.json")
    assert result.exit_code == 2 and "no such file" in result.output


def test_bad_flag_exits_2(run):
    assert run("validate", "--format", "yaml", KIT).exit_code == 2


def test_standards_list_and_show(run):
    listed = json.loads(run("standards", "list", *CAT, "--format", "json").output)
    assert [s["id"] for s in listed["standards"]] == ["th.test.permit"]
    by_year = json.loads(run("standards", "list", *CAT, "--format", "json", "--year", "2564").output)
    assert [v["version"] for v in by_year["standards"][0]["versions"]] == ["1.1.0"]  # 2564 BE = 2021
    shown = run("standards", "show", *CAT, "th.test.permit@1.0.0")
    assert shown.exit_code == 0 and "ใบอนุญาตทดสอบ" in shown.output and "4 valid, 6 invalid" in shown.output
    assert run("standards", "show", *CAT, "th.nope").exit_code == 2


def test_validate_does_not_import_the_service_stack():
    code = (
        "import sys, runpy; sys.argv = ['dxs', 'validate', '--help']\n"
        "try:\n    runpy.run_module('dxs.cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('fastapi', 'sqlalchemy', 'uvicorn', 'starlette', 'dxs.registry') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip().endswith("[]"), out.stdout


def test_the_dxs_executable_ends_at_once_with_every_byte_written(tmp_path):
    """`dxs validate` ends its process without tearing down what it built: the report must still be whole."""
    kit = ROOT / "standards" / "th.etda.e-tax-invoice-receipt" / "2.1.0" / "examples"
    entry = [sys.executable, "-c", "from dxs import cli; cli.entry()"]
    out = tmp_path / "report.json"
    with out.open("wb") as handle:  # the whole catalog's examples: enough documents for two worker processes
        done = subprocess.run([*entry, "validate", "--format", "json", "--jobs", "2", str(ROOT / "standards")], stdout=handle, cwd=ROOT)
    report = json.loads(out.read_text(encoding="utf-8"))  # flushed to the last byte
    assert done.returncode == 1 and report["summary"]["documents"] == len(report["documents"]) >= 300
    valid = next(kit.glob("tax-invoice/valid/tax-invoice-*.xml"))
    assert subprocess.run([*entry, "validate", str(valid)], capture_output=True, cwd=ROOT).returncode == 0
    missing = subprocess.run([*entry, "validate", "missing.xml"], capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and "missing.xml" in missing.stderr
    listed = subprocess.run([*entry, "standards", "list", "--real"], capture_output=True, text=True, cwd=ROOT)
    assert listed.returncode == 0 and "th.etda.e-tax-invoice-receipt.tax-invoice" in listed.stdout
