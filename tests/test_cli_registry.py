"""`dxs registry …`: migrate, agencies, keys, checkpoint, verify (on a SQLite file)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

import cli


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DXS_DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite'}")
    monkeypatch.setenv("DXS_LOG_KEY", str(tmp_path / "log.key"))
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def test_administer_and_verify(env):
    assert "-> 0001" in run("registry", "migrate").output
    assert "up to date" in run("registry", "migrate").output
    assert run("registry", "agency", "add", "RD", "--name-th", "กรมสรรพากร", "--name-en", "Revenue Department", "--sector", "finance").exit_code == 0
    dup = run("registry", "agency", "add", "RD", "--name-th", "x", "--name-en", "x", "--sector", "finance")
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


def test_an_unknown_sector_is_refused_with_the_valid_ones_and_nothing_is_stored(env):
    run("registry", "migrate")
    refused = run("registry", "agency", "add", "RD", "--name-th", "กรมสรรพากร", "--name-en", "Revenue Department", "--sector", "Finanse")
    assert refused.exit_code == 2
    assert "--sector: unknown sector 'Finanse': use one of finance, commerce, public-administration" in refused.output
    assert "Traceback" not in refused.output and "pydantic" not in refused.output
    assert "0 agencies" in run("registry", "agency", "list").output


def test_verify_needs_the_key_or_a_public_key(env):
    run("registry", "migrate")
    missing = run("registry", "verify")
    assert missing.exit_code == 2 and "no log signing key" in missing.output


def test_serve_refuses_an_unmigrated_database(env, tmp_path):
    (tmp_path / "old.sqlite").write_bytes(b"")  # exists, but no schema
    got = run("serve", "--database", f"sqlite:///{tmp_path / 'old.sqlite'}")
    assert got.exit_code == 2 and "dxs registry migrate" in got.output
