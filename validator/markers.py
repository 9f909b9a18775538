"""A version's marker in its own files, moved when a new version is drafted.

A document says which version of a standard it follows by a marker: the value at
``[detection.json] version_pointer`` or ``[detection.xml] version_path``. The same value
is in the version's examples, often pinned by its schemas (a JSON Schema ``const`` or
``enum`` at the marker's property; an XSD ``enumeration``, ``fixed`` or ``default`` of
the marker's element or attribute), and a JSON Schema's ``$id`` names the version's
folder. ``dxs standards new`` copies all of this from the version it starts from;
:func:`move_markers` moves each to the new version's value, so that the draft's own
examples validate under it and its schemas are its own.

Files are edited as text — one value replaced where it stands, layout and comments
kept — and each edit is proven by parsing the result and comparing it with the
intended document. An edit that cannot be proven is not made: it is reported for the
author to make by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import parse_semver
from .json_positions import escape_pointer, locate, unescape_pointer

if TYPE_CHECKING:
    from lxml import etree

    from .catalog import StandardVersion

__all__ = ["MarkerMove", "marker_mapping", "move_markers"]

XS = "{http://www.w3.org/2001/XMLSchema}"
_SPELLING = re.compile(r"(?P<prefix>[vV]?)(?P<number>\d+(?:\.\d+){0,2})")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


@dataclass
class MarkerMove:
    """What :func:`move_markers` changed, and what it had to leave to the author."""

    #: files whose marker (or ``$id``) was moved, relative to the version folder, POSIX style
    moved: list[str] = field(default_factory=list)
    #: ``"<file>: <what>"`` for each marker that could not be moved safely
    left: list[str] = field(default_factory=list)
    #: signed examples whose marker moved: their signature, which no longer held, was taken out
    unsigned: list[str] = field(default_factory=list)

    def record(self, path: Path, folder: Path, done: bool | None, what: str) -> None:
        name = path.relative_to(folder).as_posix()
        if done and name not in self.moved:
            self.moved.append(name)
        elif done is False:
            self.left.append(f"{name}: {what} could not be moved safely; change it by hand")


def marker_mapping(old_version: str, new_version: str) -> Callable[[Any], Any]:
    """A marker value spelling OLD → the same spelling of NEW; any other value unchanged.

    ``"1.1"`` → ``"1.2"`` and ``"1.1.0"`` → ``"1.2.0"`` for 1.1.0 → 1.2.0; ``"v2.0"`` → ``"v3.0"``
    for 2.0.0 → 3.0.0; ``"1"`` stays ``"1"`` for a minor bump (as ``"1.1"`` does for a patch).
    """
    old, new = parse_semver(old_version), parse_semver(new_version)

    def move(value: Any) -> Any:
        if not isinstance(value, str) or not (found := _SPELLING.fullmatch(value)):
            return value
        parts = len(found["number"].split("."))
        if found["number"] != ".".join(str(n) for n in old[:parts]):
            return value
        return found["prefix"] + ".".join(str(n) for n in new[:parts])

    return move


def move_markers(
    folder: Path,
    versions: Sequence[StandardVersion],
    move: Callable[[Any], Any],
    *,
    folder_uri: tuple[str, str] | None = None,
) -> MarkerMove:
    """Move the markers of the copied ``versions`` (one per document type) in ``folder``, their copy.

    :param move: a marker value → the new version's (see :func:`marker_mapping`).
    :param folder_uri: ``(old, new)``: the part of a JSON Schema ``$id`` (and of an absolute
        ``$ref``) that names the version folder, e.g. ``("/th.x/1.1.0/", "/th.x/1.2.0/")``.
    """
    result = MarkerMove()
    for version in versions:
        def copied(path: Path, version: StandardVersion = version) -> Path:
            return folder / path.relative_to(version.folder)

        examples = [copied(p) for kind in ("valid", "invalid") for p in version.examples(kind)]
        if version.json and version.json.version_pointer:
            pointer = version.json.version_pointer
            for path in (p for p in examples if p.suffix == ".json"):
                result.record(path, folder, _move_json_example(path, pointer, move), f"the marker at {pointer}")
            if version.json_schema:
                path = copied(version.json_schema)
                result.record(path, folder, _move_json_pins(path, pointer, move), f"the value pinning {pointer}")
        if version.xml and version.xml.version_path:
            xml = version.xml
            for path in (p for p in examples if p.suffix == ".xml"):
                done = _edit_xml(path, lambda tree, xml=xml: _marked_nodes(tree, xml.version_path, xml.namespaces, move))
                result.record(path, folder, done, f"the marker at {xml.version_path}")
                if done and _unsign(path):
                    result.unsigned.append(path.relative_to(folder).as_posix())
            olds = [v for v in xml.version_values if move(v) != v]
            if olds:
                _move_xsd_pins(folder, xml.version_path, olds, move, result)
                _move_schematron_pins(folder, xml.version_path, olds, move, result)
    if folder_uri is not None:
        for path in sorted(folder.rglob("*.json")):
            if "examples" not in path.relative_to(folder).parts:
                result.record(path, folder, _move_uris(path, *folder_uri), "its $id")
    return result


# --------------------------------------------------------------------------- JSON


def _set_pointer(document: Any, pointer: str, value: Any) -> None:
    *parents, last = [unescape_pointer(t) for t in pointer.split("/")[1:]]
    node = document
    for token in parents:
        node = node[int(token)] if isinstance(node, list) else node[token]
    node[int(last) if isinstance(node, list) else last] = value


def _edit_json(path: Path, edits: dict[str, str]) -> bool | None:
    """Give each pointer of the JSON file its new string, replacing the old literal where it stands.

    :returns: ``None`` (nothing to do), ``True`` (written) or ``False`` (the edit could not be proven; file untouched).
    """
    if not edits:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return False
    expected = json.loads(text)
    for pointer, value in edits.items():
        _set_pointer(expected, pointer, value)
    where = locate(text, edits)
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    spans = []
    for pointer, value in edits.items():
        if pointer not in where:
            return False
        line, column = where[pointer]
        literal = _JSON_STRING.match(text, starts[line - 1] + column - 1)
        if literal is None:
            return False
        spans.append((literal.start(), literal.end(), json.dumps(value, ensure_ascii=False)))
    for start, end, literal in sorted(spans, reverse=True):
        text = text[:start] + literal + text[end:]
    try:
        if json.loads(text) != expected:
            return False
    except ValueError:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None  # an invalid example may be malformed on purpose: it has no marker to move


def _move_json_example(path: Path, pointer: str, move: Callable[[Any], Any]) -> bool | None:
    from .detect import resolve_pointer

    document = _load_json(path)
    if document is None:
        return None
    value = resolve_pointer(document, pointer)
    new = move(value)
    return _edit_json(path, {pointer: new} if isinstance(value, str) and new != value else {})


def _in_place(schema: dict[str, Any], pointer: str, node: Any, seen: frozenset[str] = frozenset()) -> Iterator[tuple[str, dict[str, Any]]]:
    """``node`` and the subschemas that apply to the same instance: local ``$ref``s, ``allOf``/``anyOf``/``oneOf``, ``then``/``else``."""
    from .detect import MISSING, resolve_pointer

    if not isinstance(node, dict):
        return
    yield pointer, node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#") and ref[1:] not in seen:
        target = resolve_pointer(schema, ref[1:])
        if target is not MISSING:
            yield from _in_place(schema, ref[1:], target, seen | {ref[1:]})
    for key in ("allOf", "anyOf", "oneOf"):
        for n, sub in enumerate(node.get(key) or ()):
            yield from _in_place(schema, f"{pointer}/{key}/{n}", sub, seen)
    for key in ("then", "else"):
        yield from _in_place(schema, f"{pointer}/{key}", node.get(key), seen)


def _move_json_pins(path: Path, instance_pointer: str, move: Callable[[Any], Any]) -> bool | None:
    """The schema's ``const``, ``enum``, ``default`` and ``examples`` at the marker's property."""
    schema = _load_json(path)
    if not isinstance(schema, dict):
        return None
    places: list[tuple[str, Any]] = [("", schema)]
    for token in (unescape_pointer(t) for t in instance_pointer.split("/")[1:]):
        places = [
            (f"{p}/properties/{escape_pointer(token)}", n["properties"][token])
            for place, node in places
            for p, n in _in_place(schema, place, node)
            if isinstance(n.get("properties"), dict) and isinstance(n["properties"].get(token), dict)
        ]
    edits: dict[str, str] = {}
    for place, node in places:
        for p, n in _in_place(schema, place, node):
            for key in ("const", "default"):
                if isinstance(n.get(key), str) and move(n[key]) != n[key]:
                    edits[f"{p}/{key}"] = move(n[key])
            for key in ("enum", "examples"):
                for i, value in enumerate(n.get(key) if isinstance(n.get(key), list) else ()):
                    if isinstance(value, str) and move(value) != value:
                        edits[f"{p}/{key}/{i}"] = move(value)
    return _edit_json(path, edits)


def _move_uris(path: Path, old: str, new: str) -> bool | None:
    """``$id`` and ``$ref`` values that name the old version folder name the new one."""
    document = _load_json(path)

    def walk(node: Any, pointer: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{pointer}/{escape_pointer(key)}"
                if key in ("$id", "$ref") and isinstance(value, str) and old in value:
                    yield here, value.replace(old, new)
                else:
                    yield from walk(value, here)
        elif isinstance(node, list):
            for n, value in enumerate(node):
                yield from walk(value, f"{pointer}/{n}")

    return _edit_json(path, dict(walk(document, ""))) if document is not None else None


# --------------------------------------------------------------------------- XML

#: one edit of a tree: in ``element``'s attribute (``"@name"``), ``"text"`` or ``"tail"``, the first
#: occurrence of the old value (as a whole token) becomes the new one
_Edit = tuple["etree._Element", str, str, str]
_BOUNDED = r"(?<![\w.\-]){}(?![\w\-]|\.\w)"  # a whole token: "1.1" in "must be 1.1." but not in "1.10" or "v1.1.2"


def _token(old: str) -> re.Pattern[str]:
    return re.compile(_BOUNDED.format(re.escape(old)))


def _value(element: etree._Element, where: str) -> str | None:
    return element.get(where[1:]) if where.startswith("@") else getattr(element, where)


def _canonical(tree: etree._ElementTree) -> tuple[bytes, str | None]:
    from lxml import etree

    return etree.tostring(tree, method="c14n", with_comments=True), tree.docinfo.xml_version


def _unsign(path: Path) -> bool:
    """Take the enveloped XML signatures (``ds:Signature`` children of the root) out of an edited example.

    Its content changed, so the signature no longer holds; a draft's examples must validate.
    The bytes around the signature are kept as they were.
    """
    data = path.read_bytes()
    if b"http://www.w3.org/2000/09/xmldsig#" not in data:
        return False
    from .xml_engine import parse_xml

    tree, _ = parse_xml(data)
    if tree is None:
        return False
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    signatures = root.findall("{http://www.w3.org/2000/09/xmldsig#}Signature")
    if not signatures:
        return False
    for signature in signatures:
        tail = signature.tail
        previous = signature.getprevious()
        root.remove(signature)  # lxml moves the tail to what precedes it: keep the layout
        if previous is not None:
            previous.tail = (previous.tail or "") if tail is None else tail
        else:
            root.text = (root.text or "") if tail is None else tail
    from lxml import etree

    declaration = data.lstrip().startswith(b"<?xml")
    path.write_bytes(etree.tostring(root.getroottree(), xml_declaration=declaration, encoding="UTF-8"))
    return True


def _edit_xml(path: Path, select: Callable[[etree._ElementTree], list[_Edit]]) -> bool | None:
    """Make the edits ``select`` picks in the XML file, each as a replacement of the old value where it stands.

    Each replacement is the occurrence of the old value in the file whose change gives
    exactly the edited tree (comments, processing instructions and the XML declaration
    included): never a look-alike elsewhere.

    :returns: ``None`` (nothing to do, or not well-formed), ``True`` (written) or ``False`` (not proven; untouched).
    """
    from .xml_engine import parse_xml

    data = path.read_bytes()
    tree, _ = parse_xml(data)
    if tree is None:
        return None  # an invalid example may be malformed on purpose
    edits = select(tree)
    if not edits:
        return None
    for element, where, old, new in edits:
        changed = _token(old).sub(lambda _, new=new: new, _value(element, where) or "", count=1)
        if where.startswith("@"):
            element.set(where[1:], changed)
        else:
            setattr(element, where, changed)
        wanted = _canonical(tree)
        for found in re.finditer(_BOUNDED.format(re.escape(old)).encode(), data):
            trial = data[: found.start()] + new.encode() + data[found.end():]
            again, _ = parse_xml(trial)
            if again is not None and _canonical(again) == wanted:
                data = trial
                break
        else:
            return False
    path.write_bytes(data)
    return True


def _occurrences(element: etree._Element, where: str, move: Callable[[Any], Any], olds: Sequence[str]) -> list[_Edit]:
    """One edit per whole-token occurrence of an old marker value in ``element``'s ``where``."""
    value = _value(element, where) or ""
    return [(element, where, old, move(old)) for old in olds for _ in _token(old).finditer(value)]


def _marked_nodes(tree: etree._ElementTree, version_path: str, namespaces: Any, move: Callable[[Any], Any]) -> list[_Edit]:
    """The marker of an example: the element text or attribute at ``version_path`` that spells the old version."""
    from lxml import etree

    try:
        found = tree.getroot().xpath(version_path, namespaces=dict(namespaces))
    except etree.XPathError:
        return []
    edits: list[_Edit] = []
    for node in found if isinstance(found, list) else ():
        if isinstance(node, etree._Element):
            element, where, value = node, "text", (node.text or "").strip()
        elif getattr(node, "is_attribute", False):
            element, where, value = node.getparent(), "@" + node.attrname, str(node)
        elif getattr(node, "is_text", False) or getattr(node, "is_tail", False):
            element, where, value = node.getparent(), "tail" if node.is_tail else "text", str(node).strip()
        else:
            continue
        if value and move(value) != value:
            edits.append((element, where, value, move(value)))
    return edits


def _marker_name(version_path: str) -> tuple[str, bool]:
    """The local name of the marker's last step, and whether it is an attribute: ``a:B/@c`` → ``("c", True)``."""
    step = version_path.rstrip("/").rsplit("/", 1)[-1].split("[", 1)[0]
    attribute = step.startswith("@")
    return step.lstrip("@").rpartition(":")[2], attribute


def _files_with(folder: Path, suffix: str, olds: Sequence[str]) -> dict[Path, etree._ElementTree]:
    """The version's files of ``suffix`` (examples aside) that hold an old marker value, parsed."""
    from .xml_engine import parse_xml

    found = {}
    for path in sorted(folder.rglob(f"*{suffix}")):
        if "examples" in path.relative_to(folder).parts:
            continue
        data = path.read_bytes()
        if any(o.encode() in data for o in olds) and (tree := parse_xml(data)[0]) is not None:
            found[path] = tree
    return found


def _move_xsd_pins(folder: Path, version_path: str, olds: Sequence[str], move: Callable[[Any], Any], result: MarkerMove) -> None:
    """Values the version's XSDs pin the marker to: ``fixed``/``default`` of its declaration, enumerations of its type."""
    name, attribute = _marker_name(version_path)
    trees = _files_with(folder, ".xsd", olds)
    declaration = f"{XS}attribute" if attribute else f"{XS}element"
    # the simple types the marker's declarations use, through their restriction bases
    simple = {t.get("name"): t for tree in trees.values() for t in tree.iter(f"{XS}simpleType") if t.get("name")}
    types = {d.get("type", "").rpartition(":")[2] for tree in trees.values() for d in tree.iter(declaration) if d.get("name") == name}
    pending = set(types)
    while pending:
        base = simple.get(pending.pop())
        restriction = base.find(f"{XS}restriction") if base is not None else None
        parent = restriction.get("base", "").rpartition(":")[2] if restriction is not None else ""
        if parent and parent not in types:
            types.add(parent)
            pending.add(parent)

    def pins(tree: etree._ElementTree) -> list[_Edit]:
        edits: list[_Edit] = []
        roots = [d for d in tree.iter(declaration) if d.get("name") == name]
        for d in roots:
            edits += [(d, f"@{key}", d.get(key), move(d.get(key))) for key in ("fixed", "default") if d.get(key) in olds]
        roots += [t for t in tree.iter(f"{XS}simpleType") if t.get("name") in types]
        for root in roots:
            edits += [(f, "@value", f.get("value"), move(f.get("value"))) for f in root.iter(f"{XS}enumeration") if f.get("value") in olds]
        return edits

    for path in trees:
        result.record(path, folder, _edit_xml(path, pins), f"the value pinning {version_path}")


_SCH = "{http://purl.oclc.org/dsdl/schematron}"


def _move_schematron_pins(folder: Path, version_path: str, olds: Sequence[str], move: Callable[[Any], Any], result: MarkerMove) -> None:
    """Rules that pin the marker: an assert or report whose test (or rule context) names the marker and
    holds an old value; the value moves in the test and in the rule's message."""
    name, attribute = _marker_name(version_path)
    names_marker = re.compile(("@" if attribute else r"(?<![\w.\-])") + re.escape(name) + r"(?![\w.\-])")

    def pins(tree: etree._ElementTree) -> list[_Edit]:
        edits: list[_Edit] = []
        for check in (e for tag in ("assert", "report") for e in tree.iter(f"{_SCH}{tag}")):
            rule = check.getparent()
            context = rule.get("context", "") if rule is not None else ""
            test = check.get("test", "")
            if not any(_token(o).search(test) for o in olds) or not (names_marker.search(test) or names_marker.search(context)):
                continue
            edits += _occurrences(check, "@test", move, olds) + _occurrences(check, "text", move, olds)
            for child in check:
                edits += _occurrences(child, "tail", move, olds)
        return edits

    for path in _files_with(folder, ".sch", olds):
        result.record(path, folder, _edit_xml(path, pins), f"a rule pinning {version_path}")
