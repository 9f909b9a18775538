"""Tampering behind the service's back: update, delete or reorder rows of every table with raw SQL.

Every case starts from a copy of the same populated registry (a copied SQLite file,
or a PostgreSQL database made from it as a template), changes it with plain SQL,
and runs `dxs registry verify`, which must fail and name the first bad log entry —
the entry that recorded the row (or the entry itself, for the log's own table) — and,
for a case about one column, a finding naming the table, the row and the column. A
case about the log head (which no entry records) names no entry: it must name the head.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.kit.dxs import dxs
from tests.kit.postgres import PG_ADMIN_URL, drop_postgres_database
from tests.kit.world import World

__all__ = ["CASES", "IDEMPOTENCY_KEY", "TamperFigures", "copy_world", "drop_copy", "populate", "run_sql", "tamper_matrix"]


@dataclass
class TamperFigures:
    cases: int = 0
    detected: int = 0
    problems: list[str] = field(default_factory=list)


#: What the registry holds, read back so each case can aim at a row and know its log entry.
Facts = dict[str, Any]
#: A case: (statements to run, the first bad log entry verify must name (None: none may be named)[, text a finding must hold])
Case = Callable[[Facts], tuple[list[str], int | None] | tuple[list[str], int | None, str]]

#: A time no honest write of the populated registry stored, spelt so both databases take it.
_LONG_AGO = "2020-01-01 00:00:00.000000"


def _swap_codes(a: int, b: int, code_a: str, code_b: str) -> list[str]:
    """Swap two agencies' codes in three steps (codes are unique: they may never clash)."""
    return [
        f"UPDATE agencies SET code = 'tmp-swap' WHERE id = {a}",
        f"UPDATE agencies SET code = '{code_a}' WHERE id = {b}",
        f"UPDATE agencies SET code = '{code_b}' WHERE id = {a}",
    ]


CASES: dict[str, Case] = {
    # the log itself
    "log entry updated": lambda f: ([f"UPDATE log_entries SET payload = replace(payload, 'Payments', 'Nothing') WHERE seq = {f['changed_seq']}"], f["changed_seq"]),
    "log entry deleted": lambda f: ([f"DELETE FROM log_entries WHERE seq = {f['declared_seq']}"], f["declared_seq"]),
    "log entries reordered": lambda f: (
        [
            f"UPDATE log_entries SET seq = -1 WHERE seq = {f['declared_seq']}",
            f"UPDATE log_entries SET seq = {f['declared_seq']} WHERE seq = {f['declared_seq'] + 1}",
            f"UPDATE log_entries SET seq = {f['declared_seq'] + 1} WHERE seq = -1",
        ],
        f["declared_seq"],
    ),
    # agencies
    "agency updated": lambda f: ([f"UPDATE agencies SET name_en = 'Someone else' WHERE id = {f['agency']['CGD']['id']}"], f["agency"]["CGD"]["seq"]),
    "agency deleted": lambda f: ([f"DELETE FROM api_keys WHERE agency_id = {f['agency']['DOPA']['id']}", f"DELETE FROM agencies WHERE id = {f['agency']['DOPA']['id']}"], min(f["agency"]["DOPA"]["seq"], f["dopa_key_seq"])),
    "agencies reordered": lambda f: (
        _swap_codes(f["agency"]["RD"]["id"], f["agency"]["DOPA"]["id"], "RD", "DOPA"),
        min(f["agency"]["RD"]["seq"], f["agency"]["DOPA"]["seq"]),
    ),
    # keys
    "key updated": lambda f: ([f"UPDATE api_keys SET revoked_at = NULL WHERE id = {f['revoked_key']['id']}"], f["revoked_key"]["seq"]),
    "key deleted": lambda f: ([f"DELETE FROM api_keys WHERE id = {f['office_key']['id']}"], f["office_key"]["seq"]),
    "keys reordered": lambda f: (  # RD's key and CGD's key change hands
        [
            f"UPDATE api_keys SET agency_id = {f['agency']['CGD']['id']} WHERE id = {f['rd_key']['id']}",
            f"UPDATE api_keys SET agency_id = {f['agency']['RD']['id']} WHERE id = {f['cgd_key']['id']}",
        ],
        min(f["rd_key"]["seq"], f["cgd_key"]["seq"]),
    ),
    # links
    "link updated": lambda f: ([f"UPDATE exchange_links SET purpose = 'tampered' WHERE id = {f['link_id']}"], f["link_seq"]),
    "link deleted": lambda f: ([f"DELETE FROM exchange_events WHERE link_id = {f['link_id']}", f"DELETE FROM link_changes WHERE link_id = {f['link_id']}", f"DELETE FROM exchange_links WHERE id = {f['link_id']}"], f["declared_seq"]),
    "link parties reordered": lambda f: (
        [f"UPDATE exchange_links SET provider_id = {f['agency']['CGD']['id']}, consumer_id = {f['agency']['RD']['id']} WHERE id = {f['link_id']}"],
        f["link_seq"],
    ),
    # link revisions
    "link revision updated": lambda f: ([f"UPDATE link_changes SET state = replace(state, 'Payments', 'x') WHERE link_id = {f['link_id']} AND revision = 2"], f["changed_seq"]),
    "link revision deleted": lambda f: ([f"DELETE FROM link_changes WHERE link_id = {f['link_id']} AND revision = 1"], f["declared_seq"]),
    "link revisions reordered": lambda f: (
        [
            f"UPDATE link_changes SET revision = -1 WHERE link_id = {f['link_id']} AND revision = 1",
            f"UPDATE link_changes SET revision = 1 WHERE link_id = {f['link_id']} AND revision = 2",
            f"UPDATE link_changes SET revision = 2 WHERE link_id = {f['link_id']} AND revision = -1",
        ],
        f["declared_seq"],
    ),
    # events
    "event updated": lambda f: ([f"UPDATE exchange_events SET messages = messages + 1 WHERE record_id = 'r1' AND log_seq = {f['batches'][0]}"], f["batches"][0]),
    "event deleted": lambda f: ([f"DELETE FROM exchange_events WHERE record_id = 'r2' AND log_seq = {f['batches'][1]}"], f["batches"][1]),
    "events reordered between batches": lambda f: (
        [
            f"UPDATE exchange_events SET log_seq = -1 WHERE record_id = 'r0' AND log_seq = {f['batches'][0]}",
            f"UPDATE exchange_events SET log_seq = {f['batches'][0]} WHERE record_id = 'r0' AND log_seq = {f['batches'][1]}",
            f"UPDATE exchange_events SET log_seq = {f['batches'][1]} WHERE log_seq = -1",
        ],
        min(f["batches"]),
    ),
    # columns served or relied on that the log recorded, one case each (a finding names table, row and column)
    "link revision actor forged": lambda f: (
        [f"UPDATE link_changes SET actor = 'office' WHERE id = {f['revision_2']}"],
        f["changed_seq"],
        f"link_changes row {f['revision_2']} (link {f['link_id']}, revision 2), column actor",
    ),
    "link revision change relabelled": lambda f: (
        [f"UPDATE link_changes SET change = 'ended' WHERE id = {f['revision_2']}"],
        f["changed_seq"],
        f"link_changes row {f['revision_2']} (link {f['link_id']}, revision 2), column change",
    ),
    "link revision time moved": lambda f: (
        [f"UPDATE link_changes SET changed_at = '{_LONG_AGO}' WHERE id = {f['revision_2']}"],
        f["changed_seq"],
        f"link_changes row {f['revision_2']} (link {f['link_id']}, revision 2), column changed_at",
    ),
    "log head frontier changed": lambda f: (
        # the first root's first eight hex digits zeroed: still a frontier, no longer the entries'
        ["UPDATE log_head SET frontier = replace(frontier, substr(frontier, 3, 8), '00000000')"],
        None,
        "log_head row 1, column frontier",
    ),
    "log head last_hash changed": lambda f: (
        # the hash the next entry would chain from: no longer the last entry's
        ["UPDATE log_head SET last_hash = '" + "0" * 64 + "'"],
        None,
        "log_head row 1, column last_hash",
    ),
    "event received_at moved": lambda f: (
        [f"UPDATE exchange_events SET received_at = '{_LONG_AGO}' WHERE id = {f['event_r1']}"],
        f["batches"][0],
        f"exchange_events row {f['event_r1']}, column received_at",
    ),
    "idempotent answer edited": lambda f: (
        [f"UPDATE idempotency_records SET response = replace(response, '\"accepted\":3', '\"accepted\":4') WHERE {f['idem_where']}"],
        f["idem_seq"],
        f"idempotency_records row {f['idem_row']}, column response",
    ),
    "idempotent status edited": lambda f: (
        [f"UPDATE idempotency_records SET status_code = 200 WHERE {f['idem_where']}"],
        f["idem_seq"],
        f"idempotency_records row {f['idem_row']}, column status_code",
    ),
    "idempotent request hash edited": lambda f: (
        [f"UPDATE idempotency_records SET request_hash = '{'0' * 64}' WHERE {f['idem_where']}"],
        f["idem_seq"],
        f"idempotency_records row {f['idem_row']}, column request_hash",
    ),
    "idempotent answer time moved": lambda f: (
        [f"UPDATE idempotency_records SET created_at = '{_LONG_AGO}' WHERE {f['idem_where']}"],
        f["idem_seq"],
        f"idempotency_records row {f['idem_row']}, column created_at",
    ),
    "idempotent answer removed": lambda f: (
        [f"DELETE FROM idempotency_records WHERE {f['idem_where']}"],
        f["idem_seq"],
        f"idempotency_records row {f['idem_row']} recorded by log entry {f['idem_seq']} is missing",
    ),
    "idempotent answer planted": lambda f: (
        [
            "INSERT INTO idempotency_records (agency_id, key, request_hash, status_code, response, created_at) "
            f"VALUES ({f['agency']['RD']['id']}, 'planted', '{'0' * 64}', 201, '{{}}', '{_LONG_AGO}')"
        ],
        None,
        f"idempotency_records row (agency {f['agency']['RD']['id']}, key 'planted') is in the database but in no log entry",
    ),
}

#: The idempotent batch :func:`populate` sends (and sends again), and its key.
IDEMPOTENCY_KEY = "tamper-retry-1"


def populate(world: World) -> Facts:
    """Give ``world`` a link change and two event batches; read back where everything was logged."""
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from dxs.registry import create_app
    from dxs.registry.db import Database, make_engine
    from dxs.registry.signing import load_or_create_signer
    from dxs.validator import catalog_folders, load_catalog

    records = [{"record_id": f"r{i}", "window_start": "2024-05-01T00:00:00Z", "window_end": "2024-05-01T01:00:00Z", "messages": i + 1} for i in range(5)]
    database = Database(world.url, signer=load_or_create_signer(world.log_key))
    app = create_app(catalog=load_catalog(catalog_folders()), database=database)
    with TestClient(app) as client:
        assert client.patch(f"/api/v1/links/{world.link_id}", json={"purpose": "Payments"}, headers=world.bearer("RD")).status_code == 200
        for who, n in (("RD", 5), ("CGD", 3)):
            sent = client.post(f"/api/v1/links/{world.link_id}/events", json={"records": records[:n]}, headers=world.bearer(who))
            assert sent.status_code == 201, sent.text
        retried = [{**r, "record_id": f"k{i}"} for i, r in enumerate(records[:3])]
        answers = [
            client.post(
                f"/api/v1/links/{world.link_id}/events", json={"records": retried},
                headers={**world.bearer("RD"), "Idempotency-Key": IDEMPOTENCY_KEY},
            )
            for _ in range(2)
        ]
        assert [a.status_code for a in answers] == [201, 201] and answers[0].json() == answers[1].json(), [a.text for a in answers]
    database.dispose()
    engine = make_engine(world.url)
    try:
        with engine.connect() as c:
            seqs = {kind: [s for (s,) in c.execute(text("SELECT seq FROM log_entries WHERE kind = :k ORDER BY seq"), {"k": kind})] for kind in ("link.declared", "link.changed", "events.ingested")}
            agency = {code: {"id": i, "seq": s} for i, code, s in c.execute(text("SELECT id, code, log_seq FROM agencies"))}
            key_rows = list(c.execute(text("SELECT id, agency_id, role, revoked_at, log_seq FROM api_keys ORDER BY id")))
            link_seq = c.execute(text("SELECT log_seq FROM exchange_links WHERE id = :i"), {"i": world.link_id}).scalar_one()
            revision_2 = c.execute(text("SELECT id FROM link_changes WHERE link_id = :i AND revision = 2"), {"i": world.link_id}).scalar_one()
            event_r1 = c.execute(
                text("SELECT id FROM exchange_events WHERE record_id = 'r1' AND log_seq = :s"), {"s": seqs["events.ingested"][0]}
            ).scalar_one()
    finally:
        engine.dispose()
    office = next(k for k in key_rows if k.role == "office")
    revoked = next(k for k in key_rows if k.revoked_at is not None)
    rd = next(k for k in key_rows if k.agency_id == agency["RD"]["id"] and k.revoked_at is None)
    dopa = next(k for k in key_rows if k.agency_id == agency["DOPA"]["id"])
    cgd = next(k for k in key_rows if k.agency_id == agency["CGD"]["id"])
    return {
        "declared_seq": seqs["link.declared"][0],
        "changed_seq": seqs["link.changed"][0],
        "batches": seqs["events.ingested"],
        "agency": agency,
        "office_key": {"id": office.id, "seq": office.log_seq},
        "revoked_key": {"id": revoked.id, "seq": revoked.log_seq},
        "rd_key": {"id": rd.id, "seq": rd.log_seq},
        "dopa_key_seq": dopa.log_seq,
        "cgd_key": {"id": cgd.id, "seq": cgd.log_seq},
        "link_id": world.link_id,
        "link_seq": link_seq,
        "revision_2": revision_2,
        "event_r1": event_r1,
        "idem_seq": seqs["events.ingested"][2],
        "idem_where": f"agency_id = {agency['RD']['id']} AND key = '{IDEMPOTENCY_KEY}'",
        "idem_row": f"(agency {agency['RD']['id']}, key '{IDEMPOTENCY_KEY}')",
    }


def copy_world(world: World, folder: Path, name: str) -> str:
    """A copy of the registry's database for one case."""
    if world.url.startswith("sqlite"):
        source = Path(world.url.split("///", 1)[1])
        target = folder / f"{name}.sqlite"
        shutil.copy(source, target)
        return f"sqlite:///{target}"
    import psycopg

    source_name = world.url.rsplit("/", 1)[1]
    target_name = f"{source_name}_t{abs(hash(name)) % 10**8}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
        conn.execute(f'CREATE DATABASE "{target_name}" TEMPLATE "{source_name}"')
    return world.url.rsplit("/", 1)[0] + "/" + target_name


def run_sql(url: str, statements: list[str]) -> None:
    """Plain SQL through the bare driver, as an intruder with database access would (no foreign keys on SQLite)."""
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.split("///", 1)[1]) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")  # an intruder who can also bypass foreign keys
        for statement in statements:
            conn.execute(statement)


def drop_copy(url: str) -> None:
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
        return
    drop_postgres_database(url)


def tamper_matrix(world: World, folder: Path, *, cases: dict[str, Case] | None = None, via_cli: bool = True) -> TamperFigures:
    """Run every tampering case on its own copy of ``world`` (already :func:`populate` d)."""
    from dxs.registry import admin

    facts = populate_facts_cache.get(world.url) or populate(world)
    populate_facts_cache[world.url] = facts
    figures = TamperFigures()
    baseline = admin.verify(world.url, log_key=world.log_key)
    if not baseline.ok:
        figures.problems.append(f"the untouched registry does not verify: {baseline.findings}")
        return figures
    for name, case in (cases or CASES).items():
        figures.cases += 1
        statements, first_bad, *said = case(facts)
        url = copy_world(world, folder, name.replace(" ", "-"))
        try:
            run_sql(url, statements)
            if via_cli:
                out = dxs("registry", "verify", "--database", url, "--log-key", str(world.log_key), timeout=300)
                entry_named = (
                    f"the first bad log entry is {first_bad}" in out.stdout if first_bad is not None else "first bad log entry" not in out.stdout
                )
                if out.returncode == 1 and entry_named and all(text in out.stdout for text in said):
                    figures.detected += 1
                else:
                    figures.problems.append(
                        f"{name}: exit {out.returncode}, expected 1 naming entry {first_bad} and {said}: {out.stdout.strip()[-400:]}"
                    )
            else:
                report = admin.verify(url, log_key=world.log_key)
                findings = [str(f) for f in report.findings]
                if not report.ok and report.first_bad_entry == first_bad and all(any(text in f for f in findings) for text in said):
                    figures.detected += 1
                else:
                    figures.problems.append(f"{name}: first bad entry {report.first_bad_entry}, expected {first_bad} and {said}: {findings[:3]}")
        finally:
            drop_copy(url)
    return figures


populate_facts_cache: dict[str, Facts] = {}
