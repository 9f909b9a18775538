"""``dxs registry verify``: recompute the log from the database and hold the data against it.

Three questions, each answered from the database alone plus the public key:

1. Is the log intact? Every entry's hash is recomputed from its content and chained
   to its predecessor; the Merkle root at every checkpoint is recomputed and its
   signature checked. The first entry that was changed, removed or reordered is named.
2. Is every signed checkpoint still a prefix of the log, including any kept outside
   (``--checkpoint``), so that a log rolled back and rewritten cannot pass?
3. Do the rows match what the log recorded? Agencies (and each row of their sector
   history), keys, links, link history (each revision's state, actor, change and time),
   events (their content and ``received_at``), the stored answers to idempotent
   requests, requests for standards, need groups and the links in them, agencies' webhooks and the notices
   made to them (not their delivery state, which is not logged) are each compared with the latest entry that wrote them, so a row edited,
   added or deleted behind the service's back is found too. An agency entry written
   before revision 0002 is read with what that migration filled in
   (:func:`upgraded_agency_state`); a link entry written before revision 0004, with the
   empty document fields that migration gave every link (:func:`upgraded_link_state`).
4. Is the log head (the row every write extends) what the entries make it: their
   number, the last hash and the Merkle frontier the next checkpoint is computed from?

A finding about one column of one row names the table, the row and the column.

Events batches logged before ``received_at`` and ``request_hash`` were in the entry
are checked as far as their entry allows: the batch's rows share one ``received_at``
no later than the entry and at most :data:`OLD_ENTRY_SLACK` before it (the same for the
idempotency record's ``created_at``); their ``request_hash`` cannot be checked.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..canonical import canonical_json
from ..merkle import Frontier, leaf_hash
from ..models import (
    Agency, AgencySector, ApiKey, Checkpoint, ExchangeEvent, ExchangeLink, IdempotencyRecord, LinkChange, LogEntry, LogHead,
)
from ..signing import LogVerifier
from ..times import iso, read_time
from .log import checkpoint_message, entry_bytes
from ..models import NeedGroup, NeedGroupLink, StandardRequest
from .logged_states import need_group_link_state, need_group_state, request_state
from ..models import Notice, Webhook
from .logged_states import notice_state, webhook_state
from .logged_states import agency_state, event_digest, event_row, key_state, link_state, upgraded_agency_state, upgraded_link_state

__all__ = ["Finding", "OLD_ENTRY_SLACK", "VerifyReport", "verify"]

#: How long before its entry's time an events batch logged without its ``received_at`` may have been received:
#: the service takes the time after locking the log and appends the entry once the rows are stored.
OLD_ENTRY_SLACK = dt.timedelta(minutes=10)

#: The most rows of one events batch named one by one; the others are counted.
NAMED_ROWS = 5


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing that does not hold; ``seq`` is the log entry it points at, if any.

    ``table``, ``row`` and ``column``: the stored value it is about, when it is one column of one row.
    """

    what: str
    seq: int | None = None
    table: str | None = None
    row: str | None = None
    column: str | None = None

    def __str__(self) -> str:
        return self.what


@dataclass
class VerifyReport:
    entries: int = 0
    checkpoints: int = 0
    rows: int = 0
    root: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first_bad_entry(self) -> int | None:
        seqs = [f.seq for f in self.findings if f.seq is not None]
        return min(seqs) if seqs else None


def _column(
    table: str, row: str, column: str, stored: Any, logged: Any, seq: int | None, note: str = "", *, verb: str = "recorded"
) -> Finding:
    """A finding about one stored value that is not what log entry ``seq`` recorded (``verb``: or gives, when
    the value is made from the entry)."""
    def shown(value: Any) -> str:
        text = repr(value)
        return text if len(text) <= 120 else text[:117] + "..."

    said = f"log entry {seq} {verb} {shown(logged)}" if seq is not None else f"the log's entries give {shown(logged)}"
    return Finding(f"{table} row {row}, column {column}: {shown(stored)} is stored, {said}{note}", seq, table, row, column)


@dataclass(frozen=True, slots=True)
class _Revision:
    """What a ``link.*`` entry says of the revision row it wrote, besides the state."""

    seq: int
    actor: str
    change: str
    changed_at: Any  # the state's updated_at, which the service stores as changed_at


@dataclass(frozen=True, slots=True)
class _Batch:
    """An ``events.ingested`` entry: its payload, its time and the reporter's code then (for the stored answer)."""

    payload: dict[str, Any]
    time: dt.datetime
    reporter: str


@dataclass
class _Recorded:
    """The latest state the log recorded for each row, built while replaying it."""

    agencies: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    #: agency id → its sector rows as recorded: ``since`` → (the entry that wrote the row, ``{"sector"}``)
    sectors: dict[int, dict[str, tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    keys: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    links: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    changes: dict[tuple[int, int], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    revisions: dict[tuple[int, int], _Revision] = field(default_factory=dict)
    batches: dict[int, _Batch] = field(default_factory=dict)
    #: requests for standards, need groups, and (group id, link id) → the entry that put the link in the group
    requests: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    need_groups: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    group_links: dict[tuple[int, int], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    #: agencies' webhooks and the notices made to them (their delivery state is not logged)
    webhooks: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    notices: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)

    def take(self, seq: int, kind: str, payload: dict[str, Any], actor: str, time: dt.datetime) -> None:
        if kind.startswith("agency."):
            state, rows = _split_agency(upgraded_agency_state(payload["agency"], seq))
            self.agencies[state["id"]] = (seq, state)
            self.sectors[state["id"]] = rows
        elif kind.startswith("key."):
            self.keys[payload["key"]["id"]] = (seq, payload["key"])
        elif kind.startswith("link."):
            state = payload["link"]
            # the row as this entry makes it (an older entry has no document fields); its revision row keeps the entry's words
            self.links[state["id"]] = (seq, upgraded_link_state(state))
            self.changes[(state["id"], state["revision"])] = (seq, state)
            # the service logs a revision as its caller, with kind link.<change>, at the link's updated_at
            self.revisions[(state["id"], state["revision"])] = _Revision(seq, actor, kind.removeprefix("link."), state.get("updated_at"))
        elif kind.startswith("request."):
            self.requests[payload["request"]["id"]] = (seq, payload["request"])
        elif kind in ("need_group.created", "need_group.changed"):
            self.need_groups[payload["group"]["id"]] = (seq, payload["group"])
        elif kind in ("need_group.link_added", "need_group.link_removed"):
            row = payload["group_link"]
            if kind == "need_group.link_added":
                self.group_links[(row["group_id"], row["link_id"])] = (seq, row)
            else:
                self.group_links.pop((row["group_id"], row["link_id"]), None)
        elif kind == "webhook.set":
            self.webhooks[payload["webhook"]["id"]] = (seq, payload["webhook"])
        elif kind == "webhook.removed":
            self.webhooks.pop(payload["webhook"]["id"], None)
        elif kind == "notices.created":
            for notice in payload["notices"]:
                self.notices[notice["id"]] = (seq, notice)
        elif kind == "events.ingested":
            # the answer names the reporter by the code it had then (codes are never changed; this is to be sure)
            reporter_id = payload.get("reporter_id")
            known = self.agencies.get(reporter_id) if isinstance(reporter_id, int) else None
            self.batches[seq] = _Batch(payload, time, known[1].get("code", str(reporter_id)) if known else str(reporter_id))


def _replay(session: Session, verifier: LogVerifier, report: VerifyReport, recorded: _Recorded) -> dict[int, str]:
    """Walk the entries in order; return the recomputed root at each size."""
    checkpoints = {cp.size: cp for cp in session.execute(select(Checkpoint)).scalars()}
    report.checkpoints = len(checkpoints)
    frontier = Frontier()
    stored_frontier: Frontier | None = None  # of the hashes as stored (the head's), once they part from the recomputed
    prev = last_stored = frontier.root()
    roots: dict[int, str] = {}
    expected = 0
    last_good_checkpoint = 0
    broken = False
    rows = session.execute(select(LogEntry).order_by(LogEntry.seq).execution_options(yield_per=2000)).scalars()
    for entry in rows:
        if entry.seq != expected and not broken:
            report.findings.append(Finding(f"log entry {expected} was removed (the next entry is {entry.seq})", expected))
            broken = True
        created = iso(entry.created_at) or ""
        try:
            payload = json.loads(entry.payload)
            content = entry_bytes(entry.seq, created, entry.actor, entry.kind, entry.payload, entry.prev_hash)
        except ValueError:
            payload, content = {}, entry.payload.encode()
        recomputed = leaf_hash(content)
        if not broken and recomputed != entry.entry_hash:
            report.findings.append(Finding(f"log entry {entry.seq} was changed: its content no longer matches its hash", entry.seq))
            broken = True
        if not broken and entry.prev_hash != prev:
            # this entry still points at the hash the previous one had when it was written
            report.findings.append(
                Finding(f"log entry {entry.seq - 1} was changed, removed or reordered: entry {entry.seq} no longer follows it", entry.seq - 1)
            )
            broken = True
        prev, last_stored = recomputed, entry.entry_hash
        if stored_frontier is None and recomputed != entry.entry_hash:
            stored_frontier = Frontier(frontier.size, frontier.roots)
        frontier.append(recomputed)
        if stored_frontier is not None:
            stored_frontier.append(entry.entry_hash)
        expected = entry.seq + 1
        roots[frontier.size] = frontier.root()
        cp = checkpoints.get(frontier.size)
        if cp is not None:
            if not verifier.verify(checkpoint_message(cp.size, cp.root, iso(cp.created_at) or ""), cp.signature):
                report.findings.append(Finding(f"checkpoint {cp.size} has no valid signature by key {verifier.key_id}"))
            elif cp.root != roots[frontier.size]:
                if not broken:
                    report.findings.append(
                        Finding(
                            f"log entry {cp.size - 1} was changed (or one of entries {last_good_checkpoint}..{cp.size - 1}): "
                            f"the signed checkpoint {cp.size} no longer matches",
                            last_good_checkpoint if cp.size - last_good_checkpoint > 1 else cp.size - 1,
                        )
                    )
                broken = True
            elif not broken:
                last_good_checkpoint = cp.size
        recorded.take(entry.seq, entry.kind, payload if isinstance(payload, dict) else {}, entry.actor, entry.created_at)
    report.entries = frontier.size
    report.root = frontier.root()
    if checkpoints and max(checkpoints) > frontier.size:
        report.findings.append(
            Finding(f"the log ends at entry {frontier.size - 1} but a checkpoint covers {max(checkpoints)} entries: entries were removed", frontier.size)
        )
    if frontier.size and frontier.size not in checkpoints and not broken:
        covered = max((s for s in checkpoints if s <= frontier.size), default=0)
        report.findings.append(Finding(f"log entries {covered}..{frontier.size - 1} are covered by no signed checkpoint", covered))
    _check_head(session, report, stored_frontier or frontier, last_stored, checkpoints)
    return roots


def _check_head(session: Session, report: VerifyReport, stored: Frontier, last_hash: str, checkpoints: Mapping[int, Checkpoint]) -> None:
    """The log head against the entries as stored: their number, the last one's hash and their Merkle frontier.

    The entries' own findings (changed, removed) come from the replay; this names the head
    when it alone was changed. A frontier changed behind the service stops every write (see
    :func:`registry.unit_of_work._vouched_head`); a registry that wrote on top of one before
    that guard has signed checkpoints computed from it, which the finding says.
    """
    head = session.get(LogHead, 1)
    if head is None:
        report.findings.append(Finding("the log head (table log_head, row 1) is missing", None, "log_head", "1"))
        return
    if head.size != stored.size:
        report.findings.append(_column("log_head", "1", "size", head.size, stored.size, None))
    if head.last_hash != last_hash:
        report.findings.append(_column("log_head", "1", "last_hash", head.last_hash, last_hash, None))
    try:
        roots = json.loads(head.frontier)
    except ValueError:
        roots = None
    if roots != stored.roots:
        note = ": it was changed outside the service, and no write can be made until it is put right"
        try:
            head_root = Frontier(head.size, roots).root()
        except (TypeError, ValueError):
            head_root = None
        latest = checkpoints.get(head.size)
        if latest is not None and head_root == latest.root and head.size == stored.size and latest.root != stored.root():
            note += f"; signed checkpoint {head.size} was computed from it, so the checkpoints that no longer match may owe it, not the entries"
        report.findings.append(_column("log_head", "1", "frontier", head.frontier, json.dumps(stored.roots), None, note))


#: the table each kind of row compared by :func:`_compare` is stored in
_TABLE_OF = {"agency": "agencies", "agency sector": "agency_sectors", "key": "api_keys", "link": "exchange_links", "link revision": "link_changes"}


def _compare(
    report: VerifyReport,
    what: str,
    recorded: dict[Any, tuple[int, dict[str, Any]]],
    current: dict[Any, tuple[int, dict[str, Any]]],
) -> None:
    for ident, (seq, state) in current.items():
        report.rows += 1
        if ident not in recorded:
            report.findings.append(Finding(f"{what} {ident} is in the database but in no log entry (added behind the log)"))
            continue
        logged_seq, logged = recorded[ident]
        if seq != logged_seq or canonical_json(state) != canonical_json(logged):
            columns = sorted(k for k in state.keys() | logged.keys() if canonical_json(state.get(k)) != canonical_json(logged.get(k)))
            if seq != logged_seq:
                columns.append("log_seq")
            # one column of one row: name it, so that monitoring (verify --format json) can point at it
            table, column = (_TABLE_OF.get(what), columns[0]) if len(columns) == 1 else (None, None)
            report.findings.append(
                Finding(f"{what} {ident} differs from what log entry {logged_seq} recorded (in {', '.join(columns) or 'its spelling'})", logged_seq,
                        table, str(ident) if table else None, column)
            )
    for ident, (seq, _) in recorded.items():
        if ident not in current:
            report.findings.append(Finding(f"{what} {ident} recorded by log entry {seq} is missing from the database", seq))


def _split_agency(state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, tuple[int, dict[str, Any]]]]:
    """An agency's state without its sector history, and the history: ``since`` → (log_seq, ``{"sector"}``)."""
    rest = {k: v for k, v in state.items() if k != "sectors"}
    rows: dict[str, tuple[int, dict[str, Any]]] = {}
    for row in state.get("sectors") or ():
        if isinstance(row, dict):
            rows[str(row.get("since"))] = (row.get("log_seq"), {"sector": row.get("sector")})
    return rest, rows


def _check_rows(session: Session, report: VerifyReport, recorded: _Recorded) -> None:
    # an agency and each row of its sector history, the rows named AGENCY_ID@SINCE
    agencies = {a.id: (a.log_seq, _split_agency(agency_state(a, []))[0]) for a in session.execute(select(Agency)).scalars()}
    _compare(report, "agency", recorded.agencies, agencies)
    logged = {f"{agency_id}@{since}": row for agency_id, rows in recorded.sectors.items() for since, row in rows.items()}
    current = {f"{r.agency_id}@{iso(r.since)}": (r.log_seq, {"sector": r.sector}) for r in session.execute(select(AgencySector)).scalars()}
    _compare(report, "agency sector", logged, current)
    _compare(report, "key", recorded.keys, {k.id: (k.log_seq, key_state(k)) for k in session.execute(select(ApiKey)).scalars()})
    _compare(report, "link", recorded.links, {x.id: (x.log_seq, link_state(x)) for x in session.execute(select(ExchangeLink)).scalars()})
    revisions = session.execute(select(LinkChange).order_by(LinkChange.id)).scalars().all()
    _compare(report, "link revision", recorded.changes, {(c.link_id, c.revision): (c.log_seq, json.loads(c.state)) for c in revisions})
    _check_revision_columns(report, recorded, revisions)
    # events: each batch entry recorded how many rows it stored and their digest
    lines: dict[int, list[list[Any]]] = defaultdict(list)
    owners: dict[int, set[tuple[int, int, str]]] = defaultdict(set)
    #: entry → received_at as read (spelt once per time, not per row) → how many rows have it and the first few ids
    received: dict[int, dict[Any, tuple[int, list[int]]]] = defaultdict(dict)
    query = select(ExchangeEvent).order_by(ExchangeEvent.log_seq).execution_options(yield_per=5000)
    for e in session.execute(query).scalars():
        lines[e.log_seq].append(
            event_row(e.window_start, e.window_end, e.record_id, e.messages, e.bytes, e.succeeded, e.failed, e.valid, e.invalid)
        )
        owners[e.log_seq].add((e.link_id, e.reporter_id, e.side))
        count, ids = received[e.log_seq].get(e.received_at) or (0, [])
        received[e.log_seq][e.received_at] = (count + 1, ids if len(ids) >= NAMED_ROWS else [*ids, e.id])
        report.rows += 1
    for seq, entry in recorded.batches.items():
        batch = entry.payload
        times = received.pop(seq, {})
        _check_received_at(report, seq, entry, {iso(t): found for t, found in times.items()})
        found = lines.pop(seq, [])
        who = owners.pop(seq, set())
        if len(found) != batch["accepted"] or event_digest(found) != batch["digest"]:
            report.findings.append(
                Finding(
                    f"the events stored by log entry {seq} differ from what it recorded "
                    f"({len(found)} rows now, {batch['accepted']} recorded)",
                    seq,
                )
            )
        elif who and who != {(batch["link_id"], batch["reporter_id"], batch["side"])}:
            report.findings.append(Finding(f"the events stored by log entry {seq} were moved to another link or reporter", seq))
    for seq, found in lines.items():
        report.findings.append(Finding(f"{len(found)} events claim log entry {seq}, which recorded no events batch (added behind the log)"))
    _check_idempotency(session, report, recorded)
    _check_needs(session, report, recorded)
    _check_notices(session, report, recorded)


def _check_notices(session: Session, report: VerifyReport, recorded: _Recorded) -> None:
    """Webhooks and notices, each column against the entry that wrote it (a notice's delivery state is not logged)."""
    _compare_columns(report, "webhooks", recorded.webhooks, {w.id: (w.log_seq, webhook_state(w)) for w in session.execute(select(Webhook)).scalars()})
    _compare_columns(report, "notices", recorded.notices, {n.id: (n.log_seq, notice_state(n)) for n in session.execute(select(Notice)).scalars()})


def _check_needs(session: Session, report: VerifyReport, recorded: _Recorded) -> None:
    """Requests for standards, need groups and the links in them, each column against the entry that wrote it."""
    _compare_columns(
        report, "standard_requests", recorded.requests,
        {r.id: (r.log_seq, request_state(r)) for r in session.execute(select(StandardRequest)).scalars()},
    )
    _compare_columns(
        report, "need_groups", recorded.need_groups,
        {g.id: (g.log_seq, need_group_state(g)) for g in session.execute(select(NeedGroup)).scalars()},
    )
    _compare_columns(
        report, "need_group_links", recorded.group_links,
        {(x.group_id, x.link_id): (x.log_seq, need_group_link_state(x)) for x in session.execute(select(NeedGroupLink)).scalars()},
    )


def _compare_columns(
    report: VerifyReport, table: str, recorded: Mapping[Any, tuple[int, dict[str, Any]]], current: Mapping[Any, tuple[int, dict[str, Any]]]
) -> None:
    """Rows of ``table`` against their latest entries: a row added or removed behind the log, and each column
    (``log_seq`` too) that is not what its entry recorded, named by table, row and column."""
    def name(ident: Any) -> str:
        return str(ident) if not isinstance(ident, tuple) else "(" + ", ".join(str(i) for i in ident) + ")"

    for ident, (seq, state) in sorted(current.items()):
        report.rows += 1
        if ident not in recorded:
            report.findings.append(Finding(f"{table} row {name(ident)} is in the database but in no log entry (added behind the log)", None, table, name(ident)))
            continue
        logged_seq, logged = recorded[ident]
        for column in sorted(state.keys() | logged.keys()):
            if canonical_json(state.get(column)) != canonical_json(logged.get(column)):
                report.findings.append(_column(table, name(ident), column, state.get(column), logged.get(column), logged_seq))
        if seq != logged_seq:
            report.findings.append(Finding(
                f"{table} row {name(ident)}, column log_seq: {seq} is stored, but the latest log entry that wrote the row is {logged_seq}",
                logged_seq, table, name(ident), "log_seq",
            ))
    for ident, (seq, _) in sorted(recorded.items()):
        if ident not in current:
            report.findings.append(Finding(f"{table} row {name(ident)} recorded by log entry {seq} is missing from the database", seq, table, name(ident)))


def _check_revision_columns(report: VerifyReport, recorded: _Recorded, revisions: Sequence[LinkChange]) -> None:
    """Each link revision's actor, change and time, as the link history serves them, against its entry."""
    for c in revisions:
        logged = recorded.revisions.get((c.link_id, c.revision))
        if logged is None:
            continue  # in no entry: _compare said so
        row = f"{c.id} (link {c.link_id}, revision {c.revision})"
        for column, stored, expected in (
            ("actor", c.actor, logged.actor),
            ("change", c.change, logged.change),
            ("changed_at", iso(c.changed_at), logged.changed_at),
        ):
            if stored != expected:
                report.findings.append(_column("link_changes", row, column, stored, expected, logged.seq))


def _near_entry(stored: str | None, entry_time: dt.datetime) -> bool:
    """Whether a time stored by a write logged without it could be that write's: no later than its entry, and
    at most :data:`OLD_ENTRY_SLACK` before it."""
    if stored is None:
        return False
    when, entry = read_time(stored), read_time(iso(entry_time) or "")
    return entry - OLD_ENTRY_SLACK <= when <= entry


def _check_received_at(report: VerifyReport, seq: int, logged: _Batch, stored: Mapping[str | None, tuple[int, list[int]]]) -> None:
    """The ``received_at`` of an events batch's rows (``stored``: time → how many rows, the first few ids): the
    time its entry recorded; for an entry written before it held one, one time for the whole batch, close
    before the entry's own."""
    expected = logged.payload.get("received_at")
    if expected is None:
        common = max(stored, key=lambda t: stored[t][0], default=None)
        wrong = [t for t in stored if t != common or not _near_entry(t, logged.time)]
        expected = common if common is not None and _near_entry(common, logged.time) else f"a time up to {OLD_ENTRY_SLACK} before {iso(logged.time)}"
    else:
        wrong = [t for t in stored if t != expected]
    rows = sorted((row_id, t) for t in wrong for row_id in stored[t][1])
    for row_id, t in rows[:NAMED_ROWS]:
        report.findings.append(_column("exchange_events", str(row_id), "received_at", t, expected, seq))
    more = sum(stored[t][0] for t in wrong) - min(len(rows), NAMED_ROWS)
    if more > 0:
        report.findings.append(
            Finding(f"exchange_events: {more} more rows of log entry {seq} have another received_at than it recorded", seq, "exchange_events", None, "received_at")
        )


def _answer(seq: int, logged: _Batch) -> str:
    """The answer the service stored for an idempotent batch, made again from its entry (see ``events.ingest``)."""
    p = logged.payload
    return canonical_json({
        "link_id": p.get("link_id"),
        "reporter": logged.reporter,
        "side": p.get("side"),
        "received": p.get("received"),
        "accepted": p.get("accepted"),
        "duplicates": (p.get("received") or 0) - (p.get("accepted") or 0),
        "log_seq": seq,
    })


def _check_idempotency(session: Session, report: VerifyReport, recorded: _Recorded) -> None:
    """The stored answers to idempotent requests (replayed as they are to a retry) against the entries of their batches."""
    expected = {
        (logged.payload.get("reporter_id"), logged.payload["idempotency_key"]): (seq, logged)
        for seq, logged in recorded.batches.items()
        if logged.payload.get("idempotency_key")
    }
    query = select(IdempotencyRecord).order_by(IdempotencyRecord.agency_id, IdempotencyRecord.key)
    for r in session.execute(query).scalars():
        report.rows += 1
        row = f"(agency {r.agency_id}, key {r.key!r})"
        found = expected.pop((r.agency_id, r.key), None)
        if found is None:
            report.findings.append(
                Finding(f"idempotency_records row {row} is in the database but in no log entry (added behind the log)", None, "idempotency_records", row)
            )
            continue
        seq, logged = found
        logged_hash, logged_time = logged.payload.get("request_hash"), logged.payload.get("received_at")
        checks: list[tuple[str, Any, Any, bool]] = [
            ("status_code", r.status_code, 201, r.status_code == 201),
            ("response", r.response, _answer(seq, logged), r.response == _answer(seq, logged)),
        ]
        if logged_hash is not None:  # entries written before it was logged cannot say
            checks.append(("request_hash", r.request_hash, logged_hash, r.request_hash == logged_hash))
        created = iso(r.created_at)
        if logged_time is not None:
            checks.append(("created_at", created, logged_time, created == logged_time))
        else:
            checks.append(("created_at", created, f"a time up to {OLD_ENTRY_SLACK} before {iso(logged.time)}", _near_entry(created, logged.time)))
        for column, stored, wanted, holds in checks:
            if not holds:
                report.findings.append(_column("idempotency_records", row, column, stored, wanted, seq, verb="gives"))
    for (agency_id, key), (seq, _) in expected.items():
        row = f"(agency {agency_id}, key {key!r})"
        report.findings.append(
            Finding(
                f"idempotency_records row {row} recorded by log entry {seq} is missing from the database "
                "(a retry with that key would be taken as a new batch)",
                seq, "idempotency_records", row,
            )
        )


def _check_witness(report: VerifyReport, verifier: LogVerifier, roots: dict[int, str], witness: Mapping[str, Any]) -> None:
    size, root = int(witness["size"]), str(witness["root"])
    if not verifier.verify(checkpoint_message(size, root, str(witness.get("time", ""))), str(witness.get("signature", ""))):
        report.findings.append(Finding(f"the checkpoint kept outside (size {size}) is not signed by key {verifier.key_id}"))
    elif size > report.entries:
        report.findings.append(Finding(f"the log has {report.entries} entries, fewer than the {size} a kept checkpoint vouches for", report.entries))
    elif size and roots.get(size) != root:
        report.findings.append(Finding(f"the log's first {size} entries no longer match the checkpoint kept outside"))


def verify(session: Session, *, verifier: LogVerifier, witnesses: Sequence[Mapping[str, Any]] = ()) -> VerifyReport:
    """Check the log and the rows against it; ``witnesses`` are checkpoints kept outside."""
    report = VerifyReport()
    recorded = _Recorded()
    roots = _replay(session, verifier, report, recorded)
    for witness in witnesses:
        _check_witness(report, verifier, roots, witness)
    _check_rows(session, report, recorded)
    return report
