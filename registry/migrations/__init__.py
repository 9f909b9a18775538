"""Alembic migrations: the only way the registry's schema is made (``dxs registry migrate``)."""
