"""Publishing: lock an announced version's files, scaffold new work, export the catalog.

The catalog's TOML files are written by people and carry comments, so edits
here are small textual ones (a status line, a history entry, the ``[hashes]``
table at the end) rather than a rewrite that would lose them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

from .catalog import ILLUSTRATIVE_LABEL, Catalog, Standard, StandardVersion, load_catalog, parse_semver
from .errors import CatalogError, DxsError
from .sectors import SECTORS

__all__ = [
    "DEFAULT_BASE_URI",
    "catalog_as_dcat",
    "catalog_as_json",
    "file_hashes",
    "standard_as_dict",
    "version_as_dict",
    "lock_version",
    "new_standard",
    "new_version",
    "sha256_of",
]

DEFAULT_BASE_URI = "https://standards.dx.go.th"

_MEDIA_TYPES = {".json": "application/schema+json", ".xsd": "application/xml", ".sch": "application/xml"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(version: StandardVersion) -> dict[str, str]:
    """SHA-256 of every file of the version (``version.toml`` excepted), by relative POSIX path."""
    return {p.relative_to(version.folder).as_posix(): sha256_of(p) for p in version.files()}


# --------------------------------------------------------------------------- lock / announce

_HASHES_TABLE = re.compile(r"^\[hashes\]\s*\n(?:(?!^\[).*\n?)*", re.MULTILINE)
_STATUS_LINE = re.compile(r"""^status\s*=\s*(?:"[^"]*"|'[^']*')[ \t]*(?:#.*)?$""", re.MULTILINE)


def _toml_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)  # a TOML basic string is JSON-compatible here


def lock_version(
    version: StandardVersion,
    *,
    announce: dt.date | None = None,
    effective: dt.date | None = None,
    announcement: str | None = None,
) -> dict[str, str]:
    """Record the SHA-256 of every file in ``version.toml`` (optionally announcing it first).

    :param announce: set status ``announced`` with this date (and a history entry).
    :param announcement: the register entry (number) it was announced by; it must be in the register.
    :raises CatalogError: announcing a version that is already announced, naming an
        announcement the register does not have, or files that fail to load.
    """
    path = version.folder / "version.toml"
    original = path.read_bytes()
    text = original.decode("utf-8")
    # the version's own keys stand before its first table ([[history]], [detection], …): edit only there
    split = re.search(r"^\s*\[", text, re.MULTILINE)
    head, tail = (text[: split.start()], text[split.start():]) if split else (text, "")
    if _STATUS_LINE.search(head) is None:
        raise CatalogError(path, "has no top-level status line to edit", "status")
    if announcement is not None:
        if not announcement.strip():
            raise CatalogError(path, "the announcement to name is empty: give its number as the register has it", "announcement")
        if version.illustrative:
            raise CatalogError(path, f"{version.ref} is illustrative: it has no announcement", "announcement")
        head = re.sub(r"^announcement\s*=.*\n?", "", head, flags=re.MULTILINE)
        head = _STATUS_LINE.sub(lambda m: m.group(0) + f"\nannouncement = {_toml_key(announcement)}", head, count=1)
    if announce is not None:
        if version.is_announced:
            raise CatalogError(path, f"{version.ref} is already {version.status}", "status")
        lines = [f"announced = {announce.isoformat()}"]
        if version.effective is None:
            lines.append(f"effective = {(effective or announce).isoformat()}")
        head = re.sub(r"^announced\s*=.*\n?", "", head, flags=re.MULTILINE)
        head = _STATUS_LINE.sub(lambda m: 'status = "announced"\n' + "\n".join(lines), head, count=1)
        tail = tail.rstrip("\n") + f'\n\n[[history]]\nstatus = "announced"\ndate = {announce.isoformat()}\n'
    text = head.rstrip("\n") + "\n\n" + tail.lstrip("\n") if tail else head
    hashes = file_hashes(version)
    table = "[hashes]\n" + "".join(f"{_toml_key(k)} = \"{v}\"\n" for k, v in sorted(hashes.items()))
    text = _HASHES_TABLE.sub("", text).rstrip("\n") + "\n\n" + table
    written = _replace_checked(path, text, version.folder.parent, original)
    if announcement is not None:
        again = next(v for v in written.versions() if v.folder == version.folder)
        if again.announcement != announcement:  # never report a lock that did not name what was asked
            _restore(path, original)
            raise CatalogError(path, f"could not write announcement {announcement!r} at the top of the file", "announcement")
    return hashes


def _replace_checked(path: Path, text: str, standard_folder: Path, old: bytes) -> Catalog:
    """Write ``text`` to ``path`` and prove the standard still loads; on any failure put ``old`` (its bytes) back.

    Only the standard itself is loaded (a half-written neighbour in the same catalog
    does not block it), with the registers its catalog and the bundled one hold. The
    temporary file lives beside the version folder, never inside it (whose files are hashed).
    """
    from .catalog import catalog_folders

    try:
        _restore(path, text.encode("utf-8"))
    except OSError as exc:
        raise CatalogError(path, f"cannot be written: {exc.strerror}") from None
    try:
        return load_catalog([standard_folder], registers=catalog_folders([standard_folder.parent]))
    except BaseException:
        _restore(path, old)
        raise


def _restore(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, the temporary file beside the version folder (never inside it, where files are hashed)."""
    from ._cache import replace_atomically

    replace_atomically(path, data, scratch=path.parent.parent)


# --------------------------------------------------------------------------- scaffolding


def _bump(version: str, part: str) -> str:
    major, minor, patch = parse_semver(version)
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def new_version(standard: Standard, *, bump: str = "minor", version: str | None = None, today: dt.date | None = None) -> Path:
    """Copy the latest version of ``standard`` to a new draft version folder.

    The copy keeps schemas and examples, drops the hashes and announcement
    dates, and starts a fresh history with a ``draft`` entry dated ``today``.
    The version marker in ``version.toml`` becomes the new ``MAJOR.MINOR``;
    the schemas and examples that carry the marker are the author's to edit.
    """
    if not standard.versions:
        raise DxsError(f"{standard.id} has no version to copy")
    source = max(standard.versions, key=lambda v: v.semver)
    target_version = version or _bump(source.version, bump)
    try:
        parse_semver(target_version)
    except ValueError as exc:
        raise DxsError(str(exc)) from None
    target = standard.folder / target_version
    if target.exists():
        raise DxsError(f"{target} already exists")
    shutil.copytree(source.folder, target, ignore=shutil.ignore_patterns("__pycache__"))
    today = today or dt.date.today()
    text = (target / "version.toml").read_text(encoding="utf-8")
    text = _HASHES_TABLE.sub("", text)
    text = re.sub(r'^version\s*=\s*"[^"]*"', f'version = "{target_version}"', text, count=1, flags=re.MULTILINE)
    text = _STATUS_LINE.sub('status = "draft"', text, count=1)
    text = re.sub(r"^(announced|effective|sunset)\s*=.*\n", "", text, flags=re.MULTILINE)
    text = re.sub(r'^notes\s*=.*$', f'notes = "Draft of {target_version}, copied from {source.version}: say what changes."', text, count=1, flags=re.MULTILINE)
    # a fresh lifecycle: remove the copied history entries, add one draft entry
    text = re.sub(r"^\[\[history\]\]\s*\n(?:(?!^\[).*\n?)*", "", text, flags=re.MULTILINE)
    text = re.sub(r"^(active_from|active_until)\s*=.*\n", "", text, flags=re.MULTILINE)
    major, minor, _ = parse_semver(target_version)
    old_major, old_minor, _ = source.semver
    text = text.replace(f'version_value = "{old_major}.{old_minor}"', f'version_value = "{major}.{minor}"')
    text = text.rstrip("\n") + f'\n\n[[history]]\nstatus = "draft"\ndate = {today.isoformat()}\n'
    (target / "version.toml").write_text(text, encoding="utf-8")
    return target


_STANDARD_TEMPLATE = '''id = "{id}"
title_th = "{title_th}"
title_en = "{title_en}"
description_th = ""
description_en = ""
owner = "{owner}"
owner_name_th = ""
owner_name_en = ""
sector = "{sector}"
legal_basis = "{legal_basis}"
base_standard = "none"
licence = "CC-BY-4.0"
contact = "{contact}"
keywords = []

[source]                              # this office's own standard: its versions name their announcement once made
kind = "announced"
publisher = "{owner}"
url = "(to be written)"
'''

_VERSION_TEMPLATE = '''version = "0.1.0"
status = "draft"
notes = "First draft."

[[history]]
status = "draft"
date = {today}

[detection]
default = true

[detection.json]
root_pointer = "/documentType"
root_value = "{id}"
version_pointer = "/documentVersion"
version_value = "0.1"
'''


def new_standard(
    catalog_folder: Path,
    standard_id: str,
    *,
    title_th: str,
    title_en: str,
    owner: str,
    sector: str,
    legal_basis: str = "(to be written)",
    contact: str = "(to be written)",
    today: dt.date | None = None,
) -> Path:
    """Create ``catalog_folder/standard_id`` with a 0.1.0 draft: a JSON Schema and example folders."""
    if sector not in SECTORS:
        raise DxsError(f"sector {sector!r} is not one of {', '.join(SECTORS)}")
    folder = Path(catalog_folder) / standard_id
    if folder.exists():
        raise DxsError(f"{folder} already exists")
    fields = dict(title_th=title_th, title_en=title_en, owner=owner, sector=sector,
                  legal_basis=legal_basis, contact=contact)
    values = {k: v.replace('"', "'") for k, v in fields.items()}  # keep the TOML strings well-formed
    version = folder / "0.1.0"
    (version / "examples" / "valid").mkdir(parents=True)
    (version / "examples" / "invalid").mkdir()
    (folder / "standard.toml").write_text(_STANDARD_TEMPLATE.format(id=standard_id, **values), encoding="utf-8")
    (version / "version.toml").write_text(
        _VERSION_TEMPLATE.format(id=standard_id, today=(today or dt.date.today()).isoformat()), encoding="utf-8"
    )
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{DEFAULT_BASE_URI}/{standard_id}/0.1.0/schema.json",
        "title": title_en,
        "x-title-th": title_th,
        "type": "object",
        "required": ["documentType", "documentVersion"],
        "additionalProperties": False,
        "properties": {
            "documentType": {"const": standard_id, "title": "Document type", "x-title-th": "ประเภทเอกสาร"},
            "documentVersion": {"const": "0.1", "title": "Standard version", "x-title-th": "รุ่นของมาตรฐาน"},
        },
    }
    (version / "schema.json").write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (version / "examples" / "invalid" / "expected.toml").write_text(
        "# One table per invalid example: [\"file.json\"] with rule, location and why.\n", encoding="utf-8"
    )
    return folder


# --------------------------------------------------------------------------- export


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _version_uri(base: str, v: StandardVersion) -> str:
    return f"{base}/{v.standard_id}/{v.version}"


def _published_hashes(v: StandardVersion) -> dict[str, str]:
    """The hashes a locked version was published with (the check compares them with the files), else the files'."""
    return dict(v.hashes) if v.hashes else file_hashes(v)


def version_as_dict(v: StandardVersion, base_uri: str = DEFAULT_BASE_URI, register: Any = None) -> dict[str, Any]:
    """One version as plain data: lifecycle, announcement, provenance, detection, code lists, and its files."""
    base = base_uri.rstrip("/")
    found = register.find(v.announcement) if register is not None and v.announcement else None
    examples = v.examples_root.relative_to(v.folder).as_posix()
    return {
        "uri": _version_uri(base, v),
        "version": v.version,
        "status": v.status,
        "announcement": (
            found.as_dict() if found is not None else ({"label": v.announcement} if v.announcement else None)
        ),
        "upstream": (
            {"repository": v.upstream.repository, "commit": v.upstream.commit, "path": v.upstream.path,
             "version": v.upstream.version, "files": len(v.upstream.files)}
            if v.upstream
            else None
        ),
        "code_lists": [c.as_dict() for c in v.code_lists],
        "announced": _iso(v.announced),
        "effective": _iso(v.effective),
        "sunset": _iso(v.sunset),
        "notes": v.notes,
        "forms": [name for name, path in (("json", v.json_schema), ("xml", v.xml_schema), ("schematron", v.rules)) if path],
        "history": [{"status": h.status, "date": h.date.isoformat()} for h in v.history],
        "detection": {
            "default": v.default,
            "xml": (
                {"namespace": v.xml.namespace, "root": v.xml.root, "version_path": v.xml.version_path,
                 "version_value": v.xml.version_value, "version_values": list(v.xml.version_values), "label_path": v.xml.label_path}
                if v.xml
                else None
            ),
            "json": (
                {"root_pointer": v.json.root_pointer, "root_value": v.json.root_value, "version_pointer": v.json.version_pointer, "version_value": v.json.version_value}
                if v.json
                else None
            ),
        },
        "files": [
            {"path": p, "sha256": h, "url": f"{_version_uri(base, v)}/{p}"}
            for p, h in sorted(_published_hashes(v).items())
            if not p.startswith("examples/")
        ],
        "examples": examples,
    }


def standard_as_dict(
    s: Standard, base_uri: str = DEFAULT_BASE_URI, versions: list[StandardVersion] | None = None, register: Any = None
) -> dict[str, Any]:
    """One standard as plain data with a stable URI (``versions``: a subset to include)."""
    base = base_uri.rstrip("/")
    latest = s.latest_announced
    return {
        "uri": f"{base}/{s.id}",
        "id": s.id,
        "illustrative": s.illustrative,
        "label": ILLUSTRATIVE_LABEL if s.illustrative else None,
        "source": (
            {"kind": s.source.kind, "publisher": s.source.publisher, "url": s.source.url, "note": s.source.note}
            if s.source
            else None
        ),
        "package": s.package,
        "document_type": (
            {"key": s.document_type.key, "name": s.document_type.name, "oid": s.document_type.oid or None}
            if s.document_type
            else None
        ),
        "national_code": s.national_code or None,
        "title": {"th": s.title_th, "en": s.title_en},
        "description": {"th": s.description_th, "en": s.description_en},
        "owner": {"code": s.owner, "name": {"th": s.owner_name_th, "en": s.owner_name_en}},
        "sector": s.sector,
        "legal_basis": s.legal_basis,
        "base_standard": s.base_standard,
        "licence": s.licence,
        "contact": s.contact,
        "keywords": list(s.keywords),
        "latest": latest.version if latest else None,
        "versions": [version_as_dict(v, base, register) for v in (s.versions if versions is None else versions)],
    }


def catalog_as_json(catalog: Catalog, base_uri: str = DEFAULT_BASE_URI) -> dict[str, Any]:
    """The whole catalog as one JSON document, with stable URIs for standards and versions."""
    return {
        "catalog": {
            "uri": base_uri.rstrip("/"),
            "title": {"th": "แคตตาล็อกมาตรฐานการแลกเปลี่ยนข้อมูล", "en": "Data-exchange standards catalog"},
        },
        "standards": [standard_as_dict(s, base_uri, register=catalog.register) for s in catalog],
        "announcements": [a.as_dict() for a in catalog.register],
        "announcements_note": " ".join(catalog.register.notes),
    }


_DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "adms": "http://www.w3.org/ns/adms#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "spdx": "http://spdx.org/rdf/terms#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# ADMS status vocabulary for the lifecycle
_ADMS_STATUS = {
    "draft": "http://purl.org/adms/status/UnderDevelopment",
    "public-comment": "http://purl.org/adms/status/UnderDevelopment",
    "announced": "http://purl.org/adms/status/Completed",
    "deprecated": "http://purl.org/adms/status/Deprecated",
    "retired": "http://purl.org/adms/status/Withdrawn",
}


def _lang(th: str, en: str) -> list[dict[str, str]]:
    return [{"@value": t, "@language": lang} for t, lang in ((th, "th"), (en, "en")) if t]


def _date(day: dt.date | None) -> dict[str, str] | None:
    return {"@value": day.isoformat(), "@type": "xsd:date"} if day else None


def catalog_as_dcat(catalog: Catalog, base_uri: str = DEFAULT_BASE_URI) -> dict[str, Any]:
    """The catalog as DCAT-AP JSON-LD: each standard and version a ``dct:Standard`` resource."""
    base = base_uri.rstrip("/")
    resources: list[dict[str, Any]] = []
    for s in catalog:
        standard_uri = f"{base}/{s.id}"
        mark_th, mark_en = (" (ตัวอย่าง)", " (illustrative)") if s.illustrative else ("", "")
        versions = []
        for v in s.versions:
            distributions = [
                {
                    "@id": f"{_version_uri(base, v)}/{p}",
                    "@type": "dcat:Distribution",
                    "dct:title": p,
                    "dcat:downloadURL": {"@id": f"{_version_uri(base, v)}/{p}"},
                    "dcat:mediaType": _MEDIA_TYPES.get(Path(p).suffix, "application/octet-stream"),
                    "spdx:checksum": {
                        "@type": "spdx:Checksum",
                        "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                        "spdx:checksumValue": h,
                    },
                }
                for p, h in sorted(_published_hashes(v).items())
                if not p.startswith("examples/")
            ]
            node = {
                "@id": _version_uri(base, v),
                "@type": ["dcat:Resource", "dct:Standard"],
                "dct:identifier": v.ref,
                "dct:title": _lang(f"{s.title_th} รุ่น {v.version}{mark_th}", f"{s.title_en} {v.version}{mark_en}"),
                "adms:identifier": {"@type": "adms:Identifier", "skos:notation": v.announcement} if v.announcement else None,
                "dcat:version": v.version,
                "dcat:isVersionOf": {"@id": standard_uri},
                "adms:status": {"@id": _ADMS_STATUS[v.status]},
                "adms:versionNotes": v.notes,
                "dct:issued": _date(v.announced),
                "dct:valid": _date(v.effective),
                "dcat:distribution": distributions,
            }
            versions.append({k: val for k, val in node.items() if val not in (None, "", [])})
        for earlier, later in zip(versions, versions[1:]):
            later["dcat:previousVersion"] = {"@id": earlier["@id"]}
        latest = s.latest_announced
        resources.append(
            {
                "@id": standard_uri,
                "@type": ["dcat:Resource", "dct:Standard"],
                "dct:identifier": s.id,
                "adms:identifier": {"@type": "adms:Identifier", "skos:notation": s.national_code} if s.national_code else None,
                "dct:type": "illustrative" if s.illustrative else (s.source.kind if s.source else None),
                "dct:provenance": (
                    {"@type": "dct:ProvenanceStatement", "rdfs:label": "Made up to illustrate the toolkit; not a real standard."}
                    if s.illustrative
                    else {"@type": "dct:ProvenanceStatement", "rdfs:label": f"{s.source.publisher}: {s.source.url}"} if s.source else None
                ),
                "dct:title": _lang(s.title_th + mark_th, s.title_en + mark_en),
                "dct:description": _lang(s.description_th, s.description_en),
                "dct:publisher": {"@type": "foaf:Agent", "dct:identifier": s.owner, "foaf:name": _lang(s.owner_name_th, s.owner_name_en)},
                "dcat:theme": s.sector,
                "dcat:keyword": list(s.keywords),
                "dct:license": s.licence,
                "dct:conformsTo": s.base_standard,
                "dct:source": s.legal_basis,
                "dcat:contactPoint": {"@type": "vcard:Kind", "vcard:hasEmail": s.contact},
                "dcat:hasCurrentVersion": {"@id": _version_uri(base, latest)} if latest else None,
                "dcat:hasVersion": versions,
            }
        )
    context = dict(_DCAT_CONTEXT, skos="http://www.w3.org/2004/02/skos/core#", rdfs="http://www.w3.org/2000/01/rdf-schema#")
    return {
        "@context": context,
        "@id": base,
        "@type": "dcat:Catalog",
        "dct:title": _lang("แคตตาล็อกมาตรฐานการแลกเปลี่ยนข้อมูล", "Data-exchange standards catalog"),
        "dcat:resource": [{k: val for k, val in r.items() if val not in (None, "", [])} for r in resources],
    }

