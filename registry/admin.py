"""What ``dxs registry …`` and ``dxs serve`` do, as plain functions (the CLI only parses).

Each opens the database, runs one transaction as the operator (``Caller.system()``,
named ``cli`` in the log) and returns plain values for the CLI to print.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .db import Database, make_engine, sqlite_path
from .errors import Invalid
from .models import Agency, AgencySector
from .migrate import current_revision, head_revision, upgrade
from .api_models import AgencyCreate, AgencyUpdate
from .services import agencies, keys, log, verification
from .services.callers import Caller
from .signing import LogVerifier, default_key_path, load_or_create_signer

__all__ = [
    "CannotVerify",
    "NotReady",
    "ServePlan",
    "create_agency",
    "create_key",
    "current_checkpoint",
    "list_agencies",
    "migrate",
    "prepare_for_serving",
    "prepare_to_serve",
    "register_agency",
    "revoke_key",
    "update_agency",
    "verify",
    "verify_log",
]

OPERATOR = Caller.system("cli")


class NotReady(Exception):
    """The database is not at the newest schema and will not be migrated implicitly."""

    exit_code = 2  # ``dxs serve`` refuses it as a configuration error


class CannotVerify(Exception):
    """The log cannot be checked as asked: no key to check it with, or a key or kept checkpoint that cannot be read."""

    exit_code = 2  # a configuration error, not a finding


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


@dataclass(frozen=True)
class ServePlan:
    """What ``dxs serve`` is about to serve, said before its workers start."""

    database: str
    #: what was done to make the database ready
    prepared: str
    #: standards in the catalog
    standards: int
    key_path: Path
    key_id: str


def prepare_to_serve(url: str, *, log_key: Path | None = None, catalogs: Sequence[str] = ()) -> ServePlan:
    """Ready the catalog, the database and the log's signing key, and hand them to the workers.

    Each worker builds the app from the environment (``registry.app:create_app_from_env``),
    so this sets ``DXS_DATABASE_URL``, ``DXS_LOG_KEY`` and ``DXS_CATALOG`` (adding ``catalogs``).

    :raises DxsError: the catalog does not load.
    :raises NotReady: the database is not at the newest schema.
    """
    from dxs.validator import catalog_folders, load_catalog

    catalog = load_catalog(catalog_folders(catalogs))
    prepared = prepare_for_serving(url)
    key_path = (log_key or default_key_path()).resolve()
    signer = load_or_create_signer(key_path)  # made once here, before the workers start
    extra = [p for p in os.environ.get("DXS_CATALOG", "").split(os.pathsep) if p] + [str(Path(c).resolve()) for c in catalogs]
    os.environ.update(DXS_DATABASE_URL=url, DXS_LOG_KEY=str(key_path), DXS_CATALOG=os.pathsep.join(extra))
    return ServePlan(url, prepared, len(catalog), key_path, signer.key_id)


def register_agency(
    url: str,
    log_key: Path | None,
    *,
    code: str,
    name_th: str,
    name_en: str,
    sector: str,
    kind: str | None,
    juristic_id: str | None = None,
    registered_on: str | None = None,
    dissolved_on: str | None = None,
    parent: str | None = None,
) -> dict[str, Any]:
    """:func:`create_agency` from the fields as an operator types them (dates as ``YYYY-MM-DD``).

    :raises Invalid: a field is malformed (the message names each, e.g. ``--kind: unknown kind …``,
        ``--juristic-id: the check digit …``).
    :raises ServiceError: what creating the agency raises (a duplicate code, an unknown parent,
        a private juristic person without its ID, dates out of order).
    """
    fields = {"juristic_id": juristic_id, "registered_on": registered_on, "dissolved_on": dissolved_on, "parent": parent}
    data = _parsed(AgencyCreate, code=code, name_th=name_th, name_en=name_en, sector=sector, kind=kind,
                   **{k: v for k, v in fields.items() if v is not None})
    return create_agency(url, log_key, data)


def update_agency(url: str, log_key: Path | None, code: str, **fields: str | None) -> dict[str, Any]:
    """Change an agency with the fields an operator typed (``None``: left as it is).

    :raises Invalid: a field is malformed, or the change is refused (see :func:`registry.services.agencies.update`).
    :raises NotFound: there is no agency ``code``.
    """
    data = _parsed(AgencyUpdate, **{k: v for k, v in fields.items() if v is not None})
    db = _database(url, log_key)
    try:
        with db.write() as tx:
            agency = agencies.update(tx=tx, caller=OPERATOR, code=code, data=data)
            return _agency_row(agency, agencies.history(tx.session, agency.id))
    finally:
        db.dispose()


def _parsed(model: Any, **fields: Any) -> Any:
    try:
        return model(**fields)
    except ValidationError as exc:
        raise Invalid("; ".join(_option_problem(e) for e in exc.errors(include_url=False))) from None


def _option_problem(error: Any) -> str:
    """One pydantic error as the option it came from: ``--name-th: String should have at least 1 character``."""
    where = "--" + "-".join(str(step) for step in error["loc"]).replace("_", "-")
    return f"{where}: {error['msg'].removeprefix('Value error, ')}"


def _agency_row(agency: Agency, sectors: Sequence[AgencySector]) -> dict[str, Any]:
    """An agency as the command line prints it; ``sectors`` is its history, oldest first."""
    return {
        "code": agency.code,
        "name_th": agency.name_th,
        "name_en": agency.name_en,
        "kind": agency.kind,
        "juristic_id": agency.juristic_id,
        "sector": agency.sector,
        "sectors": [(s.since, s.sector) for s in sectors],
        "registered_on": agency.registered_on,
        "dissolved_on": agency.dissolved_on,
        "status": agency.status,
    }


def create_agency(url: str, log_key: Path | None, data: AgencyCreate) -> dict[str, Any]:
    db = _database(url, log_key)
    try:
        with db.write() as tx:
            agency = agencies.create(tx=tx, caller=OPERATOR, data=data)
            return _agency_row(agency, agencies.history(tx.session, agency.id))
    finally:
        db.dispose()


def list_agencies(url: str, *, kind: str | None = None) -> list[dict[str, Any]]:
    """Every agency (of ``kind``, if given), by code.

    :raises Invalid: ``kind`` is not a party kind (the message lists them).
    """
    db = Database(url, signer=None)  # reading needs no signer
    try:
        with db.transaction(write=False) as session:
            rows, _ = agencies.list_agencies(session, kind=kind, limit=100_000)
            sectors = agencies.histories(session, (a.id for a in rows))
            return [_agency_row(a, sectors[a.id]) for a in rows]
    finally:
        db.dispose()


def create_key(url: str, log_key: Path | None, *, agency: str | None, office: bool, label: str) -> tuple[int, str]:
    """Issue a key; return its id and the key itself (shown once)."""
    db = _database(url, log_key)
    try:
        with db.write() as tx:
            key, secret = keys.create(
                tx=tx, caller=OPERATOR, agency_code=agency, role="office" if office else "agency", label=label
            )
            return key.id, secret
    finally:
        db.dispose()


def revoke_key(url: str, log_key: Path | None, key_id: int) -> None:
    db = _database(url, log_key)
    try:
        with db.write() as tx:
            keys.revoke(tx=tx, caller=OPERATOR, key_id=key_id)
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
) -> verification.VerifyReport:
    """Check the log and every row against it (see :mod:`registry.services.verification`).

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
            return verification.verify(session, verifier=verifier, witnesses=kept)
    finally:
        db.dispose()


def verify_log(
    url: str, *, public_key: str | None = None, log_key: Path | None = None, witnesses: Sequence[Path] = ()
) -> verification.VerifyReport:
    """:func:`verify` as an operator asks for it: with the base64 Ed25519 ``public_key``, else the key file.

    :raises CannotVerify: no key file; a key, a kept checkpoint or a stored value that cannot be read.
    """
    try:
        verifier = LogVerifier.from_b64(public_key) if public_key else None
        return verify(url, verifier=verifier, log_key=log_key, witnesses=witnesses)
    except (FileNotFoundError, ValueError) as exc:
        raise CannotVerify(str(exc)) from None
