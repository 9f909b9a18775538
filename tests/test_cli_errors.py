"""Errors carry their exit code; `dxs` prints `Error: <message>` once, on stderr, and exits with it."""

import click
import pytest
from click.testing import CliRunner

from dxs import cli
from dxs.registry.admin import CannotVerify, NotReady
from dxs.registry.backup import BackupError, BackupNotVerified
from dxs.registry.errors import Conflict, Invalid, ServiceError
from dxs.registry.reporting.config import IndicatorConfigError
from dxs.registry.reporting.run import NoRegistry, ReportError
from dxs.registry.workers import ListenError
from dxs.validator import CatalogError, DxsError, SchemaLoadError, StandardNotFound


def _failing(error: Exception) -> click.Group:
    @click.group(cls=cli.RootGroup)
    def root() -> None:
        pass

    @root.command()
    def fail() -> None:
        raise error

    return root


@pytest.mark.parametrize(
    "error, code",
    [
        (DxsError("what went wrong"), 2),
        (StandardNotFound("what went wrong"), 2),
        (ServiceError("what went wrong"), 2),
        (Conflict("what went wrong"), 2),
        (Invalid("what went wrong"), 2),
        (BackupError("what went wrong"), 2),
        (BackupNotVerified("what went wrong"), 1),
        (IndicatorConfigError("what went wrong"), 2),
        (NoRegistry("what went wrong"), 2),
        (NotReady("what went wrong"), 2),
        (CannotVerify("what went wrong"), 2),
        (ReportError("what went wrong"), 2),
        (ListenError("what went wrong"), 2),
    ],
)
def test_the_root_group_ends_a_command_with_the_errors_own_exit_code(error, code):
    result = CliRunner().invoke(_failing(error), ["fail"])
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", "Error: what went wrong\n")


def test_an_error_names_its_file_and_field_in_the_message():
    assert CliRunner().invoke(_failing(CatalogError("x/standard.toml", "is empty", "title_en")), ["fail"]).stderr == (
        "Error: x/standard.toml: field 'title_en': is empty\n"
    )
    assert CliRunner().invoke(_failing(SchemaLoadError("s.xsd", "cannot be read")), ["fail"]).stderr == "Error: s.xsd: cannot be read\n"


def test_an_error_without_an_exit_code_is_not_hidden():
    result = CliRunner().invoke(_failing(RuntimeError("a bug")), ["fail"])
    assert isinstance(result.exception, RuntimeError) and result.exit_code == 1


def test_the_two_configuration_errors_have_names_that_say_what_they_are():
    assert cli.UsageProblem("x").exit_code == 2 and issubclass(cli.UsageProblem, click.ClickException)
    assert issubclass(IndicatorConfigError, ValueError)
    assert not hasattr(cli, "ConfigError")


# --------------------------------------------------------------------------- issue 17: rough edges


def test_an_empty_folder_is_refused_like_an_empty_glob(tmp_path):
    from dxs import cli
    (tmp_path / "notes.txt").write_text("not a document", encoding="utf-8")
    got = CliRunner().invoke(cli.main, ["validate", str(tmp_path)])
    assert got.exit_code == 2 and "holds no document (.json, .xml, .pdf)" in got.output


def test_one_document_is_one_document(tmp_path):
    from dxs import cli
    doc = tmp_path / "a.json"
    doc.write_text("{}", encoding="utf-8")
    got = CliRunner().invoke(cli.main, ["validate", "--schema", str(_any_json_schema(tmp_path)), str(doc)])
    assert "1 document:" in got.output and "1 documents" not in got.output


def _any_json_schema(folder):
    schema = folder / "s.json"
    schema.write_text('{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}', encoding="utf-8")
    return schema


def test_a_reference_with_nothing_after_the_at_sign_is_refused():
    from dxs import cli
    for args in (["validate", "--standard", "th.dopa.citizen-profile@", "x.json"], ["standards", "show", "th.dopa.citizen-profile@"]):
        got = CliRunner().invoke(cli.main, args)
        assert got.exit_code == 2 and "names no version after '@'" in got.output, (args, got.output)


def test_an_unknown_sector_in_standards_list_is_refused_with_the_valid_ones():
    from dxs import cli
    got = CliRunner().invoke(cli.main, ["standards", "list", "--sector", "Finanse"])
    assert got.exit_code == 2 and "unknown sector" in got.output and "finance" in got.output and "0 standards" not in got.output


def test_report_years_have_one_range_on_the_command_line():
    from dxs import cli
    got = CliRunner().invoke(cli.main, ["report", "indicators", "--year", "99999", "--database", "sqlite:///nowhere.sqlite"])
    assert got.exit_code == 2 and "out of range" in got.output and "10000" not in got.output
