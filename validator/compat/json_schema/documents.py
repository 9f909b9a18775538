"""Schema documents, the subschemas in them, and local-only ``$ref`` resolution."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from ...errors import SchemaLoadError
from ...json_positions import escape_pointer, unescape_pointer

__all__ = ["Doc", "Node", "Resolver"]


@dataclass(eq=False)
class Doc:
    """One schema document: its content, base URI and folder (for sibling ``$ref`` s)."""

    root: Any
    base: str
    folder: Path | None
    name: str


@dataclass(frozen=True, eq=False)
class Node:
    """A subschema and where it sits: the document and the JSON Pointer inside it."""

    schema: Any
    doc: Doc
    pointer: str

    def child(self, *tokens: str | int) -> Node:
        value, pointer = self.schema, self.pointer
        for token in tokens:
            value = value[token]
            pointer += "/" + escape_pointer(str(token))
        return Node(value, self.doc, pointer)

    def child_or_true(self, keyword: str) -> Node:
        """The subschema under ``keyword``, or ``true`` (its meaning when absent) at that place."""
        return self.child(keyword) if keyword in self.schema else Node(True, self.doc, self.at(keyword))

    def at(self, *tokens: str | int) -> str:
        return self.pointer + "".join("/" + escape_pointer(str(t)) for t in tokens)


class Resolver:
    """Local-only ``$ref`` resolution: same document, sibling files, catalog ``$id`` s."""

    def __init__(self, resources: Mapping[str, Path] | None) -> None:
        self.resources = dict(resources or {})
        self.docs: dict[str, Doc] = {}

    def load(self, path: Path, name: str | None = None) -> Doc:
        path = Path(path).resolve()
        try:
            root = json.loads(path.read_bytes())
        except OSError as exc:
            raise SchemaLoadError(path, f"cannot be read: {exc.strerror}") from None
        except ValueError as exc:
            raise SchemaLoadError(path, f"is not valid JSON: {exc}") from None
        return self.document(root, path.parent, name or path.name, path.as_uri())

    def document(self, root: Any, folder: Path | None, name: str, uri: str = "") -> Doc:
        base = root.get("$id", uri) if isinstance(root, dict) and isinstance(root.get("$id"), str) else uri
        doc = Doc(root, urldefrag(base)[0], folder, name)
        if doc.base:
            self.docs.setdefault(doc.base, doc)
        return doc

    def resolve(self, node: Node, ref: str) -> Node:
        uri, fragment = urldefrag(urljoin(node.doc.base, ref) if node.doc.base else ref)
        doc = node.doc if (not uri or uri == node.doc.base) else self._other(node.doc, ref, uri)
        if doc is None:
            raise LookupError(ref)
        return self._fragment(doc, unquote(fragment))

    def _other(self, here: Doc, ref: str, uri: str) -> Doc | None:
        if uri in self.docs:
            return self.docs[uri]
        path = self.resources.get(uri)
        if path is None and here.folder is not None:
            relative = urldefrag(ref)[0]
            candidate = (here.folder / unquote(relative)).resolve() if relative and "://" not in relative and not relative.startswith("urn:") else None
            if candidate is not None and candidate.is_relative_to(here.folder) and candidate.is_file():
                path = candidate
            elif here.base and uri.startswith(urljoin(here.base, ".")):
                candidate = (here.folder / unquote(uri[len(urljoin(here.base, ".")):])).resolve()
                path = candidate if candidate.is_relative_to(here.folder) and candidate.is_file() else None
        if path is None:
            return None
        doc = self.load(path)
        self.docs[uri] = doc
        return doc

    @staticmethod
    def _fragment(doc: Doc, fragment: str) -> Node:
        node = Node(doc.root, doc, "")
        if not fragment:
            return node
        if not fragment.startswith("/"):
            found = _find_anchor(doc.root, fragment, "")
            if found is None:
                raise LookupError(fragment)
            return Node(found[0], doc, found[1])
        for token in fragment.split("/")[1:]:
            token = unescape_pointer(token)
            schema = node.schema
            key: str | int = int(token) if isinstance(schema, list) else token
            if isinstance(schema, list) and not 0 <= int(key) < len(schema) or isinstance(schema, dict) and key not in schema:
                raise LookupError(fragment)
            node = node.child(key)
        return node


def _find_anchor(value: Any, anchor: str, pointer: str) -> tuple[Any, str] | None:
    if isinstance(value, dict):
        if value.get("$anchor") == anchor:
            return value, pointer
        items: Iterator[tuple[str, Any]] = iter(value.items())
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return None
    for key, child in items:
        if (found := _find_anchor(child, anchor, f"{pointer}/{escape_pointer(key)}")) is not None:
            return found
    return None
