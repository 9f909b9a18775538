"""The schema comes only from the migrations, and the migrations match the models."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from registry.db import make_engine
from registry.migrate import alembic_config, current_revision, head_revision, upgrade
from registry.models import Base


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
