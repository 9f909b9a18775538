"""The bundled national catalog: its size and shape, and every check over every standard.

Every example document in standards/ is exercised here: valid ones must validate,
invalid ones must fail with exactly the issue their manifest names.
"""

import pytest

from dxs.standards import BUNDLED_CATALOG
from dxs.validator import load_catalog
from dxs.validator.catalog_checks import check_catalog

CATALOG = load_catalog([BUNDLED_CATALOG])
VERSIONS = list(CATALOG.versions())


@pytest.mark.parametrize("standard_id", [s.id for s in CATALOG])
def test_standard_passes_every_check(standard_id):
    findings = check_catalog(CATALOG, [standard_id])
    assert findings == [], "\n".join(map(str, findings))


def test_size_of_the_catalog():
    assert len(CATALOG) >= 12
    assert len(VERSIONS) >= 20
    both = [s for s in CATALOG if any(v.json_schema and v.xml_schema for v in s.versions)]
    assert len(both) >= 6  # the illustrative standards; ETDA publishes no JSON form of its documents
    real = [s for s in CATALOG if not s.illustrative]
    assert {s.source.kind for s in real} == {"announced", "registered", "international", "derived"}


def test_version_history_has_real_material():
    years = {CATALOG.announced_on(v).year for v in VERSIONS if CATALOG.announced_on(v)}
    assert years <= set(range(2017, 2026)) and len(years) >= 5
    multi = [s for s in CATALOG if len(s.versions) >= 2]
    assert len(multi) >= 6
    majors = minors = 0
    for s in CATALOG:
        for old, new in zip(s.versions, s.versions[1:]):
            majors += new.semver[0] > old.semver[0]
            minors += new.semver[0] == old.semver[0] and new.semver[1] > old.semver[1]
    assert majors >= 1 and minors >= 1


def test_every_example_is_exercised():
    # each example file belongs to a version whose kit the checks above ran
    examples = {p for v in VERSIONS for kind in ("valid", "invalid") for p in v.examples(kind)}
    on_disk = {p for p in BUNDLED_CATALOG.rglob("examples/**/*") if p.suffix in (".json", ".xml")}
    assert examples == on_disk and len(examples) >= 20 * 5


def test_the_fixture_catalog_passes_too(fixture_catalog):
    assert check_catalog(fixture_catalog) == []
