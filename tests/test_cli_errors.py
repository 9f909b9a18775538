"""Errors carry their exit code; `dxs` prints `Error: <message>` once, on stderr, and exits with it."""

import click
import pytest
from click.testing import CliRunner

import cli
from registry.admin import CannotVerify, NotReady
from registry.backup import BackupError, BackupNotVerified
from registry.errors import Conflict, Invalid, ServiceError
from registry.reporting.config import IndicatorConfigError
from registry.reporting.run import NoRegistry, ReportError
from registry.workers import ListenError
from validator import CatalogError, DxsError, SchemaLoadError, StandardNotFound


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
