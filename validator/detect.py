"""Detection: which standard and version a document is, from the document itself.

As e-document packages do it: a version declares its root (XML namespace and
local name, or a JSON Pointer and value), an optional version marker (XPath or
JSON Pointer, and the value it must have), whether it is the default when the
marker is absent, and its active period. "No standard has this root" and "this
standard has no such version" are different issues.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lxml import etree

from .catalog import Catalog, StandardVersion
from .json_positions import unescape_pointer
from .messages import detect_issue
from .report import Issue

__all__ = ["MISSING", "detect_json", "detect_xml", "resolve_pointer", "xpath_text"]

MISSING: Any = object()

# when several versions claim a document, the current one wins
_STATUS_PREFERENCE = {"announced": 0, "deprecated": 1, "public-comment": 2, "draft": 3, "retired": 4}


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at a JSON Pointer, or :data:`MISSING`."""
    if pointer == "":
        return document
    node = document
    for raw in pointer.split("/")[1:]:
        token = unescape_pointer(raw)
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return MISSING
    return node


def _choose(
    candidates: Sequence[StandardVersion],
    marker_of: Callable[[StandardVersion], Any],
    expected_of: Callable[[StandardVersion], Sequence[Any]],
    has_marker: Callable[[StandardVersion], bool],
    describe: str,
    at: dt.date | None,
) -> StandardVersion | Issue:
    markers = {c.ref: marker_of(c) for c in candidates if has_marker(c)}
    matched = [c for c in candidates if has_marker(c) and markers[c.ref] in expected_of(c)]
    if not matched:
        present = [m for m in markers.values() if m is not MISSING]
        if present:
            # each version the catalog has, by the marker value documents carry for it
            supported = ", ".join(
                f"{expected_of(c)[0]} ({c.version})" for c in sorted(candidates, key=lambda c: c.semver) if has_marker(c)
            )
            return detect_issue(
                "unsupported-version",
                f"{describe} has version marker {present[0]!r}, which no version of "
                f"{candidates[0].standard_id} in the catalog declares (the catalog has: {supported})",
            )
        matched = [c for c in candidates if c.default] or [c for c in candidates if not has_marker(c)]
        if not matched:
            return detect_issue(
                "unsupported-version",
                f"{describe} has no version marker and {candidates[0].standard_id} has no default version",
            )
    if at is not None:
        in_force = [c for c in matched if c.active_on(at)]
        if not in_force:
            names = ", ".join(c.ref for c in matched)
            return detect_issue("no-version-in-force", f"none of {names} is in force on {at.isoformat()}")
        matched = in_force
    return min(matched, key=lambda c: (_STATUS_PREFERENCE.get(c.status, 9), tuple(-n for n in c.semver)))


def detect_xml(tree: etree._ElementTree, catalog: Catalog, at: dt.date | None = None) -> StandardVersion | Issue:
    """The version an XML document declares itself to be, or a detection issue."""
    root = tree.getroot()
    qname = etree.QName(root)
    namespace, local = qname.namespace or "", qname.localname
    candidates = [v for v in catalog.versions() if v.xml and v.xml.root == local and (v.xml.namespace or "") == namespace]
    if not candidates:
        shown = f"{{{namespace}}}{local}" if namespace else local
        return detect_issue("unknown-document", f"no standard in the catalog has the root element {shown}", "/" + (root.prefix + ":" if root.prefix else "") + local)

    def marker(v: StandardVersion) -> Any:
        assert v.xml and v.xml.version_path
        return xpath_text(root, v.xml.version_path, v.xml.namespaces)

    # what the document says of itself beside the marker (ETDA's guideline ID), to name it in a refusal
    labelled = (xpath_text(root, v.xml.label_path, v.xml.namespaces) for v in candidates if v.xml and v.xml.label_path)
    label = next((t for t in labelled if t is not MISSING), None)  # the first candidate's that finds one
    return _choose(
        candidates,
        marker,
        lambda v: v.xml.version_values if v.xml else (),
        lambda v: bool(v.xml and v.xml.version_path),
        f"the document (ID {label!r})" if label else "the document",
        at,
    )


def xpath_text(root: etree._Element, path: str, namespaces: Mapping[str, str]) -> Any:
    """The trimmed text an XPath selects first (an element's text or an attribute's value), or :data:`MISSING`."""
    try:
        found = root.xpath(path, namespaces=dict(namespaces))
    except etree.XPathError:
        return MISSING
    if isinstance(found, list):
        if not found:
            return MISSING
        first = found[0]
        if isinstance(first, etree._Element):
            return (first.text or "").strip() or MISSING
        return str(first).strip()
    return str(found).strip() or MISSING


def detect_json(document: Any, catalog: Catalog, at: dt.date | None = None) -> StandardVersion | Issue:
    """The version a JSON document declares itself to be, or a detection issue."""
    candidates = [
        v for v in catalog.versions() if v.json and resolve_pointer(document, v.json.root_pointer) == v.json.root_value
    ]
    if not candidates:
        return detect_issue(
            "unknown-document", "no standard in the catalog matches this JSON document (no known document-type marker)"
        )
    return _choose(
        candidates,
        lambda v: resolve_pointer(document, v.json.version_pointer) if v.json and v.json.version_pointer else MISSING,
        lambda v: (v.json.version_value,) if v.json else (),
        lambda v: bool(v.json and v.json.version_pointer),
        "the document",
        at,
    )
