"""``dxs`` in the test's own process (click's runner): what a command prints and its exit code."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner, Result

__all__ = ["run_dxs"]


def run_dxs(*args: Any, input: str | None = None) -> Result:
    """Run ``dxs ARGS…`` (each argument as text); an exception the command did not handle fails the test."""
    from dxs import cli
    return CliRunner().invoke(cli.main, [str(a) for a in args], input=input, catch_exceptions=False)
