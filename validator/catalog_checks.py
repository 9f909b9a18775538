"""Catalog checks: is every standard complete, and does each kit behave as it says?

Each check returns :class:`Finding` values (errors as values); the CLI turns
a non-empty list into exit 1. Checked: metadata completeness and lifecycle
consistency; every schema compiles (JSON Schemas against their metaschema);
valid examples validate and every invalid example fails with exactly the issue
its manifest names; JSON and XML twins carry the same values; files of announced
versions still have the hashes recorded when they were locked; each version's
number is at least the bump its changes against the previous announced version need.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import ANNOUNCED_STATUSES, Catalog, Standard, StandardVersion
from .errors import DxsError
from .validate import DocumentValidator

__all__ = [
    "MIN_INVALID",
    "MIN_VALID",
    "Finding",
    "check_catalog",
    "check_compatibility",
    "check_examples",
    "check_hashes",
    "check_metadata",
    "check_schemas",
    "check_twins",
    "load_manifest",
]

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
    path = version.examples_root / "invalid" / MANIFEST
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
                    str(version.examples_root),
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
                Finding(version.ref, str(version.examples_root / "valid" / f"{stem}{have}"), f"has no twin {stem}{missing}")
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
        findings.append(Finding(version.ref, str(version.examples_root / "invalid" / MANIFEST), f"names {name!r}, which does not exist"))
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


# --------------------------------------------------------------------------- metadata

_RECOMMENDED_STANDARD_FIELDS = ("description_th", "description_en", "owner_name_th", "owner_name_en")
_PLACEHOLDERS = ("(to be written)", "(to be assigned)", "")


def check_metadata(standard: Standard) -> list[Finding]:
    """Fields the loader accepts but a published standard still needs, and lifecycle consistency."""
    findings: list[Finding] = []
    toml = str(standard.folder / "standard.toml")
    named = standard.package or standard.id  # a package's standard.toml is its document types' one file
    for name in ("legal_basis", "contact", "licence", *_RECOMMENDED_STANDARD_FIELDS):
        if getattr(standard, name).strip() in _PLACEHOLDERS:
            findings.append(Finding(named, toml, f"field '{name}' is empty or a placeholder"))
    if not standard.illustrative and standard.source is None:
        findings.append(Finding(named, toml, "says neither where it comes from ([source]) nor that it is made up "
                                "(illustrative = true)"))
    if standard.source is not None and standard.source.kind == "announced":
        for v in standard.versions:
            if v.is_announced and not v.announcement:
                findings.append(Finding(v.folder_ref, str(v.folder / "version.toml"), "is announced, but does not name its "
                                        "announcement (the register entry it was announced by)"))
    for v in standard.versions:
        path = str(v.folder / "version.toml")

        # the version's own fields are the folder's (a package's types share them); detection is each type's
        def bad(message: str, *, path: str = path, ref: str = v.folder_ref) -> None:
            findings.append(Finding(ref, path, message))

        if not v.notes.strip():
            bad("field 'notes' is empty: say what the version is and what changed")
        # a real version (announced, or a publisher's) has the dates its source gives, if any
        if not v.history and not (v.announcement or v.upstream):
            bad("field 'history' is empty: every version has at least its draft entry")
        dates = [h.date for h in v.history]
        if dates != sorted(dates):
            bad("field 'history' is not in date order")
        if v.history and v.history[-1].status != v.status:
            bad(f"field 'status' is {v.status!r} but the last history entry is {v.history[-1].status!r}")
        if v.is_announced and v.announcement is None and v.upstream is None:
            entry = next((h for h in v.history if h.status == "announced"), None)
            if entry is None:
                bad("field 'history' has no 'announced' entry")
            elif entry.date != v.announced:
                bad(f"field 'announced' ({v.announced}) differs from the history's announced date ({entry.date})")
            if v.effective is None:
                bad("field 'effective' is missing for an announced version")
            elif v.announced and v.effective < v.announced:
                bad(f"field 'effective' ({v.effective}) is before 'announced' ({v.announced})")
        if v.sunset and v.effective and v.sunset < v.effective:
            bad(f"field 'sunset' ({v.sunset}) is before 'effective' ({v.effective})")
        if v.xml_schema and v.xml is None:
            bad("has schema.xsd but no [detection.xml]", ref=v.ref)
        if v.json_schema and v.json is None:
            bad("has schema.json but no [detection.json]", ref=v.ref)
    defaults = [v for v in standard.versions if v.default]
    if len(defaults) > 1:
        findings.append(
            Finding(standard.id, toml, "more than one version is the detection default: " + ", ".join(v.version for v in defaults))
        )
    return findings


# --------------------------------------------------------------------------- schemas


def check_schemas(catalog: Catalog, version: StandardVersion) -> list[Finding]:
    """Every schema of the version compiles (JSON Schemas are meta-validated on the way)."""
    try:
        DocumentValidator(catalog, standard=version.ref).compile_all()
    except DxsError as exc:
        return [Finding(version.ref, getattr(exc, "path", str(version.folder)), str(exc))]
    return []


# --------------------------------------------------------------------------- hashes


def check_hashes(version: StandardVersion) -> list[Finding]:
    """An announced version's files must be exactly those locked, byte for byte."""
    if version.status not in ANNOUNCED_STATUSES:
        return []
    from .publish import file_hashes

    toml = str(version.folder / "version.toml")
    ref = version.folder_ref  # a package's document types share one version folder: reported once, as the package's
    if not version.hashes:
        return [Finding(ref, toml, "announced but not locked: run `dxs standards lock` to record its file hashes")]
    findings = []
    actual = file_hashes(version)
    for name, digest in sorted(version.hashes.items()):
        if name not in actual:
            findings.append(Finding(ref, str(version.folder / name), "locked file was removed"))
        elif actual[name] != digest:
            findings.append(Finding(ref, str(version.folder / name), "file of an announced version was changed since it was locked"))
    for name in sorted(set(actual) - set(version.hashes)):
        findings.append(Finding(ref, str(version.folder / name), "file was added to an announced version after it was locked"))
    return findings


# --------------------------------------------------------------------------- twins


def _normal(value: Any) -> str:
    """One spelling per value across JSON and XML (numbers by value, booleans lower-case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return text
    return format(number.normalize(), "f") if number.is_finite() else text


def _json_values(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for item in node.values():
            yield from _json_values(item)
    elif isinstance(node, list):
        for item in node:
            yield from _json_values(item)
    elif node is not None:
        yield _normal(node)


def _xml_values(tree: Any, skip: set[Any]) -> Iterator[str]:
    for element in tree.iter():
        if not isinstance(element.tag, str) or element in skip:
            continue
        yield from (_normal(v) for v in element.attrib.values())
        if len(element) == 0 and element.text and element.text.strip():
            yield _normal(element.text)


def check_twins(version: StandardVersion) -> list[Finding]:
    """Each valid ``name.json`` and ``name.xml`` carry the same values (the version markers aside)."""
    if not (version.json_schema and version.xml_schema and version.json and version.xml):
        return []
    from .detect import resolve_pointer
    from .xml_engine import parse_xml

    findings = []
    for json_path in (p for p in version.examples("valid") if p.suffix == ".json"):
        xml_path = json_path.with_suffix(".xml")
        if not xml_path.is_file():
            continue  # reported by check_examples
        try:
            document = json.loads(json_path.read_bytes())
        except ValueError:
            continue  # reported by check_examples
        tree, problem = parse_xml(xml_path.read_bytes())
        if tree is None:
            continue
        markers = [_normal(resolve_pointer(document, p)) for p in (version.json.root_pointer, version.json.version_pointer) if p]
        skip: set[Any] = set()  # the marker element (with its attributes), or
        xml_markers: list[str] = []  # the marker's value when it is an attribute
        if version.xml.version_path:
            found = tree.getroot().xpath(version.xml.version_path, namespaces=dict(version.xml.namespaces))
            for node in found if isinstance(found, list) else [found]:
                if hasattr(node, "tag"):
                    skip.add(node)
                else:
                    xml_markers.append(_normal(node))
        # multisets, so a data value that happens to equal a marker still counts
        in_json = set(+(Counter(_json_values(document)) - Counter(markers)))
        in_xml = set(+(Counter(_xml_values(tree, skip)) - Counter(xml_markers)))
        only_json, only_xml = sorted(in_json - in_xml), sorted(in_xml - in_json)
        if only_json or only_xml:
            detail = []
            if only_json:
                detail.append("only in JSON: " + ", ".join(repr(v) for v in only_json[:5]))
            if only_xml:
                detail.append("only in XML: " + ", ".join(repr(v) for v in only_xml[:5]))
            findings.append(Finding(version.ref, str(json_path.with_suffix("")), "twins disagree: " + "; ".join(detail)))
    return findings


# --------------------------------------------------------------------------- trust lists


def check_trust(standard: Standard, today: dt.date | None = None) -> list[Finding]:
    """Each ``[[trust]]`` list holds readable certificates, each a CA's, none expired.

    An end-entity certificate as an anchor would trust one signer and nobody it vouches for; an
    expired one trusts nobody signing today. A real standard's list must not be marked
    illustrative, and an illustrative standard's list must be (a made-up CA is never official).
    """
    if not standard.trust:
        return []
    from cryptography import x509

    from .signatures import load_trust

    findings: list[Finding] = []
    named = standard.package or standard.id
    now = dt.datetime.combine(today or dt.date.today(), dt.time(), dt.timezone.utc)
    for listed in standard.trust:
        where = str(listed.path)
        if standard.illustrative and not listed.illustrative:
            findings.append(Finding(named, where, "an illustrative standard's trust list must say illustrative = true"))
        try:
            certs = load_trust([listed.path], what="trust list")
        except DxsError as exc:
            findings.append(Finding(named, where, str(exc)))
            continue
        for cert in certs:
            who = cert.subject.rfc4514_string()
            try:
                is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
            except x509.ExtensionNotFound:
                is_ca = False
            if not is_ca:
                findings.append(Finding(named, where, f"{who} is not a CA certificate (no BasicConstraints cA): it cannot anchor a chain"))
            if cert.not_valid_after_utc < now:
                findings.append(Finding(named, where, f"{who} expired on {cert.not_valid_after_utc.date().isoformat()}"))
    return findings


# --------------------------------------------------------------------------- all


def check_catalog(catalog: Catalog, standard_ids: list[str] | None = None) -> list[Finding]:
    """Every check over the catalog, or over the named standards."""
    findings: list[Finding] = []
    standards = [catalog.standard(i) for i in standard_ids] if standard_ids else list(catalog)
    hashed: set[Path] = set()  # a package's version folder is checked once, not once per document type
    seen: set[Finding] = set()  # what a package's document types share is found once per type: said once
    for standard in standards:
        for finding in [*check_metadata(standard), *check_trust(standard)]:
            if finding not in seen:
                seen.add(finding)
                findings.append(finding)
        for version in standard.versions:
            schema_findings = check_schemas(catalog, version)
            findings.extend(schema_findings)
            if version.folder not in hashed:
                hashed.add(version.folder)
                findings.extend(check_hashes(version))
            if not schema_findings:
                findings.extend(check_examples(catalog, version))
                findings.extend(check_twins(version))
        findings.extend(check_compatibility(catalog, standard))
    return findings


# --------------------------------------------------------------------------- compatibility


def check_compatibility(catalog: Catalog, standard: Standard) -> list[Finding]:
    """Each version's number is at least the bump its changes require.

    Every version is compared with the announced version before it (see
    :mod:`validator.compat`): a backward-breaking change needs a major version, any
    other change that is not documentation only a minor one. A smaller bump fails,
    naming the changes that need more.
    """
    from .compat.changes import BUMPS
    from .compat.versions import bump_between, diff_versions, previous_announced

    findings: list[Finding] = []
    for version in standard.versions:
        previous = previous_announced(version, standard.versions)
        if previous is None or version.upstream is not None:
            # a copied publication keeps its publisher's numbering (ETDA's 2.1 breaks 2.0 in places);
            # `dxs standards diff` still shows what changed and what bump the rules would ask for
            continue
        try:
            result = diff_versions(catalog, previous, version, evidence=False)
        except DxsError as exc:
            findings.append(Finding(version.ref, str(version.folder), f"cannot compare with {previous.version}: {exc}"))
            continue
        made, needed = bump_between(previous.version, version.version), result.bump
        if BUMPS.index(made) >= BUMPS.index(needed):
            continue
        culprits = [c for c in result.changes if (not c.backward if needed == "major" else not c.documentation)]
        shown = "; ".join(f"{c.kind} at {c.location}" for c in culprits[:5]) + (f"; and {len(culprits) - 5} more" if len(culprits) > 5 else "")
        findings.append(
            Finding(
                version.ref,
                str(version.folder / "version.toml"),
                f"is a {made} bump from {previous.version}, but its changes need a {needed} version: {shown}",
            )
        )
    return findings
