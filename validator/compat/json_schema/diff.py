"""The JSON Schema comparison: every rule family together, and the entry points."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..changes import Change, JsonMarker
from .arrays import ArrayRules
from .bounds import BoundRules
from .composition import CompositionRules
from .documents import Doc, Node, Resolver
from .objects import ObjectRules
from .values import ValueRules
from .walk import Rule

__all__ = ["diff_json_schema_files", "diff_json_schemas"]


class _Comparison(ValueRules, BoundRules, ObjectRules, ArrayRules, CompositionRules):
    """Walks OLD and NEW side by side and collects :class:`Change` values."""

    def rules(self) -> list[Rule]:
        return [self.dialect, self.types, self.values, self.bounds, self.multiple_of, self.strings, self.unique_items,
                self.required, self.properties, self.property_names, self.dependencies, self.items, self.contains,
                self.unevaluated, self.combinators, self.negation, self.conditional, self.default]


class _SideAwareComparison(_Comparison):
    """Resolves each node's ``$ref`` through the resolver of the side it belongs to."""

    def __init__(self, old: Resolver, new: Resolver, marker: JsonMarker | None, mains: tuple[Doc, Doc]) -> None:
        super().__init__(old, marker, mains)
        self._new_resolver = new
        if mains[1].base:
            new.docs.setdefault(mains[1].base, mains[1])
        self._new_docs: set[int] = {id(mains[1])}

    def deref(self, node: Node) -> Node:
        if id(node.doc) in self._new_docs or node.doc in self._new_resolver.docs.values():
            saved, self.resolver = self.resolver, self._new_resolver
            try:
                result = super().deref(node)
            finally:
                self.resolver = saved
            self._new_docs.add(id(result.doc))
            return result
        return super().deref(node)


def diff_json_schemas(
    old: Any,
    new: Any,
    *,
    old_folder: Path | None = None,
    new_folder: Path | None = None,
    resources: Mapping[str, Path] | None = None,
    marker: JsonMarker | None = None,
) -> list[Change]:
    """Every change from the JSON Schema ``old`` to ``new`` (parsed values).

    :param old_folder: / :param new_folder: where each schema's relative ``$ref`` s are found.
    :param resources: known schemas by ``$id`` (the catalog's), resolved without I/O beyond them.
    :param marker: the catalog version marker; its value change is reported as ``version-marker``.
    """
    resolver = Resolver(resources)
    old_doc = resolver.document(old, old_folder, "old", (old_folder / "old.json").as_uri() if old_folder else "")
    new_doc = resolver.document(new, new_folder, "new", (new_folder / "new.json").as_uri() if new_folder else "")
    return _run(resolver, old_doc, new_doc, marker)


def diff_json_schema_files(
    old: Path, new: Path, *, resources: Mapping[str, Path] | None = None, marker: JsonMarker | None = None
) -> list[Change]:
    """Every change from the JSON Schema file ``old`` to ``new``.

    :raises SchemaLoadError: a file cannot be read or is not JSON.
    """
    resolver = Resolver(resources)
    old_doc = resolver.load(Path(old), "old")
    new_doc = Resolver(resources).load(Path(new), "new")
    # each side resolves its own $refs: OLD's siblings must not be found through NEW
    return _run(resolver, old_doc, new_doc, marker, new_resolver=Resolver(resources))


def _run(resolver: Resolver, old_doc: Doc, new_doc: Doc, marker: JsonMarker | None, new_resolver: Resolver | None = None) -> list[Change]:
    comparison = _SideAwareComparison(resolver, new_resolver or resolver, marker, (old_doc, new_doc))
    comparison.compare(Node(old_doc.root, old_doc, ""), Node(new_doc.root, new_doc, ""), "")
    return comparison.changes
