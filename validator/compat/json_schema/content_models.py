"""Open, closed and partially open content models, shared by object properties and tuple items.

Adding or removing a property (or a tuple item) is judged by what governed its
place on the other side: nothing (open), ``false`` (closed), or some schema
(partially open: the two schemas are compared).
"""

from __future__ import annotations

from .documents import Node
from .walk import Walk, detail

__all__ = ["ContentModels"]


class ContentModels(Walk):
    def openness(self, kind: str, node: Node) -> str:
        """``open``, ``closed`` or ``partial``: how the schema governing a place (of ``kind``) admits values."""
        if kind == "pattern":
            return "partial"
        schema = self.deref(node).schema
        if self.trivial(node):
            return "open"
        return "closed" if schema is False else "partial"

    def slot_removed(
        self, what: str, removed: Node, kind: str, governing: Node, instance: str,
        *, open_text: str, closed_text: str, partial_text: str,
    ) -> None:
        """A property or tuple item lost its own schema: what governs its place now decides."""
        openness = self.openness(kind, governing)
        where = self.where(removed)
        if openness == "open":
            self.add(f"{what}-removed-from-open-content-model", where, True, self.trivial(removed), open_text, instance)
        elif openness == "closed":
            self.add(f"{what}-removed-from-closed-content-model", where, self.deref(removed).schema is False, True,
                     closed_text, instance)
        else:
            self.partially_open(what, "removed", removed, governing, where, partial_text, instance)

    def partially_open(self, what: str, verb: str, before: Node, after: Node, where: str, message: str, instance: str) -> None:
        """A slot's own schema against the schema governing its place on the other side: compared."""
        nested = self.sub(before, after, instance, what)
        b, f = all(c.backward for c in nested), all(c.forward for c in nested)
        covered = "is-covered" if b else "not-covered"
        self.add(f"{what}-{verb}-{covered}-by-partially-open-content-model", where, b, f, message + detail(nested), instance)
