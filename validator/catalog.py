"""The catalog model: standards and their versions, loaded from folders.

A catalog folder holds ``<standard-id>/standard.toml`` and
``<standard-id>/<semver>/version.toml`` (see docs/catalog-format.md), and may hold
the register of announcements (``announcements.toml``, see
:mod:`validator.announcements`). Loading is strict: a malformed entry raises
:class:`CatalogError` naming the file and field.

A standard is real (its ``[source]`` says where it comes from, and an announced
version names its announcement in the register) or ``illustrative``: made up to show
what the toolkit does, labelled wherever it shows and never counted as announced.

One published package can hold several document types (ETDA's e-Tax package holds
six): its ``standard.toml`` lists them under ``[[document_types]]`` and each version
says, per type, which of the package's files are its schema and rules. The catalog
then has one :class:`Standard` per document type (``<package-id>.<type>``) whose
versions share the package's version folder, so every document type and version can
be named on its own, while the announcement is counted once.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .announcements import Register, load_register
from .codelists import CodeList
from .errors import CatalogError, StandardNotFound
from .sectors import SECTORS

__all__ = [
    "ILLUSTRATIVE_LABEL",
    "SOURCE_KINDS",
    "STATUSES",
    "WITHDRAWN_STATUSES",
    "Catalog",
    "DocumentType",
    "HistoryEntry",
    "JsonDetection",
    "Source",
    "Standard",
    "StandardVersion",
    "TrustList",
    "Upstream",
    "XmlDetection",
    "load_catalog",
    "parse_semver",
]

STATUSES = ("draft", "public-comment", "announced", "deprecated", "retired")
#: Statuses under which a version has been announced (and so counts, and is locked).
ANNOUNCED_STATUSES = frozenset({"announced", "deprecated", "retired"})
#: Statuses under which a version no longer stands announced.
WITHDRAWN_STATUSES = frozenset({"deprecated", "retired"})

_ID = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")
_SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")

#: How an illustrative (made-up) standard is labelled wherever it shows.
ILLUSTRATIVE_LABEL = "ตัวอย่าง · illustrative"

#: Where a real standard comes from: announced by a Thai office, registered in a schema
#: registry without an announcement, an international standard, or written here from a
#: real source's facts.
SOURCE_KINDS = ("announced", "registered", "international", "derived")

STANDARD_FIELDS = (
    "id",
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
    """How an XML document is recognised: root element, then an optional version marker.

    The marker (``version_path``, an XPath from the root that may end in an attribute,
    ``…/ram:ID/@schemeVersionID``) must have one of ``version_values``. ``label_path``
    selects text that reports show beside the marker (ETDA's guideline ID, ``ER3-2560``)
    without it deciding anything.
    """

    namespace: str
    root: str
    version_path: str | None = None
    version_values: tuple[str, ...] = ()
    namespaces: Mapping[str, str] = field(default_factory=dict)
    label_path: str | None = None

    @property
    def version_value(self) -> str | None:
        """The marker's first (canonical) value."""
        return self.version_values[0] if self.version_values else None


@dataclass(frozen=True, slots=True)
class JsonDetection:
    """How a JSON document is recognised: a pointer/value for its kind, then its version."""

    root_pointer: str
    root_value: Any
    version_pointer: str | None = None
    version_value: Any = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a real standard comes from (``kind`` is one of :data:`SOURCE_KINDS`)."""

    kind: str
    publisher: str
    url: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class TrustList:
    """Certificates the signers of a standard's documents must chain to (``[[trust]]`` in standard.toml).

    ``path`` is a PEM/DER file or a folder of them inside the standard's folder; ``source`` says
    where the certificates come from (a CA list is an official fact: never made up). ``illustrative``
    marks a list made for trying the toolkit (a test PKI), which reports name as such.
    """

    path: Path
    source: str
    illustrative: bool = False
    #: how reports name it: the standard's folder and the path standard.toml gives
    label: str = ""


@dataclass(frozen=True, slots=True)
class Upstream:
    """The published package a version's files were copied from, byte for byte."""

    repository: str
    commit: str
    path: str
    #: the publisher's own name for the version (``v2.0``, ``camt.054.001.08``)
    version: str
    #: each copied file: its path in the version folder → its path in the repository
    files: Mapping[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, slots=True)
class DocumentType:
    """One document type of a package (``TaxInvoice``), which the catalog names ``<package>.<key>``."""

    key: str
    name: str
    title_th: str
    title_en: str
    oid: str = ""


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
    #: the announcement (register id or number) this version was announced by
    announcement: str | None = None
    upstream: Upstream | None = None
    code_lists: tuple[CodeList, ...] = ()
    #: the document type's key, for a version of a package
    document_type: str | None = None
    #: made up to illustrate the toolkit (inherited from the standard)
    illustrative: bool = False
    #: documents of this version must carry an XML signature (``signature_required = true``)
    signature_required: bool = False
    #: the standard's trust lists (inherited from standard.toml's ``[[trust]]``)
    trust: tuple[TrustList, ...] = ()

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

    def status_on(self, day: dt.date, announced: dt.date | None = None) -> str:
        """The status the version had on ``day``: its last dated history entry by then, ``draft`` before any.

        A version without dated history (a real one whose dates are its announcement's)
        had its status from ``announced`` on (:meth:`Catalog.announced_on`), and was a
        draft before.
        """
        if not self.history and self.is_announced and announced is not None:
            return self.status if day >= announced else "draft"
        status = "draft"
        for entry in sorted(self.history, key=lambda h: h.date):
            if entry.date <= day:
                status = entry.status
        return status

    @property
    def withdrawn_on(self) -> dt.date | None:
        """The day the version stopped standing announced (deprecated or retired), if it has.

        The first such entry of its history; without one, a withdrawn version's sunset
        (else its announcement or effective date) is the best that is known.
        """
        days = [h.date for h in self.history if h.status in WITHDRAWN_STATUSES]
        if days:
            return min(days)
        if self.status in WITHDRAWN_STATUSES:
            return self.sunset or self.announced or self.effective
        return None

    def active_on(self, day: dt.date) -> bool:
        """Whether documents dated ``day`` fall in this version's active period (its detection dates,
        else its effective and sunset dates): which version a dated document belongs to, not its status."""
        start = self.active_from or self.effective
        end = self.active_until or self.sunset
        return (start is None or start <= day) and (end is None or day <= end)

    @property
    def folder_ref(self) -> str:
        """What the version folder is named by: ``<package>@<version>`` for a package's document
        type (its types share the folder, its files and its lock), else :attr:`ref`."""
        if self.document_type is None:
            return self.ref
        return f"{self.standard_id.removesuffix('.' + self.document_type)}@{self.version}"

    @property
    def examples_root(self) -> Path:
        """Where the version's examples are: ``examples/``, or ``examples/<type>/`` in a package."""
        examples = self.folder / "examples"
        return examples / self.document_type if self.document_type else examples

    def examples(self, kind: str) -> list[Path]:
        """Example files of ``kind`` (``valid`` or ``invalid``), sorted."""
        folder = self.examples_root / kind
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.suffix in (".json", ".xml"))

    def files(self) -> list[Path]:
        """Every file of the version except ``version.toml`` (what its hashes cover)."""
        return sorted(
            p
            for p in self.folder.rglob("*")
            if p.is_file() and p.name != "version.toml" and "__pycache__" not in p.parts
        )


@dataclass(frozen=True, slots=True)
class Standard:
    """A data-exchange standard and all its versions (oldest first)."""

    id: str
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
    illustrative: bool = False
    source: Source | None = None
    #: the trust lists its signers must chain to (``[[trust]]``)
    trust: tuple[TrustList, ...] = ()
    #: for a document type of a package: the package's id and the type
    package: str | None = None
    document_type: DocumentType | None = None

    @property
    def announcements(self) -> tuple[str, ...]:
        """The announcements its versions name, oldest version first, each once."""
        return tuple(dict.fromkeys(v.announcement for v in self.versions if v.announcement))

    @property
    def national_code(self) -> str:
        """The announcement number of its latest announced version (``""`` when it has none)."""
        latest = self.latest_announced
        return (latest.announcement or "") if latest else ""

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
    import tomllib  # only when the catalog is parsed, not when it comes from the cache

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

    def tables(self, key: str) -> list[_Fields]:
        """``[[key]]``: each table of the array, named ``key[n].`` in errors."""
        value = self.table.get(key, [])
        if not isinstance(value, list):
            raise CatalogError(self.path, f"must be an array of tables ([[{key}]])", self._name(key))
        found = []
        for n, entry in enumerate(value):
            if not isinstance(entry, dict):
                raise CatalogError(self.path, "must be a table", f"{self._name(key)}[{n}]")
            found.append(_Fields(self.path, entry, f"{self._name(key)}[{n}]."))
        return found


def _strings(f: _Fields, key: str) -> tuple[str, ...]:
    value = f.table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise CatalogError(f.path, "must be a list of strings", f._name(key))
    return tuple(value)


def _source(f: _Fields) -> Source | None:
    s = f.table_of("source")
    if s is None:
        return None
    kind = s.str("kind")
    if kind not in SOURCE_KINDS:
        raise CatalogError(f.path, f"{kind!r} is not one of {', '.join(SOURCE_KINDS)}", "source.kind")
    return Source(kind=kind, publisher=s.str("publisher"), url=s.str("url"), note=s.str("note", required=False))


def _trust_lists(folder: Path, f: _Fields) -> tuple[TrustList, ...]:
    """``[[trust]]``: each a file or folder of certificates inside the standard's folder, with its source.

    Only the paths are checked here (this runs on every start); `dxs standards check` reads the
    certificates, and a signature check that needs them says which file it could not read.
    """
    lists = []
    for t in f.tables("trust"):
        relative = t.str("path")
        normal = os.path.normpath(relative)
        if os.path.isabs(normal) or normal == ".." or normal.startswith(".." + os.sep):
            raise CatalogError(f.path, f"{relative!r} is outside the standard's folder", t._name("path"))
        if not os.path.exists(folder / normal):
            raise CatalogError(f.path, f"{relative!r} does not exist in {folder}", t._name("path"))
        lists.append(TrustList(path=folder / normal, source=t.str("source"), illustrative=t.bool("illustrative"),
                               label=f"{folder.name}/{normal}"))
    return tuple(lists)


def _document_types(f: _Fields) -> tuple[DocumentType, ...]:
    types = []
    for d in f.tables("document_types"):
        key = d.str("key")
        if not _ID.fullmatch(key):
            raise CatalogError(f.path, f"{key!r} is not lowercase and dot/dash separated", d._name("key"))
        types.append(DocumentType(key=key, name=d.str("name"), title_th=d.str("title_th"), title_en=d.str("title_en"),
                                  oid=d.str("oid", required=False)))
    keys = [t.key for t in types]
    if len(set(keys)) != len(keys):
        raise CatalogError(f.path, "a key appears twice", "document_types")
    return tuple(types)


def _load_standards(folder: Path) -> list[Standard]:
    """The standard in ``folder`` or, for a package, one standard per document type."""
    path = folder / "standard.toml"
    f = _Fields(path, _read_toml(path))
    if "national_code" in f.table:
        raise CatalogError(path, "is replaced by 'announcement' on each announced version, naming its entry in the "
                           "register of announcements (docs/catalog-format.md)", "national_code")
    sid = f.str("id")
    if not _ID.fullmatch(sid):
        raise CatalogError(path, f"{sid!r} is not lowercase and dot/dash separated", "id")
    if sid != folder.name:
        raise CatalogError(path, f"{sid!r} differs from its folder name {folder.name!r}", "id")
    sector = f.str("sector")
    if sector not in SECTORS:
        raise CatalogError(path, f"{sector!r} is not one of {', '.join(SECTORS)}", "sector")
    illustrative = f.bool("illustrative")
    source = _source(f)
    if illustrative and source is not None:
        raise CatalogError(path, "an illustrative standard has no [source]: it is made up", "source")
    types = _document_types(f)
    trust = _trust_lists(folder, f)
    version_folders = []
    for child in sorted(folder.iterdir()):
        if child.is_dir() and (child / "version.toml").is_file():
            version_folders.append(child)
        elif child.is_dir() and _SEMVER.fullmatch(child.name):
            raise CatalogError(child / "version.toml", "is missing")
    common = dict(
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
        keywords=_strings(f, "keywords"),
        illustrative=illustrative,
        source=source,
        trust=trust,
    )
    if not types:
        versions = sorted((_load_version(sid, child, illustrative=illustrative, trust=trust) for child in version_folders), key=lambda v: v.semver)
        return [Standard(id=sid, versions=tuple(versions), **common)]  # type: ignore[arg-type]
    standards = []
    loaded = {child: _read_toml(child / "version.toml") for child in version_folders}
    shared: dict[Path, dict[str, Any]] = {}  # what a version's document types have in common, read once
    for doc_type in types:
        versions = []
        for child, table in loaded.items():
            documents = table.get("documents", {})
            if not isinstance(documents, dict):
                raise CatalogError(child / "version.toml", "must be a table of document types", "documents")
            if unknown := set(documents) - {t.key for t in types}:
                raise CatalogError(child / "version.toml", f"names document types {sorted(unknown)} that "
                                   "standard.toml does not list", "documents")
            if doc_type.key in documents:
                versions.append(_load_version(f"{sid}.{doc_type.key}", child, illustrative=illustrative, trust=trust,
                                              table=table, document_type=doc_type.key, shared=shared.setdefault(child, {})))
        versions.sort(key=lambda v: v.semver)
        standards.append(
            Standard(
                id=f"{sid}.{doc_type.key}",
                versions=tuple(versions),
                package=sid,
                document_type=doc_type,
                **{**common, "title_th": doc_type.title_th, "title_en": doc_type.title_en},
            )
        )
    return standards


def _file_or_none(path: Path) -> Path | None:
    return path if path.is_file() else None


def _inside(folder: Path, relative: str, path: Path, field_name: str) -> Path:
    """``folder / relative``, refused when it leaves the folder or does not exist.

    Plain string operations: this runs for every schema and code list on every start.
    """
    normal = os.path.normpath(relative)
    if os.path.isabs(normal) or normal == ".." or normal.startswith(".." + os.sep):
        raise CatalogError(path, f"{relative!r} is outside the version folder", field_name)
    target = folder / normal
    if not os.path.isfile(target):
        raise CatalogError(path, f"{relative!r} does not exist in {folder}", field_name)
    return target


def _detection(path: Path, detection: _Fields) -> tuple[XmlDetection | None, JsonDetection | None]:
    xml = json = None
    prefix = detection.prefix
    if (x := detection.table_of("xml")) is not None:
        ns = x.table.get("namespaces", {})
        if not isinstance(ns, dict) or not all(isinstance(v, str) for v in ns.values()):
            raise CatalogError(path, "must be a table of prefix = namespace URI", f"{prefix}xml.namespaces")
        values: tuple[str, ...] = _strings(x, "version_values")
        if (single := x.str("version_value", required=False)) and values:
            raise CatalogError(path, "give version_value or version_values, not both", f"{prefix}xml.version_values")
        values = values or ((single,) if single else ())
        xml = XmlDetection(
            namespace=x.str("namespace", required=False),
            root=x.str("root"),
            version_path=x.str("version_path", required=False) or None,
            version_values=values,
            namespaces=dict(ns),
            label_path=x.str("label_path", required=False) or None,
        )
        if xml.version_path and not xml.version_values:
            raise CatalogError(path, "is required when version_path is set", f"{prefix}xml.version_value")
    if (j := detection.table_of("json")) is not None:
        if "root_value" not in j.table:
            raise CatalogError(path, "is missing", f"{prefix}json.root_value")
        json = JsonDetection(
            root_pointer=j.str("root_pointer"),
            root_value=j.table["root_value"],
            version_pointer=j.str("version_pointer", required=False) or None,
            version_value=j.table.get("version_value"),
        )
        for key in ("root_pointer", "version_pointer"):
            pointer = getattr(json, key)
            if pointer and not pointer.startswith("/"):
                raise CatalogError(path, f"{pointer!r} is not a JSON Pointer (starts with '/')", f"{prefix}json.{key}")
    return xml, json


def _upstream(path: Path, f: _Fields) -> Upstream | None:
    u = f.table_of("upstream")
    if u is None:
        return None
    files = u.table.get("files", {})
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise CatalogError(path, "must be a table of file = upstream path", "upstream.files")
    return Upstream(repository=u.str("repository"), commit=u.str("commit"), path=u.str("path", required=False),
                    version=u.str("version"), files=dict(files), note=u.str("note", required=False))


def _code_lists(folder: Path, path: Path, f: _Fields) -> tuple[CodeList, ...]:
    raw = f.table_of("code_lists")
    if raw is None:
        return ()
    lists = []
    for ident in raw.table:
        c = raw.table_of(ident)
        assert c is not None
        relative = c.str("file")
        lists.append(
            CodeList(
                id=ident,
                file=_inside(folder, relative, path, f"code_lists.{ident}.file"),
                agency=c.str("agency"),
                version=c.str("version"),
                title_en=c.str("title_en"),
                title_th=c.str("title_th", required=False),
                path=relative,
            )
        )
    return tuple(lists)


def _load_version(
    standard_id: str,
    folder: Path,
    *,
    illustrative: bool = False,
    trust: tuple[TrustList, ...] = (),
    table: Mapping[str, Any] | None = None,
    document_type: str | None = None,
    shared: dict[str, Any] | None = None,
) -> StandardVersion:
    """One version (or, with ``document_type``, one document type of a package's version).

    ``shared`` keeps what a package version's document types have in common (its lock,
    provenance and code lists) as one object, not six copies.
    """
    path = folder / "version.toml"
    f = _Fields(path, table if table is not None else _read_toml(path))
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
    for h in f.tables("history"):
        h_status = h.str("status")
        if h_status not in STATUSES:
            raise CatalogError(path, f"{h_status!r} is not one of {', '.join(STATUSES)}", h._name("status"))
        day = h.date("date")
        if day is None:
            raise CatalogError(path, "is missing", h._name("date"))
        history.append(HistoryEntry(h_status, day, h.str("note", required=False)))

    announcement = f.str("announcement", required=False) or None
    if announcement and illustrative:
        raise CatalogError(path, "an illustrative standard is never announced: it has no announcement number", "announcement")
    announced = f.date("announced")
    effective = f.date("effective")
    # a real announcement's date is the register's to give (often only its year is known), and a
    # publisher's own version ([upstream]) has the dates its source gives, if any
    if status in ANNOUNCED_STATUSES and announced is None and announcement is None and "upstream" not in f.table:
        raise CatalogError(path, f"is required for a version whose status is {status!r} (or name its 'announcement')", "announced")

    # a package's version keeps, per document type, its files and detection under [documents.<key>]
    scope = f
    if document_type is not None:
        scope = f.table_of("documents").table_of(document_type)  # type: ignore[union-attr]
        assert scope is not None
    files = scope.table_of("files") or _Fields(path, {}, f"{scope.prefix}files.")

    def schema_file(key: str, default: str) -> Path | None:
        relative = files.str(key, required=False)
        return _inside(folder, relative, path, files._name(key)) if relative else _file_or_none(folder / default)

    detection = scope.table_of("detection") or _Fields(path, {}, f"{scope.prefix}detection.")
    xml, json = _detection(path, detection)

    common = shared if shared is not None else {}
    if not common:
        hashes = f.table.get("hashes", {})
        if not isinstance(hashes, dict) or not all(isinstance(v, str) for v in hashes.values()):
            raise CatalogError(path, "must be a table of file = sha256", "hashes")
        common.update(hashes=dict(hashes), upstream=_upstream(path, f), code_lists=_code_lists(folder, path, f))

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
        hashes=common["hashes"],
        json_schema=schema_file("json_schema", "schema.json"),
        xml_schema=schema_file("xml_schema", "schema.xsd"),
        rules=schema_file("rules", "rules.sch"),
        announcement=announcement,
        upstream=common["upstream"],
        code_lists=common["code_lists"],
        document_type=document_type,
        illustrative=illustrative,
        signature_required=f.bool("signature_required"),
        trust=trust,
    )
    if result.json_schema is None and result.xml_schema is None:
        raise CatalogError(folder, "has neither schema.json nor schema.xsd (nor a [files] entry naming one)")
    return result


# --------------------------------------------------------------------------- the catalog


class Catalog:
    """Standards from one or more catalog folders, looked up by id, and the register of announcements."""

    def __init__(self, standards: Iterable[Standard], register: Register | None = None) -> None:
        self.register = register if register is not None else Register()
        self._packages: dict[str, list[Standard]] = {}
        self._by_id: dict[str, Standard] = {}
        for standard in standards:
            if standard.id in self._by_id:
                first = self._by_id[standard.id].folder
                raise CatalogError(
                    standard.folder / "standard.toml", f"duplicates the standard already loaded from {first}", "id"
                )
            self._by_id[standard.id] = standard
            if standard.package:
                self._packages.setdefault(standard.package, []).append(standard)
        for package, members in self._packages.items():
            if package in self._by_id:
                raise CatalogError(members[0].folder / "standard.toml", f"package id {package!r} is also a standard's id", "id")

    def __iter__(self) -> Iterator[Standard]:
        return iter(sorted(self._by_id.values(), key=lambda s: s.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, standard_id: object) -> bool:
        return standard_id in self._by_id

    def versions(self) -> Iterator[StandardVersion]:
        for standard in self:
            yield from standard.versions

    def package(self, package_id: str) -> list[Standard]:
        """The document types of a package (empty when ``package_id`` is not one)."""
        return list(self._packages.get(package_id, ()))

    def standard(self, standard_id: str) -> Standard:
        try:
            return self._by_id[standard_id]
        except KeyError:
            if members := self._packages.get(standard_id):
                names = ", ".join(m.id for m in members)
                raise StandardNotFound(
                    f"{standard_id!r} is a package of {len(members)} document types: name one of {names}"
                ) from None
            raise StandardNotFound(f"no standard {standard_id!r} in the catalog") from None

    def announced_on(self, version: StandardVersion) -> dt.date | None:
        """The first day a version stood announced: its own date, else the earliest day its announcement
        can have been made (a register row known only by its year counts from 1 January)."""
        if version.announced:
            return version.announced
        found = self.register.find(version.announcement) if version.announcement else None
        return found.earliest if found else None

    def resolve(self, ref: str) -> StandardVersion:
        """``ID`` (latest announced version) or ``ID@VERSION`` → that version."""
        standard_id, at, version = ref.partition("@")
        if at and not version.strip():
            raise StandardNotFound(f"{ref!r} names no version after '@': give ID@VERSION, or ID alone for the latest announced")
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
        from dxs.standards import BUNDLED_CATALOG

        folders.append(BUNDLED_CATALOG)
    env = os.environ.get("DXS_CATALOG", "")
    folders.extend(Path(p) for p in env.split(os.pathsep) if p)
    folders.extend(Path(p) for p in extra)
    unique: dict[Path, Path] = {}
    for folder in folders:  # a folder named twice (the bundled one as --catalog, say) is loaded once
        unique.setdefault(folder.resolve(), folder)
    return list(unique.values())


def _survey(folders: Iterable[str | Path], registers: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """The standard folders to load and the catalog folders whose registers count, in load order.

    :raises CatalogError: a folder that does not exist or is not a folder.
    """
    standard_folders: list[Path] = []
    register_folders: list[Path] = []
    # absolute: a catalog loaded from the cache must name the same files whatever the working folder
    for folder in (Path(os.path.normpath(Path(f).absolute())) for f in folders):
        if not folder.exists():
            raise CatalogError(folder, "catalog folder does not exist")
        if not folder.is_dir():
            if folder == Path(os.devnull):
                continue  # `--catalog /dev/null`: explicitly nothing more
            raise CatalogError(folder, "catalog is not a folder")
        if (folder / "standard.toml").is_file():
            standard_folders.append(folder)
            register_folders.append(folder.parent)  # a standard named on its own still answers to its catalog's register
            continue
        register_folders.append(folder)
        standard_folders.extend(child for child in sorted(folder.iterdir()) if (child / "standard.toml").is_file())
    register_folders.extend(Path(p) for p in registers)
    return standard_folders, list(dict.fromkeys(p.resolve() for p in register_folders))


def load_catalog(folders: Iterable[str | Path], *, registers: Iterable[str | Path] = ()) -> Catalog:
    """Load every standard found in ``folders`` (a folder that is itself a standard counts too).

    :param registers: more catalog folders whose register of announcements the
        standards may name (their standards are not loaded): a catalog being written
        answers to the bundled register.
    :raises CatalogError: a malformed entry, naming its file and field.

    What was loaded is kept in the user's cache (``DXS_CACHE_DIR``) under the SHA-256 of
    every TOML file read and of the loader's own code, so a start that changed nothing
    reads one file instead of parsing the catalog (a publisher's lock tables run to
    hundreds of lines).
    """
    standard_folders, register_folders = _survey(folders, registers)
    stamp = _stamp(standard_folders, register_folders)
    if stamp is not None and (cached := _cached_catalog(stamp)) is not None:
        return cached
    standards: list[Standard] = []
    for folder in standard_folders:
        standards.extend(_load_standards(folder))
    catalog = Catalog(standards, load_register(register_folders))
    for version in catalog.versions():
        if version.announcement and version.announcement not in catalog.register:
            raise CatalogError(version.folder / "version.toml", f"{version.announcement!r} is not in the register of "
                               "announcements (announcements.toml)", "announcement")
    if stamp is not None:
        _keep_catalog(stamp, catalog)
    return catalog


# --------------------------------------------------------------------------- the loaded catalog, kept

_LOADER_CODE = ("catalog.py", "announcements.py", "codelists.py", "sectors.py", "years.py")
_KEEP_CATALOGS = 8


def _stamp(standard_folders: list[Path], register_folders: list[Path]) -> str | None:
    """SHA-256 of everything a load reads: every TOML file, each version folder's names, the loader's code."""
    import hashlib

    from .announcements import REGISTER_FILE

    digest = hashlib.sha256()
    try:
        here = Path(__file__).parent
        for name in _LOADER_CODE:
            digest.update((here / name).read_bytes())
        for folder in register_folders:
            register = folder / REGISTER_FILE
            digest.update(str(register).encode() + b"\0" + (register.read_bytes() if register.is_file() else b"-"))
        for folder in standard_folders:
            digest.update(str(folder).encode() + b"\0" + (folder / "standard.toml").read_bytes())
            for child in sorted(os.scandir(folder), key=lambda e: e.name):
                if child.is_dir():
                    # a schema.json appearing beside version.toml changes what loads, as a new version does
                    digest.update(child.name.encode() + b"\0" + "\0".join(sorted(os.listdir(child.path))).encode())
                    version = Path(child.path) / "version.toml"
                    if version.is_file():
                        digest.update(version.read_bytes())
    except OSError:
        return None  # the load itself will say what is wrong
    return digest.hexdigest()


def _cache_file(stamp: str) -> Path:
    from ._cache import cache_root

    return cache_root() / "catalog" / f"{stamp}.pickle"


def _cached_catalog(stamp: str) -> Catalog | None:
    from ._cache import read_pickle

    found = read_pickle(_cache_file(stamp))
    return found if isinstance(found, Catalog) else None


def _keep_catalog(stamp: str, catalog: Catalog) -> None:
    from ._cache import write_pickle

    path = _cache_file(stamp)
    try:  # a few catalogs (the bundled one, with or without a --catalog or two); older stamps are stale
        kept = sorted(path.parent.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[_KEEP_CATALOGS - 1 :]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
    write_pickle(path, catalog)
