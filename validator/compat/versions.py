"""Comparing catalog versions: every form, the version markers exempted, the examples as evidence.

Also the catalog's semver conventions: which bump a version number makes, and which
earlier announced versions a new one is measured against.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..catalog import Catalog, StandardVersion, parse_semver
from ..errors import DxsError
from .changes import Change, Compatibility, JsonMarker, XmlMarker
from .evidence import attach_evidence
from .files import diff_form
from .schematron import diff_schematron_files

__all__ = ["bump_between", "diff_transitive", "diff_versions", "earlier_announced", "previous_announced"]


# --------------------------------------------------------------------------- semver


def bump_between(old: str, new: str) -> str:
    """The bump a version number makes: ``2.0.0`` → ``2.1.0`` is ``minor``.

    Below 1.0.0 semver lets a minor release break, so ``0.1.0`` → ``0.2.0`` counts
    as ``major`` and ``0.1.0`` → ``0.1.1`` as ``minor``.

    :raises DxsError: ``new`` is not later than ``old``.
    """
    o, n = parse_semver(old), parse_semver(new)
    if n <= o:
        raise DxsError(f"{new} is not later than {old}")
    if o[0] == 0 and n[0] == 0:
        return "major" if n[1] != o[1] else "minor"
    if n[0] != o[0]:
        return "major"
    if n[1] != o[1]:
        return "minor"
    return "patch"


def earlier_announced(version: StandardVersion, versions: Iterable[StandardVersion]) -> list[StandardVersion]:
    """The announced versions (deprecated and retired included) before ``version``, oldest first."""
    return sorted((v for v in versions if v.is_announced and v.semver < version.semver), key=lambda v: v.semver)


def previous_announced(version: StandardVersion, versions: Iterable[StandardVersion]) -> StandardVersion | None:
    """The announced version a new version is measured against: the latest before it."""
    earlier = earlier_announced(version, versions)
    return earlier[-1] if earlier else None


# --------------------------------------------------------------------------- version markers


def _json_marker(old: StandardVersion, new: StandardVersion) -> JsonMarker | None:
    if old.json and new.json and old.json.version_pointer and old.json.version_pointer == new.json.version_pointer:
        return JsonMarker(new.json.version_pointer, old.json.version_value, new.json.version_value)
    return None


def _xml_steps(version: StandardVersion) -> tuple[str, ...] | None:
    det = version.xml
    if det is None or not det.version_path:
        return None
    steps = [f"{{{det.namespace}}}{det.root}" if det.namespace else det.root]
    for step in det.version_path.strip("/").split("/"):
        attribute = step.startswith("@")
        name = step.removeprefix("@")
        prefix, _, local = name.rpartition(":")
        if prefix and prefix not in det.namespaces:
            return None  # a path we cannot map onto the schema: no exemption
        qname = f"{{{det.namespaces[prefix]}}}{local}" if prefix else local
        steps.append(f"@{qname}" if attribute else qname)
    return tuple(steps)


def _xml_marker(old: StandardVersion, new: StandardVersion) -> XmlMarker | None:
    steps = _xml_steps(new)
    if steps is None:
        return None
    return XmlMarker(steps, old.xml.version_value if old.xml else None, new.xml.version_value if new.xml else None)


# --------------------------------------------------------------------------- versions


def _form_files(version: StandardVersion) -> dict[str, Path]:
    files = {"json": version.json_schema, "xsd": version.xml_schema, "schematron": version.rules}
    return {form: path for form, path in files.items() if path is not None}


_FORM_NAMES = {"json": "JSON form (schema.json)", "xsd": "XML form (schema.xsd)", "schematron": "Schematron rules (rules.sch)"}


def _form_change(form: str, old: StandardVersion, new: StandardVersion) -> Change | None:
    old_files, new_files = _form_files(old), _form_files(new)
    name = _FORM_NAMES[form]
    if form in new_files and form not in old_files:
        if form == "schematron":
            return None  # compared as every assertion added (see .schematron)
        return Change("form-added", new_files[form].name, True, False, f"{new.ref} adds the {name}; documents in it cannot be checked against {old.version}", form=form)
    if form in old_files and form not in new_files:
        if form == "schematron":
            return None
        return Change("form-removed", old_files[form].name, False, True, f"{new.ref} drops the {name}: documents of {old.version} in that form are no longer covered", form=form)
    return None


def diff_versions(catalog: Catalog, old: StandardVersion, new: StandardVersion, *, evidence: bool = True) -> Compatibility:
    """Compare two versions of a standard: every form, the version markers exempted.

    The version marker (``detection.json.version_pointer`` / ``detection.xml.version_path``)
    is expected to change between versions; such a change is reported as kind
    ``version-marker``, compatible both ways. With ``evidence``, OLD's valid examples
    are validated under NEW (their marker rewritten to NEW's) and each rejection is
    attached to the backward-breaking change it shows, or reported as ``example-rejected``.
    """
    result = Compatibility(old.ref, new.ref)
    old_files, new_files = _form_files(old), _form_files(new)
    for form in ("json", "xsd", "schematron"):
        if (change := _form_change(form, old, new)) is not None:
            result.changes.append(change)
            continue
        if form == "schematron" and (form in old_files or form in new_files):
            changes = diff_schematron_files(old_files.get(form), new_files.get(form), marker=_xml_marker(old, new))
            for c in changes:
                c.form = form
            result.changes.extend(changes)
        elif form in old_files and form in new_files:
            marker: Any = _json_marker(old, new) if form == "json" else _xml_marker(old, new)
            result.changes.extend(diff_form(form, old_files[form], new_files[form], catalog=catalog, marker=marker))
    if evidence:
        attach_evidence(catalog, old, new, result.changes)
    return result


def diff_transitive(catalog: Catalog, new: StandardVersion, *, evidence: bool = True) -> list[Compatibility]:
    """NEW against every earlier announced version of its standard, oldest first."""
    standard = catalog.standard(new.standard_id)
    return [diff_versions(catalog, old, new, evidence=evidence) for old in earlier_announced(new, standard.versions)]
