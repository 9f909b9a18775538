"""Activity 4.1's work list: which standards are most needed, ranked from what the registry holds.

A *need* is one row of the list: an office's need group (its requests and standard-less
links), an open request in no group, or a standard-less link in no group. Each row is
measured four ways, and ranked by :data:`RANKING` (one lexicographic order, printed with
the report):

1. observed volume: messages reported over the row's standard-less links in the last 12
   months (:class:`Window`); each link counts the larger of its two sides' totals, so an
   exchange both parties report counts once;
2. agencies asking: distinct agencies among the requests' agencies and the links' parties;
3. sectors asking: distinct sectors among the requests' listed sectors and the sectors of
   those agencies;
4. highest urgency among the requests (``critical`` > ``high`` > ``medium`` > ``low``);
5. age: the oldest request first.

A request merged into another counts toward the one it was merged into (its agency,
sectors, urgency and age), following a chain of merges to its end. Only open work is
listed: groups and requests that are ``open``, ``planned`` or ``drafting``, and links without
a standard that have not ended. The office's own ``priority`` is shown, never used to rank.

:func:`compute` reads the database; everything after it (:func:`report_table`,
:func:`report_csv`, :func:`report_json`, :func:`report_html`) renders its result.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxs.validator.sectors import sector_name
from dxs.validator.years import BANGKOK, thai_date, thai_datetime

from ..models import URGENCIES, Agency, ExchangeEvent, ExchangeLink, NeedGroup, NeedGroupLink, StandardRequest
from ..times import display_time, iso, local_midnight_utc, to_utc
from .indicators import Provenance, is_demo, provenance
from .render import csv_text

__all__ = [
    "ACTIVE",
    "RANKING",
    "NeedLink",
    "NeedRequest",
    "NeedRow",
    "NeedsReport",
    "Party",
    "Window",
    "compute",
    "WorkList",
    "deliver",
    "environment",
    "link_traffic",
    "parties",
    "produce",
    "report_csv",
    "report_html",
    "report_json",
    "report_table",
    "stamp",
]

#: The statuses of work still to do (a group's or a request's); ``announced`` and ``declined`` are done.
ACTIVE = ("open", "planned", "drafting")
#: Urgency's order, lowest first (:data:`registry.models.URGENCIES`).
URGENCY_RANK = {u: n for n, u in enumerate(URGENCIES, start=1)}
URGENCY_TH = {"low": "ต่ำ", "medium": "ปานกลาง", "high": "สูง", "critical": "วิกฤต"}
KIND_TH = {"group": ("กลุ่มความต้องการ", "need group"), "request": ("คำขอ (ไม่อยู่ในกลุ่ม)", "request, in no group"),
           "link": ("การเชื่อมโยงที่ไม่มีมาตรฐาน (ไม่อยู่ในกลุ่ม)", "link without a standard, in no group")}
STATUS_TH = {"open": "เปิด", "planned": "อยู่ในแผน", "drafting": "กำลังร่าง", "announced": "ประกาศแล้ว",
             "declined": "ไม่รับ", "merged": "รวมแล้ว", "active": "ใช้งาน", "suspended": "ระงับชั่วคราว", "ended": "สิ้นสุด"}

#: The ranking rule, printed in every rendering: Thai, then English.
RANKING = {
    "th": ("เรียงลำดับตามเกณฑ์ต่อไปนี้ทีละข้อ (ข้อถัดไปใช้เมื่อข้อก่อนหน้าเท่ากัน): "
           "(1) ปริมาณข้อความที่แลกเปลี่ยนจริงใน 12 เดือนล่าสุดผ่านการเชื่อมโยงที่ยังไม่มีมาตรฐาน มากก่อน "
           "(แต่ละการเชื่อมโยงนับด้านที่รายงานมากกว่า จึงไม่นับซ้ำ) (2) จำนวนหน่วยงานที่ต้องการ มากก่อน "
           "(หน่วยงานที่ยื่นคำขอและคู่การเชื่อมโยง) (3) จำนวนสาขา มากก่อน (4) ความเร่งด่วนสูงสุดของคำขอ สูงก่อน "
           "(5) คำขอที่เก่าที่สุด เก่าก่อน คำขอที่ถูกรวมนับรวมกับคำขอที่รับไว้ ลำดับความสำคัญที่สำนักงานกำหนดแสดงไว้ แต่ไม่ใช้จัดลำดับ"),
    "en": ("Ranked by each of these in turn (the next decides only a tie): (1) observed volume, the messages reported "
           "over its links without a standard in the last 12 months, most first (each link counts the larger of its "
           "two sides' reports, so no exchange counts twice); (2) agencies asking, the requests' agencies and the "
           "links' parties, most first; (3) sectors asking, most first; (4) the highest urgency of its requests, most "
           "urgent first; (5) its oldest request, oldest first. A merged request counts toward the request it was "
           "merged into. The office's own priority is shown, not used to rank."),
}


# --------------------------------------------------------------------------- shapes


@dataclass(frozen=True, slots=True)
class Window:
    """The 12 months a report counts traffic over: ``start`` to ``end`` inclusive, Bangkok days."""

    start: dt.date
    end: dt.date

    @classmethod
    def ending(cls, today: dt.date) -> Window:
        """The 12 months up to and including ``today`` (from the same day a year before, the day after it)."""
        try:
            year_ago = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            year_ago = today.replace(year=today.year - 1, day=28)
        return cls(year_ago + dt.timedelta(days=1), today)

    @property
    def start_utc(self) -> dt.datetime:
        return local_midnight_utc(self.start)

    @property
    def end_utc(self) -> dt.datetime:
        """The first moment after the window (midnight after ``end``, Bangkok)."""
        return local_midnight_utc(self.end + dt.timedelta(days=1))

    @property
    def label_th(self) -> str:
        return f"{thai_date(self.start)} – {thai_date(self.end)}"

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True, slots=True)
class Party:
    """An agency as a work list names it."""

    id: int
    code: str
    name_th: str
    name_en: str
    sector: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name_th": self.name_th, "name_en": self.name_en, "sector": self.sector}


@dataclass(frozen=True, slots=True)
class NeedRequest:
    """A request on the list, with the requests merged into it (which count toward it)."""

    id: int
    agency: Party
    document_type: str
    sectors: tuple[str, ...]
    partners: tuple[str, ...]
    urgency: str
    urgency_reason: str
    legal_driver: str
    status: str
    yearly_volume: int | None
    created: dt.date
    merged: tuple[NeedRequest, ...] = ()

    def family(self) -> Iterable[NeedRequest]:
        """This request and every request merged into it, however deep."""
        yield self
        for m in self.merged:
            yield from m.family()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "agency": self.agency.as_dict(), "document_type": self.document_type, "sectors": list(self.sectors),
            "partners": list(self.partners), "urgency": self.urgency, "urgency_reason": self.urgency_reason,
            "legal_driver": self.legal_driver, "status": self.status, "yearly_volume": self.yearly_volume,
            "created": self.created.isoformat(), "merged": [m.as_dict() for m in self.merged],
        }


@dataclass(frozen=True, slots=True)
class NeedLink:
    """A link without a standard on the list, and what crossed it in the window."""

    id: int
    provider: Party
    consumer: Party
    document_name: str
    document_format: str | None
    yearly_volume: int | None  # as its parties declared it
    followed_standard: str
    status: str
    start_date: dt.date
    messages: int  # observed in the window

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "provider": self.provider.as_dict(), "consumer": self.consumer.as_dict(),
            "document_name": self.document_name, "document_format": self.document_format, "yearly_volume": self.yearly_volume,
            "followed_standard": self.followed_standard, "status": self.status, "start_date": self.start_date.isoformat(),
            "messages_12_months": self.messages,
        }


@dataclass(frozen=True, slots=True)
class NeedRow:
    """One need on the list, its figures and what it is made of."""

    kind: str  # group | request | link
    id: int
    name_th: str
    name_en: str
    status: str
    requests: tuple[NeedRequest, ...]
    links: tuple[NeedLink, ...]
    priority: int | None = None  # the office's, for a group
    status_note: str = ""
    rank: int = 0
    #: the figures the rule ranks by (computed from ``requests`` and ``links`` by :func:`_measured`)
    messages: int = 0
    agencies: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    urgency: str | None = None
    oldest: dt.date | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def declared_volume(self) -> int:
        """Yearly documents as the requests and links declared them (shown, not ranked: a declaration, not an observation)."""
        return sum(r.yearly_volume or 0 for q in self.requests for r in q.family()) + sum(k.yearly_volume or 0 for k in self.links)

    def age_days(self, today: dt.date) -> int | None:
        """Days since the oldest request (0 for one made after ``today``: ``--today`` moves the measuring day, not the rows)."""
        return max((today - self.oldest).days, 0) if self.oldest else None

    def sort_key(self) -> tuple[Any, ...]:
        """:data:`RANKING` as a key (smallest first); ties end in kind and id, so the order never depends on reading order."""
        return (
            -self.messages,
            -len(self.agencies),
            -len(self.sectors),
            -URGENCY_RANK.get(self.urgency or "", 0),
            self.oldest or dt.date.max,
            ("group", "request", "link").index(self.kind),
            self.id,
        )

    def as_dict(self, today: dt.date) -> dict[str, Any]:
        return {
            "rank": self.rank, "kind": self.kind, "id": self.id, "name_th": self.name_th, "name_en": self.name_en,
            "status": self.status, "status_note": self.status_note, "priority": self.priority,
            "messages_12_months": self.messages, "agencies": list(self.agencies), "sectors": list(self.sectors),
            "highest_urgency": self.urgency, "oldest_request": self.oldest.isoformat() if self.oldest else None,
            "age_days": self.age_days(today), "declared_yearly_volume": self.declared_volume,
            "requests": [r.as_dict() for r in self.requests], "links": [k.as_dict() for k in self.links],
        }


@dataclass(frozen=True, slots=True)
class NeedsReport:
    """The ranked list, with when and from what it was computed."""

    today: dt.date
    window: Window
    provenance: Provenance
    demo: bool
    rows: tuple[NeedRow, ...]
    #: requests and groups no longer open (announced, declined), counted for context
    closed_groups: int = 0
    closed_requests: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "report": "needs",
            "today": self.today.isoformat(),
            "window": self.window.as_dict(),
            **self.provenance.as_dict(),
            "demo": self.demo,
            "ranking": RANKING,
            "needs": [r.as_dict(self.today) for r in self.rows],
            "closed": {"groups": self.closed_groups, "requests": self.closed_requests},
        }


# --------------------------------------------------------------------------- queries


def parties(session: Session) -> dict[int, Party]:
    """Every agency by id (a registry has some hundreds)."""
    rows = session.execute(select(Agency.id, Agency.code, Agency.name_th, Agency.name_en, Agency.sector))
    return {r.id: Party(r.id, r.code, r.name_th, r.name_en, r.sector) for r in rows}


def link_traffic(session: Session, window: Window, *, standardless: bool | None = None) -> dict[int, int]:
    """Messages per link in ``window``: the larger of its two sides' totals (an exchange both sides report counts once).

    ``standardless``: only links without a standard (``True``), only links with one (``False``), or all.
    Events count by their window's start.
    """
    e = ExchangeEvent
    query = (
        select(e.link_id, e.side, func.sum(e.messages))
        .where(e.window_start >= window.start_utc, e.window_start < window.end_utc)
        .group_by(e.link_id, e.side)
    )
    if standardless is not None:
        query = query.join(ExchangeLink, ExchangeLink.id == e.link_id).where(
            ExchangeLink.standard_id.is_(None) if standardless else ExchangeLink.standard_id.is_not(None)
        )
    found: dict[int, int] = defaultdict(int)
    for link_id, _side, total in session.execute(query):
        found[link_id] = max(found[link_id], int(total or 0))
    return dict(found)


def _list(text: str | None) -> tuple[str, ...]:
    """A JSON list of strings as stored (``sectors``, ``partners``); anything else reads as empty."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _day(moment: dt.datetime) -> dt.date:
    """The Bangkok day of a stored time."""
    return to_utc(moment).astimezone(BANGKOK).date()


def _merge_target(rows: Mapping[int, StandardRequest], request: StandardRequest) -> StandardRequest | None:
    """Where a merged request ends up: the first request along its ``merged_into`` chain that is not itself merged."""
    seen = {request.id}
    current = request
    while current.status == "merged":
        nxt = rows.get(current.merged_into_id) if current.merged_into_id is not None else None
        if nxt is None or nxt.id in seen:
            return None  # a broken or circular chain counts nowhere
        seen.add(nxt.id)
        current = nxt
    return current


def _measured(row: NeedRow) -> NeedRow:
    """``row`` with the figures the ranking rule reads."""
    family = [r for q in row.requests for r in q.family()]
    agencies: dict[str, Party] = {r.agency.code: r.agency for r in family}
    for k in row.links:
        agencies[k.provider.code] = k.provider
        agencies[k.consumer.code] = k.consumer
    sectors = {s for r in family for s in r.sectors} | {p.sector for p in agencies.values() if p.sector}
    urgencies = [r.urgency for r in family]
    return replace(
        row,
        messages=sum(k.messages for k in row.links),
        agencies=tuple(sorted(agencies)),
        sectors=tuple(sorted(sectors)),
        urgency=max(urgencies, key=lambda u: URGENCY_RANK.get(u, 0)) if urgencies else None,
        oldest=min((r.created for r in family), default=None),
    )


def compute(session: Session, *, today: dt.date | None = None) -> NeedsReport:
    """The ranked work list as the registry stands, traffic counted over the 12 months to ``today`` (Bangkok).

    Read in one transaction, stamped with the latest signed log checkpoint.
    """
    prov = provenance(session)
    today = today or prov.as_of.astimezone(BANGKOK).date()
    window = Window.ending(today)
    who = parties(session)
    traffic = link_traffic(session, window, standardless=True)

    groups = {g.id: g for g in session.scalars(select(NeedGroup).order_by(NeedGroup.id))}
    all_requests = {r.id: r for r in session.scalars(select(StandardRequest).order_by(StandardRequest.id))}
    links = {k.id: k for k in session.scalars(select(ExchangeLink).where(ExchangeLink.standard_id.is_(None)).order_by(ExchangeLink.id))}
    grouped_links: dict[int, list[int]] = defaultdict(list)
    in_a_group: set[int] = set()
    for group_id, link_id in session.execute(select(NeedGroupLink.group_id, NeedGroupLink.link_id).order_by(NeedGroupLink.link_id)):
        grouped_links[group_id].append(link_id)
        in_a_group.add(link_id)

    # a merged request hangs under the one it was merged into, if its chain ends in a request that is not merged
    merged_under: dict[int, list[StandardRequest]] = defaultdict(list)
    for r in all_requests.values():
        if r.status == "merged" and r.merged_into_id is not None and _merge_target(all_requests, r) is not None:
            merged_under[r.merged_into_id].append(r)

    def request(r: StandardRequest) -> NeedRequest:
        return NeedRequest(
            id=r.id, agency=who[r.agency_id], document_type=r.document_type, sectors=_list(r.sectors), partners=_list(r.partners),
            urgency=r.urgency, urgency_reason=r.urgency_reason, legal_driver=r.legal_driver, status=r.status,
            yearly_volume=r.yearly_volume, created=_day(r.created_at),
            merged=tuple(request(m) for m in sorted(merged_under.get(r.id, ()), key=lambda m: m.id)),
        )

    def link(k: ExchangeLink) -> NeedLink:
        return NeedLink(
            id=k.id, provider=who[k.provider_id], consumer=who[k.consumer_id], document_name=k.document_name,
            document_format=k.document_format, yearly_volume=k.yearly_volume, followed_standard=k.followed_standard,
            status=k.status, start_date=k.start_date, messages=traffic.get(k.id, 0),
        )

    open_requests = [r for r in all_requests.values() if r.status in ACTIVE]
    rows: list[NeedRow] = []
    for g in groups.values():
        if g.status not in ACTIVE:
            continue
        members = [request(r) for r in open_requests if r.group_id == g.id]
        group_links = [link(links[i]) for i in grouped_links.get(g.id, ()) if i in links and links[i].status != "ended"]
        rows.append(NeedRow("group", g.id, g.name_th, g.name_en, g.status, tuple(members), tuple(group_links),
                            priority=g.priority, status_note=g.status_note))
    for r in open_requests:
        # a request in a group the office closed (announced, declined) is no longer its own need either
        if r.group_id is None:
            rows.append(NeedRow("request", r.id, r.document_type, r.document_type, r.status, (request(r),), (), status_note=r.status_note))
    for k in links.values():
        if k.id not in in_a_group and k.status != "ended":
            rows.append(NeedRow("link", k.id, k.document_name, k.document_name, k.status, (), (link(k),)))

    measured = sorted((_measured(r) for r in rows), key=NeedRow.sort_key)
    return NeedsReport(
        today=today,
        window=window,
        provenance=prov,
        demo=is_demo(session),
        rows=tuple(replace(r, rank=n) for n, r in enumerate(measured, start=1)),
        closed_groups=sum(1 for g in groups.values() if g.status not in ACTIVE),
        closed_requests=sum(1 for r in all_requests.values() if r.status in ("announced", "declined")),
    )


# --------------------------------------------------------------------------- renderings (shared with upkeep)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def stamp(p: Provenance) -> str:
    """``as of … · log checkpoint N (root …)``: where the figures come from."""
    return f"as of {display_time(p.as_of)} · log checkpoint {p.log_size} (root {(p.log_root or '-')[:16]}…)"


def environment() -> jinja2.Environment:
    """The Jinja environment of the work lists' HTML (the registry's templates, autoescaped)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["thai_date"] = lambda d: thai_date(d) if d else "–"
    env.filters["thai_datetime"] = thai_datetime
    env.filters["sector_th"] = lambda s: sector_name(s).th
    env.filters["sector_en"] = lambda s: sector_name(s).en
    env.filters["number"] = lambda n: f"{n:,}" if n is not None else "–"
    env.globals["display_time"] = display_time
    return env


def table_heading(title: str, report: Any) -> list[str]:
    """The first lines of a work list in a terminal: title and day, traffic window and provenance, the demo warning."""
    w = report.window
    lines = [f"{title} · work list · {report.today} (BE {report.today.year + 543})",
             f"traffic: the 12 months {w.start} to {w.end} · {stamp(report.provenance)}"]
    if report.demo:
        lines.append("DEMO DATA (dxs demo seed): a made-up country, not real figures")
    return lines


def _party(p: Party) -> str:
    return f"{p.code} {p.name_en}"


def report_table(report: NeedsReport, *, width: int = 110) -> str:
    """The list as text for a terminal: each need with its figures, then its requests and links."""
    lines = table_heading("Standards needed (activity 4.1)", report)
    lines.append("")
    lines += textwrap.wrap("Ranking: " + RANKING["en"], width)
    lines.append("")
    if not report.rows:
        lines.append("No open request, need group or link without a standard.")
    header = f"{'#':>3}  {'need':<44}{'messages (12 mo.)':>18}{'agencies':>10}{'sectors':>9}  {'urgency':<9}{'oldest':<11}"
    if report.rows:
        lines += [header, "-" * len(header)]
    for r in report.rows:
        name = f"[{r.kind}:{r.id}] {r.name_en}"
        name = name if len(name) <= 43 else name[:42] + "…"  # cut, not shortened at spaces: Thai has none between words
        lines.append(f"{r.rank:>3}  {name:<44}{r.messages:>18,}{len(r.agencies):>10}{len(r.sectors):>9}  "
                     f"{r.urgency or '-':<9}{r.oldest.isoformat() if r.oldest else '-':<11}")
        extra = [f"status {r.status}"] + ([f"office priority {r.priority}"] if r.priority is not None else [])
        extra.append(f"declared {r.declared_volume:,} a year")
        lines.append(f"{'':5}{' · '.join(extra)}")
        for q in r.requests:
            for m in q.family():
                merged = f" (merged; counts toward request {q.id})" if m is not q else ""
                lines.append(f"{'':5}request {m.id}{merged}: {m.document_type} · {_party(m.agency)} · {m.urgency} · "
                             f"since {m.created} · sectors {', '.join(m.sectors) or '-'}")
        for k in r.links:
            lines.append(f"{'':5}link {k.id}: {k.document_name} ({k.document_format or '-'}) · {_party(k.provider)} → "
                         f"{_party(k.consumer)} · {k.messages:,} messages" + (f" · follows {k.followed_standard}" if k.followed_standard else ""))
    lines += ["", f"Closed and not listed: {report.closed_groups} need groups, {report.closed_requests} requests (announced or declined)."]
    return "\n".join(lines) + "\n"


NEEDS_COLUMNS = [
    "rank", "kind", "id", "name_th", "name_en", "status", "office_priority", "messages_12_months", "agencies", "agency_codes",
    "sectors", "sector_codes", "highest_urgency", "oldest_request", "age_days", "declared_yearly_volume", "request_ids",
    "link_ids", "window_start", "window_end", "as_of", "log_size", "log_root", "demo",
]


def report_csv(report: NeedsReport) -> str:
    """One line per need, in rank order, with its figures, its members' ids and the provenance."""
    p, w = report.provenance, report.window
    rows = [
        [r.rank, r.kind, r.id, r.name_th, r.name_en, r.status, "" if r.priority is None else r.priority, r.messages,
         len(r.agencies), ";".join(r.agencies), len(r.sectors), ";".join(r.sectors), r.urgency or "",
         r.oldest.isoformat() if r.oldest else "", "" if r.oldest is None else r.age_days(report.today), r.declared_volume,
         ";".join(str(m.id) for q in r.requests for m in q.family()), ";".join(str(k.id) for k in r.links),
         w.start.isoformat(), w.end.isoformat(), iso(p.as_of), p.log_size, p.log_root or "", report.demo]
        for r in report.rows
    ]
    return csv_text(NEEDS_COLUMNS, rows)


def report_json(report: NeedsReport) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n"


def report_html(report: NeedsReport, *, served: bool = False, lang_note: str = "", extra: Mapping[str, Any] | None = None) -> str:
    """A self-contained HTML work list, Thai first (``served``: with the registry's menu, as the ``/needs`` page)."""
    template = environment().get_template("needs_report.html")
    return template.render(report=report, ranking=RANKING, stamp=stamp(report.provenance), served=served, lang_note=lang_note,
                           urgency_th=URGENCY_TH, kind_th=KIND_TH, status_th=STATUS_TH, demo=report.demo, **(extra or {}))



# --------------------------------------------------------------------------- the command (shared with upkeep)

FORMATS = ("table", "json", "csv", "html", "pdf")


@dataclass(frozen=True)
class WorkList:
    """One work list's renderings and names: what ``dxs report`` and the office's page of it share."""

    title: str  # Thai · English, in a PDF's footer
    name: str  # files are ``name-YYYY-MM-DD``
    table: Callable[[Any], str]
    csv: Callable[[Any], str]
    json: Callable[[Any], str]
    html: Callable[..., str]  # (report, *, served=False, lang_note="")

    def file_name(self, report: Any) -> str:
        return f"{self.name}-{report.today.isoformat()}"


def deliver(output_format: str, report: Any, kind: WorkList, *, output: Path | None) -> Any:
    """Render ``report`` as ``output_format`` and write it.

    ``html`` and ``pdf`` go to ``output`` or the list's dated file name + ``.html`` / ``.pdf``; the
    others to ``output`` when named, else back as text. Returns :class:`~registry.reporting.run.Produced`.

    :raises PdfUnavailable: ``pdf`` on a machine without WeasyPrint's system libraries.
    """
    from .run import Produced

    notes: list[str] = []
    if output_format == "pdf":
        from .pdf import html_to_pdf, thai_font_note

        if (note := thai_font_note()) is not None:
            notes.append(note)
        footer = f"{kind.title} · {thai_date(report.today)}" + (" · ข้อมูลสาธิต · DEMO DATA" if report.demo else "")
        target = output or Path(f"{kind.file_name(report)}.pdf")
        target.write_bytes(html_to_pdf(kind.html(report, lang_note=" ".join(notes)), footer=footer))
        return Produced(None, (target,), tuple(notes))
    if output_format == "html":
        text = kind.html(report)
        output = output or Path(f"{kind.file_name(report)}.html")
    else:
        text = getattr(kind, output_format)(report)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        return Produced(None, (output,), tuple(notes))
    return Produced(text, (), tuple(notes))


def produce(url: str, *, output_format: str, output: Path | None = None, today: dt.date | None = None) -> Any:
    """``dxs report needs``: open the registry at ``url``, compute the list, render it as ``output_format``.

    :raises NoRegistry: no usable database.
    :raises PdfUnavailable: ``pdf`` without WeasyPrint's system libraries.
    """
    from .run import read_registry

    return deliver(output_format, read_registry(url, lambda session: compute(session, today=today)), NEEDS, output=output)


NEEDS = WorkList("มาตรฐานที่ต้องการ · Standards needed", "needs", report_table, report_csv, report_json, report_html)
