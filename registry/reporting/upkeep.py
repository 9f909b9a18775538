"""Activity 4.4's work list: the upkeep of announced standards, from the catalog and the registry.

Five lists, each from what is recorded, nothing typed in:

- **review due** per standard: its last revision (the latest day one of its versions was
  announced: the version's own date, else its announcement's in the register, else its
  history) plus :data:`REVIEW_YEARS` years (a setting, ``--review-years``; not an official
  rule), flagged overdue once passed;
- **use** per version: live links (``active``, in their period today) and the messages
  observed over all its links in the last 12 months (:class:`~.needs.Window`; each link
  counts the larger of its two sides' reports);
- **links to move**: live links on a version past its sunset date (or retired), and live
  links on a deprecated version before its sunset, each with its parties and traffic;
- **code lists**: a list a version ships whose version is older than the same list (same
  maintaining agency and id) elsewhere in the catalog. The catalog does not record the
  newest version at each list's source (ISO, UN/ECE, TISI…), so only what it holds is
  compared, and two versions are compared only when both read as numbers, dates or UN/CEFACT
  directories (``D16B``);
- **shared components**: a version whose XML Schema imports or includes a file in another
  standard's namespace (the catalog copies such a component into each version folder, e.g. the
  Thai address inside the citizen profile), or whose JSON Schema ``$ref``\\ s another standard's
  schema by ``$id``: which version of the component it holds (an identical file), whether that
  is the component's latest, and the live links on the embedding version that a change touches.

:func:`compute` reads; the renderers after it only format its result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import textwrap
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxs.validator import Catalog
from dxs.validator.catalog import Standard, StandardVersion
from dxs.validator.years import BANGKOK

from ..models import ExchangeLink
from ..times import iso
from .indicators import Provenance, is_demo, provenance
from .needs import Party, Window, WorkList, deliver, environment, link_traffic, parties, stamp, table_heading
from .render import csv_text

__all__ = [
    "REVIEW_YEARS",
    "CodeListLag",
    "Embedding",
    "EmbeddingUse",
    "LinkOnVersion",
    "LinkToMove",
    "SharedComponent",
    "StandardReview",
    "UpkeepReport",
    "VersionUse",
    "add_years",
    "code_list_lags",
    "compute",
    "embeddings",
    "last_revision",
    "list_version_key",
    "produce",
    "report_csv",
    "report_html",
    "report_json",
    "report_table",
]

#: Years after its last revision that a standard is due for review: the toolkit's default, a setting
#: (``dxs report upkeep --review-years``, ``/upkeep?review_years=``), not an official rule.
REVIEW_YEARS = 5

#: The catalog's note on code lists, printed with them.
CODE_LIST_NOTE = {
    "th": ("แคตตาล็อกไม่ได้บันทึกเวอร์ชันล่าสุดของรายการรหัสที่แหล่งต้นทาง (ISO, UN/ECE, สมอ. ฯลฯ) "
           "รายการนี้จึงเทียบเฉพาะเวอร์ชันของรายการรหัสเดียวกันที่มีอยู่ในแคตตาล็อก"),
    "en": ("The catalog does not record the newest version of each code list at its source (ISO, UN/ECE, TISI…): "
           "this compares only the versions of the same list that the catalog itself holds."),
}
REVIEW_NOTE = {
    "th": "กำหนดทบทวน = วันที่ปรับปรุงล่าสุด + {n} ปี (ค่าที่ตั้งได้ ไม่ใช่ข้อกำหนดทางการ)",
    "en": "Review due = last revision + {n} years (a setting, not an official rule).",
}


# --------------------------------------------------------------------------- shapes


@dataclass(frozen=True, slots=True)
class LinkOnVersion:
    """A live link on a catalog version, with its parties and its traffic in the window."""

    id: int
    standard: str
    version: str
    provider: Party
    consumer: Party
    messages: int
    start_date: dt.date
    end_date: dt.date | None

    @property
    def ref(self) -> str:
        return f"{self.standard}@{self.version}"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "standard": self.ref, "provider": self.provider.as_dict(), "consumer": self.consumer.as_dict(),
                "messages_12_months": self.messages, "start_date": iso(self.start_date), "end_date": iso(self.end_date)}


@dataclass(frozen=True, slots=True)
class VersionUse:
    """One version: its status and dates, its live links and the messages over all its links in the window."""

    standard: str
    version: str
    status: str
    announced: dt.date | None
    sunset: dt.date | None
    live_links: int
    messages: int
    agencies: int

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "status": self.status, "announced": iso(self.announced), "sunset": iso(self.sunset),
                "live_links": self.live_links, "messages_12_months": self.messages, "agencies": self.agencies}


@dataclass(frozen=True, slots=True)
class StandardReview:
    """A standard's last revision, when its review falls due, and its versions' use."""

    id: str
    title_th: str
    title_en: str
    owner: str
    illustrative: bool
    latest: str | None  # its latest announced version
    last_revision: dt.date | None
    review_due: dt.date | None
    overdue_days: int  # 0 when not overdue
    versions: tuple[VersionUse, ...]

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title_th": self.title_th, "title_en": self.title_en, "owner": self.owner,
                "illustrative": self.illustrative, "latest": self.latest, "last_revision": iso(self.last_revision),
                "review_due": iso(self.review_due), "overdue": self.overdue, "overdue_days": self.overdue_days,
                "versions": [v.as_dict() for v in self.versions]}


@dataclass(frozen=True, slots=True)
class LinkToMove:
    """A live link on a withdrawn version: why (``past-sunset``, ``retired``, ``deprecated``) and what it may move to."""

    link: LinkOnVersion
    reason: str
    version_status: str
    sunset: dt.date | None
    latest: str | None

    def as_dict(self) -> dict[str, Any]:
        return {**self.link.as_dict(), "reason": self.reason, "version_status": self.version_status,
                "sunset": iso(self.sunset), "latest": self.latest}


@dataclass(frozen=True, slots=True)
class CodeListLag:
    """A code list a version ships at an older version than the catalog holds elsewhere."""

    standard: str
    version: str
    version_status: str
    list_id: str
    agency: str
    title_en: str
    title_th: str
    list_version: str
    newer_version: str
    newer_in: tuple[str, ...]  # the version refs that ship the newer one

    def as_dict(self) -> dict[str, Any]:
        return {"standard": f"{self.standard}@{self.version}", "version_status": self.version_status, "code_list": self.list_id,
                "agency": self.agency, "title_en": self.title_en, "title_th": self.title_th, "list_version": self.list_version,
                "newer_version": self.newer_version, "newer_in": list(self.newer_in)}


@dataclass(frozen=True, slots=True)
class Embedding:
    """One version embedding a component standard: which of its versions (``None``: a copy matching none)."""

    standard: str
    version: str
    version_status: str
    component_version: str | None
    file: str  # the embedded file, relative to the embedding version's folder (or the $ref)
    how: str  # xsd-import | xsd-include | json-ref

    @property
    def ref(self) -> str:
        return f"{self.standard}@{self.version}"


@dataclass(frozen=True, slots=True)
class EmbeddingUse:
    """An embedding with what a change of the component touches: the live links on the embedding version."""

    embedding: Embedding
    current: bool  # it holds the component's latest announced version
    links: tuple[LinkOnVersion, ...]

    @property
    def messages(self) -> int:
        return sum(k.messages for k in self.links)

    def as_dict(self) -> dict[str, Any]:
        e = self.embedding
        return {"standard": e.ref, "version_status": e.version_status, "component_version": e.component_version,
                "current": self.current, "file": e.file, "how": e.how, "live_links": [k.as_dict() for k in self.links],
                "messages_12_months": self.messages}


@dataclass(frozen=True, slots=True)
class SharedComponent:
    """A standard others embed, and every version that embeds it."""

    id: str
    title_th: str
    title_en: str
    latest: str | None
    embedded_in: tuple[EmbeddingUse, ...]

    @property
    def standards(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u.embedding.standard for u in self.embedded_in))

    @property
    def links(self) -> int:
        return sum(len(u.links) for u in self.embedded_in)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title_th": self.title_th, "title_en": self.title_en, "latest": self.latest,
                "embedding_standards": list(self.standards), "live_links": self.links,
                "embedded_in": [u.as_dict() for u in self.embedded_in]}


@dataclass(frozen=True, slots=True)
class UpkeepReport:
    """The five upkeep lists, with when and from what they were computed."""

    today: dt.date
    window: Window
    provenance: Provenance
    demo: bool
    review_years: int
    standards: tuple[StandardReview, ...]
    to_move: tuple[LinkToMove, ...]
    code_lists: tuple[CodeListLag, ...]
    components: tuple[SharedComponent, ...]
    unknown_links: int = 0  # live links on a version the catalog does not have

    @property
    def overdue(self) -> tuple[StandardReview, ...]:
        return tuple(s for s in self.standards if s.overdue)

    @property
    def past_sunset(self) -> tuple[LinkToMove, ...]:
        return tuple(m for m in self.to_move if m.reason != "deprecated")

    @property
    def deprecated(self) -> tuple[LinkToMove, ...]:
        return tuple(m for m in self.to_move if m.reason == "deprecated")

    def as_dict(self) -> dict[str, Any]:
        return {
            "report": "upkeep", "today": self.today.isoformat(), "window": self.window.as_dict(), **self.provenance.as_dict(),
            "demo": self.demo, "review_years": self.review_years,
            "review_rule": {k: v.format(n=self.review_years) for k, v in REVIEW_NOTE.items()},
            "standards": [s.as_dict() for s in self.standards],
            "links_past_sunset": [m.as_dict() for m in self.past_sunset],
            "links_on_deprecated_versions": [m.as_dict() for m in self.deprecated],
            "code_lists": {"note": CODE_LIST_NOTE, "older": [c.as_dict() for c in self.code_lists]},
            "shared_components": [c.as_dict() for c in self.components],
            "links_on_unknown_versions": self.unknown_links,
        }


# --------------------------------------------------------------------------- review dates


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` ``years`` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _announced_day(catalog: Catalog, v: StandardVersion) -> dt.date | None:
    if not v.is_announced:
        return None
    found = catalog.announced_on(v)
    if found is not None:
        return found
    dated = [h.date for h in v.history if h.status == "announced"]
    return min(dated) if dated else None


def last_revision(catalog: Catalog, standard: Standard) -> dt.date | None:
    """The latest day a version of ``standard`` was announced (``None``: never announced)."""
    days = [d for v in standard.versions if (d := _announced_day(catalog, v)) is not None]
    return max(days) if days else None


# --------------------------------------------------------------------------- code lists

_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})-(\d{2}))?")
_DIRECTORY = re.compile(r"D(\d{2})([A-Z])")


def list_version_key(version: str) -> tuple[str, tuple[int, ...]] | None:
    """A code list version as an orderable key of its kind, or ``None`` when it cannot be ordered.

    ``1.0`` / ``2.1`` (numbers), ``2012-08-31`` / ``2010`` (dates: a year alone is its start),
    ``D14A`` (a UN/CEFACT directory: year, then release letter). Keys order only within one kind.
    """
    text = version.strip()
    if (m := _DATE.fullmatch(text)) is not None and (m.group(2) or len(text) == 4 and int(text) > 1900):
        return ("date", (int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)))
    if _NUMBER.fullmatch(text):
        return ("number", tuple(int(p) for p in text.split(".")))
    if (m := _DIRECTORY.fullmatch(text)) is not None:
        year = int(m.group(1))
        return ("directory", (1900 + year if year >= 90 else 2000 + year, ord(m.group(2))))  # D93A was the first
    return None


def code_list_lags(catalog: Catalog) -> list[CodeListLag]:
    """Every code list of a version not retired whose version is older than the same list elsewhere in the catalog."""
    held: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for v in catalog.versions():
        for c in v.code_lists:
            held[(c.agency, c.id)][c.version].append(v.ref)
    lags = []
    for v in catalog.versions():
        if v.status == "retired":
            continue
        for c in v.code_lists:
            mine = list_version_key(c.version)
            if mine is None:
                continue
            newer = [(k, version) for version in held[(c.agency, c.id)] if (k := list_version_key(version)) is not None
                     and k[0] == mine[0] and k[1] > mine[1]]
            if not newer:
                continue
            _, newest = max(newer)
            lags.append(CodeListLag(v.standard_id, v.version, v.status, c.id, c.agency, c.title_en, c.title_th, c.version,
                                    newest, tuple(sorted(set(held[(c.agency, c.id)][newest])))))
    return sorted(lags, key=lambda x: (x.standard, x.version, x.agency, x.list_id))


# --------------------------------------------------------------------------- shared components


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _xsd_files(version: StandardVersion) -> dict[Path, str]:
    """Every schema file the version's XML Schema reaches, with its target namespace (``{}`` when it has none or is broken)."""
    if version.xml_schema is None:
        return {}
    from dxs.validator.errors import SchemaLoadError
    from dxs.validator.xml_engine import _check_local_imports  # the engine's own walk: local files only, never the network

    try:
        return _check_local_imports(version.xml_schema)
    except (SchemaLoadError, OSError):
        return {}  # `dxs standards check` reports a broken schema; upkeep lists what it can read


def _json_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            yield ref
        for value in node.values():
            yield from _json_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _json_refs(value)


@lru_cache(maxsize=4)
def embeddings(catalog: Catalog) -> dict[str, tuple[Embedding, ...]]:
    """Component standard id → the versions of other standards that embed it (read from the files, once per catalog).

    XML: a file the version's schema reaches (``xs:import``/``xs:include``) whose target namespace is
    another standard's own (the namespace its main schemas declare); the component's version is the one
    holding an identical file. JSON: a ``$ref`` that resolves to another standard's schema ``$id``.
    Document types of one package share their files and are not components of each other.
    """
    versions = list(catalog.versions())
    group = {v.standard_id: (catalog.standard(v.standard_id).package or v.standard_id) for v in versions}
    reached = {v.ref: _xsd_files(v) for v in versions}
    owners: dict[str, set[str]] = defaultdict(set)
    for v in versions:
        if v.xml_schema is not None and (ns := reached[v.ref].get(v.xml_schema.resolve())):
            owners[ns].add(v.standard_id)
    digests: dict[str, dict[str, list[StandardVersion]]] = {}  # owner → file digest → its versions holding it

    def owner_digests(owner: str) -> dict[str, list[StandardVersion]]:
        if owner not in digests:
            found: dict[str, list[StandardVersion]] = defaultdict(list)
            for v in catalog.standard(owner).versions:
                for path in reached[v.ref]:
                    if (d := _digest(path)) is not None:
                        found[d].append(v)
            digests[owner] = found
        return digests[owner]

    out: dict[str, list[Embedding]] = defaultdict(list)
    for v in versions:
        if v.xml_schema is None:
            continue
        main = v.xml_schema.resolve()
        own_ns = reached[v.ref].get(main)
        for path, ns in sorted(reached[v.ref].items()):
            if path == main:
                continue
            for owner in sorted(owners.get(ns, ())):
                if group[owner] == group[v.standard_id]:
                    continue
                holders = owner_digests(owner).get(_digest(path) or "", [])
                component = max(holders, key=lambda h: h.semver).version if holders else None
                how = "xsd-include" if ns == own_ns else "xsd-import"
                try:
                    shown = path.relative_to(v.folder.resolve()).as_posix()
                except ValueError:
                    shown = str(path)
                out[owner].append(Embedding(v.standard_id, v.version, v.status, component, shown, how))
    resources = catalog.schema_resources
    by_file = {Path(p).resolve(): ver for ver in versions for p in ([ver.json_schema] if ver.json_schema else [])}
    for v in versions:
        if v.json_schema is None:
            continue
        try:
            doc = json.loads(v.json_schema.read_bytes())
        except (OSError, ValueError):
            continue
        base = doc.get("$id") if isinstance(doc, dict) and isinstance(doc.get("$id"), str) else v.json_schema.resolve().as_uri()
        for ref in dict.fromkeys(_json_refs(doc)):
            target = resources.get(urldefrag(urljoin(base, ref))[0].rstrip("#"))
            owner_version = by_file.get(target.resolve()) if target is not None else None
            if owner_version is None or group[owner_version.standard_id] == group[v.standard_id]:
                continue
            out[owner_version.standard_id].append(
                Embedding(v.standard_id, v.version, v.status, owner_version.version, ref, "json-ref"))
    return {k: tuple(dict.fromkeys(e)) for k, e in sorted(out.items())}


# --------------------------------------------------------------------------- the report


def _live(k: ExchangeLink, today: dt.date) -> bool:
    return k.status == "active" and k.start_date <= today and (k.end_date is None or k.end_date >= today)


def compute(session: Session, catalog: Catalog, *, today: dt.date | None = None, review_years: int = REVIEW_YEARS) -> UpkeepReport:
    """The upkeep lists as the catalog and the registry stand, traffic over the 12 months to ``today`` (Bangkok).

    :raises ValueError: ``review_years`` below 1.
    """
    if review_years < 1:
        raise ValueError(f"the review period must be at least 1 year, not {review_years}")
    prov = provenance(session)
    today = today or prov.as_of.astimezone(BANGKOK).date()
    window = Window.ending(today)
    who = parties(session)
    traffic = link_traffic(session, window, standardless=False)
    rows = session.scalars(select(ExchangeLink).where(ExchangeLink.standard_id.is_not(None)).order_by(ExchangeLink.id)).all()

    def on_version(k: ExchangeLink) -> LinkOnVersion:
        assert k.standard_id is not None and k.standard_version is not None
        return LinkOnVersion(k.id, k.standard_id, k.standard_version, who[k.provider_id], who[k.consumer_id],
                             traffic.get(k.id, 0), k.start_date, k.end_date)

    by_version: dict[tuple[str, str], list[ExchangeLink]] = defaultdict(list)
    for k in rows:
        by_version[(k.standard_id or "", k.standard_version or "")].append(k)
    live = {key: [on_version(k) for k in ks if _live(k, today)] for key, ks in by_version.items()}

    standards: list[StandardReview] = []
    to_move: list[LinkToMove] = []
    known: set[tuple[str, str]] = set()
    for s in catalog:
        uses = []
        latest = s.latest_announced
        for v in s.versions:
            key = (s.id, v.version)
            known.add(key)
            here = live.get(key, [])
            all_links = by_version.get(key, [])
            uses.append(VersionUse(s.id, v.version, v.status, _announced_day(catalog, v), v.sunset, len(here),
                                   sum(traffic.get(k.id, 0) for k in all_links),
                                   len({p for k in here for p in (k.provider.code, k.consumer.code)})))
            past = v.sunset is not None and v.sunset < today
            reason = "past-sunset" if past else "retired" if v.status == "retired" else "deprecated" if v.status == "deprecated" else None
            if reason is not None:
                to_move += [LinkToMove(k, reason, v.status, v.sunset, latest.ref if latest and latest is not v else None) for k in here]
        revised = last_revision(catalog, s)
        due = add_years(revised, review_years) if revised else None
        standards.append(StandardReview(
            s.id, s.title_th, s.title_en, s.owner, s.illustrative, latest.ref if latest else None, revised, due,
            max((today - due).days, 0) if due else 0, tuple(uses),
        ))

    links_by_ref = {f"{s}@{v}": ks for (s, v), ks in live.items()}
    components = []
    for component_id, found in embeddings(catalog).items():
        c = catalog.standard(component_id)
        latest = c.latest_announced
        components.append(SharedComponent(
            c.id, c.title_th, c.title_en, latest.ref if latest else None,
            tuple(EmbeddingUse(e, latest is not None and e.component_version == latest.version, tuple(links_by_ref.get(e.ref, ())))
                  for e in found),
        ))
    order = {"past-sunset": 0, "retired": 1, "deprecated": 2}
    return UpkeepReport(
        today=today,
        window=window,
        provenance=prov,
        demo=is_demo(session),
        review_years=review_years,
        # overdue first (longest overdue first), then the nearest due date; never-announced last
        standards=tuple(sorted(standards, key=lambda r: (-r.overdue_days, r.review_due or dt.date.max, r.id))),
        to_move=tuple(sorted(to_move, key=lambda m: (order[m.reason], -m.link.messages, m.link.id))),
        code_lists=tuple(code_list_lags(catalog)),
        components=tuple(components),
        unknown_links=sum(len(ks) for key, ks in live.items() if key not in known),
    )


# --------------------------------------------------------------------------- renderings


def _parties(k: LinkOnVersion) -> str:
    return f"{k.provider.code} → {k.consumer.code}"


def report_table(report: UpkeepReport, *, width: int = 110) -> str:
    """The five lists as text for a terminal."""
    lines = table_heading("Upkeep of standards (activity 4.4)", report)
    lines += ["", f"Review due ({REVIEW_NOTE['en'].format(n=report.review_years)})",
              f"  {'standard':<56} {'latest':>8}  {'last revision':<14}{'review due':<12}  state"]
    for s in report.standards:
        state = f"OVERDUE by {s.overdue_days} days" if s.overdue else ("not announced yet" if s.last_revision is None else "due later")
        mark = " [illustrative]" if s.illustrative else ""
        lines.append(f"  {s.id + mark:<56} {(s.latest or '-').partition('@')[2] or '-':>8}  "
                     f"{iso(s.last_revision) or '-':<14}{iso(s.review_due) or '-':<12}  {state}")
    lines += ["", "Use per version: live links, agencies on them, messages over all its links in the 12 months",
              f"  {'version':<60} {'status':<15}{'sunset':<12}{'live links':>11}{'agencies':>10}{'messages':>14}"]
    for s in report.standards:
        for v in s.versions:
            lines.append(f"  {s.id + '@' + v.version:<60} {v.status:<15}{iso(v.sunset) or '-':<12}{v.live_links:>11}"
                         f"{v.agencies:>10}{v.messages:>14,}")
    for title, moves in (("Live links past their version's sunset (or on a retired version)", report.past_sunset),
                         ("Live links on a deprecated version, before its sunset", report.deprecated)):
        lines += ["", f"{title}: {len(moves)}"]
        for m in moves:
            k = m.link
            lines.append(f"  link {k.id}: {k.ref} ({m.version_status}, sunset {iso(m.sunset) or '-'}) · {k.provider.code} {k.provider.name_en}"
                         f" → {k.consumer.code} {k.consumer.name_en} · {k.messages:,} messages · move to {m.latest or '-'}")
    lines += ["", f"Code lists older than the same list elsewhere in the catalog: {len(report.code_lists)}"]
    lines += textwrap.wrap(CODE_LIST_NOTE["en"], width, initial_indent="  ", subsequent_indent="  ")
    for c in report.code_lists:
        lines.append(f"  {c.standard}@{c.version} ({c.version_status}): {c.agency} {c.list_id} {c.list_version} · "
                     f"newer {c.newer_version} in {', '.join(c.newer_in)}")
    lines += ["", f"Shared components (standards other standards embed): {len(report.components)}"]
    for comp in report.components:
        lines.append(f"  {comp.id} (latest {comp.latest or '-'}): embedded in {', '.join(comp.standards)}; "
                     f"{comp.links} live links touched")
        for u in comp.embedded_in:
            e = u.embedding
            held = e.component_version or "a copy matching none of its versions"
            state = "current" if u.current else "NOT the latest"
            lines.append(f"    {e.ref} ({e.version_status}) holds {held} [{state}] via {e.how} {e.file} · "
                         f"{len(u.links)} live links · {u.messages:,} messages")
            for k in u.links:
                lines.append(f"      link {k.id}: {k.provider.code} {k.provider.name_en} → {k.consumer.code} {k.consumer.name_en}")
    if report.unknown_links:
        lines += ["", f"Live links on a version the catalog does not have: {report.unknown_links}"]
    return "\n".join(lines) + "\n"


UPKEEP_COLUMNS = [
    "section", "standard", "version", "version_status", "last_revision", "review_due", "overdue_days", "sunset",
    "live_links", "agencies", "messages_12_months", "link_id", "provider", "consumer", "move_to", "code_list", "list_agency",
    "list_version", "newer_list_version", "newer_in", "component", "component_version", "component_current", "how",
    "window_start", "window_end", "as_of", "log_size", "demo",
]


def _csv_rows(report: UpkeepReport) -> Iterator[list[object]]:
    tail = [report.window.start.isoformat(), report.window.end.isoformat(), iso(report.provenance.as_of),
            report.provenance.log_size, report.demo]
    blank = dict.fromkeys(UPKEEP_COLUMNS[:-5], "")

    def row(**cells: object) -> list[object]:
        return [*{**blank, **{k: ("" if v is None else v) for k, v in cells.items()}}.values(), *tail]

    for s in report.standards:
        yield row(section="review", standard=s.id, version=(s.latest or "").partition("@")[2], last_revision=iso(s.last_revision),
                  review_due=iso(s.review_due), overdue_days=s.overdue_days)
        for v in s.versions:
            yield row(section="version", standard=s.id, version=v.version, version_status=v.status, sunset=iso(v.sunset),
                      live_links=v.live_links, agencies=v.agencies, messages_12_months=v.messages)
    for m in report.to_move:
        k = m.link
        yield row(section=m.reason, standard=k.standard, version=k.version, version_status=m.version_status, sunset=iso(m.sunset),
                  messages_12_months=k.messages, link_id=k.id, provider=k.provider.code, consumer=k.consumer.code, move_to=m.latest)
    for c in report.code_lists:
        yield row(section="code-list", standard=c.standard, version=c.version, version_status=c.version_status, code_list=c.list_id,
                  list_agency=c.agency, list_version=c.list_version, newer_list_version=c.newer_version, newer_in=";".join(c.newer_in))
    for comp in report.components:
        for u in comp.embedded_in:
            e = u.embedding
            yield row(section="shared-component", standard=e.standard, version=e.version, version_status=e.version_status,
                      live_links=len(u.links), messages_12_months=u.messages, component=comp.id,
                      component_version=e.component_version, component_current=u.current, how=e.how,
                      link_id=";".join(str(k.id) for k in u.links))


def report_csv(report: UpkeepReport) -> str:
    """Every list in one table, a ``section`` column saying which (review, version, past-sunset, retired,
    deprecated, code-list, shared-component); cells that do not apply to a section are empty."""
    return csv_text(UPKEEP_COLUMNS, _csv_rows(report))


def report_json(report: UpkeepReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n"


def report_html(report: UpkeepReport, *, served: bool = False, lang_note: str = "", extra: Mapping[str, Any] | None = None) -> str:
    """A self-contained HTML work list, Thai first (``served``: with the registry's menu, as the ``/upkeep`` page)."""
    template = environment().get_template("upkeep_report.html")
    return template.render(report=report, stamp=stamp(report.provenance), served=served, lang_note=lang_note, demo=report.demo,
                           review_note={k: v.format(n=report.review_years) for k, v in REVIEW_NOTE.items()},
                           code_list_note=CODE_LIST_NOTE, iso=iso, **(extra or {}))


def produce(
    url: str, catalog: Catalog, *, output_format: str, output: Path | None = None, today: dt.date | None = None,
    review_years: int = REVIEW_YEARS,
) -> Any:
    """``dxs report upkeep``: open the registry at ``url``, compute the lists, render them as ``output_format``.

    :raises NoRegistry: no usable database.
    :raises ValueError: ``review_years`` below 1.
    :raises PdfUnavailable: ``pdf`` without WeasyPrint's system libraries.
    """
    from .run import read_registry

    report = read_registry(url, lambda session: compute(session, catalog, today=today, review_years=review_years))
    return deliver(output_format, report, UPKEEP, output=output)


UPKEEP = WorkList("การดูแลมาตรฐาน · Upkeep of standards", "upkeep", report_table, report_csv, report_json, report_html)
