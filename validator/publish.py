"""Publishing: lock an announced version's files, scaffold a new standard, export the catalog.

The catalog's TOML files are written by people and carry comments, so the lock is a
small textual edit (:mod:`._version_toml`: the ``[hashes]`` table at the end) rather
than a rewrite that would lose them. A version's lifecycle (a new draft, announcing,
deprecating, retiring) is :mod:`validator.lifecycle`'s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from ._version_toml import VersionToml
from .catalog import ILLUSTRATIVE_LABEL, Catalog, Standard, StandardVersion
from .errors import CatalogError, DxsError
from .sectors import SECTORS

__all__ = [
    "ARCHIVE_NAME",
    "DEFAULT_BASE_URI",
    "catalog_as_dcat",
    "catalog_as_json",
    "file_hashes",
    "standard_as_dict",
    "version_as_dict",
    "lock_version",
    "media_type",
    "new_standard",
    "sha256_of",
]

DEFAULT_BASE_URI = "https://standards.dx.go.th"

_MEDIA_TYPES = {
    ".json": "application/json",
    ".xml": "application/xml",
    ".xsd": "application/xml",
    ".sch": "application/xml",
    ".gc": "application/xml",  # genericode code lists
    ".toml": "application/toml",
    ".csv": "text/csv; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".zip": "application/zip",
}
#: Where a version's archive (every file and MANIFEST.json) is, under the version's URI.
ARCHIVE_NAME = "archive.zip"


def media_type(path: str) -> str:
    """The media type a version's file is published with, from its name.

    A ``.json`` file named ``schema.json`` (or ``*.schema.json``) is a JSON Schema; other JSON
    files (examples, a publisher's manifest) are plain JSON.
    """
    name = path.rsplit("/", 1)[-1].lower()
    if name == "schema.json" or name.endswith(".schema.json"):
        return "application/schema+json"
    return _MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(version: StandardVersion) -> dict[str, str]:
    """SHA-256 of every file of the version (``version.toml`` excepted), by relative POSIX path."""
    return {p.relative_to(version.folder).as_posix(): sha256_of(p) for p in version.files()}


# --------------------------------------------------------------------------- lock


def _toml_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)  # a TOML basic string is JSON-compatible here


def lock_version(version: StandardVersion, *, announcement: str | None = None, toml: VersionToml | None = None) -> dict[str, str]:
    """Record the SHA-256 of every file in ``version.toml`` (its ``[hashes]`` table), optionally naming its announcement.

    :param announcement: the register entry (number) it was announced by; it must be in the register.
    :param toml: the version's ``version.toml`` with edits to write with the lock (announcing:
        :func:`~validator.lifecycle.announce_version`).
    :raises CatalogError: naming an announcement for an illustrative version or one the
        register does not have, or files that fail to load (``version.toml`` is then as it was).
    """
    toml = toml or VersionToml(version.folder / "version.toml")
    if announcement is not None:
        if not announcement.strip():
            raise CatalogError(toml.path, "the announcement to name is empty: give its number as the register has it", "announcement")
        if version.illustrative:
            raise CatalogError(toml.path, f"{version.ref} is illustrative: it has no announcement", "announcement")
        toml.set("announcement", announcement)
    hashes = file_hashes(version)
    toml.set_table("hashes", hashes)
    toml.write()
    return hashes


# --------------------------------------------------------------------------- scaffolding


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
default = false                       # a draft never is; announcing the first version makes it the default

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
                    "dcat:mediaType": media_type(p),
                    "spdx:checksum": {
                        "@type": "spdx:Checksum",
                        "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                        "spdx:checksumValue": h,
                    },
                }
                for p, h in sorted(_published_hashes(v).items())
                if not p.startswith("examples/")
            ]
            distributions.append(
                {
                    "@id": f"{_version_uri(base, v)}/{ARCHIVE_NAME}",
                    "@type": "dcat:Distribution",
                    "dct:title": ARCHIVE_NAME,
                    "dct:description": "Every file of the version at its relative path (schemas, their modules, "
                                       "rules, code lists, examples) and MANIFEST.json with each file's SHA-256.",
                    "dcat:downloadURL": {"@id": f"{_version_uri(base, v)}/{ARCHIVE_NAME}"},
                    "dcat:mediaType": media_type(ARCHIVE_NAME),
                    "dcat:packageFormat": media_type(ARCHIVE_NAME),
                }
            )
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

