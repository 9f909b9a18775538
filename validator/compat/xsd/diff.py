"""The XSD comparison: every rule family together, and the entry points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..changes import Change, XmlMarker
from .attributes import AttributeRules
from .components import load_xsd
from .content import ContentRules
from .simple_types import SimpleTypeRules

__all__ = ["diff_xsd_files", "diff_xsd_schemas"]


class _XsdComparison(AttributeRules, SimpleTypeRules, ContentRules):
    """Walks OLD and NEW from their global elements and collects :class:`Change` values."""


def diff_xsd_schemas(old: Any, new: Any, *, marker: XmlMarker | None = None) -> list[Change]:
    """Every change from the loaded xmlschema schema ``old`` to ``new``."""
    return _XsdComparison(old, new, marker).run()


def diff_xsd_files(old: Path, new: Path, *, marker: XmlMarker | None = None) -> list[Change]:
    """Every change from the XSD file ``old`` to ``new`` (their imports and includes too).

    :raises SchemaLoadError: a schema cannot be loaded from local files.
    """
    return diff_xsd_schemas(load_xsd(old), load_xsd(new), marker=marker)
