"""Registry fixtures: the same tests on SQLite and PostgreSQL, each test rolled back.

``db_url`` is parametrised over both databases. The schema is made once per test
session with ``alembic upgrade head``; every test then runs inside a transaction
that is rolled back, its sessions nested in it as savepoints. PostgreSQL runs in
a fresh database made for the test session and dropped after it; where none is
reachable those variants skip outside CI and fail in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from dxs.registry.db import Database, make_engine
from dxs.registry.migrate import upgrade
from dxs.registry.api_models import AgencyCreate
from dxs.registry.services import agencies, keys
from dxs.registry.services.callers import Caller
from dxs.registry.signing import LogSigner
from tests.conftest import need
from tests.kit.postgres import PG_ADMIN_URL, create_postgres_database, drop_postgres_database, postgres_problem
from tests.kit.world import SAMPLE_AGENCIES, SAMPLE_REGISTERED_ON


class PostgresDatabases:
    """Makes and drops throw-away databases on the test server (skips outside CI, fails in CI, where there is none)."""

    def __init__(self) -> None:
        problem = postgres_problem()
        need(problem is None, f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({problem}); the PostgreSQL variants need it")

    def create(self) -> str:
        return create_postgres_database("test")

    def drop(self, url: str) -> None:
        drop_postgres_database(url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


def _empty_db_url(backend: str, tmp_path, name: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.sqlite'}"
        return
    pg = PostgresDatabases()
    url = pg.create()
    try:
        yield url
    finally:
        pg.drop(url)


@pytest.fixture
def fresh_db_url(backend, tmp_path) -> Iterator[str]:
    """An empty database of the backend, for tests that migrate or serve it themselves."""
    yield from _empty_db_url(backend, tmp_path, "fresh")


@pytest.fixture
def second_db_url(backend, tmp_path) -> Iterator[str]:
    """A second empty database of the backend: where a backup is restored."""
    yield from _empty_db_url(backend, tmp_path, "restored")


def backup_round_trip(source: Database, target_url: str, tmp_path, public_key: str) -> tuple[dict[str, int], object]:
    """``dxs registry export`` of ``source`` into a file, then ``import`` of that file into ``target_url``: (counts, import result)."""
    import io

    from dxs.registry.backup import export_registry, import_registry

    out = io.StringIO()
    counts = export_registry(source, out, public_key=public_key)
    path = tmp_path / "backup.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    return counts, import_registry(target_url, path)


@pytest.fixture(scope="session")
def db_url(backend, tmp_path_factory) -> Iterator[str]:
    """The test session's database of the backend, migrated to head."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('registry') / 'registry.sqlite'}"
        upgrade(url)
        yield url
        return
    pg = PostgresDatabases()
    url = pg.create()
    try:
        upgrade(url)
        yield url
    finally:
        pg.drop(url)


@pytest.fixture(scope="session")
def engine(db_url) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def signer() -> LogSigner:
    return LogSigner.generate()


@pytest.fixture
def database(engine, signer) -> Iterator[Database]:
    """A database whose every change in this test is rolled back afterwards."""
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            yield Database.bound_to(connection, signer=signer)
        finally:
            outer.rollback()


@pytest.fixture
def app(database, fixture_catalog):
    from dxs.registry import create_app

    return create_app(catalog=fixture_catalog, database=database)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    return TestClient(app, raise_server_exceptions=False)


@dataclass
class World:
    """Three agencies and their keys: RD and CGD exchange data, DOPA is a bystander."""

    rd: dict[str, str]
    cgd: dict[str, str]
    dopa: dict[str, str]
    office: dict[str, str]
    revoked: dict[str, str]  # a revoked key of RD
    rd_key_id: int


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def world(database) -> World:
    return make_world(database)


def make_world(database: Database) -> World:
    """RD, CGD and DOPA with a key each, an office key and a revoked key of RD."""
    operator = Caller.system("test")
    with database.write() as tx:
        for code, th, en in SAMPLE_AGENCIES:
            agencies.create(tx=tx, caller=operator, data=AgencyCreate(code=code, name_th=th, name_en=en, sector="finance", kind="ministry-department", registered_on=SAMPLE_REGISTERED_ON))
        made = {code: keys.create(tx=tx, caller=operator, agency_code=code) for code in ("RD", "CGD", "DOPA")}
        _, office = keys.create(tx=tx, caller=operator, agency_code=None, role="office")
        old, revoked = keys.create(tx=tx, caller=operator, agency_code="RD", label="old")
        keys.revoke(tx=tx, caller=operator, key_id=old.id)
    return World(
        rd=bearer(made["RD"][1]),
        cgd=bearer(made["CGD"][1]),
        dopa=bearer(made["DOPA"][1]),
        office=bearer(office),
        revoked=bearer(revoked),
        rd_key_id=made["RD"][0].id,
    )


LINK = {
    "provider": "RD",
    "consumer": "CGD",
    "standard": "th.test.permit",
    "version": "1.1.0",
    "purpose": "Permit data for payments",
    "legal_basis": "Digital Government Act B.E. 2562, s. 12",
    "start_date": "2024-01-01",  # the tests report 2024 windows: within the link's period
}


@pytest.fixture
def link_id(client, world) -> int:
    got = client.post("/api/v1/links", json=LINK, headers=world.rd)
    assert got.status_code == 201, got.text
    return got.json()["id"]


@pytest.fixture(scope="session")
def small_demo_registry(tmp_path_factory) -> str:
    """A demo registry at a tenth of the full size, seeded once for the tests that only read it (the work-list reports)."""
    from click.testing import CliRunner

    from dxs import cli

    folder = tmp_path_factory.mktemp("demo-small")
    url = f"sqlite:///{folder / 'demo.sqlite'}"
    got = CliRunner().invoke(cli.main, ["demo", "seed", "--scale", "0.1", "--database", url, "--log-key", str(folder / "log.key")])
    assert got.exit_code == 0, got.output
    return url
