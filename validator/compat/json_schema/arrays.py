"""Rules for arrays: ``items``, ``prefixItems`` / ``additionalItems`` tuples and ``contains``."""

from __future__ import annotations

from .content_models import ContentModels
from .documents import Node

__all__ = ["ArrayRules"]


def _tuple_model(node: Node) -> tuple[list[Node], Node]:
    """The schemas of an array's leading items (a tuple), and the one for the rest."""
    schema = node.schema
    if isinstance(schema.get("prefixItems"), list):
        prefix = [node.child("prefixItems", i) for i in range(len(schema["prefixItems"]))]
        rest = node.child_or_true("items")
    elif isinstance(schema.get("items"), list):
        prefix = [node.child("items", i) for i in range(len(schema["items"]))]
        rest = node.child_or_true("additionalItems")
    else:
        prefix = []
        rest = node.child_or_true("items")
    return prefix, rest


class ArrayRules(ContentModels):
    def items(self, o: Node, n: Node, path: str) -> None:
        old_prefix, old_rest = _tuple_model(o)
        new_prefix, new_rest = _tuple_model(n)
        for i in range(min(len(old_prefix), len(new_prefix))):
            self.compare(old_prefix[i], new_prefix[i], f"{path}/{i}", "item")
        for i in range(len(old_prefix), len(new_prefix)):
            self.item_added(old_rest, new_prefix[i], i, path)
        for i in range(len(new_prefix), len(old_prefix)):
            self.item_removed(old_prefix[i], new_rest, i, path)
        tupled = bool(old_prefix or new_prefix)
        self.compare(old_rest, new_rest, f"{path}/*", "additional-items" if tupled else "items")

    def item_added(self, old_rest: Node, added: Node, index: int, path: str) -> None:
        openness = self.openness("additional", old_rest)
        instance, where = f"{path}/{index}", self.where(added)
        if openness == "open":
            b = self.trivial(added)
            self.add("item-added-to-open-content-model", where, b, True, f"item {index} now has a schema; it was free before", instance)
        elif openness == "closed":
            self.add("item-added-to-closed-content-model", where, True, self.deref(added).schema is False,
                     f"item {index} added; the old array model had no room for it", instance)
        else:
            self.partially_open("item", "added", old_rest, added, where,
                                f"item {index} added where the old items schema governed it", instance)

    def item_removed(self, removed: Node, new_rest: Node, index: int, path: str) -> None:
        self.slot_removed(
            "item", removed, "additional", new_rest, f"{path}/{index}",
            open_text=f"item {index} lost its schema; anything goes there now",
            closed_text=f"item {index} removed; the new array model has no room for it",
            partial_text=f"item {index} removed; the new items schema governs it",
        )

    def contains(self, o: Node, n: Node, path: str) -> None:
        if "contains" in o.schema and "contains" in n.schema:
            self.compare(o.child("contains"), n.child("contains"), f"{path}/*", "contains")
        elif "contains" in n.schema:
            self.add("contains-added", self.where(n, "contains"), False, True, "arrays must now contain a matching item", f"{path}/*")
        elif "contains" in o.schema:
            self.add("contains-removed", self.where(o, "contains"), True, False, "arrays no longer need a matching item", f"{path}/*")
