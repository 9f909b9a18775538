"""Every example document of the bundled catalog behaves as its kit says."""

import pytest

from standards import BUNDLED_CATALOG
from validator import load_catalog
from validator.checks import check_examples

CATALOG = load_catalog([BUNDLED_CATALOG])
VERSIONS = list(CATALOG.versions())


def test_the_catalog_is_not_empty():
    assert len(CATALOG) >= 2 and len(VERSIONS) >= 2


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.ref)
def test_conformance_kit(version):
    findings = check_examples(CATALOG, version)
    assert findings == [], "\n".join(map(str, findings))


def test_a_both_form_standard_exists():
    assert any(v.json_schema and v.xml_schema for v in VERSIONS)


def test_the_fixture_kits_pass_too(fixture_catalog):
    for version in fixture_catalog.versions():
        assert check_examples(fixture_catalog, version) == []
