"""The catalog model: standards and their versions, loaded from folders.

A catalog folder holds ``<standard-id>/standard.toml`` and
``<standard-id>/<semver>/version.toml`` (see docs/catalog-format.md). Loading is
strict: a malformed entry raises :class:`CatalogError` naming the file and field.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import CatalogError, StandardNotFound

__all__ = [
    "STATUSES",
    "SECTORS",
    "Catalog",
    "HistoryEntry",
    "JsonDetection",
    "Standard",
    "StandardVersion",
    "XmlDetection",
    "load_catalog",
    "parse_semver",
]

STATUSES = ("draft", "public-comment", "announced", "deprecated", "retired")
#: Statuses under which a version has been announced (and so counts, and is locked).
ANNOUNCED_STATUSES = frozenset({"announced", "deprecated", "retired"})
SECTORS = (
    "finance",
    "commerce",
    "public-administration",
    "health",
    "education",
    "transport",
    "land",
    "social-welfare",
    "agriculture",
    "statistics",
)

_ID = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")
_SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")

STANDARD_FIELDS = (
    "id",
    "national_code",
    "title_th",
    "title_en",
    "owner",
    "sector",
    "legal_basis",
    "base_standard",
    "licence",
    "contact",
)


def parse_semver(text: str) -> tuple[int, int, int]:
    """``"2.10.1"`` → ``(2, 10, 1)``; raises ``ValueError`` for anything else."""
    match = _SEMVER.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not a MAJOR.MINOR.PATCH version")
    major, minor, patch = (int(g) for g in match.groups())
    return major, minor, patch


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    status: str
    date: dt.date
    note: str = ""


@dataclass(frozen=True, slots=True)
class XmlDetection:
    """How an XML document is recognised: root element, then an optional version marker."""

    namespace: str
    root: str
    version_path: str | None = None
    version_value: str | None = None
    namespaces: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class JsonDetection:
    """How a JSON document is recognised: a pointer/value for its kind, then its version."""

    root_pointer: str
    root_value: Any
    version_pointer: str | None = None
    version_value: Any = None


@dataclass(frozen=True, slots=True)
class StandardVersion:
    """One published (or drafted) version of a standard, with its files on disk."""

    standard_id: str
    version: str
    status: str
    folder: Path
    announced: dt.date | None = None
    effective: dt.date | None = None
    sunset: dt.date | None = None
    notes: str = ""
    history: tuple[HistoryEntry, ...] = ()
    default: bool = False
    active_from: dt.date | None = None
    active_until: dt.date | None = None
    xml: XmlDetection | None = None
    json: JsonDetection | None = None
    hashes: Mapping[str, str] = field(default_factory=dict)
    #: the version's schema files, found once when the catalog is loaded
    json_schema: Path | None = None
    xml_schema: Path | None = None
    rules: Path | None = None

    @property
    def ref(self) -> str:
        """``id@version``, the name reports use."""
        return f"{self.standard_id}@{self.version}"

    @property
    def semver(self) -> tuple[int, int, int]:
        return parse_semver(self.version)

    @property
    def is_announced(self) -> bool:
        return self.status in ANNOUNCED_STATUSES

    def active_on(self, day: dt.date) -> bool:
        """Whether documents dated ``day`` fall in this version's active period."""
        start = self.active_from or self.effective
        end = self.active_until or self.sunset
        return (start is None or start <= day) and (end is None or day <= end)

    def examples(self, kind: str) -> list[Path]:
        """Example files of ``kind`` (``valid`` or ``invalid``), sorted."""
        folder = self.folder / "examples" / kind
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.suffix in (".json", ".xml"))

    def files(self) -> list[Path]:
        """Every file of the version except ``version.toml`` (what its hashes cover)."""
        return sorted(
            p for p in self.folder.rglob("*") if p.is_file() and p.name != "version.toml" and "__pycache__" not in p.parts
        )


@dataclass(frozen=True, slots=True)
class Standard:
    """A data-exchange standard and all its versions (oldest first)."""

    id: str
    national_code: str
    title_th: str
    title_en: str
    owner: str
    sector: str
    legal_basis: str
    base_standard: str
    licence: str
    contact: str
    folder: Path
    description_th: str = ""
    description_en: str = ""
    owner_name_th: str = ""
    owner_name_en: str = ""
    keywords: tuple[str, ...] = ()
    versions: tuple[StandardVersion, ...] = ()

    def version(self, version: str) -> StandardVersion:
        for v in self.versions:
            if v.version == version:
                return v
        known = ", ".join(v.version for v in self.versions) or "none"
        raise StandardNotFound(f"standard {self.id!r} has no version {version!r} (versions: {known})")

    @property
    def latest_announced(self) -> StandardVersion | None:
        """The highest announced version (deprecated or retired ones only if nothing else)."""
        current = [v for v in self.versions if v.status == "announced"]
        pool = current or [v for v in self.versions if v.is_announced]
        return max(pool, key=lambda v: v.semver) if pool else None


# --------------------------------------------------------------------------- loading


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(path, f"not valid TOML: {exc}") from None
    except OSError as exc:
        raise CatalogError(path, f"cannot be read: {exc.strerror}") from None


class _Fields:
    """Typed access to a TOML table that names the file and field on every error."""

    def __init__(self, path: Path, table: Mapping[str, Any], prefix: str = "") -> None:
        self.path, self.table, self.prefix = path, table, prefix

    def _name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def str(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self.table.get(key)
        if value is None:
            if required:
                raise CatalogError(self.path, "is missing", self._name(key))
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            raise CatalogError(self.path, f"must be a non-empty string, got {value!r}", self._name(key))
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.table.get(key)
        if value is None:
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise CatalogError(self.path, f"must be a TOML date like 2019-05-20, got {value!r}", self._name(key))
        return value

    def bool(self, key: str, default: bool = False) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise CatalogError(self.path, f"must be true or false, got {value!r}", self._name(key))
        return value

    def table_of(self, key: str) -> _Fields | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise CatalogError(self.path, "must be a table", self._name(key))
        return _Fields(self.path, value, f"{self._name(key)}.")


def _load_standard(folder: Path) -> Standard:
    path = folder / "standard.toml"
    f = _Fields(path, _read_toml(path))
    sid = f.str("id")
    if not _ID.fullmatch(sid):
        raise CatalogError(path, f"{sid!r} is not lowercase and dot/dash separated", "id")
    if sid != folder.name:
        raise CatalogError(path, f"{sid!r} differs from its folder name {folder.name!r}", "id")
    sector = f.str("sector")
    if sector not in SECTORS:
        raise CatalogError(path, f"{sector!r} is not one of {', '.join(SECTORS)}", "sector")
    keywords = f.table.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise CatalogError(path, "must be a list of strings", "keywords")
    versions = []
    for child in sorted(folder.iterdir()):
        if child.is_dir() and (child / "version.toml").is_file():
            versions.append(_load_version(sid, child))
        elif child.is_dir() and _SEMVER.fullmatch(child.name):
            raise CatalogError(child / "version.toml", "is missing")
    versions.sort(key=lambda v: v.semver)
    return Standard(
        id=sid,
        national_code=f.str("national_code"),
        title_th=f.str("title_th"),
        title_en=f.str("title_en"),
        owner=f.str("owner"),
        sector=sector,
        legal_basis=f.str("legal_basis"),
        base_standard=f.str("base_standard"),
        licence=f.str("licence"),
        contact=f.str("contact"),
        folder=folder,
        description_th=f.str("description_th", required=False),
        description_en=f.str("description_en", required=False),
        owner_name_th=f.str("owner_name_th", required=False),
        owner_name_en=f.str("owner_name_en", required=False),
        keywords=tuple(keywords),
        versions=tuple(versions),
    )


def _file_or_none(path: Path) -> Path | None:
    return path if path.is_file() else None


def _load_version(standard_id: str, folder: Path) -> StandardVersion:
    path = folder / "version.toml"
    f = _Fields(path, _read_toml(path))
    version = f.str("version")
    try:
        parse_semver(version)
    except ValueError as exc:
        raise CatalogError(path, str(exc), "version") from None
    if version != folder.name:
        raise CatalogError(path, f"{version!r} differs from its folder name {folder.name!r}", "version")
    status = f.str("status")
    if status not in STATUSES:
        raise CatalogError(path, f"{status!r} is not one of {', '.join(STATUSES)}", "status")

    history = []
    raw_history = f.table.get("history", [])
    if not isinstance(raw_history, list):
        raise CatalogError(path, "must be an array of tables ([[history]])", "history")
    for n, entry in enumerate(raw_history):
        if not isinstance(entry, dict):
            raise CatalogError(path, "must be a table", f"history[{n}]")
        h = _Fields(path, entry, f"history[{n}].")
        h_status = h.str("status")
        if h_status not in STATUSES:
            raise CatalogError(path, f"{h_status!r} is not one of {', '.join(STATUSES)}", f"history[{n}].status")
        day = h.date("date")
        if day is None:
            raise CatalogError(path, "is missing", f"history[{n}].date")
        history.append(HistoryEntry(h_status, day, h.str("note", required=False)))

    announced = f.date("announced")
    effective = f.date("effective")
    if status in ANNOUNCED_STATUSES and announced is None:
        raise CatalogError(path, f"is required for a version whose status is {status!r}", "announced")

    detection = f.table_of("detection") or _Fields(path, {}, "detection.")
    xml = json = None
    if (x := detection.table_of("xml")) is not None:
        ns = x.table.get("namespaces", {})
        if not isinstance(ns, dict) or not all(isinstance(v, str) for v in ns.values()):
            raise CatalogError(path, "must be a table of prefix = namespace URI", "detection.xml.namespaces")
        xml = XmlDetection(
            namespace=x.str("namespace", required=False),
            root=x.str("root"),
            version_path=x.str("version_path", required=False) or None,
            version_value=x.str("version_value", required=False) or None,
            namespaces=dict(ns),
        )
        if xml.version_path and xml.version_value is None:
            raise CatalogError(path, "is required when version_path is set", "detection.xml.version_value")
    if (j := detection.table_of("json")) is not None:
        if "root_value" not in j.table:
            raise CatalogError(path, "is missing", "detection.json.root_value")
        json = JsonDetection(
            root_pointer=j.str("root_pointer"),
            root_value=j.table["root_value"],
            version_pointer=j.str("version_pointer", required=False) or None,
            version_value=j.table.get("version_value"),
        )
        for key in ("root_pointer", "version_pointer"):
            pointer = getattr(json, key)
            if pointer and not pointer.startswith("/"):
                raise CatalogError(path, f"{pointer!r} is not a JSON Pointer (starts with '/')", f"detection.json.{key}")

    hashes = f.table.get("hashes", {})
    if not isinstance(hashes, dict) or not all(isinstance(v, str) for v in hashes.values()):
        raise CatalogError(path, "must be a table of file = sha256", "hashes")

    result = StandardVersion(
        standard_id=standard_id,
        version=version,
        status=status,
        folder=folder,
        announced=announced,
        effective=effective,
        sunset=f.date("sunset"),
        notes=f.str("notes", required=False),
        history=tuple(history),
        default=detection.bool("default"),
        active_from=detection.date("active_from"),
        active_until=detection.date("active_until"),
        xml=xml,
        json=json,
        hashes=dict(hashes),
        json_schema=_file_or_none(folder / "schema.json"),
        xml_schema=_file_or_none(folder / "schema.xsd"),
        rules=_file_or_none(folder / "rules.sch"),
    )
    if result.json_schema is None and result.xml_schema is None:
        raise CatalogError(folder, "has neither schema.json nor schema.xsd")
    return result


# --------------------------------------------------------------------------- the catalog


class Catalog:
    """Standards from one or more catalog folders, looked up by id."""

    def __init__(self, standards: Iterable[Standard]) -> None:
        self._by_id: dict[str, Standard] = {}
        for standard in standards:
            if standard.id in self._by_id:
                first = self._by_id[standard.id].folder
                raise CatalogError(
                    standard.folder / "standard.toml", f"duplicates the standard already loaded from {first}", "id"
                )
            self._by_id[standard.id] = standard

    def __iter__(self) -> Iterator[Standard]:
        return iter(sorted(self._by_id.values(), key=lambda s: s.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, standard_id: object) -> bool:
        return standard_id in self._by_id

    def versions(self) -> Iterator[StandardVersion]:
        for standard in self:
            yield from standard.versions

    def standard(self, standard_id: str) -> Standard:
        try:
            return self._by_id[standard_id]
        except KeyError:
            raise StandardNotFound(f"no standard {standard_id!r} in the catalog") from None

    def resolve(self, ref: str) -> StandardVersion:
        """``ID`` (latest announced version) or ``ID@VERSION`` → that version."""
        standard_id, _, version = ref.partition("@")
        standard = self.standard(standard_id.strip())
        if version:
            return standard.version(version.strip())
        latest = standard.latest_announced
        if latest is None:
            raise StandardNotFound(f"standard {standard.id!r} has no announced version; name one with {standard.id}@VERSION")
        return latest

    @cached_property
    def schema_resources(self) -> dict[str, Path]:
        """``$id`` of every JSON Schema in the catalog → its file, for local ``$ref`` resolution."""
        import json

        found: dict[str, Path] = {}
        for version in self.versions():
            for path in version.folder.glob("*.json"):
                try:
                    doc = json.loads(path.read_bytes())
                except (OSError, ValueError):
                    continue  # reported by `dxs standards check`, not here
                if isinstance(doc, dict) and isinstance(doc.get("$id"), str):
                    found[doc["$id"].rstrip("#")] = path
        return found


def catalog_folders(extra: Iterable[str | Path] = (), *, bundled: bool = True) -> list[Path]:
    """The bundled catalog, then ``DXS_CATALOG`` (``:``-separated), then ``extra``.

    ``DXS_BUNDLED_CATALOG=0`` leaves the bundled catalog out (an agency working
    only with its own catalog, or a catalog being written).
    """
    folders: list[Path] = []
    if bundled and os.environ.get("DXS_BUNDLED_CATALOG", "1").lower() not in ("0", "false", "no"):
        from standards import BUNDLED_CATALOG

        folders.append(BUNDLED_CATALOG)
    env = os.environ.get("DXS_CATALOG", "")
    folders.extend(Path(p) for p in env.split(os.pathsep) if p)
    folders.extend(Path(p) for p in extra)
    return folders


def load_catalog(folders: Iterable[str | Path]) -> Catalog:
    """Load every standard found in ``folders`` (a folder that is itself a standard counts too)."""
    standards: list[Standard] = []
    for folder in map(Path, folders):
        if not folder.exists():
            raise CatalogError(folder, "catalog folder does not exist")
        if not folder.is_dir():
            if folder == Path(os.devnull):
                continue  # `--catalog /dev/null`: explicitly nothing more
            raise CatalogError(folder, "catalog is not a folder")
        if (folder / "standard.toml").is_file():
            standards.append(_load_standard(folder))
            continue
        for child in sorted(folder.iterdir()):
            if (child / "standard.toml").is_file():
                standards.append(_load_standard(child))
    return Catalog(standards)
