"""Compatibility rules for ISO Schematron, assertion by assertion.

Assertions (``sch:assert`` and ``sch:report``) are paired by their ``id`` (by
context and test where an id is missing). Only error-severity assertions decide
validity (a ``role="warning"`` one is reported but never makes a document
invalid), so:

- an error assertion added breaks backward (old documents may fail it);
- one removed breaks forward (new documents may fail it under the old rules);
- a changed test breaks both, unless it provably only adds or drops conditions:
  ``A`` → ``A and B`` tightens (backward-breaking), ``A and B`` → ``A`` relaxes
  (forward-breaking), and likewise for ``or`` (the other way round for reports);
- a severity lowered to warning relaxes, raised to error tightens;
- message text and the schema title are documentation only.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..errors import SchemaLoadError
from ..schematron import SCH_NS
from .changes import Change, XmlMarker

__all__ = ["Assertion", "diff_schematron_files", "load_assertions"]

_S = f"{{{SCH_NS}}}"
_NON_BLOCKING = {"warning", "warn", "info", "information"}


@dataclass(frozen=True, slots=True)
class Assertion:
    """One Schematron assertion with everything its meaning depends on."""

    key: str
    kind: str  # assert | report
    context: str
    test: str
    role: str
    message: str
    variables: tuple[tuple[str, str], ...]  # the sch:let values its test and context use
    namespaces: tuple[tuple[str, str], ...]  # the prefixes its test and context use

    @property
    def blocking(self) -> bool:
        """Whether failing it makes a document invalid (error severity)."""
        return self.role.lower() not in _NON_BLOCKING

    @property
    def meaning(self) -> tuple:
        return self.context, self.test, self.variables, self.namespaces


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _used(expression: str, table: dict[str, str], sigil: str) -> tuple[tuple[str, str], ...]:
    if sigil == "$":
        names = set(re.findall(r"\$([\w.-]+)", expression))
    else:
        names = set(re.findall(r"([A-Za-z_][\w.-]*):(?![:=])", expression))
    return tuple(sorted((n, table[n]) for n in names if n in table))


def load_assertions(path: Path) -> tuple[str, dict[str, Assertion]]:
    """The title and the assertions of a Schematron file, by key.

    :raises SchemaLoadError: the file cannot be read or is not XML.
    """
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise SchemaLoadError(path, f"cannot be read as Schematron: {exc}") from None
    namespaces = {ns.get("prefix", ""): ns.get("uri", "") for ns in root.iter(f"{_S}ns")}
    global_lets = {let.get("name", ""): _norm(let.get("value")) for let in root.findall(f"{_S}let")}
    found: dict[str, Assertion] = {}
    for pattern in root.iter(f"{_S}pattern"):
        pattern_lets = {**global_lets, **{let.get("name", ""): _norm(let.get("value")) for let in pattern.findall(f"{_S}let")}}
        for rule in pattern.iter(f"{_S}rule"):
            lets = {**pattern_lets, **{let.get("name", ""): _norm(let.get("value")) for let in rule.findall(f"{_S}let")}}
            context = _norm(rule.get("context"))
            for node in rule:
                if node.tag not in (f"{_S}assert", f"{_S}report"):
                    continue
                test = _norm(node.get("test"))
                kind = etree.QName(node).localname
                key = node.get("id") or f"{kind}[{context}][{test}]"
                used_lets = " ".join(lets.get(v, "") for v in re.findall(r"\$([\w.-]+)", test))
                expression = f"{context} {test} {used_lets}"
                found[key] = Assertion(
                    key=key,
                    kind=kind,
                    context=context,
                    test=test,
                    role=node.get("role") or "error",
                    message=_norm("".join(node.itertext())),
                    variables=_used(test + " " + context, lets, "$"),
                    namespaces=_used(expression, namespaces, ":"),
                )
    title = _norm(root.findtext(f"{_S}title"))
    return title, found


def _top_level(test: str, operator: str) -> list[str]:
    """Split ``test`` at ``operator`` (``and``/``or``) outside brackets and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    token = f" {operator} "
    i = 0
    while i < len(test):
        c = test[i]
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif depth == 0 and test.startswith(token, i):
            parts.append(test[start:i].strip())
            start = i + len(token)
            i = start
            continue
        i += 1
    parts.append(test[start:].strip())
    return parts


def _direction(before: str, after: str) -> str | None:
    """``tightened`` / ``relaxed`` when ``after`` provably only adds or drops conditions of an assert test."""
    for operator, stricter_when_more in (("and", True), ("or", False)):
        old, new = set(_top_level(before, operator)), set(_top_level(after, operator))
        if len(old) == 1 and len(new) == 1:
            continue
        if old < new:
            return "tightened" if stricter_when_more else "relaxed"
        if new < old:
            return "relaxed" if stricter_when_more else "tightened"
    return None


def _compare(o: Assertion, n: Assertion) -> list[Change]:
    where = n.key
    changes: list[Change] = []
    if o.message != n.message:
        changes.append(Change("assertion-message-changed", where, True, True, "the assertion's message changed (documentation only)", documentation=True))
    if o.meaning == n.meaning and o.kind == n.kind and o.blocking == n.blocking:
        if o.role != n.role:
            changes.append(Change("assertion-role-changed", where, True, True, f"role {o.role} → {n.role} (same severity)"))
        return changes
    if not o.blocking and not n.blocking:
        changes.append(Change("assertion-changed", where, True, True, "a warning-level assertion changed; it never decides validity"))
    elif not o.blocking:
        changes.append(Change("assertion-severity-raised", where, False, True, f"role {o.role} → {n.role}: failing it now makes a document invalid"))
    elif not n.blocking:
        changes.append(Change("assertion-severity-lowered", where, True, False, f"role {o.role} → {n.role}: failing it no longer makes a document invalid"))
    elif o.context != n.context or o.kind != n.kind or o.variables != n.variables or o.namespaces != n.namespaces:
        # say what changed, never "context X → X"
        what = [text for changed, text in (
            (o.context != n.context, f"context {o.context!r} → {n.context!r}"),
            (o.kind != n.kind, f"{o.kind} → {n.kind}"),
            (o.variables != n.variables, "the variables its test uses (sch:let) changed"),
            (o.namespaces != n.namespaces, "the namespaces its test uses changed"),
        ) if changed]
        changes.append(Change("assertion-context-changed", where, False, False, "; ".join(what)))
    else:
        direction = _direction(o.test, n.test)
        if direction and n.kind == "report":  # a report fires when its test holds: the other way round
            direction = "relaxed" if direction == "tightened" else "tightened"
        if direction == "tightened":
            changes.append(Change("assertion-tightened", where, False, True, f"test {o.test!r} → {n.test!r}: only adds conditions"))
        elif direction == "relaxed":
            changes.append(Change("assertion-relaxed", where, True, False, f"test {o.test!r} → {n.test!r}: only drops conditions"))
        else:
            changes.append(Change("assertion-test-changed", where, False, False, f"test {o.test!r} → {n.test!r}"))
    return changes


def _marker_moved(before: dict[str, Assertion], after: dict[str, Assertion], old_value: str, new_value: str) -> tuple[dict[str, Assertion], list[Change]]:
    """OLD's assertions with the version marker written as NEW's, where that makes a test NEW's.

    A rule that pins the marker (ETDA's ``@schemeVersionID = 'v2.1'``) must move with it
    in every new version; that move is the ``version-marker`` change, compatible both ways,
    as in the schemas — never a changed test.
    """
    pairs = [(old_value, new_value)]
    prefix = re.match(r"\D*", old_value).group()  # 'v2.1' is also written '2.1' (ETDA accepts both)
    if prefix and new_value.startswith(prefix):
        pairs.append((old_value[len(prefix):], new_value[len(prefix):]))

    def moving(text: str) -> str:
        for before_value, after_value in pairs:
            for quote in ("'", '"'):
                text = text.replace(f"{quote}{before_value}{quote}", f"{quote}{after_value}{quote}")
        return text

    moved: dict[str, Assertion] = {}
    changes: list[Change] = []
    for key, a in before.items():
        test, new_key = moving(a.test), moving(key)  # an assertion without an id is keyed by its test
        if test != a.test and new_key in after and after[new_key].test == test:
            moved[new_key] = dataclasses.replace(a, key=new_key, test=test)
            changes.append(Change("version-marker", new_key, True, True, f"version marker {old_value!r} → {new_value!r} in the rule's test (expected between versions)"))
        else:
            moved[key] = a
    return moved, changes


def diff_schematron_files(old: Path | None, new: Path | None, *, marker: XmlMarker | None = None) -> list[Change]:
    """Every change from the Schematron ``old`` to ``new`` (``None``: the side has no rules).

    :param marker: the catalog version marker; a test that only moves with it is a ``version-marker`` change.
    """
    title_o, before = load_assertions(old) if old else ("", {})
    title_n, after = load_assertions(new) if new else ("", {})
    changes: list[Change] = []
    if marker is not None and marker.old and marker.new and marker.old != marker.new:
        before, changes = _marker_moved(before, after, marker.old, marker.new)
    if old and new and title_o != title_n:
        changes.append(Change("title-changed", "/sch:schema/sch:title", True, True, "the rules' title changed (documentation only)", documentation=True))
    for key in sorted(after.keys() - before.keys()):
        a = after[key]
        if a.blocking:
            changes.append(Change("assertion-added", key, False, True, f"new {a.kind} on {a.context!r}: documents that fail it are now invalid ({a.message[:100]})"))
        else:
            changes.append(Change("assertion-added", key, True, True, f"new {a.role}-level {a.kind} on {a.context!r}; it never decides validity"))
    for key in sorted(before.keys() - after.keys()):
        a = before[key]
        if a.blocking:
            changes.append(Change("assertion-removed", key, True, False, f"{a.kind} on {a.context!r} removed: documents failing it are now accepted"))
        else:
            changes.append(Change("assertion-removed", key, True, True, f"{a.role}-level {a.kind} on {a.context!r} removed; it never decided validity"))
    for key in sorted(before.keys() & after.keys()):
        changes.extend(_compare(before[key], after[key]))
    return changes
