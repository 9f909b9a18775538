"""XSD compatibility: a table of changes, each with its kind and level, checked against real documents.

Each case is a root element ``t:r`` whose content changes; its documents (and a
few made from the declared enumerations) are validated with libxml2 under both
schemas, so a "backward" verdict is never contradicted by a document OLD accepts
(nor "forward" by one NEW accepts), and a breaking verdict is shown by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from dxs.validator.compat.changes import Compatibility, XmlMarker
from dxs.validator.compat.xsd import diff_xsd_files

NS = "urn:t"


def xsd(body: str, *, ns: str = NS, extra: str = "") -> str:
    return (f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="{ns}" targetNamespace="{ns}" '
            f'elementFormDefault="qualified">{extra}{body}</xs:schema>')


def root(content: str, attrs: str = "", *, mixed: bool = False) -> str:
    """``t:r`` with a complex type of ``content`` (a model group) and ``attrs``."""
    flag = ' mixed="true"' if mixed else ""
    return xsd(f'<xs:element name="r"><xs:complexType{flag}>{content}{attrs}</xs:complexType></xs:element>')


def leaf(simple: str) -> str:
    """``t:r`` holding a simple value of the restriction/list/union ``simple``."""
    return xsd(f'<xs:element name="r"><xs:simpleType>{simple}</xs:simpleType></xs:element>')


def seq(*parts: str) -> str:
    return "<xs:sequence>" + "".join(parts) + "</xs:sequence>"


def el(name: str, type_: str = "xs:string", **occurs: str) -> str:
    extra = "".join(f' {k.replace("_", "")}="{v}"' for k, v in occurs.items())
    return f'<xs:element name="{name}" type="{type_}"{extra}/>'


def r(inner: str = "", attrs: str = "", ns: str = NS) -> str:
    return f'<r xmlns="{ns}"{attrs}>{inner}</r>'


def restrict(base: str, *facets: str) -> str:
    return f'<xs:restriction base="{base}">' + "".join(facets) + "</xs:restriction>"


def f(name: str, value: str) -> str:
    return f'<xs:{name} value="{value}"/>'


@dataclass
class Case:
    id: str
    old: str
    new: str
    kind: str
    level: str
    docs: list[str]
    bump: str | None = None
    witness: bool = True


A, B = el("a"), el("b")
CASES = [
    Case("element-added-optional", root(seq(A)), root(seq(A, el("b", minOccurs="0"))), "element-added-optional", "BACKWARD",
         [r("<a/>"), r("<a/><b/>")], bump="minor"),
    Case("element-added-required", root(seq(A)), root(seq(A, B)), "element-added-required", "NONE", [r("<a/>"), r("<a/><b/>")]),
    Case("element-removed-optional", root(seq(A, el("b", minOccurs="0"))), root(seq(A)), "element-removed-optional", "FORWARD",
         [r("<a/>"), r("<a/><b/>")]),
    Case("element-removed-required", root(seq(A, B)), root(seq(A)), "element-removed-required", "NONE", [r("<a/>"), r("<a/><b/>")]),
    Case("min-occurs-increased", root(seq(el("a", minOccurs="0"))), root(seq(A)), "min-occurs-increased", "FORWARD", [r(""), r("<a/>")]),
    Case("min-occurs-decreased", root(seq(A)), root(seq(el("a", minOccurs="0"))), "min-occurs-decreased", "BACKWARD", [r(""), r("<a/>")]),
    Case("max-occurs-increased", root(seq(A)), root(seq(el("a", maxOccurs="unbounded"))), "max-occurs-increased", "BACKWARD",
         [r("<a/>"), r("<a/><a/>")]),
    Case("max-occurs-decreased", root(seq(el("a", maxOccurs="5"))), root(seq(el("a", maxOccurs="2"))), "max-occurs-decreased", "FORWARD",
         [r("<a/>"), r("<a/><a/><a/>")]),
    Case("sequence-order-changed", root(seq(A, B)), root(seq(B, A)), "sequence-order-changed", "NONE", [r("<a/><b/>"), r("<b/><a/>")]),
    Case("choice-member-added", root(f"<xs:choice>{A}</xs:choice>"), root(f"<xs:choice>{A}{B}</xs:choice>"), "choice-member-added", "BACKWARD",
         [r("<a/>"), r("<b/>")]),
    Case("choice-member-removed", root(f"<xs:choice>{A}{B}</xs:choice>"), root(f"<xs:choice>{A}</xs:choice>"), "choice-member-removed", "FORWARD",
         [r("<a/>"), r("<b/>")]),
    Case("model-group-changed", root(seq(A, B)), root(f"<xs:choice>{A}{B}</xs:choice>"), "model-group-changed", "NONE",
         [r("<a/><b/>"), r("<a/>")]),
    Case("wildcard-added", root(seq(A)), root(seq(A, '<xs:any namespace="##other" processContents="lax" minOccurs="0"/>')), "wildcard-added",
         "BACKWARD", [r("<a/>"), r('<a/><x:o xmlns:x="urn:o"/>')]),
    Case("mixed-content-allowed", root(seq(A)), root(seq(A), mixed=True), "mixed-content-allowed", "BACKWARD", [r("<a/>"), r("text<a/>")]),
    Case("attribute-added-optional", root(seq()), root(seq(), '<xs:attribute name="x" type="xs:string"/>'), "attribute-added-optional",
         "BACKWARD", [r(), r(attrs=' x="1"')]),
    Case("attribute-added-required", root(seq()), root(seq(), '<xs:attribute name="x" type="xs:string" use="required"/>'),
         "attribute-added-required", "NONE", [r(), r(attrs=' x="1"')]),
    Case("attribute-removed-optional", root(seq(), '<xs:attribute name="x" type="xs:string"/>'), root(seq()), "attribute-removed-optional",
         "FORWARD", [r(), r(attrs=' x="1"')]),
    Case("attribute-now-required", root(seq(), '<xs:attribute name="x" type="xs:string"/>'),
         root(seq(), '<xs:attribute name="x" type="xs:string" use="required"/>'), "attribute-now-required", "FORWARD", [r(), r(attrs=' x="1"')]),
    Case("attribute-wildcard-added", root(seq()), root(seq(), '<xs:anyAttribute namespace="##other" processContents="lax"/>'),
         "attribute-wildcard-added", "BACKWARD", [r(), r(attrs=' xmlns:o="urn:o" o:x="1"')]),
    # facets
    Case("max-length-decreased", leaf(restrict("xs:string", f("maxLength", "10"))), leaf(restrict("xs:string", f("maxLength", "3"))),
         "max-length-decreased", "FORWARD", [r("abcd"), r("ab")]),
    Case("min-length-added", leaf(restrict("xs:string")), leaf(restrict("xs:string", f("minLength", "2"))), "min-length-added", "FORWARD",
         [r("a"), r("ab")]),
    Case("length-changed", leaf(restrict("xs:string", f("length", "2"))), leaf(restrict("xs:string", f("length", "3"))), "length-changed",
         "NONE", [r("ab"), r("abc")]),
    Case("pattern-added", leaf(restrict("xs:string")), leaf(restrict("xs:string", f("pattern", "[a-z]+"))), "pattern-added", "FORWARD",
         [r("abc"), r("123")]),
    Case("pattern-changed", leaf(restrict("xs:string", f("pattern", "[a-z]+"))), leaf(restrict("xs:string", f("pattern", "[0-9]+"))),
         "pattern-changed", "NONE", [r("abc"), r("123")]),
    Case("enumeration-extended", leaf(restrict("xs:string", f("enumeration", "a"))), leaf(restrict("xs:string", f("enumeration", "a"), f("enumeration", "b"))),
         "enumeration-extended", "BACKWARD", [r("a"), r("b")]),
    Case("enumeration-narrowed", leaf(restrict("xs:string", f("enumeration", "a"), f("enumeration", "b"))), leaf(restrict("xs:string", f("enumeration", "a"))),
         "enumeration-narrowed", "FORWARD", [r("a"), r("b")]),
    Case("max-inclusive-increased", leaf(restrict("xs:decimal", f("maxInclusive", "10"))), leaf(restrict("xs:decimal", f("maxInclusive", "20"))),
         "max-inclusive-increased", "BACKWARD", [r("10"), r("15")]),
    Case("min-exclusive-added", leaf(restrict("xs:decimal")), leaf(restrict("xs:decimal", f("minExclusive", "0"))), "min-exclusive-added",
         "FORWARD", [r("0"), r("1")]),
    Case("total-digits-decreased", leaf(restrict("xs:decimal", f("totalDigits", "5"))), leaf(restrict("xs:decimal", f("totalDigits", "3"))),
         "total-digits-decreased", "FORWARD", [r("1234"), r("12")]),
    Case("fraction-digits-increased", leaf(restrict("xs:decimal", f("fractionDigits", "0"))), leaf(restrict("xs:decimal", f("fractionDigits", "2"))),
         "fraction-digits-increased", "BACKWARD", [r("1"), r("1.5")]),
    Case("base-type-widened", leaf(restrict("xs:int")), leaf(restrict("xs:long")), "base-type-widened", "BACKWARD", [r("1"), r("9999999999")]),
    Case("base-type-narrowed", leaf(restrict("xs:decimal")), leaf(restrict("xs:integer")), "base-type-narrowed", "FORWARD", [r("1"), r("1.5")]),
    Case("base-type-changed", leaf(restrict("xs:string")), leaf(restrict("xs:date")), "base-type-changed", "NONE", [r("x"), r("2024-01-01")],
         witness=False),
    Case("union-member-added", leaf('<xs:union memberTypes="xs:int"/>'), leaf('<xs:union memberTypes="xs:int xs:date"/>'), "union-member-added",
         "BACKWARD", [r("1"), r("2024-01-01")]),
    Case("list-item-narrowed", leaf('<xs:list itemType="xs:decimal"/>'), leaf('<xs:list itemType="xs:integer"/>'), "base-type-narrowed",
         "FORWARD", [r("1 2"), r("1.5")]),
    # element declarations
    Case("nillable-added", root(seq(A)), root(seq('<xs:element name="a" type="xs:string" nillable="true"/>')), "nillable-added", "BACKWARD",
         [r("<a/>"), r('<a xsi:nil="true" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>')]),
    Case("fixed-added", root(seq(A)), root(seq('<xs:element name="a" type="xs:string" fixed="x"/>')), "fixed-added", "FORWARD",
         [r("<a>x</a>"), r("<a>y</a>")]),
    Case("default-changed", root(seq('<xs:element name="a" type="xs:string" default="x"/>')),
         root(seq('<xs:element name="a" type="xs:string" default="y"/>')), "default-changed", "FULL", [r("<a/>"), r("<a>z</a>")], bump="minor"),
    Case("content-type-changed", root(seq(A)), leaf(restrict("xs:string")), "content-type-changed", "NONE", [r("<a/>"), r("text")]),
    Case("namespace-changed", root(seq(A)), xsd(f'<xs:element name="r"><xs:complexType>{seq(A)}</xs:complexType></xs:element>', ns="urn:t2"),
         "namespace-changed", "NONE", [r("<a/>"), r("<a/>", ns="urn:t2")]),
    Case("documentation-changed", root(seq('<xs:element name="a" type="xs:string"><xs:annotation><xs:documentation>A</xs:documentation></xs:annotation></xs:element>')),
         root(seq('<xs:element name="a" type="xs:string"><xs:annotation><xs:documentation>B</xs:documentation></xs:annotation></xs:element>')),
         "documentation-changed", "FULL", [r("<a/>")], bump="patch"),
    Case("ref-resolved", xsd(f'<xs:element name="r"><xs:complexType>{seq(chr(60) + "xs:element ref=" + chr(34) + "t:g" + chr(34) + "/>")}</xs:complexType></xs:element>'
                             '<xs:element name="g"><xs:simpleType>' + restrict("xs:string", f("maxLength", "5")) + "</xs:simpleType></xs:element>"),
         xsd(f'<xs:element name="r"><xs:complexType>{seq(chr(60) + "xs:element ref=" + chr(34) + "t:g" + chr(34) + "/>")}</xs:complexType></xs:element>'
             '<xs:element name="g"><xs:simpleType>' + restrict("xs:string", f("maxLength", "3")) + "</xs:simpleType></xs:element>"),
         "max-length-decreased", "FORWARD", [r("<g>abcd</g>"), r("<g>ab</g>")]),
    Case("named-type-extension", xsd('<xs:complexType name="Base"><xs:sequence><xs:element name="a" type="xs:string"/></xs:sequence></xs:complexType>'
                                     '<xs:element name="r" type="t:Base"/>'),
         xsd('<xs:complexType name="Base"><xs:sequence><xs:element name="a" type="xs:string"/></xs:sequence></xs:complexType>'
             '<xs:complexType name="Ext"><xs:complexContent><xs:extension base="t:Base"><xs:sequence>'
             '<xs:element name="b" type="xs:string" minOccurs="0"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>'
             '<xs:element name="r" type="t:Ext"/>'),
         "element-added-optional", "BACKWARD", [r("<a/>"), r("<a/><b/>")]),
]


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def diff(case: Case, tmp_path: Path) -> tuple[Compatibility, Path, Path]:
    old = write(tmp_path / "old", "schema.xsd", case.old)
    new = write(tmp_path / "new", "schema.xsd", case.new)
    return Compatibility("old", "new", diff_xsd_files(old, new)), old, new


def accepts(schema: Path, document: str) -> bool:
    return etree.XMLSchema(etree.parse(str(schema))).validate(etree.fromstring(document.encode()))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_kind_and_level(case: Case, tmp_path: Path) -> None:
    result, _, _ = diff(case, tmp_path)
    kinds = [c.kind for c in result.changes]
    assert case.kind in kinds, result.to_dict()
    assert result.level.value == case.level, result.to_dict()
    if case.bump:
        assert result.bump == case.bump


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_verdict_never_contradicted_by_documents(case: Case, tmp_path: Path) -> None:
    result, old, new = diff(case, tmp_path)
    old_ok = [d for d in case.docs if accepts(old, d)]
    new_ok = [d for d in case.docs if accepts(new, d)]
    assert old_ok and new_ok, "the case needs documents each schema accepts"
    backward_broken = [d for d in old_ok if not accepts(new, d)]
    forward_broken = [d for d in new_ok if not accepts(old, d)]
    if result.level.value in ("BACKWARD", "FULL"):
        assert not backward_broken, f"called backward compatible, but NEW rejects {backward_broken}"
    if result.level.value in ("FORWARD", "FULL"):
        assert not forward_broken, f"called forward compatible, but OLD rejects {forward_broken}"
    if case.witness:
        if result.level.value in ("FORWARD", "NONE"):
            assert backward_broken, "called backward-breaking, but no document shows it"
        if result.level.value in ("BACKWARD", "NONE"):
            assert forward_broken, "called forward-breaking, but no document shows it"


def test_there_are_at_least_twenty_five_cases() -> None:
    assert len(CASES) >= 25


def test_locations_are_qualified_element_paths(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.id == "element-added-optional")
    result, _, _ = diff(case, tmp_path)
    assert [c.location for c in result.changes] == ["/t:r/t:b"]


def test_includes_and_imports_are_resolved(tmp_path: Path) -> None:
    for side, length in (("old", "9"), ("new", "4")):
        write(tmp_path / side, "types.xsd", xsd('<xs:simpleType name="Code">' + restrict("xs:string", f("maxLength", length)) + "</xs:simpleType>"))
        write(tmp_path / side, "schema.xsd", xsd(f'<xs:element name="r"><xs:complexType>{seq(el("a", "t:Code"))}</xs:complexType></xs:element>',
                                                 extra='<xs:include schemaLocation="types.xsd"/>'))
    changes = diff_xsd_files(tmp_path / "old" / "schema.xsd", tmp_path / "new" / "schema.xsd")
    assert [(c.kind, c.location) for c in changes] == [("max-length-decreased", "/t:r/t:a")]


def test_the_version_marker_is_exempt_only_when_named(tmp_path: Path) -> None:
    def schema(v: str) -> str:
        return root(seq(), f'<xs:attribute name="version" use="required"><xs:simpleType>{restrict("xs:string", f("enumeration", v))}</xs:simpleType></xs:attribute>')

    old, new = write(tmp_path / "o", "s.xsd", schema("1.0")), write(tmp_path / "n", "s.xsd", schema("1.1"))
    assert [c.kind for c in diff_xsd_files(old, new)] == ["enumeration-changed"]
    marker = XmlMarker(("{urn:t}r", "@version"), "1.0", "1.1")
    (change,) = diff_xsd_files(old, new, marker=marker)
    assert change.kind == "version-marker" and change.backward and change.forward


def test_a_remote_import_is_refused(tmp_path: Path) -> None:
    from dxs.validator.errors import SchemaLoadError

    bad = write(tmp_path, "s.xsd", xsd('<xs:element name="r"/>', extra='<xs:import namespace="urn:x" schemaLocation="http://example.org/x.xsd"/>'))
    with pytest.raises(SchemaLoadError):
        diff_xsd_files(bad, bad)
