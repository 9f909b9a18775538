"""`dxs registry export` / `import`: the whole registry as one JSON-lines file, between any databases.

Format ``dxs-registry-backup`` version 1, UTF-8, one JSON object per line:

1. a header: ``{"format": "dxs-registry-backup", "version": 1, "schema": "<alembic revision>",
   "exported_at": "...Z", "tables": [...]}``;
2. one line per row, table by table in dependency order and by primary key:
   ``{"table": "agencies", "row": {...}}`` — times as UTC ``YYYY-MM-DDTHH:MM:SS.ffffffZ``,
   dates as ``YYYY-MM-DD``, everything else as stored;
3. a trailer: ``{"end": true, "rows": {table: count}, "checkpoint": {...}, "sha256": "..."}``
   — the log's latest signed checkpoint (with its public key) and the SHA-256 of every
   line before the trailer, so a truncated or edited file is refused.

The log travels with its rows, so a restored registry is the same registry: same
entries, same hashes, same signed checkpoints. Importing refuses a database that
holds anything, and commits only once `verify` has checked the imported log and
every row against it (with the public key in the file, or the operator's key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Date, DateTime, Table, delete, func, insert, select, text
from sqlalchemy.orm import Session

from .db import Database
from .migrate import head_revision, upgrade
from .models import Base
from .services import log, verification
from .signing import LogVerifier
from .times import iso, read_time, utcnow

__all__ = [
    "FORMAT",
    "VERSION",
    "BackupError",
    "BackupNotVerified",
    "ImportResult",
    "Restore",
    "export_file",
    "export_registry",
    "import_registry",
    "restore",
]

FORMAT = "dxs-registry-backup"
VERSION = 1
_CHUNK = 2000


class BackupError(Exception):
    """The file is not a usable backup, or the database cannot take it."""

    exit_code = 2  # a configuration error: a damaged file, a database that is not empty


class BackupNotVerified(BackupError):
    """The imported log or rows do not verify: nothing was kept."""

    exit_code = 1  # like `dxs registry verify` finding a bad entry


def _tables() -> list[Table]:
    # parents before children; ephemeral tables (portal sessions) are not part of the registry
    return [t for t in Base.metadata.sorted_tables if not t.info.get("ephemeral")]


def _encode(value: Any) -> Any:
    return iso(value) if isinstance(value, dt.date) else value  # a datetime is a date too


def _decoder(table: Table) -> dict[str, Any]:
    """Column name → how to turn its JSON value back into what the column stores."""
    decode: dict[str, Any] = {}
    for column in table.columns:
        if isinstance(column.type, DateTime):
            decode[column.name] = lambda v: None if v is None else read_time(v)
        elif isinstance(column.type, Date):
            decode[column.name] = lambda v: None if v is None else dt.date.fromisoformat(v)
    return decode


def _rows(session: Session, table: Table) -> Iterator[dict[str, Any]]:
    query = select(table).order_by(*table.primary_key.columns).execution_options(yield_per=_CHUNK)
    for row in session.execute(query).mappings():
        yield {k: _encode(v) for k, v in row.items()}


def export_registry(database: Database, out: IO[str], *, public_key: str) -> dict[str, int]:
    """Write the registry to ``out`` (one consistent snapshot); return rows per table."""
    digest = hashlib.sha256()
    counts: dict[str, int] = {}

    def write(obj: Any) -> None:
        line = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
        digest.update(line.encode("utf-8"))
        out.write(line)

    # one read transaction: on PostgreSQL REPEATABLE READ, so the file is one moment of the registry
    with database.engine.connect() as connection:
        if database.postgres:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        else:
            connection = connection.execution_options(sqlite_begin="DEFERRED")  # a reader: no write lock
        with Session(bind=connection) as session, session.begin():
            write({"format": FORMAT, "version": VERSION, "schema": head_revision(), "exported_at": iso(utcnow()), "tables": [t.name for t in _tables()]})
            for table in _tables():
                counts[table.name] = 0
                for row in _rows(session, table):
                    write({"table": table.name, "row": row})
                    counts[table.name] += 1
            latest = log.latest_checkpoint(session)
            checkpoint = log.checkpoint_dict(latest, public_key) if latest else None
    trailer = {"end": True, "rows": counts, "checkpoint": checkpoint, "sha256": digest.hexdigest()}
    out.write(json.dumps(trailer, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n")
    return counts


@dataclass(frozen=True)
class ImportResult:
    rows: dict[str, int]
    checkpoint: dict[str, Any] | None
    report: verification.VerifyReport


def _read(path: Path) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]], dict[str, Any]]:
    """Header, rows and trailer of a backup file, its integrity checked."""
    digest = hashlib.sha256()
    header: dict[str, Any] | None = None
    trailer: dict[str, Any] | None = None
    rows: list[tuple[str, dict[str, Any]]] = []
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if trailer is not None:
                raise BackupError(f"{path}: line {number} follows the end of the backup")
            try:
                item = json.loads(raw)
            except ValueError:
                raise BackupError(f"{path}: line {number} is not JSON") from None
            if not isinstance(item, dict):
                raise BackupError(f"{path}: line {number} is not a JSON object")
            if item.get("end") is True:
                trailer = item
                continue
            digest.update(raw)
            if header is None:
                header = item
                if header.get("format") != FORMAT or header.get("version") != VERSION:
                    raise BackupError(f"{path}: not a {FORMAT} version {VERSION} file")
                continue
            if "table" not in item or not isinstance(item.get("row"), dict):
                raise BackupError(f"{path}: line {number} is neither a row nor the end")
            rows.append((item["table"], item["row"]))
    if header is None or trailer is None:
        raise BackupError(f"{path}: the backup is incomplete (no {'header' if header is None else 'end line'})")
    if trailer.get("sha256") != digest.hexdigest():
        raise BackupError(f"{path}: the lines do not match the backup's checksum (edited or damaged)")
    return header, rows, trailer


def _row_name(table: Table, row: dict[str, Any]) -> str:
    """``agencies id 7``: a row by its table and primary key, as an operator finds it in the source."""
    key = ", ".join(f"{c.name} {row.get(c.name)!r}" for c in table.primary_key.columns)
    return f"{table.name} {key}" if key else table.name


def _decoded(rows: list[tuple[str, dict[str, Any]]], tables: dict[str, Table]) -> dict[str, list[dict[str, Any]]]:
    """The backup's rows as the columns take them, by table; each row checked before anything is written.

    :raises BackupError: a table this schema does not have, a time or date that cannot be read, or
        text no database of the registry can store (U+0000, lone surrogates: a SQLite registry
        written before the service refused them may hold some), naming the row and its column.
    """
    from .input_rules import bad_character

    decoders = {name: _decoder(table) for name, table in tables.items()}
    pending: dict[str, list[dict[str, Any]]] = {}
    for name, row in rows:
        table = tables.get(name)
        if table is None:
            raise BackupError(f"the backup has a table {name!r} this schema does not")
        decode = decoders[name]
        decoded: dict[str, Any] = {}
        for column, value in row.items():
            if isinstance(value, str):
                bad = bad_character(value)
                if bad:
                    raise BackupError(
                        f"row {_row_name(table, row)}: column {column} holds {bad}, which PostgreSQL cannot store; "
                        "correct it in the source registry and export again (nothing was imported)"
                    )
            try:
                decoded[column] = decode[column](value) if column in decode else value
            except (TypeError, ValueError):
                raise BackupError(f"row {_row_name(table, row)}: column {column} holds {value!r}, not a time or date") from None
        pending.setdefault(name, []).append(decoded)
    return pending


def _parents_first(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` of a table that refers to itself (an agency's parent, a request merged into another) ordered so
    that each comes after the row it refers to: the foreign key is checked row by row, and a reference may
    point at a later id. Other tables' rows are kept in their order."""
    own = [(fk.parent.name, fk.column.name) for fk in table.foreign_keys if fk.column.table is table]
    if not own or len(table.primary_key.columns) != 1:
        return rows
    key = table.primary_key.columns[0].name
    by_id = {row[key]: row for row in rows}
    placed: set[Any] = set()
    ordered: list[dict[str, Any]] = []

    def place(row: dict[str, Any], seen: frozenset[Any]) -> None:
        if row[key] in placed:
            return
        for column, _ in own:
            parent = by_id.get(row.get(column))
            if parent is not None and parent[key] not in seen:  # a cycle is left to the database to refuse
                place(parent, seen | {row[key]})
        placed.add(row[key])
        ordered.append(row)

    for row in rows:
        place(row, frozenset({row[key]}))
    return ordered


def _empty(session: Session) -> bool:
    for table in _tables():
        if table.name == "log_head":
            size = session.execute(select(table.c.size)).scalar_one_or_none()
            if size:
                return False
        elif session.execute(select(func.count()).select_from(table)).scalar_one():
            return False
    return True


def import_registry(url: str, path: Path, *, verifier: LogVerifier | None = None) -> ImportResult:
    """Load a backup into an empty database at ``url`` (migrated first), verify it, then commit.

    ``verifier`` checks the checkpoint signatures; by default the public key in the file.

    :raises BackupError: the file is damaged, from another schema, or the database is not empty,
        or the imported log does not verify (nothing is then kept).
    """
    header, rows, trailer = _read(Path(path))
    if header.get("schema") != head_revision():
        raise BackupError(f"the backup has schema {header.get('schema')}, this toolkit {head_revision()}: import it with a matching version")
    checkpoint = trailer.get("checkpoint")
    if verifier is None:
        if not checkpoint:
            raise BackupError("the backup has no checkpoint with a public key; give the log key")
        verifier = LogVerifier.from_b64(checkpoint["public_key"])
    tables = {t.name: t for t in _tables()}
    pending = _decoded(rows, tables)  # every row checked before the target is touched
    upgrade(url)
    database = Database(url, signer=None)
    try:
        with database.write() as tx:  # copies the log as it is: appends nothing
            session = tx.session
            if not _empty(session):
                raise BackupError("the database is not empty: import only into a new, empty registry")
            session.execute(delete(tables["log_head"]))  # the migration's empty head; the file has the real one
            counts: dict[str, int] = {}
            order = [t.name for t in _tables()]
            for name in order:
                batch = _parents_first(tables[name], pending.get(name, []))
                for start in range(0, len(batch), _CHUNK):
                    session.execute(insert(tables[name]), batch[start : start + _CHUNK])
                counts[name] = len(batch)
            if counts != trailer.get("rows"):
                raise BackupError(f"the rows read ({counts}) are not the rows the backup lists ({trailer.get('rows')})")
            if tx.postgres:
                _reset_sequences(session)
            session.flush()
            report = verification.verify(session, verifier=verifier, witnesses=[checkpoint] if checkpoint else [])
            if not report.ok:
                raise BackupNotVerified("the imported log does not verify: " + "; ".join(str(f) for f in report.findings[:5]))
    finally:
        database.dispose()
    return ImportResult(rows=counts, checkpoint=checkpoint, report=report)


def _reset_sequences(session: Session) -> None:
    """PostgreSQL ids continue after the imported ones (explicit ids do not advance the sequences)."""
    for table in _tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and len(table.primary_key.columns) == 1 and column.type.python_type is int):
                sequence = session.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}).scalar()
                if sequence:
                    session.execute(text(f"SELECT setval('{sequence}', COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"))


# --------------------------------------------------------------------------- as `dxs registry export` / `import` ask


def export_file(url: str, target: Path | IO[str], *, log_key: Path | None = None) -> dict[str, int]:
    """Write the registry at ``url`` to ``target`` (a stream, or a file); return rows per table.

    A file is written aside, then renamed: a crash never leaves half a backup under
    its real name. The backup carries the public half of the signing key in ``log_key``.

    :raises BackupError: there is no signing key at ``log_key``.
    """
    import tempfile
    from .signing import default_key_path, load_or_create_signer

    key_path = Path(log_key) if log_key else default_key_path()
    if not key_path.exists():
        raise BackupError(f"no log signing key at {key_path}: the backup carries its public key (name it with --log-key)")
    public_key = LogVerifier(load_or_create_signer(key_path).public_key).public_key_b64
    database = Database(url, signer=None)
    try:
        if not isinstance(target, Path):
            return export_registry(database, target, public_key=public_key)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent or ".", delete=False, suffix=".part") as fh:
            counts = export_registry(database, fh, public_key=public_key)
        Path(fh.name).replace(target)
        return counts
    finally:
        database.dispose()


@dataclass(frozen=True)
class Restore:
    """What ``dxs registry import`` did: imported and verified, or refused because the imported log did not verify."""

    url: str
    imported: ImportResult | None
    #: why nothing was kept (:class:`BackupNotVerified`'s message)
    refused: str | None = None

    @property
    def ok(self) -> bool:
        return self.imported is not None


def restore(url: str, path: Path, *, public_key: str | None = None) -> Restore:
    """:func:`import_registry`, checking signatures with the base64 Ed25519 ``public_key`` when given.

    An imported log that does not verify is a refused :class:`Restore` (nothing was kept).

    :raises BackupError: the file is damaged, the database is not empty, or the key is not a key.
    """
    try:
        verifier = LogVerifier.from_b64(public_key) if public_key else None
        return Restore(url, import_registry(url, path, verifier=verifier))
    except BackupNotVerified as exc:
        return Restore(url, None, str(exc))
    except ValueError as exc:  # not base64 or not a key; a value a column cannot take
        raise BackupError(str(exc)) from None
