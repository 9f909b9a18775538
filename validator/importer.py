"""Importing a published validation package (XSDs, Schematron, a manifest) into the catalog.

Published e-document packages ship their schemas with a manifest saying, per
document type: the root tag, the XPath of the version marker, the schema and the
Schematron. This module reads the manifests publishers actually write and turns the
package into one catalog *package* (one standard per document type, see
:mod:`validator.catalog`), copying the published files byte for byte and recording
where each came from, so the next release is one command plus a review.

Manifests read:

- ETDA's ``MessageInfo.json`` (``standardName``, ``standardCode``, ``version`` and a
  list of ``messages`` with ``rootTagName``, ``versionPath``, ``schemaFilePath``,
  ``schematronFilePath``), as in the e-Tax Invoice & e-Receipt v2.1 package.
- ETDA's validator configuration (``validation-config.json``; upstream
  ``web_validation_config.properties``): a list of ``rootTag``, ``versionXpath``,
  ``version``, ``defaultVersion``, ``isActive``, ``activeFrom``, ``activeTo``,
  ``schemaFilePath``, ``schematronFilePath`` — JSON with trailing commas and Windows
  paths relative to the validator's own repository, as published.
- A generic manifest (JSON list or ``{"documents": [...]}``, or CSV) with
  ``document_type``, ``root_tag`` (``{namespace}Local`` or ``prefix:Local`` with
  ``namespaces``), ``version_path``, ``version``, ``default_version``,
  ``active_from``, ``active_to``, ``schema_path``, ``schematron_path``, and optionally
  ``namespaces``, ``title_en``, ``title_th``.

Paths in version markers are written by publishers without namespace prefixes
(ETDA's validator ignores namespaces); the importer finds each step's namespace by
walking the package's own schema, so the catalog's XPath is exact.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from .errors import DxsError

__all__ = ["ImportResult", "ManifestEntry", "PackageInfo", "import_package", "read_manifest"]

_XSD = "http://www.w3.org/2001/XMLSchema"
_SAFE = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
#: Manifest file names tried, in order, when none is named.
MANIFEST_NAMES = ("MessageInfo.json", "validation-config.json", "manifest.json", "manifest.csv")
_DOCUMENT_SUFFIX = re.compile(r"_CrossIndustryInvoice$|_CrossIndustryDocument$")


@dataclass(frozen=True)
class PackageInfo:
    """What the manifest says of the package as a whole (ETDA's ``MessageInfo.json`` has it)."""

    name: str = ""
    code: str = ""
    version: str = ""


@dataclass(frozen=True)
class ManifestEntry:
    """One document type at one version, as the package's manifest lists it."""

    document_type: str
    namespace: str
    root: str
    version_path: str | None
    version: str
    default: bool
    active_from: dt.date | None
    active_to: dt.date | None
    schema_path: Path
    schematron_path: Path | None
    namespaces: dict[str, str]
    title_en: str
    title_th: str
    oid: str = ""
    notes: tuple[str, ...] = ()


@dataclass
class ImportResult:
    """What an import wrote, and what a reviewer should look at before announcing it."""

    package: str
    refs: list[str] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    review: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading manifests


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().replace("-", "_")


# the names ETDA's manifests use for the generic fields
_ALIASES = {
    "root_tag_name": "root_tag",
    "version_xpath": "version_path",
    "schema_file_path": "schema_path",
    "schematron_file_path": "schematron_path",
}


def _date(value: object, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise DxsError(f"{where}: {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _bool(value: object) -> bool:
    return value is True or str(value).strip().lower() in ("true", "yes", "1", "y")


def _namespaces(value: object) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    pairs = [p for p in str(value or "").replace(",", ";").split(";") if "=" in p]
    return {k.strip(): v.strip() for k, v in (p.split("=", 1) for p in pairs)}


def _lenient_json(text: str) -> object:
    """JSON as publishers write it: a trailing comma before ``]`` or ``}`` is tolerated."""
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(re.sub(r",(\s*[\]}])", r"\1", text))


def _locate(base: Path, written: str, where: str, what: str) -> Path:
    """A manifest's path as a file of the package.

    Publishers write paths from their own repository's root (``src\\test\\resources\\X``)
    or from the package's (``/ETDA/data/X``): the longest tail that exists wins.
    """
    parts = [p for p in re.split(r"[\\/]+", written.strip()) if p and p != "."]
    inside = base.resolve()
    for start in range(len(parts)):
        candidate = base.joinpath(*parts[start:]).resolve()
        if candidate.is_file():
            if not candidate.is_relative_to(inside):
                raise DxsError(f"{where}: {what} {written!r} is outside the package folder {base}")
            return candidate
    hint = ""
    if parts:
        near = _near_names(base, parts[-1])
        if near:
            hint = f" (the package has {', '.join(near)})"
    raise DxsError(f"{where}: {what} {written!r} not found in {base}{hint}")


def _near_names(base: Path, name: str) -> list[str]:
    """Files of the package whose names differ from ``name`` by a letter or two (a typo in a manifest)."""
    import difflib

    names = sorted({p.name for p in base.rglob("*") if p.is_file()})
    return difflib.get_close_matches(name, names, n=2, cutoff=0.85)


def _rows(path: Path) -> tuple[PackageInfo, list[dict]]:
    try:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as handle:
                return PackageInfo(), list(csv.DictReader(handle))
        data = _lenient_json(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise DxsError(f"{path}: cannot read the manifest: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("messages"), list):  # ETDA's MessageInfo.json
        info = PackageInfo(str(data.get("standardName") or ""), str(data.get("standardCode") or ""), str(data.get("version") or ""))
        return info, data["messages"]
    rows = data.get("documents", data) if isinstance(data, dict) else data
    return PackageInfo(), rows if isinstance(rows, list) else []


def read_manifest(path: Path, *, titles: dict[str, tuple[str, str, str]] | None = None) -> tuple[PackageInfo, list[ManifestEntry]]:
    """Read a package manifest (see the module docstring); errors name the entry and field.

    :param titles: ``root → (title_th, title_en, oid)`` where the package's README gives them.
    :raises DxsError: unreadable, or an entry missing a required field or file.
    """
    base = path.parent
    info, rows = _rows(path)
    if not rows:
        raise DxsError(f"{path}: the manifest lists no documents")
    titles = titles or {}
    entries = []
    for n, raw in enumerate(rows, 1):
        if not isinstance(raw, dict):
            raise DxsError(f"{path}: entry {n} is not an object")
        row = {}
        for key, value in raw.items():
            name = _camel_to_snake(str(key))
            row[_ALIASES.get(name, name)] = value
        where = f"{path}: entry {n}"
        row.setdefault("version", info.version)
        for required in ("root_tag", "version", "schema_path"):
            if not str(row.get(required) or "").strip():
                raise DxsError(f"{where}: field '{required}' is missing")
        if "is_active" in row and not _bool(row["is_active"]):
            continue  # the publisher switched it off
        namespaces = _namespaces(row.get("namespaces"))
        schema = _locate(base, str(row["schema_path"]), where, "schema_path")
        root_tag = str(row["root_tag"]).strip()
        if root_tag.startswith("{"):
            if "}" not in root_tag:
                raise DxsError(f"{where}: root_tag {root_tag!r} opens a {{namespace}} it never closes")
            namespace, root = root_tag[1:].split("}", 1)
        elif ":" in root_tag and root_tag.split(":", 1)[0] in namespaces:
            prefix, root = root_tag.split(":", 1)
            namespace = namespaces[prefix]
        elif ":" in root_tag and namespaces:
            raise DxsError(f"{where}: root_tag prefix {root_tag.split(':', 1)[0]!r} is not in its namespaces")
        else:
            root = root_tag.split(":", 1)[-1]
            namespace = _target_namespace(schema)  # the entry schema declares the root
        schematron = None
        if str(row.get("schematron_path") or "").strip():
            schematron = _locate(base, str(row["schematron_path"]), where, "schematron_path")
        notes: list[str] = []
        version_path = str(row.get("version_path") or "").strip() or None
        if version_path:
            version_path, found_ns = _qualified_path(version_path, root, namespace, schema, namespaces)
            namespaces = {**found_ns, **namespaces}
        document_type = str(row.get("document_type") or "").strip() or _DOCUMENT_SUFFIX.sub("", root)
        active_from = _date(row.get("active_from"), f"{where}: field 'active_from'")
        active_to = _date(row.get("active_to"), f"{where}: field 'active_to'")
        if active_from and active_to and active_to <= active_from:
            notes.append(f"{document_type}: activeTo {active_to} is not after activeFrom {active_from}; ignored")
            active_to = None
        th, en, oid = titles.get(root, ("", "", ""))
        entries.append(
            ManifestEntry(
                document_type=document_type,
                namespace=namespace,
                root=root,
                version_path=version_path,
                version=str(row["version"]).strip(),
                default=_bool(row.get("default_version") or row.get("default"))
                or str(row.get("default_version") or "").strip() == str(row["version"]).strip(),
                active_from=active_from,
                active_to=active_to,
                schema_path=schema,
                schematron_path=schematron,
                namespaces=namespaces,
                title_en=str(row.get("title_en") or en or document_type),
                title_th=str(row.get("title_th") or th or row.get("title_en") or en or document_type),
                oid=oid,
                notes=tuple(notes),
            )
        )
    if not entries:
        raise DxsError(f"{path}: every entry of the manifest is switched off (isActive)")
    return info, entries


_README_TYPE = re.compile(
    r"^\s*\d+\.\s*(?P<th>[^\n(]+?)\s*\((?P<en>[^)\n]+)\)\s*\n\s*\*\s*Schema:\s*(?P<root>\S+)\s*\n\s*\*\s*OID:\s*(?P<oid>[\d.]+)",
    re.MULTILINE,
)


def readme_titles(package: Path) -> dict[str, tuple[str, str, str]]:
    """``root → (title_th, title_en, oid)`` from a README that lists its document types (ETDA's do)."""
    found: dict[str, tuple[str, str, str]] = {}
    for readme in sorted(package.glob("README*")):
        try:
            text = readme.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for m in _README_TYPE.finditer(text):
            found.setdefault(m["root"], (m["th"].strip(), m["en"].strip(), m["oid"]))
    return found


def _unlisted_documents(package: Path, entries: list[ManifestEntry]) -> list[ManifestEntry]:
    """Document types the package ships but its manifest leaves out (ETDA's v2.0 configuration lists two of six).

    A schema beside a listed one that declares a top-level ``*_CrossIndustryInvoice``
    root is one, with the Schematron named after it, and the listed types' marker.
    """
    listed = {e.root for e in entries}
    found: list[ManifestEntry] = []
    model = entries[0]
    if not _DOCUMENT_SUFFIX.search(model.root):
        return found
    for folder in sorted({e.schema_path.parent for e in entries}):
        for path in sorted(folder.glob("*.xsd")):
            root_el = _parse(path).getroot()
            for element in root_el.findall(f"{{{_XSD}}}element"):
                name = element.get("name", "")
                if not _DOCUMENT_SUFFIX.search(name) or name in listed:
                    continue
                listed.add(name)
                document_type = _DOCUMENT_SUFFIX.sub("", name)
                rules = sorted(folder.glob(f"{document_type}_Schematron_*.sch"))
                marker = model.version_path
                found.append(
                    ManifestEntry(
                        document_type=document_type,
                        namespace=root_el.get("targetNamespace", ""),
                        root=name,
                        version_path=marker,
                        version=model.version,
                        default=model.default,
                        active_from=model.active_from,
                        active_to=model.active_to,
                        schema_path=path.resolve(),
                        schematron_path=rules[0].resolve() if rules else None,
                        namespaces={
                            p: u.replace(_DOCUMENT_SUFFIX.sub("", model.root), document_type) for p, u in model.namespaces.items()
                        },
                        title_en=document_type,
                        title_th=document_type,
                    )
                )
    return found


# --------------------------------------------------------------------------- schema walking


def _parse(path: Path) -> etree._ElementTree:
    """A schema document of the package; a malformed one is an error naming its file and line."""
    try:
        return etree.parse(str(path), etree.XMLParser(**_SAFE))
    except etree.XMLSyntaxError as exc:
        raise DxsError(f"{path}: line {exc.lineno}: not well-formed XML: {exc.msg}") from None


def _target_namespace(schema: Path) -> str:
    return _parse(schema).getroot().get("targetNamespace", "")


@dataclass
class _SchemaDoc:
    tns: str
    qualified: bool
    nsmap: dict[str | None, str]
    elements: dict[str, etree._Element]
    types: dict[str, etree._Element]


def _schema_docs(main: Path) -> dict[Path, _SchemaDoc]:
    """Every schema document reachable from ``main``, indexed for walking."""
    docs: dict[Path, _SchemaDoc] = {}
    for path in _schema_closure(main):
        root = _parse(path).getroot()
        docs[path] = _SchemaDoc(
            tns=root.get("targetNamespace", ""),
            qualified=root.get("elementFormDefault") == "qualified",
            nsmap=dict(root.nsmap),
            elements={e.get("name"): e for e in root.findall(f"{{{_XSD}}}element")},
            types={e.get("name"): e for e in root.findall(f"{{{_XSD}}}complexType")},
        )
    return docs


def _qualified_path(
    path: str, root: str, root_ns: str, schema: Path, namespaces: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """A marker path relative to the root, with the namespace prefix of every step.

    ``/TaxInvoice_CrossIndustryInvoice/ExchangedDocumentContext/…/ID/@schemeVersionID``
    → ``rsm:ExchangedDocumentContext/ram:…/ram:ID/@schemeVersionID`` and the prefixes.
    A path that already has prefixes (with ``namespaces``) is only made relative.
    """
    steps = path.lstrip("/").split("/")
    if path.startswith("/") and steps and steps[0].split(":")[-1] == root:
        steps = steps[1:]
    if any(":" in s for s in steps) or not steps:
        return "/".join(steps) or ".", {}
    docs = _schema_docs(schema)
    by_ns = {d.tns: d for d in docs.values()}
    prefixes: dict[str, str] = {}

    def prefix_for(uri: str) -> str:
        if uri in prefixes:
            return prefixes[uri]
        known = [p for d in docs.values() for p, u in d.nsmap.items() if u == uri and p] + [p for p, u in namespaces.items() if u == uri]
        choice = next((p for p in known if p not in prefixes.values()), f"ns{len(prefixes) + 1}")
        prefixes[uri] = choice
        return choice

    def resolve(qname: str, doc: _SchemaDoc) -> tuple[str, str]:
        prefix, _, local = qname.rpartition(":")
        return doc.nsmap.get(prefix or None, "") if prefix or None in doc.nsmap else "", local

    def children(type_el: etree._Element, doc: _SchemaDoc) -> Iterable[tuple[etree._Element, _SchemaDoc]]:
        for el in type_el.iter(f"{{{_XSD}}}element"):
            yield el, doc
        for ext in type_el.iter(f"{{{_XSD}}}extension", f"{{{_XSD}}}restriction"):
            uri, local = resolve(ext.get("base", ""), doc)
            base_doc = by_ns.get(uri)
            if base_doc and local in base_doc.types:
                yield from children(base_doc.types[local], base_doc)

    doc = by_ns.get(root_ns)
    element = doc.elements.get(root) if doc else None
    out: list[str] = []
    for step in steps:
        if step.startswith("@") or element is None or doc is None:
            out.append(step if step.startswith("@") else f"*[local-name()='{step}']")
            element = None
            continue
        uri, local = resolve(element.get("type", ""), doc)
        type_doc = by_ns.get(uri)
        type_el = element.find(f"{{{_XSD}}}complexType")
        if type_el is None and type_doc is not None:
            type_el = type_doc.types.get(local)
        else:
            type_doc = doc
        match = None
        if type_el is not None and type_doc is not None:
            for child, child_doc in children(type_el, type_doc):
                if child.get("name") == step:
                    match = (child, child_doc, child_doc.tns if child_doc.qualified else "")
                    break
                if child.get("ref", "").rpartition(":")[2] == step:
                    ref_uri, ref_local = resolve(child.get("ref", ""), child_doc)
                    ref_doc = by_ns.get(ref_uri)
                    if ref_doc and ref_local in ref_doc.elements:
                        match = (ref_doc.elements[ref_local], ref_doc, ref_uri)
                        break
        if match is None:
            out.append(f"*[local-name()='{step}']")
            element = None
            continue
        element, doc, uri = match
        out.append(f"{prefix_for(uri)}:{step}" if uri else step)
    return "/".join(out), {p: u for u, p in prefixes.items()}


def _schema_closure(main: Path, package: Path | None = None) -> list[Path]:
    """``main`` and every local file it imports, includes or redefines, transitively.

    :raises DxsError: a remote or missing reference, or (with ``package``) a file outside it.
    """
    from .xml_engine import _check_local_imports

    files = sorted(_check_local_imports(main))
    if package is not None:
        inside = package.resolve()
        for path in files:
            if not path.is_relative_to(inside):
                raise DxsError(f"{main}: reaches {path}, outside the package folder {package} (a package must be self-contained)")
    return files


def _compile_schemas(entries: list[ManifestEntry]) -> None:
    """Compile every entry schema, so a broken one is refused here rather than published.

    :raises SchemaLoadError: a schema that is not well-formed or not a usable XML Schema, named.
    """
    from .xml_engine import XmlSchema

    together = XmlSchema.for_package([(e.namespace, e.root, e.schema_path) for e in entries])
    if together is None:  # two files for one namespace: each type on its own
        for entry in dict.fromkeys(e.schema_path for e in entries):
            XmlSchema.from_file(entry)


# --------------------------------------------------------------------------- writing the catalog


def _semver(version: str) -> str:
    parts = re.findall(r"\d+", version)[:3]
    if not parts:
        raise DxsError(f"version {version!r} has no number in it")
    return ".".join((parts + ["0", "0"])[:3])


def _slug(text: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


#: ETDA's manifests, whose version (``2.1``) documents write as ``v2.1``
_ETDA_MANIFESTS = ("MessageInfo.json", "validation-config.json")


def _marker_values(version: str, *, etda: bool) -> list[str]:
    """The spellings of a version marker: the manifest's own, and for ETDA also ``v2.1``
    (ETDA writes ``2.1`` in its manifest, ``v2.1`` in documents, and its rules accept both)."""
    if not etda:
        return [version]
    bare = version[1:] if version[:1] in "vV" and version[1:2].isdigit() else version
    return list(dict.fromkeys([f"v{bare}" if bare[:1].isdigit() else bare, bare]))


def _q(text: str) -> str:
    from .publish import _toml_key

    return _toml_key(text)


def _code_list_files(folder: Path, used: set[Path]) -> list[Path]:
    """Files in a ``codelist`` or ``identifierlist`` folder that the schemas import and that enumerate codes."""
    found = []
    for path in sorted(folder.rglob("*.xsd")):
        if not ({"codelist", "identifierlist"} & set(path.relative_to(folder).parts)) or path.resolve() not in used:
            continue
        with path.open("rb") as handle:
            if b"enumeration" in handle.read(1 << 20):
                found.append(path)
    return found


def _copy(files: Iterable[Path], base: Path, target: Path) -> list[str]:
    """Copy ``files`` (under ``base``) into ``target`` keeping their layout; their relative paths."""
    copied = []
    for path in files:
        relative = path.relative_to(base).as_posix()
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)  # bytes only: no metadata to differ
        copied.append(relative)
    return copied


def _published_files(package: Path) -> list[Path]:
    """The package's files as published: not a repository's ``.git``, caches or other hidden files."""
    return [
        p.resolve()
        for p in sorted(package.rglob("*"))
        if p.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(package).parts)
    ]


def import_package(manifest: Path, out: Path, **options: Any) -> ImportResult:
    """Write the package as a catalog package: document types, versions, files, detection, code lists.

    Keyword options are those of :func:`_import`. Nothing is left half-written: a
    failure removes what this import created.

    :raises DxsError: a bad manifest, a missing file, or a version folder that exists.
    """
    folder = out / str(options.get("prefix", ""))
    before = set(folder.iterdir()) if folder.is_dir() else None
    try:
        return _import(manifest, out, **options)
    except BaseException:
        if before is None:
            shutil.rmtree(folder, ignore_errors=True)
        elif folder.is_dir():
            for created in set(folder.iterdir()) - before:
                shutil.rmtree(created, ignore_errors=True) if created.is_dir() else created.unlink(missing_ok=True)
        raise


def _import(
    manifest: Path,
    out: Path,
    *,
    prefix: str,
    owner: str,
    sector: str = "commerce",
    version: str | None = None,
    announcement: str | None = None,
    upstream: dict[str, str] | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Import one manifest's versions into ``out/prefix``.

    :param prefix: the package's id; its document types become ``<prefix>.<type>``.
    :param version: the catalog version (default: from the manifest, ``v2.1`` → ``2.1.0``).
    :param announcement: the register entry the version was announced by (default: the
        manifest's ``standardCode``); a version whose announcement is in no register is a draft.
    :param upstream: ``repository``, ``commit``, ``path`` (and ``version``) of the published copy.
    :returns: what was written and the points a reviewer should check.
    :raises DxsError: a bad manifest, a missing file, or a version folder that exists.
    """
    from .announcements import load_register
    from .catalog import _ID, _document_types, _Fields, _read_toml, catalog_folders, load_catalog, parse_semver
    from .sectors import SECTORS
    from .codelists import describe_file
    from .publish import lock_version

    if sector not in SECTORS:
        raise DxsError(f"sector {sector!r} is not one of {', '.join(SECTORS)}")
    if not _ID.fullmatch(prefix):
        raise DxsError(f"--prefix {prefix!r} is not lowercase and dot/dash separated")
    package = manifest.parent
    info, entries = read_manifest(manifest, titles=readme_titles(package))
    result = ImportResult(package=prefix)
    unlisted = _unlisted_documents(package, entries)
    for entry in unlisted:
        result.review.append(
            f"{entry.document_type}: not in {manifest.name}; taken from the package's own files "
            f"({entry.schema_path.name}{', ' + entry.schematron_path.name if entry.schematron_path else ''}) "
            "with the version marker of the types it lists"
        )
    entries = entries + unlisted
    if version is not None:
        try:
            parse_semver(version)
        except ValueError:
            raise DxsError(f"--version {version!r} is not MAJOR.MINOR.PATCH") from None
    # every schema's imports resolve inside the package, before anything is written; walked once
    closures = {entry.schema_path: _schema_closure(entry.schema_path, package) for entry in entries}
    _compile_schemas(entries)
    for entry in entries:
        result.review.extend(entry.notes)
    today = today or dt.date.today()
    folder = out / prefix
    by_version: dict[str, list[ManifestEntry]] = {}
    for entry in entries:
        by_version.setdefault(version or _semver(entry.version), []).append(entry)
    for semver, listed in by_version.items():
        keys = [_slug(e.document_type) for e in listed]
        if twice := sorted({k for k in keys if keys.count(k) > 1}):
            spelled = sorted({e.version for e in listed})
            raise DxsError(f"version {semver} would hold document types {twice} twice: the manifest lists versions "
                           f"{', '.join(spelled)}; import them without --version, or one manifest per version")
    types: dict[str, ManifestEntry] = {}
    for entry in entries:
        types.setdefault(_slug(entry.document_type), entry)

    code = announcement or info.code or None
    register = load_register(catalog_folders([out]))
    announced = register.find(code) if code else None
    if code and announced is None:
        result.review.append(f"announcement {code!r} is in no register: add it to {out / 'announcements.toml'} with its "
                             "source, then set status = \"announced\" and lock the version")
    if not code:
        result.review.append("no announcement number: name it with --announcement once it is in the register")

    standard_toml = folder / "standard.toml"
    if standard_toml.exists():
        existing = {t.key for t in _document_types(_Fields(standard_toml, _read_toml(standard_toml)))}
        if missing := set(types) - existing:
            raise DxsError(f"{standard_toml} lists no document types {sorted(missing)}: add them first")
    else:
        folder.mkdir(parents=True, exist_ok=True)
        lines = [
            f"id = {_q(prefix)}",
            f"title_th = {_q(info.name or prefix)}",
            f"title_en = {_q(info.name or prefix)}",
            f"owner = {_q(owner)}",
            f"sector = {_q(sector)}",
            'legal_basis = "(to be written)"',
            'base_standard = "none"',
            'licence = "(to be written)"',
            'contact = "(to be written)"',
            "",
            "[source]",
            f'kind = "{"announced" if code else "registered"}"',
            f"publisher = {_q(owner)}",
            f"url = {_q((upstream or {}).get('repository', '(to be written)'))}",
        ]
        for key, entry in types.items():
            lines += ["", "[[document_types]]", f"key = {_q(key)}", f"name = {_q(entry.document_type)}",
                      f"title_th = {_q(entry.title_th)}", f"title_en = {_q(entry.title_en)}"]
            if entry.oid:
                lines.append(f"oid = {_q(entry.oid)}")
        standard_toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result.review.append(f"{standard_toml}: write the titles, legal basis, licence and contact")

    for semver, listed in by_version.items():
        target = folder / semver
        if target.exists():
            raise DxsError(f"{target} already exists: a published version is never overwritten")
        # one version: the whole package as published; several: each version's own files
        if len(by_version) == 1:
            files = _published_files(package)
        else:
            files = {manifest.resolve()}
            for entry in listed:
                files.update(closures[entry.schema_path])
                if entry.schematron_path:
                    files.add(entry.schematron_path)
            files = sorted(files)
        copied = _copy(files, package.resolve(), target)
        first = listed[0]
        status = "announced" if announced else "draft"
        lines = [f"version = {_q(semver)}", f"status = {_q(status)}"]
        if announced:
            lines.append(f"announcement = {_q(announced.label)}")
        lines += [f"notes = {_q(f'Imported from {manifest.name} ({info.name or prefix} {first.version}), files as published.')}"]
        if not announced:
            lines += ["", "[[history]]", 'status = "draft"', f"date = {today.isoformat()}"]
        if upstream:
            base_path = upstream.get("path", "").strip("/")
            lines += ["", "[upstream]", f"repository = {_q(upstream['repository'])}", f"commit = {_q(upstream['commit'])}",
                      f"path = {_q(base_path)}", f"version = {_q(upstream.get('version') or first.version)}", "",
                      "[upstream.files]"]
            lines += [f"{_q(local)} = {_q(str(PurePosixPath(base_path, local)) if base_path else local)}" for local in sorted(copied)]
        used = {target / Path(p).relative_to(package.resolve()) for e in listed for p in closures[e.schema_path]}
        seen_ids: set[str] = set()
        for path in _code_list_files(target, {p.resolve() for p in used}):
            about = describe_file(path)
            ident = about["id"] if about["id"] not in seen_ids else f"{about['id']}-{about['agency'] or 'other'}"
            seen_ids.add(ident)
            lines += ["", f"[code_lists.{_q(ident)}]", f"file = {_q(path.relative_to(target).as_posix())}",
                      f"agency = {_q(about['agency'] or '(to be written)')}", f"version = {_q(about['version'] or '(to be written)')}",
                      f"title_en = {_q(about['title_en'])}"]
        for entry in listed:
            key = _slug(entry.document_type)
            rel = lambda p: p.relative_to(package.resolve()).as_posix()  # noqa: E731
            lines += ["", f"[documents.{key}.files]", f"xml_schema = {_q(rel(entry.schema_path))}"]
            if entry.schematron_path:
                lines.append(f"rules = {_q(rel(entry.schematron_path))}")
            lines += ["", f"[documents.{key}.detection]", f"default = {'true' if entry.default else 'false'}"]
            if entry.active_from:
                lines.append(f"active_from = {entry.active_from.isoformat()}")
            if entry.active_to:
                lines.append(f"active_until = {entry.active_to.isoformat()}")
            lines += ["", f"[documents.{key}.detection.xml]", f"namespace = {_q(entry.namespace)}", f"root = {_q(entry.root)}"]
            if entry.version_path:
                lines += [f"version_path = {_q(entry.version_path)}",
                          "version_values = [" + ", ".join(_q(v) for v in _marker_values(entry.version, etda=manifest.name in _ETDA_MANIFESTS)) + "]"]
                if entry.version_path.rsplit("/", 1)[-1].startswith("@"):
                    lines.append(f"label_path = {_q(entry.version_path.rsplit('/', 1)[0])}")
            if entry.namespaces:
                lines += ["", f"[documents.{key}.detection.xml.namespaces]"] + [f"{k} = {_q(v)}" for k, v in entry.namespaces.items()]
        (target / "version.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        result.folders.append(target)
        result.refs.extend(f"{prefix}.{_slug(e.document_type)}@{semver}" for e in listed)
    # proves the result loads, and lets us lock it; a broken neighbour in ``out`` is not this import's to judge
    catalog = load_catalog([folder], registers=catalog_folders())
    for target in result.folders:
        version_of = next(v for v in catalog.versions() if v.folder.resolve() == target.resolve())
        lock_version(version_of)
    return result
