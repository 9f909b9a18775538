"""Comparing two schema files of the same language, one rule family per language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..catalog import Catalog
from ..errors import DxsError
from .changes import Change, Compatibility, XmlMarker
from .json_schema import diff_json_schema_files
from .schematron import diff_schematron_files
from .xsd import diff_xsd_files

__all__ = ["diff_files", "diff_form", "schema_form"]


def schema_form(path: Path) -> str:
    """``json``, ``xsd`` or ``schematron`` from a schema file's name.

    :raises DxsError: the name has none of the three suffixes.
    """
    suffix = path.suffix.lower()
    forms = {".json": "json", ".xsd": "xsd", ".sch": "schematron"}
    if suffix not in forms:
        raise DxsError(f"{path}: compare a JSON Schema (.json), an XSD (.xsd) or a Schematron (.sch) file")
    return forms[suffix]


def diff_form(form: str, old: Path, new: Path, *, catalog: Catalog | None = None, marker: Any = None) -> list[Change]:
    """Every change between two files of ``form``, each tagged with it.

    :param catalog: its schemas resolve JSON Schema ``$ref`` s by ``$id``.
    :param marker: the version marker (:class:`~.changes.JsonMarker` or :class:`~.changes.XmlMarker`) exempted.
    """
    if form == "json":
        resources = catalog.schema_resources if catalog is not None else None
        changes = diff_json_schema_files(old, new, resources=resources, marker=marker)
    elif form == "xsd":
        changes = diff_xsd_files(old, new, marker=marker)
    else:
        changes = diff_schematron_files(old, new, marker=marker if isinstance(marker, XmlMarker) else None)
    for change in changes:
        change.form = form
    return changes


def diff_files(old: Path | str, new: Path | str, *, catalog: Catalog | None = None) -> Compatibility:
    """Compare any two schema files of the same language (no version-marker exemption).

    :raises DxsError: the files are of different languages, or one cannot be read.
    """
    old, new = Path(old), Path(new)
    form = schema_form(old)
    if schema_form(new) != form:
        raise DxsError(f"cannot compare {old.name} with {new.name}: they are different schema languages")
    for path in (old, new):
        if not path.is_file():
            raise DxsError(f"{path}: no such file")
    return Compatibility(str(old), str(new), diff_form(form, old, new, catalog=catalog))
