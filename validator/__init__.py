"""The DX Standards Toolkit library: catalog model, schema engines, reports.

Pure library code: bytes and catalog objects in, report objects out. It never
imports the registry service, a web framework, a database layer or click.
"""

from typing import TYPE_CHECKING

from .catalog import Catalog, Standard, StandardVersion, catalog_folders, load_catalog
from .errors import CatalogError, DxsError, SchemaLoadError, StandardNotFound
from .report import Issue, Report, Summary, best_match, sort_issues
from .validate import DocumentValidator

if TYPE_CHECKING:
    from .json_engine import JsonSchema


def __getattr__(name: str) -> object:
    # the JSON engines load only when asked for: `dxs validate` on XML never pays for them
    if name == "JsonSchema":
        from .json_engine import JsonSchema

        return JsonSchema
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "Catalog",
    "CatalogError",
    "DocumentValidator",
    "DxsError",
    "Issue",
    "JsonSchema",
    "Report",
    "SchemaLoadError",
    "Standard",
    "StandardNotFound",
    "StandardVersion",
    "Summary",
    "best_match",
    "catalog_folders",
    "load_catalog",
    "sort_issues",
]
