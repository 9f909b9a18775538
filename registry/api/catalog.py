"""Read-only catalog API: the published standards, their versions and their files.

Routes only translate HTTP; the catalog itself is the validator's model, and a version's
files and archive are found and built by :mod:`registry.downloads`.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from dxs.validator import Catalog, DxsError, Standard, StandardVersion
from dxs.validator.publish import ARCHIVE_NAME, media_type

from .. import downloads
from ..errors import NotFound
from .deps import CatalogDep

router = APIRouter(prefix="/api/v1", tags=["catalog"])


class VersionRead(BaseModel):
    version: str
    status: str
    announcement: str | None = Field(description="The announcement (register entry) it was announced by, e.g. ขมธอ. 3-2560")
    announced: str | None
    effective: str | None
    sunset: str | None
    notes: str
    forms: list[str]
    history: list[dict[str, str]]


class StandardRead(BaseModel):
    id: str
    illustrative: bool = Field(description="Made up to illustrate the toolkit (ตัวอย่าง): no office announced it")
    source: str | None = Field(description="Where a real standard comes from: announced, registered, international or derived")
    package: str | None = Field(description="The package whose document type this standard is, if any")
    national_code: str = Field(description="The announcement number of its latest announced version ('' when none)")
    title_th: str
    title_en: str
    owner: str
    sector: str
    legal_basis: str
    base_standard: str
    licence: str
    contact: str
    latest: str | None
    versions: list[VersionRead]


class FileRead(BaseModel):
    path: str = Field(description="Path relative to the version folder; also the file's place in the archive")
    url: str = Field(description="Where the file is served: relative schema imports resolve beside it")
    size: int
    sha256: str
    media_type: str
    locked: bool = Field(description="The version's lock ([hashes] in version.toml) lists these very bytes")


class FileList(BaseModel):
    standard: str
    version: str
    status: str
    archive: str = Field(description="Every file at its relative path, and MANIFEST.json, in one ZIP")
    files: list[FileRead]
    total: int


class StandardList(BaseModel):
    items: list[StandardRead]
    total: int


def _version(v: StandardVersion) -> VersionRead:
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return VersionRead(
        version=v.version,
        status=v.status,
        announcement=v.announcement,
        announced=iso(v.announced),
        effective=iso(v.effective),
        sunset=iso(v.sunset),
        notes=v.notes,
        forms=[name for name, path in (("json", v.json_schema), ("xml", v.xml_schema), ("schematron", v.rules)) if path],
        history=[{"status": h.status, "date": h.date.isoformat()} for h in v.history],
    )


def _standard(s: Standard) -> StandardRead:
    latest = s.latest_announced
    return StandardRead(
        id=s.id,
        illustrative=s.illustrative,
        source=s.source.kind if s.source else None,
        package=s.package,
        national_code=s.national_code,
        title_th=s.title_th,
        title_en=s.title_en,
        owner=s.owner,
        sector=s.sector,
        legal_basis=s.legal_basis,
        base_standard=s.base_standard,
        licence=s.licence,
        contact=s.contact,
        latest=latest.version if latest else None,
        versions=[_version(v) for v in s.versions],
    )


def _lookup(catalog: Catalog, standard_id: str, version: str | None = None) -> Any:
    try:
        standard = catalog.standard(standard_id)
        return standard.version(version) if version else standard
    except DxsError as exc:
        raise NotFound(str(exc)) from None


@router.get("/standards", response_model=StandardList)
def list_standards(catalog: CatalogDep, sector: str | None = None, owner: str | None = None) -> StandardList:
    """Every standard of the catalog, optionally of one sector or owner."""
    items = [
        _standard(s)
        for s in catalog
        if (sector is None or s.sector == sector) and (owner is None or s.owner.lower() == owner.lower())
    ]
    return StandardList(items=items, total=len(items))


@router.get("/standards/{standard_id}", response_model=StandardRead, responses={404: {"description": "No such standard"}})
def get_standard(standard_id: str, catalog: CatalogDep) -> StandardRead:
    return _standard(_lookup(catalog, standard_id))


def _schema_file(catalog: Catalog, standard_id: str, version: str, attr: str, media_type: str) -> FileResponse:
    v = _lookup(catalog, standard_id, version)
    path = getattr(v, attr)
    if path is None:
        raise NotFound(f"{v.ref} has no {'JSON' if attr == 'json_schema' else 'XML'} form")
    return FileResponse(path, media_type=media_type, filename=path.name)


@router.get(
    "/standards/{standard_id}/versions/{version}/schema.json",
    response_class=FileResponse,
    responses={200: {"description": "The JSON Schema file", "content": {"application/schema+json": {"schema": {"type": "object"}}}}, 404: {"description": "No such form"}},
)
def get_json_schema(standard_id: str, version: str, catalog: CatalogDep) -> FileResponse:
    """The version's JSON Schema, byte for byte as published."""
    return _schema_file(catalog, standard_id, version, "json_schema", "application/schema+json")


@router.get(
    "/standards/{standard_id}/versions/{version}/schema.xsd",
    response_class=FileResponse,
    responses={200: {"description": "The XML Schema file", "content": {"application/xml": {"schema": {"type": "string"}}}}, 404: {"description": "No such form"}},
)
def get_xml_schema(standard_id: str, version: str, catalog: CatalogDep) -> FileResponse:
    """The version's XML Schema, byte for byte as published. A module it imports from beside
    it is redirected to ``files/``; the schema's own URL under ``files/`` (in the ``files``
    list) is where every relative import resolves, a deeper layout's included."""
    return _schema_file(catalog, standard_id, version, "xml_schema", "application/xml")


# --------------------------------------------------------------------------- every file, and the archive

_VERSION_URL = "/api/v1/standards/{standard_id}/versions/{version}"


def version_url(v: StandardVersion) -> str:
    """The URL the version's files and archive are served under."""
    return _VERSION_URL.format(standard_id=v.standard_id, version=v.version)


@router.get("/standards/{standard_id}/versions/{version}/files", response_model=FileList,
            responses={404: {"description": "No such standard or version"}})
def list_version_files(standard_id: str, version: str, catalog: CatalogDep) -> FileList:
    """Every file of the version (schemas and their modules, rules, code lists, examples and
    ``version.toml``) with its size, SHA-256 and URL."""
    v = _lookup(catalog, standard_id, version)
    base = version_url(v)
    files = [FileRead(url=f"{base}/files/{quote(f.path)}", **f.as_dict()) for f in downloads.version_files(v)]
    return FileList(standard=v.standard_id, version=v.version, status=v.status, archive=f"{base}/{ARCHIVE_NAME}",
                    files=files, total=len(files))


@router.get(
    "/standards/{standard_id}/versions/{version}/files/{path:path}",
    response_class=FileResponse,
    responses={200: {"description": "The file, byte for byte as published"}, 404: {"description": "No such file"}},
)
def get_version_file(standard_id: str, version: str, path: str, catalog: CatalogDep) -> FileResponse:
    """One file of the version, byte for byte, at its path relative to the version folder: a schema's
    relative ``xs:import``/``xs:include`` resolves to the URL of the module it names. Only the
    version's own files are answered (``../``, absolute paths and links out of the folder are 404)."""
    v = _lookup(catalog, standard_id, version)
    found = downloads.file_path(v, path)
    return FileResponse(found, media_type=media_type(path), filename=found.name, content_disposition_type="inline")


@router.get(
    "/standards/{standard_id}/versions/{version}/archive.zip",
    response_class=Response,
    responses={200: {"description": "Every file at its relative path, and MANIFEST.json (path, size and SHA-256 of "
                                    "each, the version's status and announcement)", "content": {"application/zip": {}}},
               404: {"description": "No such standard or version"}},
)
def get_version_archive(standard_id: str, version: str, catalog: CatalogDep) -> Response:
    """The whole version as one ZIP, the same bytes every time: unzip it and validate offline
    (``xmllint --noout --schema schema.xsd doc.xml``, ``dxs validate --schema … --rules …``).
    A package's document types share one folder, and so one archive."""
    v = _lookup(catalog, standard_id, version)
    data = downloads.archive_bytes(downloads.folder_versions(catalog, v), catalog.register)
    return Response(data, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{downloads.archive_name(v)}"',
        "ETag": f'"{hashlib.sha256(data).hexdigest()}"',
    })


@router.get("/standards/{standard_id}/versions/{version}/{path:path}", include_in_schema=False)
def redirect_to_version_file(standard_id: str, version: str, path: str, catalog: CatalogDep, request: Request) -> RedirectResponse:
    """A module named beside the short ``…/schema.xsd`` (where its relative import resolves) → its ``files/`` URL.

    Registered last, so only what no route above answers comes here.
    """
    v = _lookup(catalog, standard_id, version)
    downloads.file_path(v, path)  # 404 unless it is one of the version's files
    # absolute: libxml2's HTTP client (xmllint) follows no relative Location
    return RedirectResponse(str(request.url_for("get_version_file", standard_id=v.standard_id, version=v.version, path=path)),
                            status_code=308)
