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

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from validator import Catalog, DxsError, Standard, StandardVersion
from validator.announcements import Register
from validator.catalog import ILLUSTRATIVE_LABEL
from validator.schema_fields import Field, json_fields, xml_fields
from validator.sectors import sector_name
from validator.years import be_year

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
#: Files of a version folder a reader may download (schemas, their modules, rules).
_DOWNLOADABLE = (".json", ".xsd", ".sch")


def break_path(path: str) -> Markup:
    """A field path that wraps after its ``/`` separators rather than mid-name."""
    lead = Markup("/") if path.startswith("/") else Markup("")
    return lead + Markup("/<wbr>").join(escape(part) for part in path.removeprefix("/").split("/"))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["be_year"] = be_year
    env.filters["break_path"] = break_path
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

    def download(self, version: StandardVersion, name: str) -> str | None:
        """URL of a version's file, or ``None`` where the service does not publish it."""
        if name in ("schema.json", "schema.xsd"):
            return f"/api/v1/standards/{version.standard_id}/versions/{version.version}/{name}"
        return None


class StaticLinks(Links):
    """Relative links between the files :func:`build_static_site` writes.

    Every standard page lives in ``standards/<id>/``, so links are relative to it.
    """

    home = "../../index.html"

    def __init__(self, current: str) -> None:
        self._current = current

    def page(self, standard_id: str, version: str | None = None) -> str:
        here = f"{version}.html" if version else "index.html"
        return here if standard_id == self._current else f"../{standard_id}/{here}"

    def download(self, version: StandardVersion, name: str) -> str | None:
        return f"{version.version}/{name}"


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
        forms.append(FormDoc(key, label, path.name, links.download(version, path.name), fields, error))
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


def _downloads(version: StandardVersion, links: Links) -> list[tuple[str, str]]:
    out = []
    for path in sorted(version.folder.iterdir()):
        if path.is_file() and path.suffix in _DOWNLOADABLE and (url := links.download(version, path.name)):
            out.append((path.name, url))
    # a publisher's layout keeps its entry schemas deeper: they are served under the form's name
    for path, form in ((version.json_schema, "schema.json"), (version.xml_schema, "schema.xsd")):
        if path is not None and path.parent != version.folder and (url := links.download(version, form)):
            out.append((path.relative_to(version.folder).as_posix(), url))
    return out


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


def _not_found(request: Request, message: str) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "standard.html", {"not_found": message, "links": Links(), "standard": None}, status_code=404
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
    return templates.TemplateResponse(request, "standard.html", page_context(standard, chosen, Links(), catalog.register))


# --------------------------------------------------------------------------- static


def build_static_site(catalog: Catalog, out_dir: Path) -> list[Path]:
    """Write the documentation of every standard under ``out_dir``; return the files written.

    ``index.html`` lists the standards; ``standards/<id>/index.html`` is the page of
    the default version and ``standards/<id>/<version>.html`` that of each version,
    with the version's schema files copied to ``standards/<id>/<version>/``. Links
    are relative, so the folder can be opened from disk or served by any web server.
    """
    out_dir = Path(out_dir)
    written: list[Path] = []

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    standards = list(catalog)
    template = ENV.get_template("standard.html")
    for standard in standards:
        folder = out_dir / "standards" / standard.id
        links = StaticLinks(standard.id)
        for version in standard.versions:
            write(folder / f"{version.version}.html", template.render(page_context(standard, version, links, catalog.register)))
            files = [(p, p.name) for p in version.folder.iterdir() if p.is_file() and p.suffix in _DOWNLOADABLE]
            # an entry schema deep in a publisher's layout is offered under its form's name, as the service does
            files += [(p, form) for p, form in ((version.json_schema, "schema.json"), (version.xml_schema, "schema.xsd"))
                      if p is not None and p.parent != version.folder]
            for path, name in files:
                target = folder / version.version / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                written.append(target)
        if (chosen := default_version(standard)) is not None:
            write(folder / "index.html", template.render(page_context(standard, chosen, links, catalog.register)))
    index = ENV.get_template("catalog_static.html").render(
        standards=[(s, default_version(s)) for s in standards],
        versions=sum(len(s.versions) for s in standards),
        generated=dt.date.today(),
    )
    write(out_dir / "index.html", index)
    return written
