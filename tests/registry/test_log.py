"""The tamper-evident log: checkpoints, and `verify` finding what was changed behind its back."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text

from dxs.registry.canonical import canonical_json
from dxs.registry.merkle import Frontier, leaf_hash, root_of
from dxs.registry.models import LogEntry, LogHead
from dxs.registry.services import verification
from dxs.registry.services.log import checkpoint_message, entry_bytes
from dxs.registry.signing import LogSigner, LogVerifier
from dxs.registry.times import iso
from dxs.registry.unit_of_work import LockedHead
from tests.registry.test_events import records


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(st.integers(0, 2**62), st.text(), st.text(), st.text(), _json, st.text())
def test_an_entry_hashes_the_canonical_json_of_its_fields(seq, created_at, actor, kind, payload, prev_hash):
    """The payload is spliced in as stored; the bytes are those of the whole entry written canonically."""
    fields = {"seq": seq, "time": created_at, "actor": actor, "kind": kind, "payload": payload, "prev": prev_hash}
    assert entry_bytes(seq, created_at, actor, kind, canonical_json(payload), prev_hash) == canonical_json(fields).encode()


@pytest.mark.parametrize("n", range(0, 34))
def test_frontier_root_is_the_rfc6962_tree_hash(n):
    leaves = [leaf_hash(str(i).encode()) for i in range(n)]
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    assert frontier.root() == root_of(leaves)
    assert Frontier(frontier.size, frontier.roots).root() == frontier.root()


def test_signatures_verify_only_with_the_right_key():
    signer, other = LogSigner.generate(), LogSigner.generate()
    signature = signer.sign(b"hello")
    assert LogVerifier.from_b64(signer.public_key_b64).verify(b"hello", signature)
    assert not LogVerifier(other.public_key).verify(b"hello", signature)
    assert LogSigner.from_pem(signer.to_pem()).key_id == signer.key_id


@pytest.fixture
def busy(client, world, link_id):
    """A log with agencies, keys, a link and its changes, and two event batches."""
    client.patch(f"/api/v1/links/{link_id}", json={"purpose": "Payments"}, headers=world.rd)
    client.post(f"/api/v1/links/{link_id}/events", json={"records": records(5)}, headers=world.rd)
    client.post(f"/api/v1/links/{link_id}/events", json={"records": records(3)}, headers=world.cgd)
    return link_id


def verify(database, signer, witnesses=()):
    with database.transaction(write=False) as s:
        return verification.verify(s, verifier=signer, witnesses=witnesses)


def entries(database) -> list[LogEntry]:
    with database.transaction(write=False) as s:
        return list(s.execute(select(LogEntry).order_by(LogEntry.seq)).scalars())


def sql(database, statement: str, **params) -> None:
    with database.transaction() as s:
        s.execute(text(statement), params)


def seq_of(database, kind: str) -> int:
    return next(e.seq for e in entries(database) if e.kind == kind)


def test_checkpoint_is_signed_and_public(client, busy, signer):
    cp = client.get("/api/v1/log/checkpoint").json()
    assert cp["size"] > 10 and cp["public_key"] == signer.public_key_b64
    message = checkpoint_message(cp["size"], cp["root"], cp["time"])
    assert LogVerifier.from_b64(cp["public_key"]).verify(message, cp["signature"])


def test_every_write_is_logged(client, world, busy):
    kinds = [e["kind"] for e in client.get("/api/v1/log/entries", params={"limit": 1000}, headers=world.office).json()["items"]]
    assert kinds.count("agency.created") == 3 and kinds.count("key.created") == 5 and "key.revoked" in kinds
    assert kinds[-4:] == ["link.declared", "link.changed", "events.ingested", "events.ingested"]
    assert client.get("/api/v1/log/entries", headers=world.rd).status_code == 403
    page = client.get("/api/v1/log/entries", params={"after": 3, "limit": 2}, headers=world.office).json()
    assert [e["seq"] for e in page["items"]] == [4, 5]


def test_an_untouched_registry_verifies(database, signer, busy):
    report = verify(database, signer)
    assert report.ok, report.findings
    assert report.entries == report.checkpoints > 10 and report.rows > 10


def test_a_changed_entry_is_named(database, signer, busy):
    seq = seq_of(database, "link.changed")
    sql(database, "UPDATE log_entries SET payload = replace(payload, 'Payments', 'Nothing') WHERE seq = :s", s=seq)
    report = verify(database, signer)
    assert report.first_bad_entry == seq and "changed" in str(report.findings[0])


def test_a_rehashed_entry_is_named(database, signer, busy):
    """Changing an entry and fixing its own hash still breaks the next entry's link to it."""
    seq = seq_of(database, "link.changed")
    e = next(x for x in entries(database) if x.seq == seq)
    payload = e.payload.replace("Payments", "Nothing")
    new_hash = leaf_hash(entry_bytes(e.seq, iso(e.created_at), e.actor, e.kind, payload, e.prev_hash))
    sql(database, "UPDATE log_entries SET payload = :p, entry_hash = :h WHERE seq = :s", p=payload, h=new_hash, s=seq)
    assert verify(database, signer).first_bad_entry == seq


def test_a_rewritten_chain_is_caught_by_the_signed_checkpoints(database, signer, busy):
    """An intruder who recomputes every later hash still cannot sign checkpoints."""
    seq = seq_of(database, "link.changed")
    prev = None
    frontier = Frontier()
    for e in entries(database):
        payload = e.payload.replace("Payments", "Nothing") if e.seq == seq else e.payload
        prev_hash = e.prev_hash if prev is None else prev
        h = leaf_hash(entry_bytes(e.seq, iso(e.created_at), e.actor, e.kind, payload, prev_hash))
        sql(database, "UPDATE log_entries SET payload = :p, prev_hash = :ph, entry_hash = :h WHERE seq = :s", p=payload, ph=prev_hash, h=h, s=e.seq)
        frontier.append(h)
        prev = h
    sql(database, "UPDATE log_head SET last_hash = :h, frontier = :f", h=prev, f=json.dumps(frontier.roots))
    report = verify(database, signer)
    assert report.first_bad_entry == seq, report.findings


def test_a_removed_entry_is_named(database, signer, busy):
    seq = seq_of(database, "link.declared")
    sql(database, "DELETE FROM log_entries WHERE seq = :s", s=seq)
    report = verify(database, signer)
    assert report.first_bad_entry == seq and "removed" in str(report.findings[0])


def test_reordered_entries_are_named(database, signer, busy):
    a = seq_of(database, "link.declared")
    sql(database, "UPDATE log_entries SET seq = -1 WHERE seq = :a", a=a)
    sql(database, "UPDATE log_entries SET seq = :a WHERE seq = :b", a=a, b=a + 1)
    sql(database, "UPDATE log_entries SET seq = :b WHERE seq = -1", b=a + 1)
    assert verify(database, signer).first_bad_entry == a


def test_a_cut_off_tail_is_found(database, signer, busy):
    """Removing the last entries, their checkpoints and fixing the head leaves rows the log never recorded."""
    with database.transaction(write=False) as s:
        head = s.get(LogHead, 1)
        size = head.size
    cut = seq_of(database, "link.declared")
    sql(database, "DELETE FROM log_entries WHERE seq >= :c", c=cut)
    sql(database, "DELETE FROM log_checkpoints WHERE size > :c", c=cut)
    kept = entries(database)
    frontier = Frontier()
    for e in kept:
        frontier.append(e.entry_hash)
    sql(database, "UPDATE log_head SET size = :n, last_hash = :h, frontier = :f", n=len(kept), h=kept[-1].entry_hash, f=json.dumps(frontier.roots))
    report = verify(database, signer)
    assert not report.ok and any("in no log entry" in f.what for f in report.findings)
    assert size > len(kept)


def test_a_checkpoint_kept_outside_catches_a_rolled_back_log(client, database, signer, busy):
    kept = client.get("/api/v1/log/checkpoint").json()
    assert verify(database, signer, [kept]).ok
    last = entries(database)[-1].seq
    sql(database, "DELETE FROM exchange_events WHERE log_seq = :s", s=last)
    sql(database, "DELETE FROM log_entries WHERE seq = :s", s=last)
    sql(database, "DELETE FROM log_checkpoints WHERE size = :n", n=last + 1)
    report = verify(database, signer, [kept])
    assert any("fewer than" in f.what for f in report.findings)


def test_a_forged_checkpoint_signature_is_found(database, signer, busy):
    sql(database, "UPDATE log_checkpoints SET signature = :sig WHERE size = 3", sig=LogSigner.generate().sign(b"x"))
    assert any("no valid signature" in f.what for f in verify(database, signer).findings)


@pytest.mark.parametrize(
    ("statement", "expect"),
    [
        ("UPDATE exchange_links SET purpose = 'tampered'", "link "),
        ("UPDATE link_changes SET state = replace(state, 'Payments', 'x')", "link revision "),
        ("UPDATE agencies SET name_en = 'Someone else' WHERE code = 'CGD'", "agency "),
        ("UPDATE agencies SET kind = 'private-juristic-person' WHERE code = 'CGD'", "agency "),
        ("UPDATE agencies SET registered_on = '2020-01-01' WHERE code = 'CGD'", "agency "),
        ("UPDATE agencies SET dissolved_on = '2030-01-01' WHERE code = 'CGD'", "agency "),
        ("UPDATE agencies SET juristic_id = '0999900000007' WHERE code = 'CGD'", "agency "),
        ("UPDATE agency_sectors SET sector = 'health'", "agency sector "),
        ("UPDATE agency_sectors SET since = '2017-01-01'", "agency sector"),  # re-dated: in no entry, and missing
        ("UPDATE agency_sectors SET log_seq = log_seq + 1", "agency sector "),
        ("UPDATE api_keys SET secret_hash = 'f00d' WHERE role = 'office'", "key "),
        ("UPDATE api_keys SET revoked_at = NULL", "key "),
        ("UPDATE exchange_events SET messages = messages + 1 WHERE record_id = 'r1'", "events stored by log entry"),
        ("DELETE FROM exchange_events WHERE record_id = 'r2'", "events stored by log entry"),
        ("UPDATE exchange_events SET log_seq = 0 WHERE record_id = 'r0'", "recorded no events batch"),
    ],
)
def test_rows_changed_behind_the_service_are_found(database, signer, busy, statement, expect):
    sql(database, statement)
    report = verify(database, signer)
    assert any(expect in f.what for f in report.findings), report.findings
    if expect.endswith(" "):  # a row compared with its latest entry: the message says so
        assert any(f.what.startswith(expect) and "differs from what log entry" in f.what for f in report.findings)


def test_a_row_added_behind_the_service_is_found(database, signer, busy):
    sql(
        database,
        "INSERT INTO agencies (code, name_th, name_en, sector, status, created_at, log_seq, kind, registered_on) "
        "VALUES ('FAKE', 'x', 'x', 'x', 'active', '2024-01-01 00:00:00', 0, 'ministry-department', '2024-01-01')",
    )
    assert any("in no log entry" in f.what for f in verify(database, signer).findings)


def test_a_sector_row_added_or_removed_behind_the_service_is_found(database, signer, busy):
    sql(database, "INSERT INTO agency_sectors (agency_id, sector, since, log_seq) "
                  "SELECT agency_id, 'health', '2022-01-01', log_seq FROM agency_sectors WHERE id = (SELECT MIN(id) FROM agency_sectors)")
    assert any(f.what.startswith("agency sector ") and "in no log entry" in f.what for f in verify(database, signer).findings)
    sql(database, "DELETE FROM agency_sectors WHERE since = '2022-01-01'")
    assert verify(database, signer).ok
    sql(database, "DELETE FROM agency_sectors WHERE id = (SELECT MAX(id) FROM agency_sectors)")
    assert any(f.what.startswith("agency sector ") and "missing from the database" in f.what for f in verify(database, signer).findings)


def test_a_sector_history_written_by_the_service_verifies(client, database, signer, world, busy):
    assert client.patch("/api/v1/agencies/CGD", json={"sector": "commerce", "sector_since": "2020-01-01"}, headers=world.office).status_code == 200
    assert client.patch("/api/v1/agencies/CGD", json={"sector": "health", "sector_since": "2020-01-01"}, headers=world.office).status_code == 200
    assert client.patch("/api/v1/agencies/CGD", json={"registered_on": "2015-01-01", "kind": "state-enterprise"}, headers=world.office).status_code == 200
    assert verify(database, signer).ok
    sql(database, "UPDATE agency_sectors SET sector = 'commerce' WHERE since = '2020-01-01'")
    report = verify(database, signer)
    assert any(f.what.startswith("agency sector ") and "@2020-01-01 differs" in f.what for f in report.findings), report.findings


def test_last_use_of_a_key_is_not_tampering(client, database, signer, world, busy):
    sql(database, "UPDATE api_keys SET last_used_at = NULL")
    client.get("/api/v1/links", headers=world.rd)
    assert verify(database, signer).ok


def test_an_append_never_forks_the_log(database, signer, busy):
    """Appending on a stale view of the head fails the write and stores nothing (both databases)."""
    from dxs.registry.services import log

    before = entries(database)
    stale = Frontier()
    for e in before[:-1]:
        stale.append(e.entry_hash)
    # the entry's sequence number is taken (SQLite and PostgreSQL refuse the duplicate key first)
    with pytest.raises(Exception, match="UNIQUE constraint|duplicate key|moved|division by zero"), database.write() as tx:
        tx.lock_log()
        # as if this transaction had read the head before the last entry was appended
        tx.log_head = LockedHead(stale.size, before[-2].entry_hash, json.dumps(stale.roots))
        log.append(tx, actor="test", kind="test.fork", payload={})
    assert [e.entry_hash for e in entries(database)] == [e.entry_hash for e in before]
    assert verify(database, signer).ok
