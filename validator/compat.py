"""Compatibility between two versions of a standard: what changed, and what it breaks.

Two directions, both about validity:

- **backward**: every document valid under OLD is still valid under NEW (agencies'
  existing documents keep passing);
- **forward**: every document valid under NEW is valid under OLD (documents made
  under the new version still pass systems that only know the old one).

Each :class:`Change` says which of the two it keeps. A :class:`Compatibility`
sums them up as a level (``FULL``, ``BACKWARD``, ``FORWARD``, ``NONE``) and the
smallest honest semver bump: breaking backward → major; any other change that
is not documentation only → minor; documentation only → patch.

The rules live one module per schema language: :mod:`validator.compat_json`
(JSON Schema), :mod:`validator.compat_xsd` (XSD, through xmlschema's component
model) and :mod:`validator.compat_sch` (Schematron, by assertion id). This module
compares whole catalog versions, adds evidence from the conformance kits, and
knows the catalog's conventions (version markers, semver).
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog import Catalog, StandardVersion, parse_semver
from .errors import DxsError

__all__ = [
    "BUMPS",
    "Change",
    "Compatibility",
    "JsonMarker",
    "Level",
    "XmlMarker",
    "attach_evidence",
    "bump_between",
    "diff_files",
    "diff_transitive",
    "diff_versions",
    "earlier_announced",
    "previous_announced",
    "render_text",
    "schema_form",
    "transitive_to_dict",
]

#: Semver bumps from the smallest to the largest.
BUMPS = ("patch", "minor", "major")


class Level(str, enum.Enum):
    """How two versions relate: which way documents keep passing."""

    FULL = "FULL"
    BACKWARD = "BACKWARD"
    FORWARD = "FORWARD"
    NONE = "NONE"

    def __str__(self) -> str:
        return self.value


@dataclass(slots=True)
class Change:
    """One difference between two schemas and its effect on documents.

    :param kind: what changed, e.g. ``max-length-decreased``, ``element-added-required``.
    :param location: where, in the schema: a JSON Pointer into the JSON Schema
        (NEW's where the thing exists there, else OLD's), or the XSD component path
        (``/p:Root/p:Child/@attr``), or the Schematron assertion id.
    :param backward: documents valid under OLD stay valid under NEW.
    :param forward: documents valid under NEW are valid under OLD.
    :param documentation: the change touches only documentation (titles,
        descriptions, examples, comments); a patch may carry it.
    :param instance: where in a document the change bites (JSON Pointer with
        ``*`` for any array item or property, or an XPath-like element path).
    :param evidence: OLD's valid examples that NEW rejects, with the reason.
    """

    kind: str
    location: str
    backward: bool
    forward: bool
    message: str
    documentation: bool = False
    form: str = ""
    instance: str | None = None
    evidence: list[str] = field(default_factory=list)

    @property
    def effect(self) -> str:
        """``both``, ``backward``, ``forward`` or ``neither`` — what the change keeps compatible."""
        if self.backward and self.forward:
            return "both"
        if self.backward:
            return "backward"
        if self.forward:
            return "forward"
        return "neither"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "location": self.location,
            "backward": self.backward,
            "forward": self.forward,
            "message": self.message,
            "form": self.form,
            "documentation": self.documentation,
            "instance": self.instance,
            "evidence": list(self.evidence),
        }

    def __str__(self) -> str:
        return f"{self.kind} at {self.location}: {self.message}"


def _level(changes: Sequence[Change]) -> Level:
    backward = all(c.backward for c in changes)
    forward = all(c.forward for c in changes)
    if backward and forward:
        return Level.FULL
    if backward:
        return Level.BACKWARD
    if forward:
        return Level.FORWARD
    return Level.NONE


def _bump(changes: Sequence[Change]) -> str:
    if any(not c.backward for c in changes):
        return "major"
    if any(not c.documentation for c in changes):
        return "minor"
    return "patch"


@dataclass(slots=True)
class Compatibility:
    """Every change between OLD and NEW, with the level and bump they add up to."""

    old: str
    new: str
    changes: list[Change] = field(default_factory=list)

    @property
    def level(self) -> Level:
        return _level(self.changes)

    @property
    def bump(self) -> str:
        """The smallest semver bump that honestly describes the changes."""
        return _bump(self.changes)

    @property
    def breaking(self) -> list[Change]:
        """The changes that break backward compatibility (existing documents)."""
        return [c for c in self.changes if not c.backward]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "bump": self.bump,
            "changes": [c.to_dict() for c in self.changes],
        }


# --------------------------------------------------------------------------- semver


def bump_between(old: str, new: str) -> str:
    """The bump a version number makes: ``2.0.0`` → ``2.1.0`` is ``minor``.

    Below 1.0.0 semver lets a minor release break, so ``0.1.0`` → ``0.2.0`` counts
    as ``major`` and ``0.1.0`` → ``0.1.1`` as ``minor``.
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


# --------------------------------------------------------------------------- files


def schema_form(path: Path) -> str:
    """``json``, ``xsd`` or ``schematron`` from a schema file's name."""
    suffix = path.suffix.lower()
    forms = {".json": "json", ".xsd": "xsd", ".sch": "schematron"}
    if suffix not in forms:
        raise DxsError(f"{path}: compare a JSON Schema (.json), an XSD (.xsd) or a Schematron (.sch) file")
    return forms[suffix]


def _diff_form(form: str, old: Path, new: Path, *, catalog: Catalog | None = None, marker: Any = None) -> list[Change]:
    if form == "json":
        from .compat_json import diff_json_schema_files

        resources = catalog.schema_resources if catalog is not None else None
        changes = diff_json_schema_files(old, new, resources=resources, marker=marker)
    elif form == "xsd":
        from .compat_xsd import diff_xsd_files

        changes = diff_xsd_files(old, new, marker=marker)
    else:
        from .compat_sch import diff_schematron_files

        changes = diff_schematron_files(old, new)
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
    return Compatibility(str(old), str(new), _diff_form(form, old, new, catalog=catalog))


# --------------------------------------------------------------------------- versions


@dataclass(frozen=True, slots=True)
class JsonMarker:
    """Where a JSON document carries its version marker, and its value in OLD and NEW."""

    pointer: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class XmlMarker:
    """Where an XML document carries its version marker (root + path), in Clark notation."""

    steps: tuple[str, ...]  # ('{ns}Root', '{ns}Child', '@attr')
    old: str | None
    new: str | None


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


def _form_files(version: StandardVersion) -> dict[str, Path]:
    files = {"json": version.json_schema, "xsd": version.xml_schema, "schematron": version.rules}
    return {form: path for form, path in files.items() if path is not None}


_FORM_NAMES = {"json": "JSON form (schema.json)", "xsd": "XML form (schema.xsd)", "schematron": "Schematron rules (rules.sch)"}


def _form_change(form: str, old: StandardVersion, new: StandardVersion) -> Change | None:
    old_files, new_files = _form_files(old), _form_files(new)
    name = _FORM_NAMES[form]
    if form in new_files and form not in old_files:
        if form == "schematron":
            return None  # compared as every assertion added (see compat_sch)
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
            from .compat_sch import diff_schematron_files

            changes = diff_schematron_files(old_files.get(form), new_files.get(form))
            for c in changes:
                c.form = form
            result.changes.extend(changes)
        elif form in old_files and form in new_files:
            marker: Any = _json_marker(old, new) if form == "json" else _xml_marker(old, new)
            result.changes.extend(_diff_form(form, old_files[form], new_files[form], catalog=catalog, marker=marker))
    if evidence:
        attach_evidence(catalog, old, new, result.changes)
    return result


# --------------------------------------------------------------------------- evidence


def _with_marker(data: bytes, suffix: str, new: StandardVersion) -> bytes:
    """An example of OLD with its version marker set to NEW's, so only real differences show."""
    if suffix == ".json" and new.json and new.json.version_pointer:
        try:
            document = json.loads(data)
        except ValueError:
            return data
        *parents, last = [t.replace("~1", "/").replace("~0", "~") for t in new.json.version_pointer.split("/")[1:]]
        node = document
        for token in parents:
            node = node.get(token) if isinstance(node, dict) else None
        if isinstance(node, dict) and last in node:
            node[last] = new.json.version_value
            return json.dumps(document, ensure_ascii=False).encode()
        return data
    if suffix == ".xml" and new.xml and new.xml.version_path:
        from lxml import etree

        from .xml_engine import parse_xml

        tree, problem = parse_xml(data)
        if tree is None:
            return data
        try:
            found = tree.getroot().xpath(new.xml.version_path, namespaces=dict(new.xml.namespaces))
        except etree.XPathError:
            return data
        for node in found if isinstance(found, list) else []:
            if isinstance(node, etree._Element):
                node.text = new.xml.version_value
            elif getattr(node, "is_attribute", False):
                node.getparent().set(node.attrname, new.xml.version_value or "")
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    return data


def _steps(location: str) -> list[str]:
    """Path steps without predicates or prefixes: ``/p:a[2]/b`` → ``['a', 'b']``."""
    steps = []
    for step in location.strip("/").split("/"):
        if not step:
            continue
        step = step.split("[", 1)[0]
        steps.append(step.rpartition(":")[2] if not step.startswith("{") else step.rpartition("}")[2])
    return steps


_NAMED = re.compile(r"'([^']+)' (?:is a required property|was unexpected)")


def _issue_place(issue: Any) -> str:
    """Where an issue bites: a missing or unexpected property's own place, not its parent's."""
    found = _NAMED.search(issue.message) if issue.rule in ("required", "additionalProperties") else None
    return f"{issue.location}/{found.group(1)}" if found else issue.location


def _affinity(change: Change, place: str) -> int:
    """How closely a change's place explains an issue's place (-1: unrelated); deepest wins."""
    if change.form == "schematron":
        return 10_000 if change.location == place else -1
    if change.instance is None:
        return -1
    mine, theirs = _steps(change.instance), _steps(place)
    agree = lambda a, b: all(x == y or x == "*" or y == "*" for x, y in zip(a, b))  # noqa: E731
    if len(mine) <= len(theirs) and agree(mine, theirs):
        return 1000 + len(mine)  # the change contains the issue
    if len(theirs) < len(mine) and agree(theirs, mine):
        return 100 + len(theirs)  # the issue is reported on an ancestor (a missing child)
    if mine and theirs and mine[-1] == theirs[-1]:
        return 10  # same name, reached through a shared definition
    return -1


def attach_evidence(catalog: Catalog, old: StandardVersion, new: StandardVersion, changes: list[Change]) -> None:
    """Validate OLD's valid examples under NEW; name each rejection on the change it shows.

    A rejection no backward-breaking change accounts for is reported as an
    ``example-rejected`` change: the examples overrule a missed rule.
    """
    from .validate import DocumentValidator

    try:
        validator = DocumentValidator(catalog, standard=new.ref)
    except DxsError:
        return  # NEW does not compile: `dxs standards check` says so
    forms = {".json": {"json"} if new.json_schema else set(), ".xml": {"xsd", "schematron"} if new.xml_schema else set()}
    for example in old.examples("valid"):
        if not forms.get(example.suffix):
            continue
        report = validator.validate_bytes(_with_marker(example.read_bytes(), example.suffix, new), str(example))
        if report.valid:
            continue
        name = str(example.relative_to(old.folder.parent))
        for issue in (i for i in report.issues if i.severity == "error"):
            form = "schematron" if issue.source == "rules" else ("json" if example.suffix == ".json" else "xsd")
            message = issue.message if len(issue.message) <= 160 else issue.message[:157] + "..."
            note = f"{name}: {issue.rule} at {issue.location or '/'}: {message}"
            candidates = [c for c in changes if not c.backward and c.form == form]
            place = issue.rule if form == "schematron" else _issue_place(issue)
            scored = [(s, c) for c in candidates if (s := _affinity(c, place)) >= 0]
            best = max((s for s, _ in scored), default=None)
            chosen = [c for s, c in scored if s == best] if best is not None else []
            for change in chosen:
                if note not in change.evidence:
                    change.evidence.append(note)
            if not chosen:
                changes.append(Change("example-rejected", issue.location or "/", False, True,
                                      f"{name}, valid under {old.version}, fails under {new.version} ({issue.rule})",
                                      form=form, instance=issue.location, evidence=[note]))


def diff_transitive(catalog: Catalog, new: StandardVersion, *, evidence: bool = True) -> list[Compatibility]:
    """NEW against every earlier announced version of its standard, oldest first."""
    standard = catalog.standard(new.standard_id)
    return [diff_versions(catalog, old, new, evidence=evidence) for old in earlier_announced(new, standard.versions)]


def transitive_to_dict(results: Sequence[Compatibility]) -> dict[str, Any]:
    """One object for ``--transitive``: the weakest level, the largest bump, every change tagged."""
    changes: list[dict[str, Any]] = []
    for r in results:
        changes.extend({**c.to_dict(), "against": r.old} for c in r.changes)
    every = [c for r in results for c in r.changes]
    return {
        "level": _level(every).value,
        "bump": _bump(every),
        "changes": changes,
        "comparisons": [{"old": r.old, "new": r.new, "level": r.level.value, "bump": r.bump} for r in results],
    }


def render_text(result: Compatibility) -> str:
    """A human summary: one line per change, then the level and bump."""
    lines = [f"{result.old} → {result.new}"]
    for c in result.changes:
        where = f"[{c.form}] " if c.form else ""
        lines.append(f"  {c.effect:<9} {where}{c.kind} at {c.location}")
        lines.append(f"            {c.message}")
        lines.extend(f"            evidence: {e}" for e in c.evidence)
    if not result.changes:
        lines.append("  no changes")
    lines.append(f"level {result.level.value} · smallest honest bump: {result.bump}")
    return "\n".join(lines)


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
