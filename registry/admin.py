"""What ``dxs registry …`` and ``dxs serve`` do, as plain functions (the CLI only parses).

Each opens the database, runs one transaction as the operator (``Caller.system()``,
named ``cli`` in the log) and returns plain values for the CLI to print.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .db import Database, make_engine, sqlite_path
from .migrate import current_revision, head_revision, upgrade
from .schemas import AgencyCreate
from .services import agencies, audit, keys, log
from .services.callers import Caller
from .signing import LogVerifier, default_key_path, load_or_create_signer

__all__ = ["create_agency", "create_key", "current_checkpoint", "list_agencies", "migrate", "prepare_for_serving", "revoke_key", "verify"]

OPERATOR = Caller.system("cli")


class NotReady(Exception):
    """The database is not at the newest schema and will not be migrated implicitly."""


def _database(url: str, log_key: Path | None) -> Database:
    return Database(url, signer=load_or_create_signer(log_key))


def migrate(url: str) -> tuple[str | None, str | None]:
    """Upgrade to the newest schema; return the revision before and after."""
    engine = make_engine(url)
    try:
        before = current_revision(engine)
    finally:
        engine.dispose()
    return before, upgrade(url)


def prepare_for_serving(url: str) -> str:
    """Make sure ``url`` is at the newest schema before serving it; say what was done.

    A SQLite file that does not exist yet is created and migrated; any other database
    must already be migrated (``dxs registry migrate``), so that upgrading stays an
    operator's deliberate step.
    """
    path = sqlite_path(url)
    if path is not None and not path.exists():
        upgrade(url)
        return f"created and migrated {path}"
    engine = make_engine(url)
    try:
        current = current_revision(engine)
    finally:
        engine.dispose()
    if current != head_revision():
        raise NotReady(f"the database is at revision {current or 'none'}, not {head_revision()}: run `dxs registry migrate`")
    return f"schema at revision {current}"


def create_agency(url: str, log_key: Path | None, data: AgencyCreate) -> dict[str, Any]:
    db = _database(url, log_key)
    try:
        with db.transaction() as session:
            agency = agencies.create(session, caller=OPERATOR, data=data)
            return {"code": agency.code, "name_th": agency.name_th, "name_en": agency.name_en, "sector": agency.sector}
    finally:
        db.dispose()


def list_agencies(url: str) -> list[dict[str, Any]]:
    db = Database(url, signer=None)  # reading needs no signer
    try:
        with db.transaction(write=False) as session:
            rows, _ = agencies.list_agencies(session, limit=100_000)
            return [{"code": a.code, "name_th": a.name_th, "name_en": a.name_en, "sector": a.sector, "status": a.status} for a in rows]
    finally:
        db.dispose()


def create_key(url: str, log_key: Path | None, *, agency: str | None, office: bool, label: str) -> tuple[int, str]:
    """Issue a key; return its id and the key itself (shown once)."""
    db = _database(url, log_key)
    try:
        with db.transaction() as session:
            key, secret = keys.create(
                session, caller=OPERATOR, agency_code=agency, role="office" if office else "agency", label=label
            )
            return key.id, secret
    finally:
        db.dispose()


def revoke_key(url: str, log_key: Path | None, key_id: int) -> None:
    db = _database(url, log_key)
    try:
        with db.transaction() as session:
            keys.revoke(session, caller=OPERATOR, key_id=key_id)
    finally:
        db.dispose()


def current_checkpoint(url: str, log_key: Path | None) -> dict[str, Any] | None:
    """The latest signed checkpoint, as ``GET /api/v1/log/checkpoint`` publishes it."""
    db = _database(url, log_key)
    try:
        with db.transaction(write=False) as session:
            cp = log.latest_checkpoint(session)
            return log.checkpoint_dict(cp, db.signer.public_key_b64) if cp else None
    finally:
        db.dispose()


def verify(
    url: str, *, verifier: LogVerifier | None = None, log_key: Path | None = None, witnesses: Sequence[Path] = ()
) -> audit.VerifyReport:
    """Check the log and every row against it (see :mod:`registry.services.audit`).

    ``verifier`` defaults to the public half of the signing key in ``log_key``.
    """
    if verifier is None:
        path = Path(log_key) if log_key else default_key_path()
        if not path.exists():
            raise FileNotFoundError(f"no log signing key at {path}; name it with --log-key or give --public-key")
        verifier = LogVerifier(load_or_create_signer(path).public_key)
    kept = [json.loads(Path(p).read_text(encoding="utf-8")) for p in witnesses]
    db = Database(url, signer=None)  # verifying writes nothing
    try:
        with db.transaction(write=False) as session:
            return audit.verify(session, verifier=verifier, witnesses=kept)
    finally:
        db.dispose()
