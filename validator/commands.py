"""What ``dxs standards …`` and ``dxs convert`` do, as plain functions.

Each takes parsed arguments (and the catalog the command line loaded) and returns a
result object; the command line renders it and picks the exit code. Nothing here
prints. Problems the command cannot go on with are :class:`~validator.DxsError`
(``exit_code`` 2); what a command finds (failed checks, an invalid conversion) is in
the result. ``dxs standards list`` and ``show`` are in :mod:`validator.listing`,
``dxs validate`` in :mod:`validator.runs`.

The modules each command needs are imported when it runs.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DxsError, StandardNotFound

if TYPE_CHECKING:
    from .catalog import Catalog, StandardVersion
    from .catalog_checks import Finding
    from .compat.changes import Compatibility
    from .importer import ImportResult
    from .lifecycle import Drafted, StatusChange
    from .report import Report

__all__ = [
    "CatalogCheck",
    "Comparison",
    "Conversion",
    "LockedVersion",
    "Scaffolded",
    "announce",
    "check_standards",
    "compare",
    "convert_input",
    "deprecate",
    "export_catalog",
    "import_folder",
    "lock_versions",
    "retire",
    "scaffold",
]

# --------------------------------------------------------------------------- naming versions


def _versions_named(catalog: Catalog, ref: str) -> list[StandardVersion]:
    """``ID@VERSION`` → that version; a package's ``ID@VERSION`` → each of its document types' (one folder).

    :raises DxsError: no ``@VERSION``, or no such standard or version.
    """
    standard_id, at, version = (part.strip() for part in ref.partition("@"))
    if not at or not version:
        raise DxsError(f"{ref!r}: name the version, as ID@VERSION")
    if standard_id not in catalog and (members := catalog.package(standard_id)):
        return [m.version(version) for m in members]
    return [catalog.resolve(ref)]


def _version_named(catalog: Catalog, ref: str) -> StandardVersion:
    """``ID@VERSION`` → the version (a package's: its first document type's, whose folder they all share)."""
    return _versions_named(catalog, ref)[0]


# --------------------------------------------------------------------------- standards check


@dataclass(frozen=True)
class CatalogCheck:
    """What ``dxs standards check`` found in the standards it checked."""

    findings: list[Finding]
    standards: int
    versions: int

    @property
    def ok(self) -> bool:
        return not self.findings


def check_standards(catalog: Catalog, refs: Sequence[str] = ()) -> CatalogCheck:
    """Check the standards (``ID``) and versions (``ID@VERSION``) named (default: every standard):
    metadata, schemas, conformance kits, twins, hashes, version bumps.

    A version is checked with what its standard says of all its versions (two detection
    defaults, a placeholder field of ``standard.toml``).

    :raises DxsError: a standard or version is not in the catalog.
    """
    from .catalog_checks import check_catalog

    standard_ids = [r for r in refs if "@" not in r]
    named = [v for r in refs if "@" in r for v in _versions_named(catalog, r)]
    everything = not refs
    standards = list(catalog) if everything else [catalog.standard(i) for i in standard_ids]
    findings = check_catalog(catalog, standard_ids or None) if everything or standard_ids else []
    covered = {s.id for s in standards}
    versions = list({v.ref: v for v in named if v.standard_id not in covered}.values())  # else checked with their standard
    for version in versions:
        findings.extend(f for f in _check_version(catalog, version) if f not in findings)
    return CatalogCheck(findings, len(covered | {v.standard_id for v in versions}),
                        sum(len(s.versions) for s in standards) + len(versions))


def _check_version(catalog: Catalog, version: StandardVersion) -> list[Finding]:
    """:func:`~validator.catalog_checks.check_catalog` for one version."""
    from dataclasses import replace

    from .catalog_checks import check_compatibility, check_examples, check_hashes, check_metadata, check_schemas, check_twins
    from .compat.versions import previous_announced

    standard = catalog.standard(version.standard_id)
    own = {version.ref, version.folder_ref, standard.id, standard.package}
    findings = [f for f in check_metadata(standard) if f.ref in own]
    schemas = check_schemas(catalog, version)
    findings += schemas + check_hashes(version)
    if not schemas:
        findings += check_examples(catalog, version) + check_twins(version)
    previous = previous_announced(version, standard.versions)
    pair = replace(standard, versions=tuple(v for v in (previous, version) if v is not None))
    return findings + [f for f in check_compatibility(catalog, pair) if f.ref == version.ref]


# --------------------------------------------------------------------------- standards new, lock and the lifecycle


@dataclass(frozen=True)
class Scaffolded:
    """A folder ``dxs standards new`` created: a new standard, or a new draft version of one."""

    folder: Path
    standard_id: str
    new_standard: bool
    #: a new version: what was copied and where the marker moved (:class:`~validator.lifecycle.Drafted`)
    drafted: Drafted | None = None


def scaffold(
    catalog: Catalog,
    standard_id: str,
    *,
    bump: str = "minor",
    version: str | None = None,
    into: str | Path | None = None,
    title_th: str | None = None,
    title_en: str | None = None,
    owner: str | None = None,
    sector: str | None = None,
) -> Scaffolded:
    """A new draft version of ``standard_id`` (copying its latest), or a new standard in catalog folder ``into``.

    ``standard_id`` may be ``ID@VERSION``: the exact new version (as ``version``).

    :raises DxsError: the version exists or is not above the latest, or a new standard lacks its folder or a required field.
    """
    from .lifecycle import new_version
    from .publish import new_standard

    standard_id, at, named = standard_id.partition("@")
    if at:
        if version and version != named:
            raise DxsError(f"{standard_id}@{named} and --version {version} name different versions: give one")
        version = named
    existing = catalog.standard(standard_id) if standard_id in catalog else next(iter(catalog.package(standard_id)), None)
    if existing is not None:
        drafted = new_version(catalog, existing, bump=bump, version=version)
        return Scaffolded(drafted.folder, standard_id, False, drafted)
    if version and version != "0.1.0":
        raise DxsError(f"{standard_id}@{version}: no standard {standard_id!r} in the catalog, and a new one starts as a 0.1.0 draft")
    if not into:
        raise DxsError("a new standard needs a catalog folder: --into DIR (or --catalog DIR)")
    missing = [n for n, v in (("--title-th", title_th), ("--title-en", title_en), ("--owner", owner), ("--sector", sector)) if not v]
    if missing:
        raise DxsError(f"a new standard needs {', '.join(missing)}")
    folder = new_standard(Path(into), standard_id, title_th=title_th, title_en=title_en, owner=owner, sector=sector)
    return Scaffolded(folder, standard_id, True)


@dataclass(frozen=True)
class LockedVersion:
    """One version folder ``dxs standards lock`` locked, and how many files it hashed."""

    folder_ref: str
    files: int


def lock_versions(
    catalog: Catalog,
    refs: Sequence[str],
    *,
    announce: dt.date | None = None,
    announcement: str | None = None,
    all_announced: bool = False,
) -> Iterator[LockedVersion]:
    """Lock each version named (and with ``all_announced`` every announced one without hashes), one by one.

    With ``announce``, each is announced on that day first (:func:`~validator.lifecycle.announce_version`,
    with its checks). Yields each version as it is locked, so that what was locked before
    a failure is known. A package's document types share one version folder: it is locked once.

    :raises DxsError: the arguments name no version or a version that cannot be locked (or announced).
    """
    from .lifecycle import announce_version
    from .publish import lock_version

    if all_announced and (announce or announcement is not None):
        raise DxsError("--announce and --announcement name one version's announcement: give its ID@VERSION, not --all-announced")
    versions = [_version_named(catalog, r) for r in refs]
    if all_announced:
        versions += [v for v in catalog.versions() if v.is_announced and not v.hashes]
    if not versions:
        raise DxsError("name the versions to lock (ID@VERSION), or use --all-announced")
    for v in {v.folder: v for v in versions}.values():
        if announce is not None:
            yield LockedVersion(v.folder_ref, announce_version(catalog, v, on=announce, announcement=announcement).locked or 0)
        else:
            yield LockedVersion(v.folder_ref, len(lock_version(v, announcement=announcement)))


def announce(
    catalog: Catalog,
    ref: str,
    *,
    on: dt.date,
    effective: dt.date | None = None,
    announcement: str | None = None,
    notes: str | None = None,
) -> StatusChange:
    """Announce version ``ref`` (``ID@VERSION``) on ``on`` and lock it (:func:`~validator.lifecycle.announce_version`).

    :raises DxsError: no such version, or it cannot be announced so (the message says why).
    """
    from .lifecycle import announce_version

    return announce_version(catalog, _version_named(catalog, ref), on=on, effective=effective, announcement=announcement, notes=notes)


def deprecate(catalog: Catalog, ref: str, *, on: dt.date, sunset: dt.date | None = None) -> StatusChange:
    """Deprecate announced version ``ref`` (``ID@VERSION``) on ``on`` (:func:`~validator.lifecycle.deprecate_version`).

    :raises DxsError: no such version, or it cannot be deprecated so (the message says why).
    """
    from .lifecycle import deprecate_version

    return deprecate_version(catalog, _version_named(catalog, ref), on=on, sunset=sunset)


def retire(catalog: Catalog, ref: str, *, on: dt.date) -> StatusChange:
    """Retire version ``ref`` (``ID@VERSION``) on ``on`` (:func:`~validator.lifecycle.retire_version`).

    :raises DxsError: no such version, or it cannot be retired so (the message says why).
    """
    from .lifecycle import retire_version

    return retire_version(catalog, _version_named(catalog, ref), on=on)


# --------------------------------------------------------------------------- standards import, export


def import_folder(
    package: str | Path,
    *,
    out: str | Path,
    prefix: str,
    owner: str,
    sector: str,
    manifest: str | Path | None = None,
    version: str | None = None,
    announcement: str | None = None,
    upstream_repository: str | None = None,
    upstream_commit: str | None = None,
    upstream_path: str = "",
    upstream_version: str | None = None,
) -> ImportResult:
    """Import the published validation package in folder ``package`` into catalog folder ``out``.

    ``manifest`` defaults to the first of :data:`~validator.importer.MANIFEST_NAMES` in
    the folder. ``upstream_repository`` and ``upstream_commit`` (given together) record
    where the files were taken from.

    :raises DxsError: no manifest, an upstream half given, or what :func:`~validator.importer.import_package` raises.
    """
    from .importer import MANIFEST_NAMES, import_package

    folder = Path(package)
    if manifest is None:
        found = [folder / n for n in MANIFEST_NAMES if (folder / n).is_file()]
        if not found:
            raise DxsError(f"{folder}: no manifest ({', '.join(MANIFEST_NAMES)}); name it with --manifest")
        manifest = found[0]
    if bool(upstream_repository) != bool(upstream_commit):
        raise DxsError("--upstream-repository and --upstream-commit go together")
    upstream = None
    if upstream_repository:
        upstream = {"repository": upstream_repository, "commit": upstream_commit, "path": upstream_path}
        if upstream_version:
            upstream["version"] = upstream_version
    return import_package(Path(manifest), Path(out), prefix=prefix, owner=owner, sector=sector, version=version,
                          announcement=announcement, upstream=upstream)


def export_catalog(catalog: Catalog, *, output_format: str = "json", base_uri: str) -> str:
    """The whole catalog as one JSON document (``json``) or as DCAT-AP JSON-LD (``dcat``), ending in a newline."""
    from .publish import catalog_as_dcat, catalog_as_json

    data = catalog_as_dcat(catalog, base_uri) if output_format == "dcat" else catalog_as_json(catalog, base_uri)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- standards diff


@dataclass(frozen=True)
class Comparison:
    """What ``dxs standards diff`` compared: one pair, or NEW against every earlier announced version."""

    results: list[Compatibility]
    transitive: bool = False
    #: the NEW version of a transitive comparison
    new_ref: str | None = None


def _schema_file(text: str) -> bool:
    return text.lower().endswith((".json", ".xsd", ".sch")) or Path(text).is_file()


def _diff_side(catalog: Catalog, text: str, form: str | None = None) -> StandardVersion | Path:
    """``ID@VERSION`` → the version; a schema file's path → that path."""
    if _schema_file(text):
        if not Path(text).is_file():
            raise DxsError(f"{text}: no such schema file")
        return Path(text)
    if "@" not in text:
        raise DxsError(f"{text!r} is neither ID@VERSION nor a schema file (.json, .xsd, .sch)")
    version = catalog.resolve(text)
    if form is not None:  # compared with a file: take the version's file of the same language
        from .compat.files import schema_form

        path = {"json": version.json_schema, "xsd": version.xml_schema, "schematron": version.rules}[schema_form(Path(form))]
        if path is None:
            raise DxsError(f"{version.ref} has no {Path(form).suffix} schema to compare with {form}")
        return path
    return version


def compare(catalog: Catalog, refs: Sequence[str], *, transitive: bool = False) -> Comparison:
    """Compare OLD and NEW (each ``ID@VERSION`` or a schema file), or with ``transitive`` NEW
    against every earlier announced version (from OLD on, when given).

    :raises DxsError: a reference or file cannot be used.
    """
    if transitive:
        from .compat.versions import diff_transitive

        if not 1 <= len(refs) <= 2:
            raise DxsError("--transitive takes NEW (ID@VERSION), or OLD and NEW to start from OLD")
        new = _diff_side(catalog, refs[-1])
        old = _diff_side(catalog, refs[0]) if len(refs) == 2 else None
        if isinstance(new, Path) or isinstance(old, Path):
            raise DxsError("--transitive compares catalog versions (ID@VERSION), not files")
        results = [r for r in diff_transitive(catalog, new) if old is None or catalog.resolve(r.old).semver >= old.semver]
        return Comparison(results, transitive=True, new_ref=new.ref)
    if len(refs) != 2:
        raise DxsError("give OLD and NEW: each ID@VERSION or a schema file")
    old_text, new_text = refs
    file_side = next((t for t in refs if _schema_file(t)), None)
    old = _diff_side(catalog, old_text, file_side)
    new = _diff_side(catalog, new_text, file_side)
    if isinstance(old, Path) or isinstance(new, Path):  # with a file on one side, both are files
        from .compat.files import diff_files

        return Comparison([diff_files(old, new, catalog=catalog)])
    from .compat.versions import diff_versions

    if old.standard_id != new.standard_id:
        raise DxsError(f"{old.ref} and {new.ref} are versions of different standards")
    return Comparison([diff_versions(catalog, old, new)])


# --------------------------------------------------------------------------- convert


@dataclass(frozen=True)
class Conversion:
    """One document converted to the other form and checked against that form's schema."""

    path: str
    to: str
    #: the converted document; ``None`` when it could not be converted (see ``problem``)
    converted: bytes | None
    version: StandardVersion | None = None
    #: the converted document validated under ``version``
    report: Report | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.report is not None and self.report.valid


def convert_input(catalog: Catalog, path: str, *, to: str, standard: str | None = None) -> Conversion:
    """Convert the document at ``path`` (``-``: standard input) to ``to`` (``json`` or ``xml``).

    A document that cannot be converted is a :class:`Conversion` with its ``problem``.

    :raises DxsError: the file cannot be read, or ``standard`` is not in the catalog.
    """
    from .convert import convert_document
    from .validate import DocumentValidator

    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise DxsError(f"cannot read {path}: {exc.strerror}") from None
    try:
        converted, version = convert_document(catalog, data, to=to, name=path, standard=standard)
    except StandardNotFound:
        raise
    except DxsError as exc:  # ConversionError, or no standard detected
        return Conversion(path, to, None, problem=str(exc))
    report = DocumentValidator(catalog, standard=version.ref).validate_bytes(converted, f"converted.{to}")
    return Conversion(path, to, converted, version, report)
