"""Read-only catalog API: the published standards, their versions and schema files.

Routes only translate HTTP; the catalog itself is the validator's model.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from validator import Catalog, DxsError, Standard, StandardVersion

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
    """The version's XML Schema, byte for byte as published."""
    return _schema_file(catalog, standard_id, version, "xml_schema", "application/xml")
