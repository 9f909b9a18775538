"""Reading xmlschema's component model: loading, names, particles and wildcards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...errors import SchemaLoadError

__all__ = [
    "SYSTEM_NAMESPACES",
    "XSD_NS",
    "Path_",
    "builtin",
    "clark_name",
    "docs",
    "element_names",
    "kind_of",
    "load_xsd",
    "particles",
    "split_name",
    "wildcard_admits",
    "wildcard_key",
]

XSD_NS = "http://www.w3.org/2001/XMLSchema"
#: Namespaces of XML and XSD themselves: never a standard's own components.
SYSTEM_NAMESPACES = {XSD_NS, "http://www.w3.org/XML/1998/namespace", "http://www.w3.org/2001/XMLSchema-instance"}

#: A place in a document: Clark names from the root, an attribute as ``@{ns}name``.
Path_ = tuple[str, ...]


def load_xsd(path: Path) -> Any:
    """Load an XSD with its includes and imports, from local files only.

    :raises SchemaLoadError: unreadable, not a schema, or reaching for the network.
    """
    import xmlschema

    from ...xml_engine import _check_local_imports

    path = Path(path).resolve()
    _check_local_imports(path)
    try:
        # "local", not "sandbox": a publisher's package imports from sibling folders (../../uncefact)
        return xmlschema.XMLSchema10(str(path), allow="local", defuse="always")
    except (xmlschema.XMLSchemaException, OSError, SyntaxError) as exc:
        raise SchemaLoadError(path, f"is not a usable XML Schema: {exc}") from None


def clark_name(namespace: str | None, local: str) -> str:
    return f"{{{namespace}}}{local}" if namespace else local


def split_name(qname: str) -> tuple[str, str]:
    """``{ns}local`` → ``(ns, local)``; ``("", local)`` without a namespace."""
    if qname.startswith("{"):
        ns, _, local = qname[1:].partition("}")
        return ns, local
    return "", qname


def docs(component: Any) -> str:
    """A component's ``xs:documentation`` text, white space normalised."""
    annotation = getattr(component, "annotation", None)
    if annotation is None:
        return ""
    return " | ".join(" ".join((d.text or "").split()) for d in getattr(annotation, "documentation", []) or [])


def builtin(t: Any) -> bool:
    return getattr(t, "target_namespace", None) == XSD_NS


def kind_of(particle: Any) -> str:
    """``element``, ``group`` or ``any`` (a wildcard)."""
    name = type(particle).__name__
    if name == "XsdGroup":
        return "group"
    if name in ("XsdAnyElement",):
        return "any"
    return "element"


def particles(group: Any) -> list[Any]:
    """A group's particles, nested sequences of one occurrence flattened into their parent."""
    out: list[Any] = []
    for p in group:
        if kind_of(p) == "group" and p.model == group.model == "sequence" and (p.min_occurs, p.max_occurs) == (1, 1):
            out.extend(particles(p))
        elif kind_of(p) == "group" and len(p) == 0:
            continue
        else:
            out.append(p)
    return out


def element_names(group: Any) -> set[str]:
    """The names of every element a group holds, at any depth."""
    found: set[str] = set()
    for p in group:
        if kind_of(p) == "group":
            found |= element_names(p)
        elif kind_of(p) == "element":
            found.add(p.name)
    return found


def wildcard_admits(wildcard: Any, qname: str) -> bool:
    """Whether a wildcard already accepts ``qname`` without a declaration (lax or skip)."""
    if wildcard is None or getattr(wildcard, "process_contents", "strict") == "strict":
        return False
    try:
        return bool(wildcard.is_matching(qname))
    except Exception:  # noqa: BLE001 — xmlschema may refuse odd names; then we cannot tell
        return False


def wildcard_key(wildcard: Any, ns_map: dict[str, str]) -> tuple:
    """What decides which names a wildcard admits, its namespaces renamed by ``ns_map`` (OLD's into NEW's)."""
    namespaces = tuple(sorted(ns_map.get(ns, ns) for ns in getattr(wildcard, "namespace", ()) or ()))
    return namespaces, tuple(sorted(getattr(wildcard, "not_namespace", ()) or ())), getattr(wildcard, "process_contents", "")
