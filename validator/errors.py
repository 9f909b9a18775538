"""Domain errors raised at the library's edges.

Inside a batch, problems with a document are :class:`~validator.report.Issue`
values; these exceptions are for configuration the run cannot go on without
(a broken catalog entry, an unknown standard, an unreadable schema).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CatalogError", "DxsError", "SchemaLoadError", "StandardNotFound", "TrustListError"]


class DxsError(Exception):
    """Base of the toolkit's configuration errors."""

    #: ``dxs`` prints the message and exits with this code: 2, a usage or configuration error
    exit_code = 2


class CatalogError(DxsError):
    """A catalog entry is malformed: names the file and, where known, the field."""

    def __init__(self, path: Path | str, message: str, field: str | None = None) -> None:
        self.path = str(path)
        self.field = field
        self.detail = message
        where = f"{self.path}: field '{field}'" if field else self.path
        super().__init__(f"{where}: {message}")


class StandardNotFound(DxsError):
    """A requested ``ID`` or ``ID@VERSION`` is not in the catalog."""


class SchemaLoadError(DxsError):
    """A schema (JSON Schema, XSD or Schematron) cannot be read or compiled."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = str(path)
        super().__init__(f"{path}: {message}")


class TrustListError(SchemaLoadError):
    """A standard's trust list (``[[trust]]``) cannot be read: like a broken schema, the catalog's fault."""
