"""The schema comes only from the migrations, and the migrations match the models."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table, insert, inspect, select, text, update

from dxs.registry.api_models import AgencyUpdate
from dxs.registry.db import Database, make_engine
from dxs.registry.migrate import alembic_config, current_revision, head_revision, upgrade
from dxs.registry.models import Agency, AgencySector, Base
from dxs.registry.services import agencies, log, verification
from dxs.registry.services.callers import Caller
from dxs.registry.signing import LogSigner
from dxs.registry.times import iso


def test_upgrade_from_empty_to_head_then_no_drift(fresh_db_url):
    assert upgrade(fresh_db_url) == head_revision()
    engine = make_engine(fresh_db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    # `alembic check`: autogenerate finds nothing to add, drop or alter
    command.check(alembic_config(fresh_db_url))


def test_downgrade_to_empty_and_back(fresh_db_url):
    upgrade(fresh_db_url)
    command.downgrade(alembic_config(fresh_db_url), "base")
    engine = make_engine(fresh_db_url)
    try:
        assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert upgrade(fresh_db_url) == head_revision()


# --------------------------------------------------------------------------- 0002: kinds, dates, sector history

UTC = dt.UTC
#: Agencies as revision 0001 held them: code, sector, created_at (UTC). RD was made at 20:00 UTC, already the next day in Bangkok.
LEGACY = (("RD", "finance", dt.datetime(2024, 1, 1, 20, 0, tzinfo=UTC)), ("MOPH", "health", dt.datetime(2024, 1, 1, 10, 0, tzinfo=UTC)))


def _legacy_registry(url: str, signer: LogSigner) -> None:
    """A registry at revision 0001: two agencies written the way that revision's services logged them, one of them changed."""
    assert upgrade(url, "0001") == "0001"
    agencies_0001 = Table(
        "agencies", MetaData(), Column("id", Integer, primary_key=True), Column("code", String), Column("name_th", String),
        Column("name_en", String), Column("sector", String), Column("parent_id", Integer), Column("status", String),
        Column("created_at", DateTime(timezone=True)), Column("log_seq", BigInteger),
    )
    db = Database(url, signer=signer)
    try:
        for n, (code, sector, created) in enumerate(LEGACY, start=1):
            with db.write() as tx:
                state = {"id": n, "code": code, "name_th": code, "name_en": code, "sector": sector, "parent_id": None,
                         "status": "active", "created_at": iso(created)}
                seq = tx.lock_log()
                tx.session.execute(insert(agencies_0001).values(**{**state, "created_at": created, "log_seq": seq}))
                log.append(tx, actor="cli", kind="agency.created", payload={"agency": state})
        with db.write() as tx:  # MOPH renamed: its row is now written by a later entry than the one that made it
            seq = tx.lock_log()
            tx.session.execute(update(agencies_0001).where(agencies_0001.c.id == 2).values(name_en="Ministry of Public Health", log_seq=seq))
            state = {"id": 2, "code": "MOPH", "name_th": "MOPH", "name_en": "Ministry of Public Health", "sector": "health",
                     "parent_id": None, "status": "active", "created_at": iso(LEGACY[1][2])}
            log.append(tx, actor="cli", kind="agency.changed", payload={"agency": state})
    finally:
        db.dispose()


def test_upgrade_from_0001_keeps_the_agencies_and_backfills_them(fresh_db_url):
    signer = LogSigner.generate()
    _legacy_registry(fresh_db_url, signer)
    assert upgrade(fresh_db_url) == head_revision()
    db = Database(fresh_db_url, signer=signer)
    try:
        with db.transaction(write=False) as s:
            rows = {a.code: a for a in s.execute(select(Agency)).scalars()}
            assert {c: (a.kind, a.registered_on, a.dissolved_on, a.juristic_id) for c, a in rows.items()} == {
                "RD": ("ministry-department", dt.date(2024, 1, 2), None, None),  # 03:00 on 2 January in Bangkok
                "MOPH": ("ministry-department", dt.date(2024, 1, 1), None, None),
            }
            history = {(r.agency_id, r.sector, r.since, r.log_seq) for r in s.execute(select(AgencySector)).scalars()}
            assert history == {(1, "finance", dt.date(2024, 1, 2), 0), (2, "health", dt.date(2024, 1, 1), 2)}
            # the log written before the migration still vouches for every row
            report = verification.verify(s, verifier=signer)
            assert report.ok, report.findings
        with db.write() as tx:
            agencies.update(tx=tx, caller=Caller.system("test"), code="MOPH",
                            data=AgencyUpdate(sector="social-welfare", sector_since=dt.date(2025, 1, 1)))
        with db.transaction(write=False) as s:
            assert verification.verify(s, verifier=signer).ok
        with db.transaction() as s:  # an old row edited behind the log is found
            s.execute(text("UPDATE agency_sectors SET sector = 'land' WHERE agency_id = 1"))
            s.execute(text("UPDATE agencies SET kind = 'state-enterprise' WHERE id = 2"))
        with db.transaction(write=False) as s:
            found = [f.what for f in verification.verify(s, verifier=signer).findings]
        assert any(f.startswith("agency sector 1@2024-01-02 differs from what log entry 0 recorded") for f in found), found
        assert any(f.startswith("agency 2 differs") for f in found), found
    finally:
        db.dispose()


def test_downgrade_to_0001_keeps_the_agencies(fresh_db_url):
    _legacy_registry(fresh_db_url, LogSigner.generate())
    upgrade(fresh_db_url)
    command.downgrade(alembic_config(fresh_db_url), "0001")
    engine = make_engine(fresh_db_url)
    try:
        assert "agency_sectors" not in inspect(engine).get_table_names()
        assert "kind" not in {c["name"] for c in inspect(engine).get_columns("agencies")}
        with engine.connect() as c:
            assert c.execute(text("SELECT code, sector FROM agencies ORDER BY id")).all() == [("RD", "finance"), ("MOPH", "health")]
    finally:
        engine.dispose()
    assert upgrade(fresh_db_url) == head_revision()
