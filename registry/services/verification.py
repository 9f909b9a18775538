"""``dxs registry verify``: recompute the log from the database and hold the data against it.

Three questions, each answered from the database alone plus the public key:

1. Is the log intact? Every entry's hash is recomputed from its content and chained
   to its predecessor; the Merkle root at every checkpoint is recomputed and its
   signature checked. The first entry that was changed, removed or reordered is named.
2. Is every signed checkpoint still a prefix of the log, including any kept outside
   (``--checkpoint``), so that a log rolled back and rewritten cannot pass?
3. Do the rows match what the log recorded? Agencies (and each row of their sector
   history), keys, links, link history and events are each compared with the latest
   entry that wrote them, so a row edited, added or deleted behind the service's back is
   found too. An agency entry written before revision 0002 is read with what that
   migration filled in (:func:`upgraded_agency_state`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..canonical import canonical_json
from ..merkle import Frontier, leaf_hash
from ..models import Agency, AgencySector, ApiKey, Checkpoint, ExchangeEvent, ExchangeLink, LinkChange, LogEntry, LogHead
from ..signing import LogVerifier
from ..times import iso
from .log import checkpoint_message, entry_bytes
from .logged_states import agency_state, event_digest, event_row, key_state, link_state, upgraded_agency_state

__all__ = ["Finding", "VerifyReport", "verify"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing that does not hold; ``seq`` is the log entry it points at, if any."""

    what: str
    seq: int | None = None

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


@dataclass
class _Recorded:
    """The latest state the log recorded for each row, built while replaying it."""

    agencies: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    #: agency id → its sector rows as recorded: ``since`` → (the entry that wrote the row, ``{"sector"}``)
    sectors: dict[int, dict[str, tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    keys: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    links: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    changes: dict[tuple[int, int], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    batches: dict[int, dict[str, Any]] = field(default_factory=dict)

    def take(self, seq: int, kind: str, payload: dict[str, Any]) -> None:
        if kind.startswith("agency."):
            state, rows = _split_agency(upgraded_agency_state(payload["agency"], seq))
            self.agencies[state["id"]] = (seq, state)
            self.sectors[state["id"]] = rows
        elif kind.startswith("key."):
            self.keys[payload["key"]["id"]] = (seq, payload["key"])
        elif kind.startswith("link."):
            state = payload["link"]
            self.links[state["id"]] = (seq, state)
            self.changes[(state["id"], state["revision"])] = (seq, state)
        elif kind == "events.ingested":
            self.batches[seq] = payload


def _replay(session: Session, verifier: LogVerifier, report: VerifyReport, recorded: _Recorded) -> dict[int, str]:
    """Walk the entries in order; return the recomputed root at each size."""
    checkpoints = {cp.size: cp for cp in session.execute(select(Checkpoint)).scalars()}
    report.checkpoints = len(checkpoints)
    frontier = Frontier()
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
        frontier.append(recomputed)
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
        recorded.take(entry.seq, entry.kind, payload if isinstance(payload, dict) else {})
    report.entries = frontier.size
    report.root = frontier.root()
    if checkpoints and max(checkpoints) > frontier.size:
        report.findings.append(
            Finding(f"the log ends at entry {frontier.size - 1} but a checkpoint covers {max(checkpoints)} entries: entries were removed", frontier.size)
        )
    if frontier.size and frontier.size not in checkpoints and not broken:
        covered = max((s for s in checkpoints if s <= frontier.size), default=0)
        report.findings.append(Finding(f"log entries {covered}..{frontier.size - 1} are covered by no signed checkpoint", covered))
    head = session.get(LogHead, 1)
    if head is None or head.size != frontier.size or head.last_hash != last_stored:
        report.findings.append(Finding("the log head does not match the entries"))
    return roots


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
            report.findings.append(Finding(f"{what} {ident} differs from what log entry {logged_seq} recorded", logged_seq))
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
    _compare(
        report,
        "link revision",
        recorded.changes,
        {(c.link_id, c.revision): (c.log_seq, json.loads(c.state)) for c in session.execute(select(LinkChange)).scalars()},
    )
    # events: each batch entry recorded how many rows it stored and their digest
    lines: dict[int, list[list[Any]]] = defaultdict(list)
    owners: dict[int, set[tuple[int, int, str]]] = defaultdict(set)
    query = select(ExchangeEvent).order_by(ExchangeEvent.log_seq).execution_options(yield_per=5000)
    for e in session.execute(query).scalars():
        lines[e.log_seq].append(
            event_row(e.window_start, e.window_end, e.record_id, e.messages, e.bytes, e.succeeded, e.failed, e.valid, e.invalid)
        )
        owners[e.log_seq].add((e.link_id, e.reporter_id, e.side))
        report.rows += 1
    for seq, batch in recorded.batches.items():
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
