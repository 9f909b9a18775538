"""Rules for combined schemas: ``allOf`` / ``anyOf`` / ``oneOf``, ``not``, ``if``/``then``/``else``
and ``unevaluatedProperties`` / ``unevaluatedItems``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..changes import kebab
from .documents import Node
from .keywords import canonical, only, validating
from .values import allowed_values, type_set
from .walk import Walk, detail

__all__ = ["CompositionRules"]


class CompositionRules(Walk):
    def combined_wrap(self, o: Node, n: Node, path: str) -> bool:
        """A plain schema became one member of an anyOf/oneOf (or the reverse)."""
        for keyword in ("anyOf", "oneOf"):
            old_list, new_list = o.schema.get(keyword), n.schema.get(keyword)
            if old_list is None and isinstance(new_list, list) and only(n.schema, keyword) and validating(o.schema):
                match = self._closest(o, [n.child(keyword, i) for i in range(len(new_list))])
                if match is None:
                    return False
                nested = self.sub(o, match, path)
                others = [n.child(keyword, i) for i in range(len(new_list)) if n.child(keyword, i).pointer != match.pointer]
                b = all(c.backward for c in nested) and (keyword == "anyOf" or all(self.disjoint(match, x) for x in others))
                self.add("combined-type-extended", self.where(n, keyword), b, False,
                         f"the schema became one member of {keyword}, beside {len(others)} other(s)" + detail(nested), path)
                return True
            if new_list is None and isinstance(old_list, list) and only(o.schema, keyword) and validating(n.schema):
                match = self._closest(n, [o.child(keyword, i) for i in range(len(old_list))])
                if match is None:
                    return False
                nested = self.sub(match, n, path)
                others = [o.child(keyword, i) for i in range(len(old_list)) if o.child(keyword, i).pointer != match.pointer]
                f = all(c.forward for c in nested) and (keyword == "anyOf" or all(self.disjoint(match, x) for x in others))
                self.add("combined-type-narrowed", self.where(o, keyword), False, f,
                         f"{keyword} reduced to one of its members; the {len(others)} other(s) are gone" + detail(nested), path)
                return True
        return False

    def _closest(self, plain: Node, members: list[Node]) -> Node | None:
        target = type_set(self.deref(plain).schema) if isinstance(self.deref(plain).schema, dict) else None
        for member in members:
            if canonical(self.deref(member).schema) == canonical(self.deref(plain).schema):
                return member
        for member in members:
            schema = self.deref(member).schema
            if isinstance(schema, dict) and target is not None and type_set(schema) == target:
                return member
        return None

    def combinators(self, o: Node, n: Node, path: str) -> None:
        for keyword in ("allOf", "anyOf", "oneOf"):
            before, after = o.schema.get(keyword), n.schema.get(keyword)
            if before is None and after is None:
                continue
            if before is None:
                self.add(f"{kebab(keyword)}-added", self.where(n, keyword), False, True, f"{keyword} added: documents must now match it", path)
                continue
            if after is None:
                self.add(f"{kebab(keyword)}-removed", self.where(o, keyword), True, False, f"{keyword} removed", path)
                continue
            self.members(keyword, [o.child(keyword, i) for i in range(len(before))], [n.child(keyword, i) for i in range(len(after))], path)

    def members(self, keyword: str, old: list[Node], new: list[Node], path: str) -> None:
        pairs, added, removed = self._pair(old, new)
        old_disjoint = keyword != "oneOf" or _pairwise(old, self.disjoint)
        new_disjoint = keyword != "oneOf" or _pairwise(new, self.disjoint)
        for before, after in pairs:
            for change in self.sub(before, after, path):
                if keyword == "oneOf" and change.backward and not change.forward and not new_disjoint:
                    change.backward = False
                    change.message += " (oneOf: a document may now match two members)"
                if keyword == "oneOf" and change.forward and not change.backward and not old_disjoint:
                    change.forward = False
                    change.message += " (oneOf: a document may match two old members)"
                self.changes.append(change)
        product = keyword == "allOf"
        for member in added:
            if product:
                self.add("product-type-extended", self.where(member), self.trivial(member), True, "allOf member added: documents must also match it", path)
            else:
                self.add("sum-type-extended", self.where(member), new_disjoint, False, f"{keyword} member added: documents may also match it", path)
        for member in removed:
            if product:
                self.add("product-type-narrowed", self.where(member), True, self.trivial(member), "allOf member removed", path)
            else:
                self.add("sum-type-narrowed", self.where(member), False, old_disjoint, f"{keyword} member removed: documents that matched only it now fail", path)

    def _pair(self, old: list[Node], new: list[Node]) -> tuple[list[tuple[Node, Node]], list[Node], list[Node]]:
        """Pair members: identical first, then by $ref / title / types, then by position."""
        left, right = list(old), list(new)
        pairs: list[tuple[Node, Node]] = []
        signatures: list[Callable[[Node], str | None]] = [
            lambda x: canonical(x.schema),
            lambda x: x.schema.get("$ref") if isinstance(x.schema, dict) else None,
            lambda x: self.deref(x).schema.get("title") if isinstance(self.deref(x).schema, dict) else None,
            lambda x: _discriminator(self.deref(x).schema),
            lambda x: ",".join(sorted(type_set(self.deref(x).schema))) if isinstance(self.deref(x).schema, dict) and "type" in self.deref(x).schema else None,
        ]
        for signature in signatures:
            for a in list(left):
                key = signature(a)
                if key is None:
                    continue
                match = next((b for b in right if signature(b) == key), None)
                if match is not None:
                    pairs.append((a, match))
                    left.remove(a)
                    right.remove(match)
        return pairs, right, left

    def disjoint(self, a: Node, b: Node) -> bool:
        """Whether no document can match both schemas (by type, by value, or by a discriminating property)."""
        x, y = self.deref(a).schema, self.deref(b).schema
        if x is False or y is False:
            return True
        if not isinstance(x, dict) or not isinstance(y, dict):
            return False
        if not (type_set(x) & type_set(y)):
            return True
        vx, vy = allowed_values(x), allowed_values(y)
        if vx is not None and vy is not None and not (vx & vy):
            return True
        shared = set(x.get("required", []) or []) & set(y.get("required", []) or [])
        px, py = x.get("properties") or {}, y.get("properties") or {}
        for name in shared:
            if name in px and name in py:
                sx, sy = self.deref(Node(px[name], a.doc, "")).schema, self.deref(Node(py[name], b.doc, "")).schema
                if isinstance(sx, dict) and isinstance(sy, dict):
                    ax, ay = allowed_values(sx), allowed_values(sy)
                    if ax is not None and ay is not None and not (ax & ay):
                        return True
        return False

    def negation(self, o: Node, n: Node, path: str) -> None:
        before, after = o.schema.get("not"), n.schema.get("not")
        if before is None and after is None:
            return
        if before is None:
            self.add("not-added", self.where(n, "not"), False, True, "not added: documents matching it are now rejected", path)
        elif after is None:
            self.add("not-removed", self.where(o, "not"), True, False, "not removed", path)
        else:
            # NEW accepts more exactly when its `not` schema accepts less
            nested = self.sub(n.child("not"), o.child("not"), path)
            nested = [c for c in nested if not c.documentation]
            if not nested:
                return
            b, f = all(c.backward for c in nested), all(c.forward for c in nested)
            kind = "not-type-narrowed" if b and not f else "not-type-extended" if f and not b else "not-type-changed"
            self.add(kind, self.where(n, "not"), b, f, "the schema under not changed" + detail(nested), path)

    def conditional(self, o: Node, n: Node, path: str) -> None:
        before_if, after_if = o.schema.get("if"), n.schema.get("if")
        if before_if is None and after_if is None:
            return
        if canonical(before_if) != canonical(after_if):
            self.add("conditional-changed", self.where(n if after_if is not None else o, "if"), False, False,
                     "the if condition of if/then/else changed", path)
            return
        for keyword in ("then", "else"):
            self.compare(o.child_or_true(keyword), n.child_or_true(keyword), path, keyword)

    def unevaluated(self, o: Node, n: Node, path: str) -> None:
        for keyword in ("unevaluatedProperties", "unevaluatedItems"):
            if keyword in o.schema or keyword in n.schema:
                self.compare(o.child_or_true(keyword), n.child_or_true(keyword), f"{path}/*", kebab(keyword))


def _pairwise(nodes: list[Node], disjoint: Callable[[Node, Node], bool]) -> bool:
    return all(disjoint(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1 :])


def _discriminator(schema: Any) -> str | None:
    """A member's constant discriminating property, e.g. ``kind=="card"``."""
    if not isinstance(schema, dict):
        return None
    for name in sorted(schema.get("required", []) or []):
        prop = (schema.get("properties") or {}).get(name)
        if isinstance(prop, dict) and ("const" in prop or isinstance(prop.get("enum"), list) and len(prop["enum"]) == 1):
            return f"{name}={canonical(prop.get('const', (prop.get('enum') or [None])[0]))}"
    return None
