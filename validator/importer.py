"""Importing an existing validation package (XSDs, Schematron, a manifest) as a catalog folder.

Published e-document packages (the e-Tax Invoice ones, for example) ship their
schemas with a manifest saying, per document type and version: the root tag, the
XPath of the version marker, the version, whether it is the default, the dates it
is in force, the schema and the Schematron. This module turns such a package into
a catalog folder that ``dxs validate --catalog`` detects and validates against.

The manifest is JSON (a list of objects, or ``{"documents": [...]}``) or CSV, with
these fields (snake_case or camelCase):

``document_type``, ``root_tag`` (``{namespace}Local`` or ``prefix:Local`` with
``namespaces``), ``version_path``, ``version``, ``default_version`` (true/false),
``active_from``, ``active_to`` (ISO dates), ``schema_path``, ``schematron_path``,
and optionally ``namespaces`` (``{"p": "uri"}`` or ``"p=uri;q=uri"``), ``title_en``,
``title_th``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from .errors import DxsError

__all__ = ["ManifestEntry", "import_package", "read_manifest"]

_XSD = "http://www.w3.org/2001/XMLSchema"


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


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().replace("-", "_")


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


def read_manifest(path: Path) -> list[ManifestEntry]:
    """Read a package manifest (JSON or CSV); errors name the row and field.

    :raises DxsError: unreadable, or a row missing a required field.
    """
    base = path.parent
    try:
        if path.suffix.lower() == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as handle:
                rows = list(csv.DictReader(handle))
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
            rows = data.get("documents", data) if isinstance(data, dict) else data
    except (OSError, ValueError) as exc:
        raise DxsError(f"{path}: cannot read the manifest: {exc}") from None
    if not isinstance(rows, list) or not rows:
        raise DxsError(f"{path}: the manifest lists no documents")
    entries = []
    for n, raw in enumerate(rows, 1):
        if not isinstance(raw, dict):
            raise DxsError(f"{path}: entry {n} is not an object")
        row = {_camel_to_snake(str(k)): v for k, v in raw.items()}
        where = f"{path}: entry {n}"
        for required in ("document_type", "root_tag", "version", "schema_path"):
            if not str(row.get(required) or "").strip():
                raise DxsError(f"{where}: field '{required}' is missing")
        namespaces = _namespaces(row.get("namespaces"))
        root_tag = str(row["root_tag"]).strip()
        if root_tag.startswith("{"):
            namespace, root = root_tag[1:].split("}", 1)
        elif ":" in root_tag:
            prefix, root = root_tag.split(":", 1)
            if prefix not in namespaces:
                raise DxsError(f"{where}: root_tag prefix {prefix!r} is not in its namespaces")
            namespace = namespaces[prefix]
        else:
            namespace, root = "", root_tag
        schema = (base / str(row["schema_path"])).resolve()
        if not schema.is_file():
            raise DxsError(f"{where}: schema_path {row['schema_path']!r} not found")
        schematron = None
        if str(row.get("schematron_path") or "").strip():
            schematron = (base / str(row["schematron_path"])).resolve()
            if not schematron.is_file():
                raise DxsError(f"{where}: schematron_path {row['schematron_path']!r} not found")
        version_path = str(row.get("version_path") or "").strip() or None
        entries.append(
            ManifestEntry(
                document_type=str(row["document_type"]).strip(),
                namespace=namespace,
                root=root,
                version_path=_relative_to_root(version_path, root) if version_path else None,
                version=str(row["version"]).strip(),
                default=_bool(row.get("default_version") or row.get("default")),
                active_from=_date(row.get("active_from"), f"{where}: field 'active_from'"),
                active_to=_date(row.get("active_to"), f"{where}: field 'active_to'"),
                schema_path=schema,
                schematron_path=schematron,
                namespaces=namespaces,
                title_en=str(row.get("title_en") or row["document_type"]),
                title_th=str(row.get("title_th") or row.get("title_en") or row["document_type"]),
            )
        )
    return entries


def _relative_to_root(path: str, root: str) -> str:
    """Packages write absolute paths (``/rsm:Invoice/rsm:Context/ram:ID``); the catalog's are relative to the root."""
    steps = path.lstrip("/").split("/")
    if path.startswith("/") and steps and steps[0].split(":")[-1] == root:
        steps = steps[1:]
    return "/".join(steps) or "."


def _semver(version: str) -> str:
    parts = re.findall(r"\d+", version)[:3]
    if not parts:
        raise DxsError(f"version {version!r} has no number in it")
    return ".".join((parts + ["0", "0"])[:3])


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


def _schema_closure(main: Path) -> list[Path]:
    """``main`` and every local file it imports, includes or redefines, transitively."""
    seen: list[Path] = []
    todo = [main.resolve()]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.append(path)
        doc = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
        for ref in doc.iterfind(f"{{{_XSD}}}*[@schemaLocation]"):
            location = ref.get("schemaLocation", "")
            if urlsplit(location).scheme not in ("", "file"):
                raise DxsError(f"{path}: remote schemaLocation {location!r} (the package must be self-contained)")
            todo.append((path.parent / urlsplit(location).path).resolve())
    return seen


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def import_package(
    manifest: Path,
    out: Path,
    *,
    prefix: str,
    owner: str,
    sector: str = "commerce",
    today: dt.date | None = None,
) -> list[str]:
    """Write one catalog standard per document type and one version per manifest entry.

    :returns: the ``id@version`` of every version written.
    :raises DxsError: a bad manifest, a missing file, or an output folder that exists.
    """
    from .catalog import SECTORS, load_catalog
    from .publish import lock_version

    if sector not in SECTORS:
        raise DxsError(f"sector {sector!r} is not one of {', '.join(SECTORS)}")
    entries = read_manifest(manifest)
    today = today or dt.date.today()
    written: list[str] = []
    by_type: dict[str, list[ManifestEntry]] = {}
    for entry in entries:
        by_type.setdefault(entry.document_type, []).append(entry)
    for document_type, versions in by_type.items():
        standard_id = f"{prefix}.{_slug(document_type)}"
        folder = out / standard_id
        if folder.exists():
            raise DxsError(f"{folder} already exists: import into an empty catalog folder")
        folder.mkdir(parents=True)
        first = versions[0]
        (folder / "standard.toml").write_text(
            "\n".join(
                [
                    f"id = {_toml_string(standard_id)}",
                    'national_code = "(to be assigned)"',
                    f"title_th = {_toml_string(first.title_th)}",
                    f"title_en = {_toml_string(first.title_en)}",
                    f"owner = {_toml_string(owner)}",
                    f"sector = {_toml_string(sector)}",
                    f"legal_basis = {_toml_string('Imported from the validation package ' + manifest.parent.name)}",
                    'base_standard = "none"',
                    'licence = "(to be written)"',
                    'contact = "(to be written)"',
                    "",
                ]
            ),
            encoding="utf-8",
        )
        for entry in versions:
            semver = _semver(entry.version)
            target = folder / semver
            if target.exists():
                raise DxsError(f"{manifest}: {document_type} lists version {semver} twice")
            closure = _schema_closure(entry.schema_path)
            root_dir = Path(*_common_parts([p.parent for p in closure]))
            for path in closure:
                destination = target / "xsd" / path.relative_to(root_dir)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)
            main = (target / "xsd" / entry.schema_path.relative_to(root_dir)).relative_to(target).as_posix()
            # the catalog looks for schema.xsd; a one-line wrapper keeps the package's own layout intact
            tns = f' targetNamespace="{entry.namespace}"' if entry.namespace else ""
            (target / "schema.xsd").write_text(
                f'<?xml version="1.0" encoding="UTF-8"?>\n<xs:schema xmlns:xs="{_XSD}"{tns} elementFormDefault="qualified">\n'
                f'  <xs:include schemaLocation="{main}"/>\n</xs:schema>\n',
                encoding="utf-8",
            )
            if entry.schematron_path:
                shutil.copy2(entry.schematron_path, target / "rules.sch")
            announced = entry.active_from or today
            lines = [
                f'version = "{semver}"',
                'status = "announced"',
                f"announced = {announced.isoformat()}",
                f"effective = {announced.isoformat()}",
            ]
            if entry.active_to:
                lines.append(f"sunset = {entry.active_to.isoformat()}")
            lines += [
                f"notes = {_toml_string(f'Imported from {manifest.name}: {document_type} version {entry.version}.')}",
                "",
                "[[history]]",
                'status = "announced"',
                f"date = {announced.isoformat()}",
                "",
                "[detection]",
                f"default = {'true' if entry.default else 'false'}",
            ]
            if entry.active_from:
                lines.append(f"active_from = {entry.active_from.isoformat()}")
            if entry.active_to:
                lines.append(f"active_until = {entry.active_to.isoformat()}")
            lines += ["", "[detection.xml]", f"namespace = {_toml_string(entry.namespace)}", f"root = {_toml_string(entry.root)}"]
            if entry.version_path:
                lines += [f"version_path = {_toml_string(entry.version_path)}", f"version_value = {_toml_string(entry.version)}"]
            if entry.namespaces:
                lines += ["", "[detection.xml.namespaces]"] + [f"{k} = {_toml_string(v)}" for k, v in entry.namespaces.items()]
            (target / "version.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
            written.append(f"{standard_id}@{semver}")
    catalog = load_catalog([out])  # proves the result loads, and lets us lock it
    for ref in written:
        lock_version(catalog.resolve(ref))
    return written


def _common_parts(folders: list[Path]) -> list[str]:
    parts = list(folders[0].parts)
    for folder in folders[1:]:
        n = 0
        for a, b in zip(parts, folder.parts):
            if a != b:
                break
            n += 1
        parts = parts[:n]
    return parts
