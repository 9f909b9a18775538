"""Catalog checks: does each version's conformance kit behave as it says?

Each check returns :class:`Finding` values (errors as values); the CLI turns
a non-empty list into exit 1. Valid examples must validate; every invalid
example must fail with exactly the issue its manifest names; both-form versions
must have every valid example in both forms.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .catalog import Catalog, StandardVersion
from .validate import DocumentValidator

__all__ = ["MIN_INVALID", "MIN_VALID", "Finding", "check_examples", "load_manifest"]

MIN_VALID, MIN_INVALID = 2, 3
MANIFEST = "expected.toml"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong with the catalog, named by the file it is in."""

    ref: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.ref}: {self.path}: {self.message}"


def load_manifest(version: StandardVersion) -> tuple[dict[str, dict], list[Finding]]:
    """The invalid-example manifest as ``{file name: {rule, location, why}}``."""
    path = version.folder / "examples" / "invalid" / MANIFEST
    if not path.is_file():
        return {}, [Finding(version.ref, str(path), "manifest of invalid examples is missing")]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, [Finding(version.ref, str(path), f"not valid TOML: {exc}")]
    findings = []
    manifest: dict[str, dict] = {}
    for name, entry in data.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("rule"), str) or not isinstance(entry.get("location"), str):
            findings.append(Finding(version.ref, str(path), f"entry {name!r} needs string fields 'rule' and 'location'"))
            continue
        manifest[name] = entry
    return manifest, findings


def _forms(version: StandardVersion) -> list[str]:
    return [s for s, p in ((".json", version.json_schema), (".xml", version.xml_schema)) if p]


def check_examples(catalog: Catalog, version: StandardVersion) -> list[Finding]:
    """Run a version's conformance kit; return what does not hold."""
    findings: list[Finding] = []
    validator = DocumentValidator(catalog, standard=version.ref)
    valid, invalid = version.examples("valid"), version.examples("invalid")
    forms = _forms(version)

    for suffix in forms:
        n_valid = sum(1 for p in valid if p.suffix == suffix)
        n_invalid = sum(1 for p in invalid if p.suffix == suffix)
        if n_valid < MIN_VALID or n_invalid < MIN_INVALID:
            findings.append(
                Finding(
                    version.ref,
                    str(version.folder / "examples"),
                    f"needs at least {MIN_VALID} valid and {MIN_INVALID} invalid {suffix} examples "
                    f"(has {n_valid} and {n_invalid})",
                )
            )
    for path in valid + invalid:
        if path.suffix not in forms:
            findings.append(Finding(version.ref, str(path), f"a {path.suffix} example, but the version has no such form"))
    if len(forms) == 2:
        stems = {suffix: {p.stem for p in valid if p.suffix == suffix} for suffix in forms}
        for stem in sorted(stems[".json"] ^ stems[".xml"]):
            have = ".json" if stem in stems[".json"] else ".xml"
            missing = ".xml" if have == ".json" else ".json"
            findings.append(
                Finding(version.ref, str(version.folder / "examples" / "valid" / f"{stem}{have}"), f"has no twin {stem}{missing}")
            )

    for path in valid:
        if path.suffix not in forms:
            continue
        report = validator.validate_path(path)
        if not report.valid:
            first = next(i for i in report.issues if i.severity == "error")
            findings.append(Finding(version.ref, str(path), f"valid example does not validate: {first}"))

    manifest, problems = load_manifest(version)
    findings.extend(problems)
    names = {p.name for p in invalid}
    for name in sorted(set(manifest) - names):
        findings.append(Finding(version.ref, str(version.folder / "examples" / "invalid" / MANIFEST), f"names {name!r}, which does not exist"))
    for path in invalid:
        if path.suffix not in forms:
            continue
        expected = manifest.get(path.name)
        if expected is None:
            if not problems:
                findings.append(Finding(version.ref, str(path), f"invalid example is not named in {MANIFEST}"))
            continue
        report = validator.validate_path(path)
        errors = [i for i in report.issues if i.severity == "error"]
        rule, location = expected["rule"], expected["location"]
        if report.valid:
            findings.append(Finding(version.ref, str(path), f"invalid example validates (expected {rule} at {location!r})"))
        elif not any(i.rule == rule and i.location == location for i in errors):
            got = "; ".join(f"{i.rule} at {i.location!r}" for i in errors)
            findings.append(Finding(version.ref, str(path), f"expected {rule} at {location!r}, got {got}"))
        elif stray := [i for i in errors if i.location != location]:
            got = "; ".join(f"{i.rule} at {i.location!r}" for i in stray)
            findings.append(Finding(version.ref, str(path), f"fails for more than the named issue: also {got}"))
    return findings


def example_paths(version: StandardVersion) -> list[Path]:
    """Every example file of a version (valid then invalid)."""
    return version.examples("valid") + version.examples("invalid")
