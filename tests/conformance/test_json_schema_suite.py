"""The official JSON Schema Test Suite through the project's own API (JsonSchema)."""

import json
from pathlib import Path

import pytest

from dxs.validator import JsonSchema, SchemaLoadError
from dxs.validator.json_engine import DRAFT7, DRAFT202012

pytestmark = pytest.mark.conformance

DIALECTS = {"draft7": DRAFT7, "draft2020-12": DRAFT202012}

# Known disagreements, each with its reason (the same six python-jsonschema has).
KNOWN = {
    ("draft2020-12", "pattern.json", "pattern with Unicode property escape requires unicode mode"):
        "\\p{…} Unicode property classes: Python's `re` has no \\p{…}",
    ("draft2020-12", "patternProperties.json", "patternProperties with Unicode property escape"):
        "\\p{…} Unicode property classes: Python's `re` has no \\p{…}",
    ("draft2020-12", "vocabulary.json", "schema that uses custom metaschema with with no validation vocabulary"):
        "$vocabulary: custom metaschemas that drop the validation vocabulary are not honoured",
}


def run_suite(corpora: Path, draft: str) -> tuple[int, list[tuple[str, str, str]]]:
    suite = corpora / "json-schema-test-suite"
    agreed, disagreed = 0, []
    for path in sorted((suite / "tests" / draft).glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            try:
                # the suite's required tests follow the spec default: `format` only annotates
                schema = JsonSchema(
                    case["schema"],
                    uri_map={"http://localhost:1234/": suite / "remotes"},
                    formats=False,
                    default_dialect=DIALECTS[draft],
                )
                verdicts = [schema.is_valid(t["data"]) for t in case["tests"]]
            except SchemaLoadError:
                verdicts = [None] * len(case["tests"])
            for test, verdict in zip(case["tests"], verdicts):
                if verdict == test["valid"]:
                    agreed += 1
                else:
                    disagreed.append((path.name, case["description"], test["description"]))
    return agreed, disagreed


def test_draft7_all_927_required_tests(corpora):
    agreed, disagreed = run_suite(corpora, "draft7")
    assert disagreed == [] and agreed == 927


def test_draft2020_12_at_least_1293_of_1299(corpora):
    # \p{…} classes pass through jsonschema-rs (which has them); the others are listed in KNOWN
    agreed, disagreed = run_suite(corpora, "draft2020-12")
    assert agreed + len(disagreed) == 1299
    unexplained = [d for d in disagreed if ("draft2020-12", d[0], d[1]) not in KNOWN]
    assert unexplained == []
    assert agreed >= 1298  # the issue asks for 1293; the fast path also passes the \p{…} cases


def test_thai_and_standard_formats_are_asserted_when_on(corpora):
    suite = corpora / "json-schema-test-suite" / "tests" / "draft2020-12" / "optional" / "format"
    date_cases = json.loads((suite / "date.json").read_text(encoding="utf-8"))
    wrong = 0
    for case in date_cases:
        schema = JsonSchema(case["schema"])
        wrong += sum(schema.is_valid(t["data"]) != t["valid"] for t in case["tests"])
    assert wrong == 0
