"""`dxs registry …`: migrate, agencies, keys, checkpoint, verify (on a SQLite file)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from dxs import cli
from dxs.registry.migrate import head_revision
@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DXS_DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite'}")
    monkeypatch.setenv("DXS_LOG_KEY", str(tmp_path / "log.key"))
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def test_administer_and_verify(env):
    assert f"-> {head_revision()}" in run("registry", "migrate").output  # the newest revision, whichever it is
    assert "up to date" in run("registry", "migrate").output
    assert run("registry", "agency", "add", "RD", "--name-th", "กรมสรรพากร", "--name-en", "Revenue Department", "--sector", "finance",
               "--kind", "ministry-department").exit_code == 0
    dup = run("registry", "agency", "add", "RD", "--name-th", "x", "--name-en", "x", "--sector", "finance", "--kind", "ministry-department")
    assert dup.exit_code == 2 and "already registered" in dup.output
    made = run("registry", "key", "create", "RD", "--label", "erp")
    assert made.exit_code == 0 and made.stdout.startswith("dxs_")
    assert run("registry", "key", "create").exit_code == 2
    assert run("registry", "key", "create", "NOPE").exit_code == 2
    assert "revoked key 1" in run("registry", "key", "revoke", "1").output
    assert "RD" in run("registry", "agency", "list").output
    checkpoint = run("registry", "checkpoint")
    (env / "kept.json").write_text(checkpoint.output)
    ok = run("registry", "verify", "--checkpoint", str(env / "kept.json"))
    assert ok.exit_code == 0 and ok.output.startswith("ok: 3 log entries")
    as_json = json.loads(run("registry", "verify", "--format", "json").output)
    assert as_json["ok"] and as_json["entries"] == 3

    db = sqlite3.connect(env / "r.sqlite")
    db.execute("UPDATE log_entries SET payload = replace(payload, 'Revenue', 'Other') WHERE seq = 0")
    db.commit()
    bad = run("registry", "verify")
    assert bad.exit_code == 1 and "the first bad log entry is 0" in bad.output
    # a row changed behind the log: the JSON names its table, row and column, for monitoring to act on
    db.execute("UPDATE log_entries SET payload = replace(payload, 'Other', 'Revenue') WHERE seq = 0")
    db.execute("UPDATE agencies SET name_en = 'Forged' WHERE code = 'RD'")
    db.commit()
    found = json.loads(run("registry", "verify", "--format", "json").output)["findings"]
    assert any(f["table"] == "agencies" and f["column"] == "name_en" and f["row"] for f in found), found


def test_an_unknown_sector_is_refused_with_the_valid_ones_and_nothing_is_stored(env):
    run("registry", "migrate")
    refused = run("registry", "agency", "add", "RD", "--name-th", "กรมสรรพากร", "--name-en", "Revenue Department", "--sector", "Finanse",
                  "--kind", "ministry-department")
    assert refused.exit_code == 2
    assert "--sector: unknown sector 'Finanse': use one of finance, commerce, public-administration" in refused.output
    assert "Traceback" not in refused.output and "pydantic" not in refused.output
    assert "0 agencies" in run("registry", "agency", "list").output


RD = ("RD", "--name-th", "กรมสรรพากร", "--name-en", "Revenue Department", "--sector", "finance")
KINDS = "use one of ministry-department, local-administration, state-enterprise, public-organisation, independent-body, private-juristic-person, foreign-party"


@pytest.mark.parametrize(("kind", "said"), [((), "--kind: no kind given"), (("--kind", "ministry"), "--kind: unknown kind 'ministry'")])
def test_a_missing_or_unknown_kind_is_refused_with_the_valid_ones_and_nothing_is_stored(env, kind, said):
    run("registry", "migrate")
    refused = run("registry", "agency", "add", *RD, *kind)
    assert refused.exit_code == 2 and f"{said}: {KINDS}" in refused.output
    assert "0 agencies" in run("registry", "agency", "list").output


@pytest.mark.parametrize(
    ("juristic", "said"),
    [
        ((), "juristic_id: a private-juristic-person must carry its 13-digit juristic person ID"),
        (("--juristic-id", "0999900000001"), "--juristic-id: the check digit of '0999900000001' is wrong: the 13th digit should be 7"),
        (("--juristic-id", "099990000000"), "--juristic-id: a juristic person ID is 13 digits"),
    ],
)
def test_a_private_party_needs_a_good_juristic_id(env, juristic, said):
    run("registry", "migrate")
    company = ("ACME", "--name-th", "บริษัท ตัวอย่างการค้า จำกัด", "--name-en", "Example Trading Co., Ltd.", "--sector", "commerce",
               "--kind", "private-juristic-person")
    refused = run("registry", "agency", "add", *company, *juristic)
    assert refused.exit_code == 2 and said in refused.output
    assert "0 agencies" in run("registry", "agency", "list").output
    made = run("registry", "agency", "add", *company, "--juristic-id", "0-9999-00000-00-7", "--registered-on", "2020-01-01")
    assert made.exit_code == 0 and "private-juristic-person" in made.output
    listed = run("registry", "agency", "list", "--kind", "private-juristic-person").output
    assert "ACME" in listed and "[0999900000007]" in listed and "2020-01-01 –" in listed and "1 agencies" in listed


def test_an_agency_changes_sector_from_a_day_and_lists_its_dates(env):
    run("registry", "migrate")
    assert run("registry", "agency", "add", *RD, "--kind", "ministry-department", "--registered-on", "2016-10-01").exit_code == 0
    moved = run("registry", "agency", "update", "RD", "--sector", "commerce", "--sector-since", "2021-10-01")
    assert moved.exit_code == 0 and "sectors: finance from 2016-10-01, commerce from 2021-10-01" in moved.output
    early = run("registry", "agency", "update", "RD", "--sector", "health", "--sector-since", "2020-01-01")
    assert early.exit_code == 2 and "sector_since: 2020-01-01 is before the latest sector change (2021-10-01)" in early.output
    assert run("registry", "agency", "update", "RD", "--kind", "bank").exit_code == 2
    assert run("registry", "agency", "update", "RD", "--dissolved-on", "2024-01-01").exit_code == 0
    listed = run("registry", "agency", "list").output
    assert "ministry-department" in listed and "2016-10-01 – 2024-01-01" in listed and "commerce from 2021-10-01" in listed
    unknown = run("registry", "agency", "list", "--kind", "bank")
    assert unknown.exit_code == 2 and f"unknown kind 'bank': {KINDS}" in unknown.output
    assert run("registry", "verify").exit_code == 0


def test_verify_needs_the_key_or_a_public_key(env):
    run("registry", "migrate")
    missing = run("registry", "verify")
    assert missing.exit_code == 2 and "no log signing key" in missing.output


def test_serve_refuses_an_unmigrated_database(env, tmp_path):
    (tmp_path / "old.sqlite").write_bytes(b"")  # exists, but no schema
    got = run("serve", "--database", f"sqlite:///{tmp_path / 'old.sqlite'}")
    assert got.exit_code == 2 and "dxs registry migrate" in got.output
