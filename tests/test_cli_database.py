"""An unusable database address ends every command that takes one with one line and exit 2.

Not a URL, an unsupported database, no server answering, no such database, no folder
for a SQLite file: each command says which address (password hidden) and why, and
`dxs serve` refuses to start its workers. No traceback.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from dxs import cli
from tests.conftest import need
from tests.kit.postgres import postgres_problem

#: Every command that opens the registry database, with what it needs besides.
COMMANDS = {
    "report indicators": ["report", "indicators"],
    "registry migrate": ["registry", "migrate"],
    "registry agency list": ["registry", "agency", "list"],
    "demo seed": ["demo", "seed", "--scale", "0.1"],
    "serve": ["serve", "--port", "1"],
}

#: A bad address, and what the line must say about it.
ADDRESSES = {
    "unreachable": ("postgresql://postgres@127.0.0.1:1/x", "connection refused"),
    "missing database": ("postgresql://postgres@127.0.0.1:5432/no_such_db", 'database "no_such_db" does not exist'),
    "not a URL": ("notaurl", "not a database URL"),
    "unsupported": ("mysql://x", "mysql is not supported (only sqlite and postgresql)"),
    "password": ("postgresql://u:secret@127.0.0.1:1/x", "connection refused"),
}


@pytest.fixture(autouse=True)
def _no_workers(monkeypatch, tmp_path):
    """Should the check ever let a bad address through, `dxs serve` fails here instead of serving."""
    import dxs.registry.workers

    def refuse(*_args, **_kwargs):
        raise AssertionError("dxs serve started its workers")

    monkeypatch.setattr(dxs.registry.workers, "run", refuse)
    monkeypatch.setenv("DXS_LOG_KEY", str(tmp_path / "log.key"))


def _refused(args: list[str], url: str):
    got = CliRunner().invoke(cli.main, [*args, "--database", url])
    lines = got.stderr.strip().splitlines()
    assert got.exit_code == 2, (got.exit_code, got.output, got.exception)
    assert len(lines) == 1 and lines[0].startswith("Error: "), got.stderr
    assert "Traceback" not in got.output and not got.stdout.strip()
    return lines[0]


@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_address_is_one_line_naming_it_and_the_cause(command, address):
    url, cause = ADDRESSES[address]
    if address == "missing database":
        need(postgres_problem() is None, f"the test PostgreSQL server is not reachable: {postgres_problem()}")
    line = _refused(COMMANDS[command], url)
    assert cause in line
    if address == "password":
        assert "secret" not in line and "postgresql://u:***@127.0.0.1:1/x" in line
    else:
        assert url in line


def test_the_address_from_the_environment_is_checked_the_same_way(monkeypatch):
    monkeypatch.setenv("DXS_DATABASE_URL", "postgresql://u:secret@127.0.0.1:1/x")
    got = CliRunner().invoke(cli.main, ["registry", "agency", "list"])
    assert got.exit_code == 2 and "secret" not in got.output
    assert got.stderr.strip() == "Error: cannot connect to database postgresql://u:***@127.0.0.1:1/x: connection refused"


@pytest.mark.parametrize("command", ["registry migrate", "serve"])
def test_a_sqlite_file_where_no_folder_can_be_made(command, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    line = _refused(COMMANDS[command], f"sqlite:///{blocker / 'registry' / 'r.sqlite'}")
    assert f"{blocker} is not a folder" in line


def test_a_file_that_is_not_a_database(tmp_path):
    other = tmp_path / "notes.sqlite"
    other.write_text("this is not SQLite\n" * 100)
    line = _refused(COMMANDS["registry agency list"], f"sqlite:///{other}")
    assert line.endswith("file is not a database")


def test_a_usable_address_still_works(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'r.sqlite'}"
    assert not (tmp_path / "new").exists()  # the check makes nothing; migrating makes the folder and the file
    got = CliRunner().invoke(cli.main, ["registry", "migrate", "--database", url])
    assert got.exit_code == 0, got.output
    listed = CliRunner().invoke(cli.main, ["registry", "agency", "list", "--database", url])
    assert listed.exit_code == 0, listed.output


def test_the_check_in_the_library_raises_one_error_class():
    from dxs.registry.db import Database, DatabaseUnavailable, check_database

    for url, cause in ADDRESSES.values():
        if "no_such_db" in url:
            continue
        with pytest.raises(DatabaseUnavailable) as refused:
            check_database(url)
        assert refused.value.exit_code == 2 and cause in str(refused.value) and "secret" not in str(refused.value)
    with pytest.raises(DatabaseUnavailable, match="not supported"):
        Database("mysql://x", signer=None)  # refused when the engine is made, before any connection
