"""Documentation pages of the standards, generated from the catalog (never hand-written).

Two ways out, one set of templates: ``router`` serves ``/standards/{id}`` from the
running app's catalog, and :func:`build_static_site` writes the same pages as files
whose links work straight from the file system.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from dxs.validator import Catalog, DxsError, Standard, StandardVersion
from dxs.validator.announcements import Register
from dxs.validator.catalog import ILLUSTRATIVE_LABEL
from dxs.validator.publish import ARCHIVE_NAME
from dxs.validator.schema_fields import Field, json_fields, xml_fields
from dxs.validator.sectors import sector_name
from dxs.validator.years import be_year

from . import downloads

__all__ = ["build_static_site", "page_context", "router"]

TEMPLATES = Path(__file__).parent / "templates"

STATUS_TH = {
    "draft": "ฉบับร่าง",
    "public-comment": "รับฟังความคิดเห็น",
    "announced": "ประกาศใช้",
    "deprecated": "เลิกแนะนำ",
    "retired": "ยกเลิกแล้ว",
}
#: Where a real standard comes from, in Thai (``[source] kind``).
SOURCE_TH = {
    "announced": "ประกาศโดยหน่วยงาน",
    "registered": "ขึ้นทะเบียนไว้ ไม่ใช่มาตรฐานที่ประกาศ",
    "international": "มาตรฐานสากล",
    "derived": "จัดทำจากข้อมูลที่เผยแพร่จริง",
}


def break_path(path: str) -> Markup:
    """A field path that wraps after its ``/`` separators rather than mid-name."""
    lead = Markup("/") if path.startswith("/") else Markup("")
    return lead + Markup("/<wbr>").join(escape(part) for part in path.removeprefix("/").split("/"))


def file_size(size: int) -> str:
    """``41837`` → ``41.8 kB`` (decimal units, as a download dialog shows them)."""
    if size < 1000:
        return f"{size} B"
    return f"{size / 1000:.1f} kB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["be_year"] = be_year
    env.filters["break_path"] = break_path
    env.filters["file_size"] = file_size
    env.globals.update(STATUS_TH=STATUS_TH, SOURCE_TH=SOURCE_TH, ILLUSTRATIVE=ILLUSTRATIVE_LABEL, sector_name=sector_name)
    return env


ENV = _environment()
templates = Jinja2Templates(env=ENV)
router = APIRouter(include_in_schema=False)


# --------------------------------------------------------------------------- links


class Links:
    """Where a page's links point when served by the app."""

    home = "/"

    def page(self, standard_id: str, version: str | None = None) -> str:
        return f"/standards/{standard_id}" + (f"?version={version}" if version else "")

    def _version(self, version: StandardVersion) -> str:
        return f"/api/v1/standards/{version.standard_id}/versions/{version.version}"

    def download(self, version: StandardVersion, name: str) -> str | None:
        """The short URL of a version's form (``schema.json``, ``schema.xsd``), or ``None`` where there is none."""
        if name in ("schema.json", "schema.xsd"):
            return f"{self._version(version)}/{name}"
        return None

    def file(self, version: StandardVersion, path: str) -> str:
        """URL of the file at ``path`` (relative to the version folder): its relative imports resolve beside it."""
        return f"{self._version(version)}/files/{quote(path)}"

    def archive(self, version: StandardVersion) -> str:
        """URL of the version's archive: every file and MANIFEST.json."""
        return f"{self._version(version)}/{ARCHIVE_NAME}"

    def file_list(self, version: StandardVersion) -> str | None:
        """URL of the JSON list of the version's files with their SHA-256, where there is one."""
        return f"{self._version(version)}/files"


class StaticLinks(Links):
    """Relative links between the files :func:`build_static_site` writes.

    Every standard page lives in ``standards/<id>/``, so links are relative to it. A version's
    files are copied to ``standards/<folder>/<version>/`` at their relative paths and its archive
    is ``standards/<folder>/<version>.zip``, where ``<folder>`` is the standard's id, or the
    package's for a document type (its types share one folder of files).
    """

    home = "../../index.html"

    def __init__(self, current: str) -> None:
        self._current = current

    def page(self, standard_id: str, version: str | None = None) -> str:
        here = f"{version}.html" if version else "index.html"
        return here if standard_id == self._current else f"../{standard_id}/{here}"

    def _folder(self, version: StandardVersion) -> str:
        owner = downloads.folder_id(version)
        return "" if owner == self._current else f"../{owner}/"

    def download(self, version: StandardVersion, name: str) -> str | None:
        return None  # the static site has no short form URLs: its files are at their own paths

    def file(self, version: StandardVersion, path: str) -> str:
        return f"{self._folder(version)}{version.version}/{quote(path)}"

    def archive(self, version: StandardVersion) -> str:
        return f"{self._folder(version)}{version.version}.zip"

    def file_list(self, version: StandardVersion) -> str | None:
        return None  # the archive's MANIFEST.json lists them


# --------------------------------------------------------------------------- page data


@dataclass(frozen=True, slots=True)
class FormDoc:
    """One form (JSON or XML) of a version: its fields, or why they could not be read."""

    key: str  # "json" | "xml"
    label: str
    schema_name: str
    schema_url: str | None
    fields: tuple[Field, ...]
    error: str = ""


@dataclass(frozen=True, slots=True)
class ExampleDoc:
    name: str
    form: str
    text: str
    rule: str = ""
    location: str = ""
    why: str = ""


def default_version(standard: Standard) -> StandardVersion | None:
    """The version a page shows unless asked: the latest announced, else the newest."""
    if standard.latest_announced is not None:
        return standard.latest_announced
    return max(standard.versions, key=lambda v: v.semver) if standard.versions else None


def _forms(version: StandardVersion, links: Links) -> list[FormDoc]:
    forms = []
    for key, label, path, walk in (
        ("json", "JSON", version.json_schema, json_fields),
        ("xml", "XML", version.xml_schema, xml_fields),
    ):
        if path is None:
            continue
        try:
            fields, error = tuple(walk(version)), ""
        except DxsError as exc:
            fields, error = (), str(exc)
        forms.append(FormDoc(key, label, path.name, links.file(version, path.relative_to(version.folder).as_posix()), fields, error))
    return forms


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"(cannot be shown: {exc})"


def _examples(version: StandardVersion) -> tuple[list[ExampleDoc], list[ExampleDoc]]:
    valid = [ExampleDoc(p.name, p.suffix[1:].upper(), _read_text(p)) for p in version.examples("valid")]
    manifest: dict[str, Any] = {}
    expected = version.examples_root / "invalid" / "expected.toml"
    if expected.is_file():
        try:
            manifest = tomllib.loads(expected.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            manifest = {}  # `dxs standards check` reports it; the page still shows the files
    invalid = []
    for p in version.examples("invalid"):
        entry = manifest.get(p.name, {})
        entry = entry if isinstance(entry, dict) else {}
        invalid.append(
            ExampleDoc(
                p.name,
                p.suffix[1:].upper(),
                _read_text(p),
                rule=str(entry.get("rule", "")),
                location=str(entry.get("location", "")),
                why=str(entry.get("why", "")),
            )
        )
    return valid, invalid


@dataclass(frozen=True, slots=True)
class DownloadDoc:
    """One file of a version as the Downloads section lists it."""

    path: str
    url: str
    what: str
    size: int
    sha256: str
    #: the short URL of the form it is, if the service has one (``…/schema.xsd``)
    short_url: str | None = None


def _what(version: StandardVersion, path: str) -> str:
    """What a file of the version is, for a reader choosing what to download."""
    role = {_relative(version, version.json_schema): "JSON Schema", _relative(version, version.xml_schema): "XML Schema 1.0",
            _relative(version, version.rules): "ISO Schematron"}
    if path in role:
        return role[path]
    if path == "version.toml":
        return "catalog entry · รายละเอียดรุ่นในแคตตาล็อก"
    if path.startswith("examples/"):
        return "example · ตัวอย่าง"
    suffix = Path(path).suffix
    return {".xsd": "XSD module", ".sch": "Schematron", ".json": "JSON"}.get(suffix, "")


def _relative(version: StandardVersion, path: Path | None) -> str | None:
    return path.relative_to(version.folder).as_posix() if path is not None else None


def _downloads(version: StandardVersion, links: Links) -> dict[str, Any]:
    """The Downloads section: the archive, the version's entry points (schemas, rules) and every file."""
    files = [
        DownloadDoc(f.path, links.file(version, f.path), _what(version, f.path), f.size, f.sha256)
        for f in downloads.version_files(version)
    ]
    entries = []
    for path, form in ((version.json_schema, "schema.json"), (version.xml_schema, "schema.xsd"), (version.rules, None)):
        if path is None:
            continue
        relative = _relative(version, path)
        found = next(f for f in files if f.path == relative)
        # the short form URL only where the schema sits at the folder's root: a deeper one's relative
        # imports resolve nowhere from there (they do beside it under files/)
        short = links.download(version, form) if form == relative else None
        entries.append(DownloadDoc(found.path, found.url, found.what, found.size, found.sha256, short))
    return {
        "archive": links.archive(version),
        "archive_name": downloads.archive_name(version),
        "file_list": links.file_list(version),
        "entries": entries,
        "files": files,
        "size": sum(f.size for f in files),
        "xml_schema": _relative(version, version.xml_schema),
        "json_schema": _relative(version, version.json_schema),
        "rules": _relative(version, version.rules),
    }


def page_context(standard: Standard, version: StandardVersion, links: Links, register: Register | None = None) -> dict[str, Any]:
    """Everything ``standard.html`` shows for ``version`` of ``standard`` (``register``: to name its announcement)."""
    valid, invalid = _examples(version)
    return {
        "standard": standard,
        "version": version,
        "announcement": register.find(version.announcement) if register is not None and version.announcement else None,
        "current": default_version(standard),
        "versions": sorted(standard.versions, key=lambda v: v.semver, reverse=True),
        "forms": _forms(version, links),
        "valid_examples": valid,
        "invalid_examples": invalid,
        "downloads": _downloads(version, links),
        "links": links,
        "generated": dt.date.today(),
    }


# --------------------------------------------------------------------------- served


def _served(request: Request) -> dict[str, Any]:
    """What a page the registry serves adds to the static site's: its menu, and the banner on demo data."""
    from .dashboard import demo_flag

    return {"served": True, "demo": demo_flag(request)}


def _not_found(request: Request, message: str) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "standard.html", {"not_found": message, "links": Links(), "standard": None, **_served(request)}, status_code=404
    )


@router.get("/standards/{standard_id}", response_class=HTMLResponse)
def standard_page(request: Request, standard_id: str, version: str | None = None) -> HTMLResponse:
    """The documentation page of a standard (``?version=X.Y.Z``, default the latest announced)."""
    catalog: Catalog = request.app.state.catalog
    try:
        standard = catalog.standard(standard_id)
        chosen = standard.version(version) if version else default_version(standard)
    except DxsError as exc:
        return _not_found(request, str(exc))
    if chosen is None:
        return _not_found(request, f"standard {standard_id!r} has no versions")
    return templates.TemplateResponse(
        request, "standard.html", {**page_context(standard, chosen, Links(), catalog.register), **_served(request)}
    )


# --------------------------------------------------------------------------- static


def build_static_site(catalog: Catalog, out_dir: Path) -> list[Path]:
    """Write the documentation of every standard under ``out_dir``; return the files written.

    ``index.html`` lists the standards; ``standards/<id>/index.html`` is the page of
    the default version and ``standards/<id>/<version>.html`` that of each version.
    Every file of a version is copied to ``standards/<folder>/<version>/`` at its
    relative path (so a schema's imports resolve beside it), and the version's archive
    is ``standards/<folder>/<version>.zip``; ``<folder>`` is the standard's id, or its
    package's, whose document types share one folder of files. Links are relative, so
    the folder can be opened from disk or served by any web server.
    """
    out_dir = Path(out_dir)
    written: list[Path] = []

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    def publish_files(version: StandardVersion) -> None:
        folder = out_dir / "standards" / downloads.folder_id(version)
        for f in downloads.version_files(version):
            target = folder / version.version / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(version.folder / f.path, target)
            written.append(target)
        archive = folder / f"{version.version}.zip"
        archive.write_bytes(downloads.archive_bytes(downloads.folder_versions(catalog, version), catalog.register))
        written.append(archive)

    standards = list(catalog)
    template = ENV.get_template("standard.html")
    published: set[Path] = set()  # version folders already copied: a package's types share theirs
    for standard in standards:
        folder = out_dir / "standards" / standard.id
        links = StaticLinks(standard.id)
        for version in standard.versions:
            write(folder / f"{version.version}.html", template.render(page_context(standard, version, links, catalog.register)))
            if version.folder not in published:
                published.add(version.folder)
                publish_files(version)
        if (chosen := default_version(standard)) is not None:
            write(folder / "index.html", template.render(page_context(standard, chosen, links, catalog.register)))
    index = ENV.get_template("catalog_static.html").render(
        standards=[(s, default_version(s)) for s in standards],
        versions=sum(len(s.versions) for s in standards),
        generated=dt.date.today(),
        folder_id=downloads.folder_id,
    )
    write(out_dir / "index.html", index)
    return written
