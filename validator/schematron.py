"""ISO Schematron: query bindings ``xslt`` (XSLT 1, lxml) and ``xslt2`` / ``xslt3`` (SaxonC-HE).

A Schematron schema is compiled to an XSLT stylesheet once and the stylesheet is
cached on disk under the SHA-256 of the schema's content (and of the compiler),
so a second run only loads it. Running the stylesheet gives SVRL; each failed
assert and successful report becomes a ``rules`` issue with the assertion id as
``rule``, the ``role`` as severity, the location of the context node, and the
message (a trailing `` / <Thai>`` part, or a ``xml:lang="th"`` diagnostic, becomes
``message_th``).

The `` / <Thai>`` part is split off in the rules, before they are compiled, not in the
report: there the separator is the author's text, while in the report a value
(``<sch:value-of>``, e.g. a letter number ``กค 0402.5/4410``) could hold Thai letters or
a slash of its own. The Thai part becomes an ``xml:lang="th"`` diagnostic, so each
language interpolates its own values and ``message_th`` keeps them.

Publishers that write their rules' ids into a Thai message instead of ``@id`` (ETDA:
``TIV-Document-001 รหัสประเภทเอกสาร … (TypeCode must equal to 388, …)``) keep their
words: the rule is their id, ``message_th`` is their message as written, and the
English ``message`` names the publisher's rule and gives the English part in the
message's closing parentheses, where there is one.

- ``xslt``: lxml's ISO skeleton (includes, abstract patterns, phases, diagnostics).
- ``xslt2`` / ``xslt3``: compiled here to XSLT 3.0 and run by SaxonC-HE. Supported:
  ``ns``, ``let`` (schema, pattern and rule level), ``pattern``, ``rule``
  (with ``abstract`` and ``extends``), ``assert``, ``report``, ``value-of``, ``name``,
  ``diagnostics``, ``include``, ``phase`` (``defaultPhase``). Abstract patterns
  (``is-a``) are refused with a clear error.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from lxml import etree

from .errors import SchemaLoadError
from .report import Issue, Severity

__all__ = ["SCH_NS", "SVRL_NS", "Schematron", "cache_dir"]

SCH_NS = "http://purl.oclc.org/dsdl/schematron"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
XSL_NS = "http://www.w3.org/1999/XSL/Transform"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_COMPILER_VERSION = b"dxs-schematron-4"  # bump when the generated XSLT changes

_SEVERITY_OF_ROLE: dict[str, Severity] = {
    "fatal": "error",
    "error": "error",
    "warning": "warning",
    "warn": "warning",
    "info": "info",
    "information": "info",
}
_THAI = re.compile(r"[\u0E00-\u0E7F]")


def quoteattr(value: str) -> str:
    """``value`` as a quoted XML attribute; xml.sax.saxutils is imported only when rules are compiled
    (it pulls in urllib.request, which every start would otherwise pay for)."""
    from xml.sax.saxutils import quoteattr as quoted

    return quoted(value)


_SAFE_PARSER = dict(resolve_entities=False, no_network=True, load_dtd=False)


def cache_dir() -> Path:
    """Where compiled rules live: ``schematron/`` in the user's cache (:mod:`validator._cache`)."""
    from ._cache import cache_root

    return cache_root() / "schematron"


def _sch(tag: str) -> str:
    return f"{{{SCH_NS}}}{tag}"


class Schematron:
    """A compiled Schematron schema; :meth:`issues` runs it on a parsed document.

    :raises SchemaLoadError: unreadable, unsupported query binding, or not compilable.
    """

    def __init__(self, path: Path, *, publisher: str = "") -> None:
        self.path = Path(path)
        self.name = str(path)
        #: who wrote the rules (``ETDA``), named in English messages of rules it identifies in the text
        self.publisher = publisher
        try:
            source = self.path.read_bytes()
            doc = etree.parse(str(self.path), etree.XMLParser(**_SAFE_PARSER))
        except OSError as exc:
            raise SchemaLoadError(path, f"cannot be read as Schematron: {exc.strerror}") from None
        except etree.XMLSyntaxError as exc:
            raise SchemaLoadError(path, f"cannot be read as Schematron: {exc}") from None
        root = doc.getroot()
        if root.tag != _sch("schema"):
            raise SchemaLoadError(path, f"is not ISO Schematron (root is {root.tag}, expected sch:schema)")
        self.binding = (root.get("queryBinding") or "xslt").lower()
        if self.binding in ("xslt", "xslt1", "xpath"):
            self.binding = "xslt"
        elif self.binding not in ("xslt2", "xslt3", "xpath2", "xpath3", "xpath31"):
            raise SchemaLoadError(path, f"queryBinding {self.binding!r} is not supported (supported: xslt, xslt2, xslt3)")
        #: the Thai diagnostics split off ``English / ไทย`` messages (the report's text is then English only)
        self._split_off = _split_bilingual(root)
        self._th_diagnostics = {
            d.get("id"): " ".join("".join(d.itertext()).split())
            for d in root.iter(_sch("diagnostic"))
            if (d.get(XML_LANG) or "").lower().startswith("th")
        }
        digest = hashlib.sha256(_COMPILER_VERSION + self.binding.encode() + b"\0" + source).hexdigest()
        self.cache_file = cache_dir() / f"{digest}.xsl"
        #: whether this instance compiled the rules (False: loaded from the cache)
        self.compiled = False
        cached = self._cached()
        try:
            self._load(cached if cached is not None else self._compile(doc))
        except SchemaLoadError:
            if cached is None:
                raise
            self._load(self._compile(doc))  # a damaged cache entry: compile afresh

    def _load(self, xslt_text: str) -> None:
        if self.binding == "xslt":
            try:
                self._xslt = etree.XSLT(etree.fromstring(xslt_text.encode("utf-8"), etree.XMLParser(**_SAFE_PARSER)))
            except (etree.XSLTParseError, etree.XMLSyntaxError) as exc:
                raise SchemaLoadError(self.path, f"is not usable Schematron: {exc}") from None
        else:
            self._saxon = _SaxonStylesheet(xslt_text, self.name)

    # ------------------------------------------------------------------ compile + cache

    def _cached(self) -> str | None:
        """The compiled stylesheet kept by an earlier run; only one the user's own cache holds
        (a stylesheet can read and write files, so nobody else may plant one)."""
        from ._cache import read_bytes

        data = read_bytes(self.cache_file)
        try:
            return data.decode("utf-8") if data is not None else None
        except UnicodeDecodeError:
            return None

    def _compile(self, doc: etree._ElementTree) -> str:
        if self.binding == "xslt":
            from lxml import isoschematron

            try:
                compiled = isoschematron.Schematron(doc, store_xslt=True)
            except (etree.SchematronParseError, etree.XSLTParseError, etree.XSLTApplyError) as exc:
                raise SchemaLoadError(self.path, f"is not usable Schematron: {exc}") from None
            text = etree.tostring(compiled.validator_xslt, encoding="unicode")
        else:
            text = compile_xslt3(doc, self.path)
        self.compiled = True
        from ._cache import write_bytes

        write_bytes(self.cache_file, text.encode("utf-8"))  # atomic; a cache that cannot be written only costs time
        return text

    # ------------------------------------------------------------------ run

    def svrl(self, tree: etree._ElementTree) -> etree._Element:
        """The SVRL report of the rules on ``tree``."""
        if self.binding == "xslt":
            return self._xslt(tree).getroot()
        return self._saxon.run(tree)

    def issues(self, tree: etree._ElementTree, /, source: bytes | str | None = None) -> list[Issue]:
        """Every failed assert and successful report on ``tree`` as an :class:`Issue`
        (:class:`~validator.engine.Engine`; the tree carries the line numbers, so ``source`` is not used).

        A rule that cannot be evaluated on the document is one ``rules-evaluation`` issue.
        """
        try:
            report = self.svrl(tree)
        except Exception as exc:  # noqa: BLE001 - a dynamic error in a rule (e.g. a bad cast) is the document's issue
            detail = " ".join(str(exc).split())[:500]
            return [
                Issue(
                    message=f"the rules could not be evaluated on this document: {detail}",
                    message_th=f"ไม่สามารถตรวจกฎของมาตรฐานกับเอกสารนี้ได้ ({detail})",
                    rule="rules-evaluation",
                    source="rules",
                )
            ]
        if report is None:
            return []
        issues = []
        for node in report.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
            text = " ".join("".join(node.findtext(f"{{{SVRL_NS}}}text") or "").split())
            refs = [ref for ref in node.iter(f"{{{SVRL_NS}}}diagnostic-reference") if ref.get("diagnostic") in self._th_diagnostics]
            thai = [" ".join("".join(ref.itertext()).split()) or self._th_diagnostics[ref.get("diagnostic")] for ref in refs]
            split_off = any(ref.get("diagnostic") in self._split_off for ref in refs)
            # split off in the rules, the text is the English part whole: its values may hold Thai letters or " / "
            message, message_th = (text, "") if split_off else _split_languages(text)
            rule = node.get("id")
            if rule is None and not split_off and (found := _publisher_rule(text, self.publisher)) is not None:
                rule, message, message_th = found
            if thai:
                message_th = thai[-1]
            element = _element_at(tree, node.get("location") or "")
            rule = rule or node.get("test") or "schematron"
            severity = _SEVERITY_OF_ROLE.get((node.get("role") or node.get("flag") or "error").lower(), "error")
            from .xml_engine import element_path

            issues.append(
                Issue(
                    message=message or f"assertion failed: {node.get('test')}",
                    message_th=message_th or f"ไม่เป็นไปตามกฎของมาตรฐาน ({message})",
                    rule=rule,
                    source="rules",
                    severity=severity,
                    location=element_path(element) if element is not None else node.get("location", ""),
                    line=element.sourceline if element is not None else None,
                )
            )
        return issues


# a rule id written at the start of a Thai message: TIV-Document-001, (DCN-PrepaidIndicator-010
_TEXT_RULE_ID = re.compile(r"^\(?\s*([A-Z][A-Z0-9]*(?:-[A-Za-z0-9]+){1,3})(?=\s)")
# the message's English part: its last parenthesised group, with no Thai in it, at the very end
_ENGLISH_TAIL = re.compile(r"\(([^()\u0E00-\u0E7F]*[A-Za-z][^()\u0E00-\u0E7F]*)\)\s*\)?\s*$")


def _publisher_rule(text: str, publisher: str) -> tuple[str, str, str] | None:
    """``(rule id, English message, Thai message)`` of a Thai message that starts with its rule's id."""
    if not _THAI.search(text):
        return None
    match = _TEXT_RULE_ID.match(text)
    if match is None:
        return None
    rule = match.group(1)
    owner = f"{publisher} rule" if publisher else "Rule"
    english = _ENGLISH_TAIL.search(text)
    if english:
        message = f"{owner} {rule}: {' '.join(english.group(1).split())}"
    else:
        message = f"{owner} {rule} fired (its message is in Thai only)"
    return rule, message, text


# the separator of "English / ไทย" in an assert's own text (a line break may stand for either space)
_LANGUAGE_SEPARATOR = re.compile(r"\s/\s")
_VALUE_TAGS = (_sch("value-of"), _sch("name"))


def _literal(parts: list[etree._Element]) -> str:
    """The text an author wrote in ``parts`` (children of a message), values left out."""
    return "".join("" if p.tag in _VALUE_TAGS else "".join(p.itertext()) for p in parts)


def _split_bilingual(root: etree._Element) -> set[str]:
    """Turn each ``English / ไทย`` assert or report of ``root`` into an English message and an
    ``xml:lang="th"`` diagnostic holding the Thai part with its own ``value-of`` values.

    The split is at the last `` / `` of the author's text, where the text after it has Thai
    letters and the text before it has none (as :func:`_split_languages` would split the
    report's text); a check that already names a Thai diagnostic is left as it is. Rules
    in a file an XSLT 1 schema includes (``sch:include``) are split in the report instead.
    Returns the ids of the diagnostics it made.
    """
    diagnostics = root.find(_sch("diagnostics"))
    taken = {d.get("id") for d in root.iter(_sch("diagnostic"))}
    thai = {d.get("id") for d in root.iter(_sch("diagnostic")) if (d.get(XML_LANG) or "").lower().startswith("th")}
    made: set[str] = set()
    for check in list(root.iter(_sch("assert"), _sch("report"))):
        refs = (check.get("diagnostics") or "").split()
        if any(ref in thai for ref in refs):
            continue
        children = list(check)
        texts = [check.text or ""] + [child.tail or "" for child in children]  # texts[i] stands before children[i]
        at = next(((i, m[-1]) for i in reversed(range(len(texts))) if (m := list(_LANGUAGE_SEPARATOR.finditer(texts[i])))), None)
        if at is None:
            continue
        i, match = at
        before = _literal(children[:i]) + "".join(texts[:i]) + texts[i][: match.start()]
        after = texts[i][match.end():] + _literal(children[i:]) + "".join(texts[i + 1:])
        if _THAI.search(before) or not _THAI.search(after):
            continue
        number, ident = 1, f"{check.get('id') or 'check'}-th"
        while ident in taken:
            number += 1
            ident = f"{check.get('id') or 'check'}-th-{number}"
        taken.add(ident)
        diagnostic = etree.Element(_sch("diagnostic"), {"id": ident, XML_LANG: "th"})
        diagnostic.text = texts[i][match.end():]
        if i == 0:
            check.text = texts[0][: match.start()]
        else:
            children[i - 1].tail = texts[i][: match.start()]
        for child in children[i:]:
            diagnostic.append(child)  # moves the value-of with its tail
        if diagnostics is None:
            diagnostics = etree.Element(_sch("diagnostics"))
            properties = root.find(_sch("properties"))  # ISO order: … pattern, diagnostics, properties
            if properties is not None:
                properties.addprevious(diagnostics)
            else:
                root.append(diagnostics)
        diagnostics.append(diagnostic)
        check.set("diagnostics", " ".join([*refs, ident]))
        made.add(ident)
    return made


def _split_languages(text: str) -> tuple[str, str]:
    """``"English text / ข้อความภาษาไทย"`` → both parts; otherwise the text and ``""``."""
    if " / " in text:
        english, thai = text.rsplit(" / ", 1)
        if _THAI.search(thai) and not _THAI.search(english):
            return english.strip(), thai.strip()
    return text, text if _THAI.search(text) else ""


_EQNAME_STEP = re.compile(r"Q\{([^}]*)\}([^\[/]+)(?:\[(\d+)\])?")


def _element_at(tree: etree._ElementTree, location: str) -> etree._Element | None:
    """The element an SVRL location names (lxml XPaths, or Saxon's ``/Q{ns}name[n]`` paths)."""
    if not location:
        return None
    if "Q{" in location:
        node: etree._Element | None = None
        for step in location.strip("/").split("/"):
            if step.startswith("@"):
                break  # an attribute: report its element
            match = _EQNAME_STEP.fullmatch(step)
            if not match:
                return node
            uri, local, index = match.group(1), match.group(2), int(match.group(3) or 1)
            tag = f"{{{uri}}}{local}" if uri else local
            candidates = [tree.getroot()] if node is None else list(node.iterchildren(tag))
            candidates = [c for c in candidates if c.tag == tag]
            if len(candidates) < index:
                return node
            node = candidates[index - 1]
        return node
    try:
        found = tree.xpath(location)
    except etree.XPathError:
        return None
    if isinstance(found, list) and found:
        first = found[0]
        if isinstance(first, etree._Element):
            return first
        parent = getattr(first, "getparent", lambda: None)()
        return parent if isinstance(parent, etree._Element) else None
    return None


# --------------------------------------------------------------------------- XSLT 3 compiler


def _inline_includes(element: etree._Element, base: Path, depth: int = 0) -> None:
    """Replace ``sch:include`` by the included element (local files only)."""
    if depth > 20:
        raise SchemaLoadError(base, "sch:include nests too deep")
    for include in list(element.iter(_sch("include"))):
        href = include.get("href") or ""
        if "://" in href:
            raise SchemaLoadError(base, f"remote sch:include {href!r} is not loaded (no network)")
        target = (base.parent / href.split("#")[0]).resolve()
        try:
            included = etree.parse(str(target), etree.XMLParser(**_SAFE_PARSER)).getroot()
        except (OSError, etree.XMLSyntaxError) as exc:
            raise SchemaLoadError(base, f"sch:include {href!r} cannot be read: {exc}") from None
        _inline_includes(included, target, depth + 1)
        include.getparent().replace(include, included)


def _message(parts: etree._Element) -> str:
    """The XSLT for an assert's message: text, ``value-of`` and ``name`` children."""
    out = [_xml_text(parts.text)]
    for child in parts:
        if child.tag == _sch("value-of"):
            out.append(f"<xsl:value-of select={quoteattr(child.get('select', '.'))}/>")
        elif child.tag == _sch("name"):
            out.append(f"<xsl:value-of select={quoteattr('name(' + child.get('path', '.') + ')')}/>")
        else:  # emph, dir, span: their text
            out.append(_xml_text("".join(child.itertext())))
        out.append(_xml_text(child.tail))
    return "".join(out)


def _xml_text(text: str | None) -> str:
    from html import escape

    return escape(text or "", quote=False)


def _lets(parent: etree._Element) -> str:
    return "".join(
        f"<xsl:variable name={quoteattr(let.get('name', ''))} select={quoteattr(let.get('value', '.'))}/>"
        for let in parent.findall(_sch("let"))
    )


def compile_xslt3(doc: etree._ElementTree, path: Path) -> str:
    """Compile an ISO Schematron schema (XPath 2/3 binding) to an XSLT 3.0 stylesheet producing SVRL."""
    root = etree.fromstring(etree.tostring(doc))  # a copy we may rewrite
    _inline_includes(root, path)
    if root.find(f".//{_sch('pattern')}[@is-a]") is not None or root.find(f".//{_sch('pattern')}[@abstract='true']") is not None:
        raise SchemaLoadError(path, "abstract patterns are not supported with queryBinding xslt2/xslt3")
    namespaces = {ns.get("prefix"): ns.get("uri") for ns in root.findall(_sch("ns"))}
    abstract_rules = {r.get("id"): r for r in root.iter(_sch("rule")) if r.get("abstract") == "true"}
    diagnostics = {d.get("id"): d for d in root.iter(_sch("diagnostic"))}

    patterns = root.findall(_sch("pattern"))
    phase = root.get("defaultPhase")
    if phase and phase != "#ALL":
        phase_el = next((p for p in root.findall(_sch("phase")) if p.get("id") == phase), None)
        if phase_el is None:
            raise SchemaLoadError(path, f"defaultPhase {phase!r} is not declared")
        active = {a.get("pattern") for a in phase_el.findall(_sch("active"))}
        patterns = [p for p in patterns if p.get("id") in active]

    def check(kind: str, el: etree._Element) -> str:
        test = el.get("test", "true()")
        attrs = "".join(
            f" {name}={quoteattr(el.get(name))}" for name in ("id", "role", "flag") if el.get(name) is not None
        )
        refs = "".join(
            f'<svrl:diagnostic-reference diagnostic={quoteattr(ref)}>{_message(diagnostics[ref])}</svrl:diagnostic-reference>'
            for ref in (el.get("diagnostics") or "").split()
            if ref in diagnostics
        )
        body = (
            f"<svrl:{kind}{attrs} test={quoteattr(test)} location=\"{{path()}}\">"
            f"{refs}<svrl:text>{_message(el)}</svrl:text></svrl:{kind}>"
        )
        if kind == "failed-assert":
            return f"<xsl:if test={quoteattr('not(' + test + ')')}>{body}</xsl:if>"
        return f"<xsl:if test={quoteattr(test)}>{body}</xsl:if>"

    def checks_of(rule: etree._Element, seen: frozenset[str] = frozenset()) -> str:
        out = []
        for child in rule:
            if child.tag == _sch("assert"):
                out.append(check("failed-assert", child))
            elif child.tag == _sch("report"):
                out.append(check("successful-report", child))
            elif child.tag == _sch("extends"):
                ref = child.get("rule")
                if ref not in abstract_rules or ref in seen:
                    raise SchemaLoadError(path, f"sch:extends names no abstract rule {ref!r}")
                out.append(_lets(abstract_rules[ref]) + checks_of(abstract_rules[ref], seen | {ref}))
        return "".join(out)

    templates = []
    calls = []
    for i, pattern in enumerate(patterns):
        mode = f"p{i}"
        calls.append(f'<xsl:apply-templates select="/" mode="{mode}"/>')
        rules = [r for r in pattern.findall(_sch("rule")) if r.get("abstract") != "true"]
        for j, rule in enumerate(rules):
            # the first matching rule of a pattern wins (ISO Schematron), so earlier rules rank higher
            templates.append(
                f'<xsl:template match={quoteattr(rule.get("context", "/"))} mode="{mode}" priority="{1000 - j}">'
                f"{_lets(pattern)}{_lets(rule)}{checks_of(rule)}"
                f'<xsl:apply-templates select="@*|node()" mode="{mode}"/></xsl:template>'
            )
        templates.append(
            f'<xsl:template match="text()|comment()|processing-instruction()" mode="{mode}" priority="-1"/>'
            f'<xsl:template match="/|@*|*" mode="{mode}" priority="-2"><xsl:apply-templates select="@*|node()" mode="{mode}"/></xsl:template>'
        )
    # xs: is bound by default, as XSLT 2/3 Schematron implementations do for typed tests
    namespaces.setdefault("xs", "http://www.w3.org/2001/XMLSchema")
    ns_decls = "".join(f" xmlns:{p}={quoteattr(u)}" for p, u in namespaces.items() if p)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<xsl:stylesheet version="3.0" xmlns:xsl="{XSL_NS}" xmlns:svrl="{SVRL_NS}"{ns_decls}'
        ' exclude-result-prefixes="#all">'
        f"{_lets(root)}"
        '<xsl:template match="/"><svrl:schematron-output>' + "".join(calls) + "</svrl:schematron-output></xsl:template>"
        + "".join(templates)
        + "</xsl:stylesheet>"
    )


class _SaxonStylesheet:
    """An XSLT 3.0 stylesheet compiled by SaxonC-HE (one processor per process)."""

    _processor = None

    def __init__(self, xslt_text: str, name: str) -> None:
        try:
            from saxonche import PySaxonProcessor
        except ImportError:  # pragma: no cover - declared dependency
            raise SchemaLoadError(name, "queryBinding xslt2/xslt3 needs the saxonche package") from None
        if _SaxonStylesheet._processor is None:
            _SaxonStylesheet._processor = PySaxonProcessor(license=False)
        self._proc = _SaxonStylesheet._processor
        try:
            self._executable = self._proc.new_xslt30_processor().compile_stylesheet(stylesheet_text=xslt_text)
        except Exception as exc:  # noqa: BLE001 - Saxon raises its own PySaxonApiError
            raise SchemaLoadError(name, f"is not usable Schematron (XSLT 3 compilation failed): {exc}") from None
        if self._executable is None:
            raise SchemaLoadError(name, "is not usable Schematron (XSLT 3 compilation failed)")

    def run(self, tree: etree._ElementTree) -> etree._Element:
        document = self._proc.parse_xml(xml_text=etree.tostring(tree, encoding="unicode"))
        result = self._executable.transform_to_string(xdm_node=document)
        return etree.fromstring(result.encode("utf-8"), etree.XMLParser(**_SAFE_PARSER))
