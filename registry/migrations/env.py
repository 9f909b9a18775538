"""Alembic environment: runs on the connection or URL that :mod:`registry.migrate` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from dxs.registry.db import make_engine
from dxs.registry.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    # SQLite alters a table by copying it and dropping the old one, which foreign keys that
    # point at it forbid; they are off for the migration (only possible outside a transaction)
    # and checked before it commits.
    keys_off = sqlite and not connection.in_transaction()
    if keys_off:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            render_as_batch=sqlite,  # SQLite alters tables by copying them
        )
        with context.begin_transaction():
            context.run_migrations()
            if keys_off and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                raise RuntimeError("the migration left rows whose foreign keys point nowhere")
    finally:
        if keys_off:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `dxs registry migrate`")
run_migrations_online()
