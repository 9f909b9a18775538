"""Writes waiting for the writes thread are committed together, and each still gets its own answer."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from dxs.registry import statements
from dxs.registry.api.writes import MAX_GROUP, Writer
from dxs.registry.db import Database
from dxs.registry.errors import Invalid, Unauthenticated
from dxs.registry.migrate import upgrade
from dxs.registry.models import ExchangeLink
from dxs.registry.api_models import AgencyCreate, LinkCreate
from dxs.registry.services import agencies, links, verification
from dxs.registry.statements import Statement
from dxs.registry.unit_of_work import write_rule
from tests.registry.conftest import LINK, PostgresDatabases, make_world


def declaring(catalog, seen: list[Any], **change: str):
    """An act that declares a link (``change`` applied to the usual one), noting the transaction it ran in."""
    data = LinkCreate(**(LINK | change))

    def act(*, tx, caller):
        seen.append(tx.session.get_transaction())
        return links.declare(tx=tx, caller=caller, catalog=catalog, data=data).id

    return act


def declaring_as_the_route_does(catalog, seen: list[Any], **change: str) -> tuple[Any, dict[str, Any]]:
    """The service and its arguments, as ``POST /links`` hands them to the writer: the new id and the
    parties are asked for (the service's prefetch) before any write of the group is done."""
    data = LinkCreate(**(LINK | change))

    def answer(tx, link) -> int:
        seen.append(tx.session.get_transaction())
        return link.id

    return links.declare, {"catalog": catalog, "data": data, "answer": answer}


def breaking_a_constraint(*, tx, caller) -> None:
    """A write whose statement the database refuses (a second log head), sent without waiting for its answer."""
    with tx.sent_together():
        tx.run(Statement("INSERT INTO log_head (id, size, last_hash, frontier) VALUES (1, 0, '', '[]')"))


async def queued_behind_a_busy_thread(writes: list[tuple[Any, ...]]) -> list[Any]:
    """Hold the writes thread, queue every write (writer, act[, True for a long write that goes alone, or
    the writer's arguments]), then let it go: they all wait at once, as under load."""
    gate, started = threading.Event(), threading.Event()
    holder = Writer(writes[0][0]._database, None)

    def hold(*, tx, caller) -> None:
        started.set()
        assert gate.wait(10)

    holding = asyncio.ensure_future(holder(hold))
    await asyncio.get_running_loop().run_in_executor(None, started.wait, 10)
    def queued(writer, act, *options):
        if options and isinstance(options[0], dict):
            return writer(act, **options[0])
        return writer(write_rule(runs_long=lambda **_: True)(act) if options else act)

    waiting = [asyncio.ensure_future(queued(*write)) for write in writes]
    await asyncio.sleep(0)  # every write queued
    gate.set()
    await holding
    return await asyncio.gather(*waiting, return_exceptions=True)


def token(headers: dict[str, str]) -> str:
    return headers["Authorization"].split()[1]


def stored(database) -> list[int]:
    with database.transaction(write=False) as s:
        return [link.id for link in s.query(ExchangeLink).order_by(ExchangeLink.id)]


def test_waiting_writes_share_one_commit_in_arrival_order(database, world, fixture_catalog, signer):
    rd, cgd, seen = Writer(database, token(world.rd)), Writer(database, token(world.cgd)), []
    acts = [(rd, declaring(fixture_catalog, seen, purpose=f"group {i}")) if i % 2 else (cgd, declaring(fixture_catalog, seen, purpose=f"group {i}")) for i in range(5)]
    ids = asyncio.run(queued_behind_a_busy_thread(acts))
    assert ids == sorted(ids) and len(set(ids)) == 5  # in the order they came, each its own link
    assert len({id(t) for t in seen}) == 1, "one transaction for all five"
    assert stored(database) == ids
    with database.transaction(write=False) as s:
        assert verification.verify(s, verifier=signer).ok


def test_one_refused_write_leaves_the_others_their_own_answers(database, world, fixture_catalog, signer):
    rd, seen = Writer(database, token(world.rd)), []
    revoked = Writer(database, token(world.revoked))
    acts = [
        (rd, declaring(fixture_catalog, seen, purpose="first")),
        (rd, declaring(fixture_catalog, seen, consumer="GHOST")),  # not a registered agency: 422
        (revoked, declaring(fixture_catalog, seen, purpose="by a revoked key")),  # 401
        (rd, declaring(fixture_catalog, seen, purpose="last")),
    ]
    with database.transaction(write=False) as s:
        entries_before = verification.verify(s, verifier=signer).entries
    first, ghost, by_revoked, last = asyncio.run(queued_behind_a_busy_thread(acts))
    assert isinstance(ghost, Invalid) and ghost.code == "unknown_agency"
    assert isinstance(by_revoked, Unauthenticated) and by_revoked.code == "key_revoked"
    assert isinstance(first, int) and isinstance(last, int) and first < last
    assert stored(database) == [first, last]  # nothing of the refused ones, nothing lost of the others
    assert seen[-2] is seen[-1], "the two that stand are committed together, once the refused are left out"
    with database.transaction(write=False) as s:
        report = verification.verify(s, verifier=signer)
    assert report.ok and report.entries == entries_before + 2  # one log entry for each write that stands


def test_a_group_is_bounded(database, world, fixture_catalog):
    rd, seen = Writer(database, token(world.rd)), []
    acts = [(rd, declaring(fixture_catalog, seen, purpose=f"many {i}")) for i in range(MAX_GROUP + 3)]
    ids = asyncio.run(queued_behind_a_busy_thread(acts))
    assert len(set(ids)) == MAX_GROUP + 3 and ids == sorted(ids)
    assert len({id(t) for t in seen}) == 2, f"{MAX_GROUP} together, then the other 3"


def test_a_write_marked_alone_is_committed_alone(database, world, fixture_catalog):
    """A large event batch is not committed with the small writes around it, which would wait for it."""
    rd, seen = Writer(database, token(world.rd)), []
    small = declaring(fixture_catalog, seen, purpose="small")
    ids = asyncio.run(queued_behind_a_busy_thread([(rd, small), (rd, small, True), (rd, small)]))
    assert len(set(ids)) == 3
    assert len({id(t) for t in seen}) == 3, "three transactions: the one alone is between the others"


def test_writes_that_ask_first_read_in_the_locked_log_and_keep_their_own_answers(database, world, fixture_catalog, signer):
    """As the route declares: every write's reads asked together after the lock, then the writes in order."""
    rd, seen = Writer(database, token(world.rd)), []
    first, ghost, last = asyncio.run(queued_behind_a_busy_thread([
        (rd, *declaring_as_the_route_does(fixture_catalog, seen, purpose="first")),
        (rd, *declaring_as_the_route_does(fixture_catalog, seen, consumer="GHOST")),
        (rd, *declaring_as_the_route_does(fixture_catalog, seen, purpose="last")),
    ]))
    assert isinstance(ghost, Invalid) and ghost.code == "unknown_agency"
    assert isinstance(first, int) and isinstance(last, int) and first < last
    assert stored(database) == [first, last]
    assert seen[-2] is seen[-1], "the two that stand committed together"
    with database.transaction(write=False) as s:
        assert verification.verify(s, verifier=signer).ok


def test_a_database_error_is_the_answer_of_the_write_that_caused_it(database, world, fixture_catalog, signer):
    """On PostgreSQL a group does not wait for its writes' answers, so an error surfaces in a later write's
    read or as the group ends: the writes are then done again one by one, and only the one at fault fails."""
    rd, seen = Writer(database, token(world.rd)), []
    first, broken, last = asyncio.run(queued_behind_a_busy_thread([
        (rd, *declaring_as_the_route_does(fixture_catalog, seen, purpose="first")),
        (rd, breaking_a_constraint),
        (rd, *declaring_as_the_route_does(fixture_catalog, seen, purpose="last")),
    ]))
    assert statements.is_database_error(broken), broken
    assert isinstance(first, int) and isinstance(last, int) and first < last
    assert stored(database) == [first, last]
    with database.transaction(write=False) as s:
        assert verification.verify(s, verifier=signer).ok


def test_a_write_through_the_orm_sees_the_writes_before_it_in_its_group(database, world, fixture_catalog):
    """A declaration's statements go without waiting for their answers (PostgreSQL); SQLAlchemy's next
    statement, in the next write, waits for them first."""
    rd, seen = Writer(database, token(world.rd)), []

    def counting(*, tx, caller) -> int:
        seen.append(tx.session.get_transaction())
        return tx.session.query(ExchangeLink).count()

    before, declared, after = asyncio.run(queued_behind_a_busy_thread([
        (rd, counting), (rd, *declaring_as_the_route_does(fixture_catalog, seen, purpose="seen")), (rd, counting),
    ]))
    assert isinstance(declared, int) and after == before + 1
    assert len({id(t) for t in seen}) == 1, "one transaction"


def test_a_refusal_after_a_database_error_still_unread_is_its_own(database, world, fixture_catalog, signer):
    rd, seen = Writer(database, token(world.rd)), []
    first, broken, ghost, last = asyncio.run(queued_behind_a_busy_thread([
        (rd, *declaring_as_the_route_does(fixture_catalog, seen, purpose="first")),
        (rd, breaking_a_constraint),
        (rd, *declaring_as_the_route_does(fixture_catalog, seen, consumer="GHOST")),
        (rd, *declaring_as_the_route_does(fixture_catalog, seen, purpose="last")),
    ]))
    assert statements.is_database_error(broken), broken
    assert isinstance(ghost, Invalid) and ghost.code == "unknown_agency"
    assert isinstance(first, int) and isinstance(last, int) and stored(database) == [first, last]
    with database.transaction(write=False) as s:
        assert verification.verify(s, verifier=signer).ok


def test_a_write_that_changes_agencies_cannot_share_a_group(database, world, fixture_catalog):
    """The writes of a group read their callers' keys and agencies as it begins: one that changes them
    must go alone, and a route that forgot to say so fails loudly instead of letting others read stale ones."""
    rd, office, seen = Writer(database, token(world.rd)), Writer(database, token(world.office)), []

    def registering(*, tx, caller) -> None:
        agencies.create(tx=tx, caller=caller, data=AgencyCreate(code="NEW", name_th="ใหม่", name_en="New", sector="finance", kind="ministry-department"))

    declared, refused, registered_alone = asyncio.run(queued_behind_a_busy_thread([
        (rd, *declaring_as_the_route_does(fixture_catalog, seen, purpose="shared")), (office, registering), (office, registering, True),
    ]))
    assert isinstance(declared, int) and stored(database) == [declared]
    assert isinstance(refused, RuntimeError) and "alone" in str(refused)
    assert registered_alone is None


def test_a_connection_lost_in_a_group_costs_only_the_write_that_lost_it(fixture_catalog, signer):
    """PostgreSQL: a write whose connection is cut (a restart, a failover) fails; the others are done
    again on a new connection and stored."""
    pg = PostgresDatabases()
    url = pg.create()
    database = None
    try:
        upgrade(url)
        database = Database(url, signer=signer)
        world = make_world(database)
        rd, seen = Writer(database, token(world.rd)), []

        def losing_its_connection(*, tx, caller) -> None:
            tx.run(Statement("SELECT pg_terminate_backend(pg_backend_pid())", postgres_only=True))

        first, lost, last = asyncio.run(queued_behind_a_busy_thread([
            (rd, *declaring_as_the_route_does(fixture_catalog, seen, purpose="first")),
            (rd, losing_its_connection),
            (rd, *declaring_as_the_route_does(fixture_catalog, seen, purpose="last")),
        ]))
        assert statements.is_database_error(lost), lost
        assert isinstance(first, int) and isinstance(last, int) and stored(database) == [first, last]
        with database.transaction(write=False) as s:
            assert verification.verify(s, verifier=signer).ok
    finally:
        if database is not None:
            database.dispose()
        pg.drop(url)
