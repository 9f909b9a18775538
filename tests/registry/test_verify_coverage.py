"""`dxs registry verify` covers every stored column the service serves or relies on, on SQLite and PostgreSQL.

Each column verify was missing — a link revision's actor, change and time (served by the
link history), the log head's frontier (every checkpoint is computed from it), events'
``received_at`` and the stored answers to idempotent requests (replayed to a retry) — is
changed directly in the database, and verify must name the table, the row and the column.
The cases are those of :data:`tests.stress.tamper.CASES`, which ``make stress`` runs too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dxs.registry import admin, unit_of_work
from dxs.registry.services import log
from dxs.registry.unit_of_work import LockedHead
from tests.conftest import need
from tests.kit.postgres import postgres_database, postgres_problem
from tests.kit.world import World, app_for, seed
from tests.stress.tamper import CASES, IDEMPOTENCY_KEY, copy_world, drop_copy, populate, run_sql

#: case → (table, column) its finding must name; the row is checked against the case's own text.
COLUMN_CASES = {
    "link revision actor forged": ("link_changes", "actor"),
    "link revision change relabelled": ("link_changes", "change"),
    "link revision time moved": ("link_changes", "changed_at"),
    "log head frontier changed": ("log_head", "frontier"),
    "event received_at moved": ("exchange_events", "received_at"),
    "idempotent answer edited": ("idempotency_records", "response"),
    "idempotent status edited": ("idempotency_records", "status_code"),
    "idempotent request hash edited": ("idempotency_records", "request_hash"),
    "idempotent answer time moved": ("idempotency_records", "created_at"),
}

RECORDS = [{"record_id": "late", "window_start": "2024-06-01T00:00:00Z", "window_end": "2024-06-01T01:00:00Z", "messages": 2}]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def populated(request, tmp_path_factory) -> Iterator[tuple[World, dict[str, Any]]]:
    """A seeded registry with a link change, two batches and an idempotent batch sent twice; and where each was logged."""
    folder = tmp_path_factory.mktemp(f"coverage-{request.param}")
    if request.param == "sqlite":
        world = seed(f"sqlite:///{folder / 'registry.sqlite'}", folder / "log.key")
        yield world, populate(world)
        return
    problem = postgres_problem()
    need(problem is None, f"PostgreSQL is not reachable on 127.0.0.1:5432 ({problem}); this test needs it")
    with postgres_database("cover") as url:
        world = seed(url, folder / "log.key")
        yield world, populate(world)


@pytest.fixture
def copy(populated, tmp_path) -> Iterator[tuple[World, dict[str, Any]]]:
    """A throw-away copy of the populated registry, to tamper with or write to."""
    world, facts = populated
    url = copy_world(world, tmp_path, tmp_path.name)
    try:
        yield World(**{**world.__dict__, "url": url}), facts
    finally:
        drop_copy(url)


def verify(world: World) -> Any:
    return admin.verify(world.url, log_key=world.log_key)


def test_the_untouched_registry_verifies_with_its_idempotent_answer(populated):
    world, _ = populated
    report = verify(world)
    assert report.ok, [str(f) for f in report.findings]
    assert report.rows > 20


@pytest.mark.parametrize("case", sorted(COLUMN_CASES))
def test_a_changed_column_is_named_by_table_row_and_column(copy, case):
    world, facts = copy
    statements, first_bad, text = CASES[case](facts)
    run_sql(world.url, statements)
    report = verify(world)
    table, column = COLUMN_CASES[case]
    named = [f for f in report.findings if f.table == table and f.column == column]
    assert named and text in str(named[0]), [str(f) for f in report.findings]
    assert named[0].row is not None and named[0].row in text
    assert report.first_bad_entry == first_bad  # the entry that recorded the row; none for the log head


@pytest.mark.parametrize("case", ["idempotent answer removed", "idempotent answer planted"])
def test_a_removed_or_planted_idempotent_answer_is_named(copy, case):
    world, facts = copy
    statements, first_bad, text = CASES[case](facts)
    run_sql(world.url, statements)
    report = verify(world)
    assert any(f.table == "idempotency_records" and text in str(f) for f in report.findings), [str(f) for f in report.findings]
    assert report.first_bad_entry == first_bad


@pytest.mark.parametrize("column", ["frontier", "last_hash"])
def test_a_changed_log_head_is_named_and_no_write_is_signed_on_top_of_it(copy, column):
    """Before any write verify names the head; a write then is refused whole, so no honest entry is blamed."""
    world, facts = copy
    run_sql(world.url, CASES[f"log head {column} changed"](facts)[0])
    before = verify(world)
    assert [f.column for f in before.findings] == [column] and before.first_bad_entry is None

    with TestClient(app_for(world), raise_server_exceptions=False) as client:
        sent = client.post(f"/api/v1/links/{world.link_id}/events", json={"records": RECORDS}, headers=world.bearer("RD"))
        assert sent.status_code == 500 and sent.json()["code"] == "internal_error"
        events = client.get(f"/api/v1/links/{world.link_id}/events", headers=world.bearer("RD")).json()
    assert all(e["record_id"] != "late" for e in events["items"])  # nothing stored
    after = verify(world)
    assert after.entries == before.entries
    assert [f.column for f in after.findings] == [column] and after.first_bad_entry is None


def test_a_registry_that_signed_over_a_changed_frontier_says_so(copy, monkeypatch):
    """Before the guard, a write on top of a changed frontier signed a checkpoint computed from it: the head's finding says so."""
    world, facts = copy
    run_sql(world.url, CASES["log head frontier changed"](facts)[0])
    monkeypatch.setattr(unit_of_work, "_vouched_head", lambda size, last, frontier, *_signed: LockedHead(size, last, frontier))
    with TestClient(app_for(world)) as client:
        sent = client.post(f"/api/v1/links/{world.link_id}/events", json={"records": RECORDS}, headers=world.bearer("RD"))
        assert sent.status_code == 201, sent.text
    report = verify(world)
    head = [f for f in report.findings if f.table == "log_head"]
    assert [f.column for f in head] == ["frontier"] and "was computed from it" in str(head[0]), [str(f) for f in report.findings]


def test_batches_logged_before_received_at_was_logged_still_verify(copy, monkeypatch):
    """Entries written by the service before it logged ``received_at`` and ``request_hash`` verify clean;
    their rows' times are still held to their entry's time."""
    world, _ = copy
    real_append = log.append

    def old_append(tx: Any, **kwargs: Any) -> int:
        payload = kwargs.get("payload", {})
        if kwargs.get("kind") == "events.ingested":
            kwargs["payload"] = {k: v for k, v in payload.items() if k not in ("received_at", "request_hash")}
        return real_append(tx, **kwargs)

    monkeypatch.setattr(log, "append", old_append)
    with TestClient(app_for(world)) as client:
        sent = client.post(
            f"/api/v1/links/{world.link_id}/events", json={"records": RECORDS},
            headers={**world.bearer("CGD"), "Idempotency-Key": "before-the-change"},
        )
        assert sent.status_code == 201, sent.text
    monkeypatch.undo()
    seq = sent.json()["log_seq"]
    assert verify(world).ok, [str(f) for f in verify(world).findings]

    run_sql(world.url, [
        f"UPDATE exchange_events SET received_at = '2020-01-01 00:00:00.000000' WHERE log_seq = {seq}",
        "UPDATE idempotency_records SET created_at = '2020-01-01 00:00:00.000000' WHERE key = 'before-the-change'",
    ])
    report = verify(world)
    assert {(f.table, f.column) for f in report.findings} == {("exchange_events", "received_at"), ("idempotency_records", "created_at")}
    assert report.first_bad_entry == seq


def test_a_retry_is_answered_as_first_and_the_answer_verifies(copy):
    """The design kept: a retry gets the stored answer, and verify holds that answer to the batch's entry."""
    world, facts = copy
    retried = [{"record_id": f"k{i}", "window_start": "2024-05-01T00:00:00Z", "window_end": "2024-05-01T01:00:00Z", "messages": i + 1} for i in range(3)]
    with TestClient(app_for(world)) as client:
        again = client.post(
            f"/api/v1/links/{world.link_id}/events", json={"records": retried}, headers={**world.bearer("RD"), "Idempotency-Key": IDEMPOTENCY_KEY}
        )
    assert again.status_code == 201 and again.json()["log_seq"] == facts["idem_seq"] and again.json()["accepted"] == 3
    assert verify(world).ok


def test_a_batch_moved_in_time_names_its_first_rows_and_counts_the_rest(copy, monkeypatch):
    from dxs.registry.services import verification

    world, facts = copy
    monkeypatch.setattr(verification, "NAMED_ROWS", 2)
    run_sql(world.url, [f"UPDATE exchange_events SET received_at = '2020-01-01 00:00:00.000000' WHERE log_seq = {facts['batches'][0]}"])
    found = [str(f) for f in verify(world).findings]
    assert len(found) == 3 and all("received_at" in f for f in found), found
    assert "3 more rows of log entry" in found[-1]
