"""`dxs registry audit`: an outsider, with a checkpoint kept earlier and a pinned key, checks the log without its database.

Most tests drive :func:`registry.audit.audit` through the app in process (a TestClient
as the fetch); the end-to-end test runs a real `dxs serve` and the real command, and
tampers with the database behind the server's back between runs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from dxs import cli
from dxs.registry.audit import AuditError, audit, http_fetch
from dxs.registry.merkle import Frontier, leaf_hash
from dxs.registry.models import LogEntry
from dxs.registry.services.log import entry_bytes
from dxs.registry.signing import LogSigner
from dxs.registry.times import iso
from tests.kit.dxs import Server, dxs, free_port
from tests.kit.world import seed
from tests.registry.test_events import records


# --------------------------------------------------------------------------- in process


@pytest.fixture
def fetch(client):
    """The app as the audit's server: every request goes through the real routes, with no key."""

    def get(path: str) -> tuple[int, bytes]:
        got = client.get(path)
        return got.status_code, got.content

    return get


@pytest.fixture
def batch(client, world, link_id) -> int:
    """An agency's event batch: the log_seq its 201 gave."""
    got = client.post(f"/api/v1/links/{link_id}/events", json={"records": records(4)}, headers=world.rd)
    assert got.status_code == 201
    return got.json()["log_seq"]


@pytest.fixture
def kept(client, batch, tmp_path) -> Path:
    """The checkpoint the agency saved after its batch; then the log grew."""
    path = tmp_path / "checkpoint.json"
    path.write_text(client.get("/api/v1/log/checkpoint").text, encoding="utf-8")
    return path


@pytest.fixture
def grown(client, world, link_id, kept) -> Path:
    for key in (world.cgd, world.rd):
        assert client.post(f"/api/v1/links/{link_id}/events", json={"records": records(2, start=50)}, headers=key).status_code == 201
    return kept


def run(kept: Path, fetch, **options):
    return audit(kept, fetch, server="http://registry.test", **options)


def sql(database, statement: str, **params) -> None:
    with database.transaction() as s:
        s.execute(text(statement), params)


def entry_hash(database, seq: int) -> str:
    with database.transaction(write=False) as s:
        return s.execute(select(LogEntry.entry_hash).where(LogEntry.seq == seq)).scalar_one()


def test_a_grown_log_passes_with_the_key_in_the_saved_checkpoint(grown, fetch, batch, database, signer):
    report = run(grown, fetch, entries=[(batch, entry_hash(database, batch)), (0, None)])
    assert report.ok, [str(c) for c in report.checks]
    assert report.key_id == signer.key_id and report.key_from == f"the saved checkpoint {grown}"
    assert report.current_size == report.saved_size + 2
    assert [c.what.split(" (")[0] for c in report.checks][:2] == ["the saved checkpoint", "the current checkpoint"]
    assert len(report.checks) == 5  # two signatures, one consistency, two entries


def test_an_unchanged_log_passes_too(kept, fetch, batch):
    assert run(kept, fetch, entries=[(batch, None)]).ok


def test_the_pinned_key_may_come_from_the_option_or_a_file(grown, fetch, signer, tmp_path):
    assert run(grown, fetch, public_key=signer.public_key_b64).key_from == "--public-key"
    pem = tmp_path / "operator.pem"
    from cryptography.hazmat.primitives import serialization

    pem.write_bytes(signer.public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    b64 = tmp_path / "operator.key"
    b64.write_text(signer.public_key_b64 + "\n")
    for path in (pem, b64):
        report = run(grown, fetch, public_key=str(path))
        assert report.ok and report.key_from == f"--public-key file {path}"


def test_another_key_fails_both_signatures(grown, fetch):
    report = run(grown, fetch, public_key=LogSigner.generate().public_key_b64)
    assert not report.ok
    failed = [c for c in report.checks if not c.ok]
    assert [c.what.split(" (")[0] for c in failed] == ["the saved checkpoint", "the current checkpoint"]
    assert "does not verify" in failed[0].why and "names key" in failed[0].why


def test_the_key_in_the_servers_fresh_answer_is_never_trusted(grown, fetch):
    """A server that re-signs with a new key and publishes it fails the audit: the pinned key decides."""
    impostor = LogSigner.generate()

    def resigned(path: str) -> tuple[int, bytes]:
        status, body = fetch(path)
        if path == "/api/v1/log/checkpoint":
            from dxs.registry.services.log import checkpoint_message

            cp = json.loads(body)
            cp.update(public_key=impostor.public_key_b64, key_id=impostor.key_id,
                      signature=impostor.sign(checkpoint_message(cp["size"], cp["root"], cp["time"])))
            body = json.dumps(cp).encode()
        return status, body

    report = run(grown, resigned)
    current = next(c for c in report.checks if c.what.startswith("the current checkpoint"))
    assert not report.ok and not current.ok
    assert f"publishes another key (id {impostor.key_id}), which is not trusted" in current.why


def test_a_truncated_tail_fails(grown, fetch, database, batch):
    """Entries after the agency's batch removed, with their checkpoints and the head put back."""
    cut_to(database, batch)
    report = run(grown, fetch, entries=[(batch, None)])
    assert not report.ok
    reasons = " | ".join(c.why for c in report.checks if not c.ok)
    assert f"only {batch} entries, fewer than the {report.saved_size}" in reasons and "truncated" in reasons
    assert f"entries 0 … {batch - 1} only" in reasons


def test_a_truncation_after_the_kept_checkpoint_is_caught_by_the_entrys_own_proof(client, world, link_id, kept, fetch, database):
    """The kept checkpoint still holds, but a batch acknowledged after it is gone."""
    later = client.post(f"/api/v1/links/{link_id}/events", json={"records": records(1, start=90)}, headers=world.rd).json()["log_seq"]
    cut_to(database, later)
    report = run(kept, fetch, entries=[(later, None)])
    assert [c.ok for c in report.checks] == [True, True, True, False]


def test_a_rewritten_entry_fails_consistency_and_inclusion(grown, fetch, database, batch):
    expected = entry_hash(database, batch)
    rewrite(database, batch)
    report = run(grown, fetch, entries=[(batch, expected), (batch, None)])
    assert not report.ok
    consistency, with_hash, without = report.checks[2:]
    assert not consistency.ok and f"entries before {report.saved_size} were changed" in consistency.why
    assert not with_hash.ok and "the entry was rewritten" in with_hash.why
    assert not without.ok and "does not lead to the signed root" in without.why


def test_an_entry_hash_that_is_not_the_entrys_fails(grown, fetch, database, batch):
    other = entry_hash(database, batch - 1)
    report = run(grown, fetch, entries=[(batch, other)])
    assert [c.ok for c in report.checks] == [True, True, True, False]


def test_an_entry_beyond_the_log_fails(grown, fetch):
    report = run(grown, fetch, entries=[(10_000, None)])
    assert not report.checks[-1].ok and "acknowledged earlier is gone" in report.checks[-1].why


def test_a_server_that_cannot_prove_fails(grown, fetch, database):
    sql(database, "DELETE FROM log_entries WHERE seq = 1")
    report = run(grown, fetch)
    assert not report.ok and "cannot prove it (HTTP 409" in report.checks[-1].why


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("not json", "is not JSON"),
        ("[]", "expected a JSON object"),
        ('{"size": -1, "root": "00", "origin": "x"}', "size: expected a whole number"),
        ('{"size": 3, "root": "abc", "origin": "dxs-registry-log/v1"}', "root: expected 64 hex digits"),
        ('{"size": 3, "root": "' + "0" * 64 + '", "origin": "dxs-registry-log/v1"}', "names no public key: give the operator's with --public-key"),
    ],
)
def test_an_unusable_saved_checkpoint_is_a_usage_error(tmp_path, fetch, content, words):
    path = tmp_path / "cp.json"
    path.write_text(content)
    with pytest.raises(AuditError, match=words.replace("(", r"\(")) as caught:
        run(path, fetch)
    assert caught.value.exit_code == 2


def test_unusable_keys_and_servers_are_usage_errors(kept, fetch, tmp_path):
    with pytest.raises(AuditError, match="--public-key: not an Ed25519 public key"):
        run(kept, fetch, public_key="bm90IGEga2V5")
    with pytest.raises(AuditError, match="expected an http:// or https:// address"):
        http_fetch("registry.example")
    with pytest.raises(AuditError, match="cannot reach the registry at http://127.0.0.1"):
        run(kept, http_fetch(f"http://127.0.0.1:{free_port()}", timeout=5))
    with pytest.raises(AuditError, match="HTTP 500: boom"):
        run(kept, lambda path: (500, b'{"code": "internal_error", "message": "boom"}'))
    with pytest.raises(AuditError, match="no JSON object: is --server the registry"):
        run(kept, lambda path: (200, b"<html>"))
    with pytest.raises(AuditError, match="--entry-hash xyz: expected 64 hex digits"):
        run(kept, fetch, entries=[(1, "xyz")])


def test_the_command_refuses_mismatched_options_in_one_line(kept):
    got = CliRunner().invoke(cli.main, ["registry", "audit", "--checkpoint", str(kept), "--server", "http://x", "--seq", "1", "--entry-hash", "a", "--entry-hash", "b"])
    assert got.exit_code == 2 and "give one --entry-hash for each --seq" in got.output
    got = CliRunner().invoke(cli.main, ["registry", "audit", "--checkpoint", str(kept), "--server", f"http://127.0.0.1:{free_port()}"])
    assert got.exit_code == 2 and got.output.startswith("Error: cannot reach the registry") and "Traceback" not in got.output


# --------------------------------------------------------------------------- tampering helpers


def _entries(session) -> list[LogEntry]:
    return list(session.execute(select(LogEntry).order_by(LogEntry.seq)).scalars())


def cut_to(database, size: int) -> None:
    """Cut the log back to ``size`` entries as an intruder would: entries, their rows, their checkpoints, the head."""
    with database.transaction() as s:
        s.execute(text("DELETE FROM exchange_events WHERE log_seq >= :n"), {"n": size})
        s.execute(text("DELETE FROM log_entries WHERE seq >= :n"), {"n": size})
        s.execute(text("DELETE FROM log_checkpoints WHERE size > :n"), {"n": size})
        frontier = Frontier()
        kept = _entries(s)
        for e in kept:
            frontier.append(e.entry_hash)
        s.execute(text("UPDATE log_head SET size = :n, last_hash = :h, frontier = :f"),
                  {"n": size, "h": kept[-1].entry_hash, "f": json.dumps(frontier.roots)})


def rewrite(database, seq: int) -> None:
    """Change entry ``seq``'s payload and give it the hash of its new bytes (the chain after it is left alone)."""
    with database.transaction() as s:
        e = s.execute(select(LogEntry).where(LogEntry.seq == seq)).scalar_one()
        payload = e.payload.replace('"accepted":', '"accepted":1', 1)
        assert payload != e.payload
        new = leaf_hash(entry_bytes(e.seq, iso(e.created_at), e.actor, e.kind, payload, e.prev_hash))
        s.execute(text("UPDATE log_entries SET payload = :p, entry_hash = :h WHERE seq = :s"), {"p": payload, "h": new, "s": seq})


# --------------------------------------------------------------------------- end to end, a real server


def test_an_agency_proves_its_batch_against_a_real_server_and_catches_tampering(tmp_path):
    """The agency keeps its 201's log_seq and a checkpoint; later, with only the server's address and the
    operator's published key, `dxs registry audit` proves its batch is in the log and that the log only
    grew. After a tail truncation or a rewritten entry (made in the database, the server restarted),
    the same command fails with exit 1."""
    import httpx

    from dxs.registry.db import Database
    from dxs.registry.signing import load_or_create_signer

    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    world = seed(url, tmp_path / "log.key")
    operator_key = load_or_create_signer(world.log_key).public_key_b64  # what the operator publishes
    kept = tmp_path / "kept-checkpoint.json"

    server = Server(url, world.log_key, log_file=tmp_path / "server.log")
    with server, httpx.Client(base_url=server.base, timeout=30) as client:
        answer = client.post(f"/api/v1/links/{world.link_id}/events", json={"records": records(5)}, headers=world.bearer("RD"))
        assert answer.status_code == 201, answer.text
        mine = answer.json()["log_seq"]
        kept.write_text(client.get("/api/v1/log/checkpoint").text, encoding="utf-8")
        later = client.post(f"/api/v1/links/{world.link_id}/events", json={"records": records(3, start=20)}, headers=world.bearer("CGD"))
        assert later.status_code == 201
        theirs = later.json()["log_seq"]

        def audit_command(base: str, *extra: str):
            return dxs("registry", "audit", "--checkpoint", str(kept), "--server", base,
                       "--public-key", operator_key, "--seq", str(mine), *extra, timeout=120)

        good = audit_command(server.base)
        assert good.returncode == 0, good.stdout + good.stderr
        assert f"ok    entry {mine} is in the log of {theirs + 1} entries" in good.stdout
        assert f"extends the log of {mine + 1} entries you kept" in good.stdout and "(from --public-key)" in good.stdout
    for suffix in ("", "-wal", "-shm"):  # the server has stopped; copy whatever SQLite left
        if (tmp_path / f"registry.sqlite{suffix}").exists():
            shutil.copy(tmp_path / f"registry.sqlite{suffix}", tmp_path / f"rewritten.sqlite{suffix}")

    # a tail truncation: the agency's batch and everything after it, with their checkpoints
    db = Database(url, signer=None)
    try:
        cut_to(db, mine)
    finally:
        db.dispose()
    with server:
        cut = audit_command(server.base)
    assert cut.returncode == 1, cut.stdout + cut.stderr
    assert "FAIL" in cut.stdout and "truncated" in cut.stdout and "FAILED: 2 of 4 checks" in cut.stdout

    # a rewritten entry (given the hash of its new bytes) on a copy of the log before the cut
    copy = f"sqlite:///{tmp_path / 'rewritten.sqlite'}"
    db = Database(copy, signer=None)
    try:
        rewrite(db, mine)
    finally:
        db.dispose()
    with Server(copy, world.log_key, log_file=tmp_path / "server2.log") as other:
        rewritten = audit_command(other.base, "--format", "json")
    assert rewritten.returncode == 1, rewritten.stdout + rewritten.stderr
    report = json.loads(rewritten.stdout)
    assert report["ok"] is False and report["key_from"] == "--public-key"
    assert [c["ok"] for c in report["checks"]] == [True, True, False, False]
    assert "were changed" in report["checks"][2]["why"]
