"""Evidence from the conformance kits: OLD's valid examples validated under NEW.

Each rejection is named on the backward-breaking change that explains it (matched
by place in the document); a rejection no change explains becomes an
``example-rejected`` change: the examples overrule a missed rule.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..catalog import Catalog, StandardVersion
from ..errors import DxsError
from ..json_positions import unescape_pointer
from .changes import Change

__all__ = ["attach_evidence"]


def attach_evidence(catalog: Catalog, old: StandardVersion, new: StandardVersion, changes: list[Change]) -> None:
    """Validate OLD's valid examples under NEW; name each rejection on the change it shows.

    A rejection no backward-breaking change accounts for is reported as an
    ``example-rejected`` change: the examples overrule a missed rule.
    """
    from ..validate import DocumentValidator

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
            chosen = _naming_the_same(issue.message, [c for s, c in scored if s == best] if best is not None else [])
            for change in chosen:
                if note not in change.evidence:
                    change.evidence.append(note)
            if not chosen:
                changes.append(Change("example-rejected", issue.location or "/", False, True,
                                      f"{name}, valid under {old.version}, fails under {new.version} ({issue.rule})",
                                      form=form, instance=issue.location, evidence=[note]))


def _naming_the_same(message: str, changes: list[Change]) -> list[Change]:
    """Of equally placed changes, those that name what the rejection names ("'nameEn' is a required
    property" shows "property 'nameEn' is now required", not its neighbour's); all of them if none does."""
    names = set(re.findall(r"""['"]([^'"]+)['"]""", message))
    named = [c for c in changes if any(f"'{n}'" in c.message for n in names)]
    return named or changes


def _with_marker(data: bytes, suffix: str, new: StandardVersion) -> bytes:
    """An example of OLD with its version marker set to NEW's, so only real differences show."""
    if suffix == ".json" and new.json and new.json.version_pointer:
        try:
            document = json.loads(data)
        except ValueError:
            return data
        *parents, last = [unescape_pointer(t) for t in new.json.version_pointer.split("/")[1:]]
        node = document
        for token in parents:
            node = node.get(token) if isinstance(node, dict) else None
        if isinstance(node, dict) and last in node:
            node[last] = new.json.version_value
            return json.dumps(document, ensure_ascii=False).encode()
        return data
    if suffix == ".xml" and new.xml and new.xml.version_path:
        from lxml import etree

        from ..xml_engine import parse_xml

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
