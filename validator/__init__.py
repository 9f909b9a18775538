"""The DX Standards Toolkit library: catalog model, schema engines, reports.

Pure library code: bytes and catalog objects in, report objects out. It never
imports the registry service, a web framework, a database layer or click.
"""

from .catalog import Catalog, Standard, StandardVersion, catalog_folders, load_catalog
from .errors import CatalogError, DxsError, SchemaLoadError, StandardNotFound
from .json_engine import JsonSchema
from .report import Issue, Report, Summary, best_match, sort_issues
from .validate import DocumentValidator

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
