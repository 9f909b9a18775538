"""Properties of the pure parts, tried on generated inputs (hypothesis, derandomized in `make test`).

- every renderer turns any issue text into output of its own format, and never fails;
- a standard's documents convert JSON → XML → JSON back to themselves;
- a compatibility verdict and the verdict of the inverse change swap backward and forward;
- Thai ID check digits: exactly one last digit completes twelve, and nothing else passes.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.conftest import FIXTURE_CATALOG
from dxs.validator import DocumentValidator, Issue, Report, catalog_folders, load_catalog
from dxs.validator.formats import is_juristic_id, is_national_id, is_tax_id, thai_id_check_digit
from dxs.validator.render import RENDERERS

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- rendering

any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)  # lone surrogates and controls too
positions = st.none() | st.integers(min_value=-5, max_value=10**12)
issues = st.builds(
    Issue,
    message=any_text,
    rule=any_text,
    source=st.sampled_from(["parse", "schema", "rules"]),
    severity=st.sampled_from(["error", "warning", "info"]),
    location=any_text,
    line=positions,
    column=positions,
    message_th=any_text,
)
reports = st.builds(Report, path=any_text, standard=st.none() | any_text, issues=st.lists(issues, max_size=4).map(tuple))


@PROPERTY
@given(st.lists(reports, max_size=3), st.sampled_from(sorted(RENDERERS)), st.sampled_from(["en", "th"]), st.booleans(), any_text)
def test_rendering_never_fails_on_any_issue_text(batch, name, lang, colour, source_line):
    out = RENDERERS[name](lang=lang, colour=colour, source=lambda _path, _line: source_line).render(batch)
    out.encode("utf-8")  # printable: no lone surrogate reaches stdout
    if name in ("json", "sarif"):
        json.loads(out)
    if name == "junit":
        suite = etree.fromstring(out.encode("utf-8")).find("testsuite")
        assert suite is not None and len(suite) == len(batch)


# --------------------------------------------------------------------------- conversion

CATALOG = load_catalog([*catalog_folders(), FIXTURE_CATALOG])
EXAMPLES = [
    (v, p)
    for v in CATALOG.versions()
    if v.json_schema and v.xml_schema
    for p in v.examples("valid")
    if p.suffix == ".json"
]
_CONVERTERS: dict[str, Any] = {}
_VALIDATORS: dict[str, DocumentValidator] = {}
#: Text a standard's free-text fields may hold: Thai, Latin, digits, XML's special characters, inner spaces.
FREE_TEXT = st.text(st.sampled_from("กขคงจฉชซญดตถทนบปผพฟภมยรลวศษสหอฮะาิีึืุูเแโใไ่้๊๋ abcXYZ019&<>\"'/-.,()"), min_size=1, max_size=30).map(str.strip).filter(bool)


def _converter(version):
    from dxs.validator.convert import Converter

    if version.ref not in _CONVERTERS:
        _CONVERTERS[version.ref] = Converter(CATALOG, version)
        _VALIDATORS[version.ref] = DocumentValidator(CATALOG, standard=version.ref)
    return _CONVERTERS[version.ref]


def _free_leaves(schemas, node, value, path=()) -> list[tuple[tuple[Any, ...], str]]:
    """Paths to the leaves whose schema only asks for some text or some number: safe to vary."""
    found: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(value, dict):
        props = schemas.properties(node)
        for key, item in value.items():
            if key in props:
                found += _free_leaves(schemas, props[key], item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _free_leaves(schemas, schemas.items(node), item, (*path, i))
    else:
        resolved = schemas.resolve(node).schema
        if not isinstance(resolved, dict) or any(k in resolved for k in ("pattern", "format", "enum", "const", "maxLength", "allOf", "anyOf", "oneOf")):
            return found
        kind = schemas.kind(node)
        if kind == "string" and isinstance(value, str):
            found.append((path, "text"))
        elif kind in ("integer", "number") and not isinstance(value, bool) and "multipleOf" not in resolved:
            found.append((path, kind))
    return found


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


@st.composite
def varied_documents(draw):
    """A valid example of a standard with both forms, its free values replaced by generated ones."""
    version, path = draw(st.sampled_from(EXAMPLES))
    converter = _converter(version)
    document = json.loads(path.read_bytes())
    varied = copy.deepcopy(document)
    for leaf, kind in _free_leaves(converter.json_schemas, converter.json_schemas.root, document):
        if not draw(st.booleans()):
            continue
        if kind == "text":
            _set(varied, leaf, draw(FREE_TEXT))
        elif kind == "integer":
            _set(varied, leaf, draw(st.integers(min_value=0, max_value=10**9)))
        else:
            _set(varied, leaf, draw(st.decimals(min_value=0, max_value=10**9, places=2).map(float)))
    return version, varied


@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(varied_documents())
def test_json_to_xml_to_json_gives_the_document_back(case):
    version, document = case
    assume(_VALIDATORS[version.ref].validate_bytes(json.dumps(document, ensure_ascii=False).encode(), "d.json").valid)
    converter = _converter(version)
    xml = etree.tostring(converter.to_xml(document), encoding="UTF-8")
    assert converter.to_json(etree.fromstring(xml)) == document


@PROPERTY
@given(st.text(st.characters(codec=None), max_size=20))
def test_text_with_no_xml_form_is_refused_clearly(text):
    from dxs.validator.convert import ConversionError

    version = CATALOG.resolve("th.test.permit@1.1.0")
    document = json.loads((version.folder / "examples" / "valid" / "malee.json").read_bytes())
    document["holder"]["name"] = text
    converter = _converter(version)
    try:
        xml = etree.tostring(converter.to_xml(document), encoding="UTF-8")
    except ConversionError as exc:
        assert "XML" in str(exc)
        return
    assert converter.to_json(etree.fromstring(xml))["holder"]["name"] == text


# --------------------------------------------------------------------------- compatibility

BASE_PROPERTIES = {
    "id": {"type": "string", "maxLength": 20},
    "amount": {"type": "number", "minimum": 0, "maximum": 1000},
    "status": {"type": "string", "enum": ["open", "closed"]},
    "note": {"type": "string"},
    "count": {"type": "integer"},
}
MUTATIONS = (
    "add-optional", "add-required", "remove-property", "require", "unrequire", "max-length", "minimum", "maximum",
    "enum-add", "enum-remove", "type", "pattern", "closed", "open",
)


def _mutate(schema: dict[str, Any], mutation: str, name: str, amount: int) -> None:
    props = schema["properties"]
    target = props.get(name)
    if mutation == "add-optional":
        props[f"extra{amount}"] = {"type": "string"}
    elif mutation == "add-required":
        props[f"needed{amount}"] = {"type": "string"}
        schema["required"] = sorted({*schema.get("required", []), f"needed{amount}"})
    elif mutation == "remove-property" and name in props:
        del props[name]
        schema["required"] = [r for r in schema.get("required", []) if r != name]
    elif mutation == "require" and name in props:
        schema["required"] = sorted({*schema.get("required", []), name})
    elif mutation == "unrequire":
        schema["required"] = [r for r in schema.get("required", []) if r != name]
    elif mutation == "max-length" and target and target.get("type") == "string":
        target["maxLength"] = amount
    elif mutation == "minimum" and target and target.get("type") in ("number", "integer"):
        target["minimum"] = amount
    elif mutation == "maximum" and target and target.get("type") in ("number", "integer"):
        target["maximum"] = amount * 10
    elif mutation == "enum-add" and target and "enum" in target:
        target["enum"] = sorted({*target["enum"], f"v{amount}"})
    elif mutation == "enum-remove" and target and len(target.get("enum", [])) > 1:
        target["enum"] = target["enum"][1:]
    elif mutation == "type" and target:
        props[name] = {"type": "boolean"}
    elif mutation == "pattern" and target and target.get("type") == "string" and "enum" not in target:
        target["pattern"] = "^[A-Z0-9]+$"
    elif mutation == "closed":
        schema["additionalProperties"] = False
    elif mutation == "open":
        schema.pop("additionalProperties", None)
    if "required" in schema and not schema["required"]:
        del schema["required"]


schema_changes = st.lists(
    st.tuples(st.sampled_from(MUTATIONS), st.sampled_from(sorted(BASE_PROPERTIES)), st.integers(min_value=1, max_value=50)),
    min_size=1,
    max_size=3,
)


@PROPERTY
@given(schema_changes, schema_changes)
def test_a_change_and_its_inverse_swap_backward_and_forward(first, second):
    from dxs.validator.compat.changes import Compatibility
    from dxs.validator.compat.json_schema import diff_json_schemas

    old = {"type": "object", "properties": copy.deepcopy(BASE_PROPERTIES), "required": ["id"]}
    for mutation in first:
        _mutate(old, *mutation)
    new = copy.deepcopy(old)
    for mutation in second:
        _mutate(new, *mutation)
    forward_diff = Compatibility("old", "new", diff_json_schemas(old, new))
    inverse_diff = Compatibility("new", "old", diff_json_schemas(new, old))
    swapped = {"FULL": "FULL", "NONE": "NONE", "BACKWARD": "FORWARD", "FORWARD": "BACKWARD"}
    assert swapped[forward_diff.level.value] == inverse_diff.level.value, (old, new, forward_diff.changes, inverse_diff.changes)
    assert (old == new) == (forward_diff.changes == [] and inverse_diff.changes == [])


# --------------------------------------------------------------------------- Thai ID check digits

twelve_digits = st.text(st.sampled_from("0123456789"), min_size=12, max_size=12)


@PROPERTY
@given(twelve_digits)
def test_exactly_one_last_digit_completes_a_thai_id(first_twelve):
    check = thai_id_check_digit(first_twelve)
    assert 0 <= check <= 9
    completions = [d for d in "0123456789" if is_tax_id(first_twelve + d)]
    assert completions == [str(check)]
    full = first_twelve + str(check)
    assert is_national_id(full) == (first_twelve[0] not in "09")
    assert is_juristic_id(full) == (first_twelve[0] == "0")
    # the reference formula: digit i (1-based) weighted 14 - i, check = (11 - sum mod 11) mod 10
    assert check == (11 - sum(int(d) * (13 - i) for i, d in enumerate(first_twelve)) % 11) % 10


@PROPERTY
@given(st.text(st.characters(codec=None), max_size=16))
def test_anything_but_thirteen_ascii_digits_is_no_thai_id(text):
    checks = (is_tax_id, is_national_id, is_juristic_id)
    results = [check(text) for check in checks]  # never raises
    if not (len(text) == 13 and text.isascii() and text.isdigit()):
        assert results == [False, False, False]


@pytest.mark.parametrize("known", ["1101700123456", "3101500987658", "8400100567896"])
def test_published_example_ids_pass(known):
    assert is_national_id(known)


# --------------------------------------------------------------------------- the registry's input rules

from dxs.registry.input_rules import bad_character, json_problem, json_too_deep  # noqa: E402
from dxs.registry.times import TimeOutOfRange, to_utc  # noqa: E402
from tests.stress.fuzz import hostile_strategies  # noqa: E402

HOSTILE = hostile_strategies()


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


def _has_bad_text(value: Any) -> bool:
    if isinstance(value, str):
        return bad_character(value) is not None
    if isinstance(value, list):
        return any(map(_has_bad_text, value))
    if isinstance(value, dict):
        return any(bad_character(k) is not None or _has_bad_text(v) for k, v in value.items())
    return False


def _nest(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


@PROPERTY
@given(HOSTILE["json"], st.integers(0, 40), st.integers(1, 30), st.booleans())
def test_the_depth_scan_agrees_with_the_parsed_document(value, extra, limit, ascii_only):
    """Brackets, quotes and escapes inside strings never fool the scan: it says "too deep" exactly when the document is."""
    document = _nest(value, extra)
    body = json.dumps(document, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    if not ascii_only:
        assume(not any(0xD800 <= ord(c) <= 0xDFFF for c in body.decode("utf-8", "surrogatepass")))
    assert json_too_deep(body, limit) == (_depth(document) > limit)


@PROPERTY
@given(HOSTILE["json"])
def test_a_body_is_refused_for_its_text_exactly_when_a_string_or_key_cannot_be_stored(value):
    body = json.dumps(value).encode()  # ensure_ascii: NUL and lone surrogates as escapes, as a client sends them
    problem = json_problem(body)
    assert (problem is not None) == _has_bad_text(value)
    if problem is not None:
        assert problem.status_code == 422 and problem.code == "invalid_text"
        json.dumps(problem.body(), ensure_ascii=False).encode("utf-8")  # the answer itself can be sent


@PROPERTY
@given(st.datetimes(timezones=st.integers(-1439, 1439).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))))
def test_any_time_with_any_offset_is_moved_to_utc_or_refused_as_out_of_range(moment):
    try:
        utc = to_utc(moment)
    except TimeOutOfRange as exc:
        assert isinstance(exc, ValueError) and "out of range" in str(exc)
        return
    assert utc.utcoffset() == dt.timedelta(0) and utc == moment
