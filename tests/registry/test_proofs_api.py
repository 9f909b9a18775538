"""Public RFC 9162 proofs over the log, and the `log_seq` each write's answer carries to ask for one.

Everything here is checked as an outsider would: against the roots of signed
checkpoints, with no API key.
"""

from __future__ import annotations

import hashlib
import time

import pytest
from sqlalchemy import select, text

from dxs.registry.merkle import verify_consistency, verify_inclusion
from dxs.registry.models import Checkpoint, LogEntry
from dxs.registry.services.log import checkpoint_message
from dxs.registry.signing import LogVerifier
from dxs.registry.times import iso
from tests.registry.conftest import LINK
from tests.registry.test_events import records


@pytest.fixture
def busy(client, world, link_id):
    """A log with agencies, keys, a link, a change and two event batches."""
    assert client.patch(f"/api/v1/links/{link_id}", json={"purpose": "Payments"}, headers=world.rd).status_code == 200
    for key in (world.rd, world.cgd):
        assert client.post(f"/api/v1/links/{link_id}/events", json={"records": records(3)}, headers=key).status_code == 201
    return link_id


def signed_roots(database, signer) -> dict[int, str]:
    """Every stored checkpoint's root by size, each signature checked first."""
    verifier = LogVerifier(signer.public_key)
    with database.transaction(write=False) as s:
        rows = s.execute(select(Checkpoint)).scalars().all()
        out = {}
        for cp in rows:
            assert verifier.verify(checkpoint_message(cp.size, cp.root, iso(cp.created_at)), cp.signature)
            out[cp.size] = cp.root
        return out


def sql(database, statement: str, **params) -> None:
    with database.transaction() as s:
        s.execute(text(statement), params)


def test_every_entry_has_an_inclusion_proof_that_leads_to_the_signed_root(client, busy, database, signer):
    """No key: anyone may audit. The proof is checked against the signed checkpoint, not the answer's root."""
    cp = client.get("/api/v1/log/checkpoint").json()
    roots = signed_roots(database, signer)
    assert roots[cp["size"]] == cp["root"]
    with database.transaction(write=False) as s:
        hashes = list(s.execute(select(LogEntry.entry_hash).order_by(LogEntry.seq)).scalars())
    for seq in range(cp["size"]):
        got = client.get("/api/v1/log/proof/inclusion", params={"seq": seq})
        assert got.status_code == 200, got.text
        proof = got.json()
        assert proof["seq"] == seq and proof["size"] == cp["size"] and proof["leaf_hash"] == hashes[seq]
        assert proof["root"] == cp["root"]
        assert verify_inclusion(hashes[seq], seq, cp["size"], proof["proof"], cp["root"])


def test_an_inclusion_proof_in_an_earlier_size_of_the_log(client, busy, database, signer):
    roots = signed_roots(database, signer)
    proof = client.get("/api/v1/log/proof/inclusion", params={"seq": 2, "size": 5}).json()
    assert proof["size"] == 5 and proof["root"] == roots[5]
    assert verify_inclusion(proof["leaf_hash"], 2, 5, proof["proof"], roots[5])
    assert not verify_inclusion(proof["leaf_hash"], 2, 6, proof["proof"], roots[6])


def test_every_earlier_size_is_extended_by_the_current_log(client, busy, database, signer):
    roots = signed_roots(database, signer)
    size = client.get("/api/v1/log/checkpoint").json()["size"]
    for first in range(0, size + 1):
        got = client.get("/api/v1/log/proof/consistency", params={"from": first, "to": size})
        assert got.status_code == 200, got.text
        answer = got.json()
        assert (answer["from_size"], answer["to_size"]) == (first, size)
        root1 = roots.get(first, answer["from_root"])  # size 0 has no checkpoint: the empty tree's hash
        assert answer["from_root"] == root1 and answer["to_root"] == roots[size]
        assert verify_consistency(first, size, root1, roots[size], answer["proof"])
    # `to` defaults to the latest checkpoint's size
    default = client.get("/api/v1/log/proof/consistency", params={"from": 3}).json()
    assert default["to_size"] == size and verify_consistency(3, size, roots[3], roots[size], default["proof"])


def test_consistency_between_two_earlier_sizes(client, busy, database, signer):
    roots = signed_roots(database, signer)
    answer = client.get("/api/v1/log/proof/consistency", params={"from": 4, "to": 9}).json()
    assert verify_consistency(4, 9, roots[4], roots[9], answer["proof"])


@pytest.mark.parametrize(
    ("path", "params", "status", "code", "words"),
    [
        ("inclusion", {"seq": 500}, 404, "entry_not_found", "no log entry 500: the log has"),
        ("inclusion", {"seq": 1, "size": 500}, 404, "size_not_reached", "size 500 is beyond the log"),
        ("inclusion", {"seq": 7, "size": 5}, 422, "invalid_request", "entry 7 is not in the log of 5 entries"),
        ("inclusion", {"seq": -1}, 422, "invalid_request", "seq"),
        ("inclusion", {"seq": "seven"}, 422, "invalid_request", "seq"),
        ("inclusion", {}, 422, "invalid_request", "seq"),
        ("inclusion", {"seq": 1, "size": 0}, 422, "invalid_request", "size"),
        ("consistency", {"from": 9, "to": 4}, 422, "invalid_request", "from (9) is larger than to (4)"),
        ("consistency", {"from": 3, "to": 500}, 404, "size_not_reached", "to 500 is beyond the log"),
        ("consistency", {"from": 500}, 404, "size_not_reached", "from 500 is beyond the log"),
        ("consistency", {"from": -2}, 422, "invalid_request", "from"),
        ("consistency", {"to": 3}, 422, "invalid_request", "from"),
    ],
)
def test_bad_or_unreached_numbers_are_refused_in_words(client, busy, path, params, status, code, words):
    got = client.get(f"/api/v1/log/proof/{path}", params=params)
    assert got.status_code == status, got.text
    body = got.json()
    assert body["code"] == code and words in body["message"]


def test_an_empty_log_has_nothing_to_prove(client):
    got = client.get("/api/v1/log/proof/inclusion", params={"seq": 0})
    assert got.status_code == 404 and got.json()["message"] == "no log entry 0: the log is empty"
    empty = client.get("/api/v1/log/proof/consistency", params={"from": 0}).json()
    assert empty["to_size"] == 0 and empty["proof"] == [] and empty["to_root"] == hashlib.sha256(b"").hexdigest()


def test_a_log_missing_entries_says_it_cannot_prove(client, busy, database):
    sql(database, "DELETE FROM log_entries WHERE seq = 4")
    got = client.get("/api/v1/log/proof/inclusion", params={"seq": 1})
    assert got.status_code == 409 and got.json()["code"] == "log_damaged" and "1 of its first" in got.json()["message"]
    # an earlier size that does not reach the gap is still provable
    assert client.get("/api/v1/log/proof/inclusion", params={"seq": 1, "size": 4}).status_code == 200


def test_a_rewritten_entry_hash_makes_proofs_fail_against_the_signed_roots(client, busy, database, signer):
    roots = signed_roots(database, signer)
    size = max(roots)
    sql(database, "UPDATE log_entries SET entry_hash = :h WHERE seq = 3", h=hashlib.sha256(b"forged").hexdigest())
    proof = client.get("/api/v1/log/proof/inclusion", params={"seq": 3}).json()
    assert not verify_inclusion(proof["leaf_hash"], 3, size, proof["proof"], roots[size])
    other = client.get("/api/v1/log/proof/inclusion", params={"seq": 8}).json()  # every entry's proof passes by the change
    assert not verify_inclusion(other["leaf_hash"], 8, size, other["proof"], roots[size])
    grown = client.get("/api/v1/log/proof/consistency", params={"from": 5}).json()
    assert grown["from_root"] != roots[5]
    assert not verify_consistency(5, size, roots[5], roots[size], grown["proof"])
    # sizes before the change still prove what they signed
    early = client.get("/api/v1/log/proof/consistency", params={"from": 2, "to": 3}).json()
    assert verify_consistency(2, 3, roots[2], roots[3], early["proof"])


def kind_of(client, world, seq: int) -> str:
    page = client.get("/api/v1/log/entries", params={"after": seq - 1, "limit": 1}, headers=world.office).json()
    assert page["items"][0]["seq"] == seq
    return page["items"][0]["kind"]


def test_each_write_answers_with_its_log_entry(client, world):
    """An agency keeps `log_seq` from its 201 (or 200) to ask later for the entry's inclusion proof."""
    agency = client.post(
        "/api/v1/agencies",
        json={"code": "DGA", "name_th": "สพร.", "name_en": "DGA", "sector": "finance", "kind": "public-organisation"},
        headers=world.office,
    )
    assert agency.status_code == 201 and kind_of(client, world, agency.json()["log_seq"]) == "agency.created"
    changed = client.patch("/api/v1/agencies/DGA", json={"name_en": "Digital Government Development Agency"}, headers=world.office)
    assert kind_of(client, world, changed.json()["log_seq"]) == "agency.changed"
    assert client.get("/api/v1/agencies/DGA").json()["log_seq"] == changed.json()["log_seq"]

    key = client.post("/api/v1/agencies/DGA/keys", json={"label": "batch"}, headers=world.office)
    assert key.status_code == 201 and kind_of(client, world, key.json()["log_seq"]) == "key.created"
    revoked = client.post(f"/api/v1/keys/{key.json()['id']}/revoke", headers=world.office)
    assert kind_of(client, world, revoked.json()["log_seq"]) == "key.revoked"

    link = client.post("/api/v1/links", json=LINK, headers=world.rd)
    assert link.status_code == 201 and kind_of(client, world, link.json()["log_seq"]) == "link.declared"
    link_id = link.json()["id"]
    patched = client.patch(f"/api/v1/links/{link_id}", json={"purpose": "Payments"}, headers=world.rd)
    assert kind_of(client, world, patched.json()["log_seq"]) == "link.changed"
    assert client.get(f"/api/v1/links/{link_id}", headers=world.rd).json()["log_seq"] == patched.json()["log_seq"]

    batch = client.post(f"/api/v1/links/{link_id}/events", json={"records": records(2)}, headers=world.rd)
    assert batch.status_code == 201 and kind_of(client, world, batch.json()["log_seq"]) == "events.ingested"

    seqs = [r.json()["log_seq"] for r in (agency, changed, key, revoked, link, patched, batch)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    for seq in seqs:
        assert client.get("/api/v1/log/proof/inclusion", params={"seq": seq}).status_code == 200


def test_a_log_of_100_000_entries_answers_well_under_a_second(client, busy, database):
    """The proofs read the entry hashes once and hash in bytes; 100,000 entries stay quick."""
    n = 100_000
    with database.transaction() as s:
        start = s.execute(select(LogEntry.seq).order_by(LogEntry.seq.desc()).limit(1)).scalar_one() + 1
        if database.postgres:
            s.execute(text(
                "INSERT INTO log_entries (seq, created_at, actor, kind, payload, prev_hash, entry_hash) "
                "SELECT i, now(), 'test', 'filler', '{}', '', encode(sha256(i::text::bytea), 'hex') FROM generate_series(:a, :b) AS i"
            ), {"a": start, "b": n - 1})
        else:
            rows = [{"seq": i, "h": hashlib.sha256(str(i).encode()).hexdigest()} for i in range(start, n)]
            s.execute(text(
                "INSERT INTO log_entries (seq, created_at, actor, kind, payload, prev_hash, entry_hash) "
                "VALUES (:seq, '2024-01-01 00:00:00', 'test', 'filler', '{}', '', :h)"
            ), rows)
        # a stand-in checkpoint (not signed: only the size matters here)
        s.execute(text("INSERT INTO log_checkpoints (size, root, created_at, key_id, signature) "
                       "VALUES (:n, :r, '2024-01-01 00:00:00', 'x', 'x')"), {"n": n, "r": "0" * 64})
    timings = []
    for path, params in (("inclusion", {"seq": 54_321}), ("consistency", {"from": 77_777})):
        began = time.perf_counter()
        got = client.get(f"/api/v1/log/proof/{path}", params=params)
        timings.append(time.perf_counter() - began)
        assert got.status_code == 200 and len(got.json()["proof"]) >= 16
    assert max(timings) < 0.9, timings
