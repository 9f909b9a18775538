"""A seeded registry to fire at: databases, agencies and keys, and a real `dxs serve`.

Everything here is test scaffolding: throw-away databases (a SQLite file, or a fresh
PostgreSQL database on 127.0.0.1), the agencies RD, CGD and DOPA with keys, an office
key and a revoked key, and a server subprocess in its own process group so that it
can be stopped, or killed outright, as a whole.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The PostgreSQL server the project's machines and CI run (trust authentication).
PG_ADMIN_URL = os.environ.get("DXS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

#: A link both RD and CGD may report events over (the bundled catalog's standard).
LINK = {
    "provider": "RD",
    "consumer": "CGD",
    "standard": "th.etda.e-tax-invoice-receipt.tax-invoice",
    "version": "2.1.0",
    "purpose": "Tax invoices for payments",
    "legal_basis": "Digital Government Act B.E. 2562, s. 12",
}



#: The three agencies every reliability scenario and registry test starts from.
SAMPLE_AGENCIES = (
    ("RD", "กรมสรรพากร", "Revenue Department"),
    ("CGD", "กรมบัญชีกลาง", "Comptroller General's Department"),
    ("DOPA", "กรมการปกครอง", "Department of Provincial Administration"),
)

def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used here, or ``None`` when it can."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means "not reachable"
        text = str(exc).strip()
        return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def create_postgres_database(tag: str = "stress") -> str:
    """A new empty database on the test server; its URL."""
    import psycopg

    name = f"dxs_{tag}_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database_url(kind: str, folder: Path) -> Iterator[str]:
    """A fresh database of ``kind`` (``sqlite`` or ``postgresql``), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'registry.sqlite'}"
        return
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@dataclass
class World:
    """A migrated, seeded registry: where it is and the keys to act in it."""

    url: str
    log_key: Path
    office: str
    keys: dict[str, str]  # agency code → its key
    revoked: str  # a revoked key of RD
    rd_key_id: int
    revoked_key_id: int
    link_id: int
    secrets: list[str] = field(default_factory=list)  # every key issued, to look for in logs

    def bearer(self, who: str) -> dict[str, str]:
        """Headers for a caller: an agency code, ``office``, ``revoked`` or ``none``."""
        key = {"office": self.office, "revoked": self.revoked, "none": None}.get(who, self.keys.get(who))
        return {"Authorization": f"Bearer {key}"} if key else {}


def seed(url: str, log_key: Path) -> World:
    """Migrate ``url`` and register RD, CGD and DOPA with keys, an office key, a revoked key and a link."""
    from registry.db import Database
    from registry.migrate import upgrade
    from registry.schemas import AgencyCreate, LinkCreate
    from registry.services import agencies, keys, links
    from registry.services.callers import Caller
    from registry.signing import load_or_create_signer
    from validator import catalog_folders, load_catalog

    upgrade(url)
    operator = Caller.system("stress")
    db = Database(url, signer=load_or_create_signer(log_key))
    try:
        with db.transaction() as s:
            for code, th, en in SAMPLE_AGENCIES:
                agencies.create(s, caller=operator, data=AgencyCreate(code=code, name_th=th, name_en=en, sector="finance"))
            made = {code: keys.create(s, caller=operator, agency_code=code, label="stress") for code in ("RD", "CGD", "DOPA")}
            _, office = keys.create(s, caller=operator, agency_code=None, role="office", label="stress office")
            old, revoked = keys.create(s, caller=operator, agency_code="RD", label="old")
            keys.revoke(s, caller=operator, key_id=old.id)
            old_id = old.id
        with db.transaction() as s:
            rd = Caller(role="agency", agency_id=made["RD"][0].agency_id, agency_code="RD", key_id=made["RD"][0].id)
            link = links.declare(s, caller=rd, catalog=load_catalog(catalog_folders()), data=LinkCreate(**LINK))
            link_id = link.id
    finally:
        db.dispose()
    agency_keys = {code: secret for code, (_, secret) in made.items()}
    return World(
        url=url,
        log_key=log_key,
        office=office,
        keys=agency_keys,
        revoked=revoked,
        rd_key_id=made["RD"][0].id,
        revoked_key_id=old_id,
        link_id=link_id,
        secrets=[*agency_keys.values(), office, revoked],
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`dxs serve` as a subprocess in its own process group, its output kept in a file."""

    def __init__(self, url: str, log_key: Path, *, workers: int = 1, log_file: Path, env: dict[str, str] | None = None) -> None:
        self.url, self.log_key, self.workers, self.log_file = url, log_key, workers, log_file
        self.extra_env = env or {}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> Server:
        import httpx

        env = os.environ | {
            "DXS_LOG_LEVEL": "info",
            "DXS_DATABASE_URL": self.url,
            "DXS_LOG_KEY": str(self.log_key),
            **self.extra_env,
        }
        env.pop("DXS_CATALOG", None)
        with self.log_file.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cli", "serve", "--port", str(self.port), "--workers", str(self.workers)],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}: {self.log_file.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.base}/api/v1/log/checkpoint", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("the server did not start in time")

    def _signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)  # the group we started: the supervisor and its workers
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """SIGKILL the whole server at once, as a power cut or the OOM killer would."""
        self._signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)
            _wait_group_gone(self.proc.pid)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)
        if self.proc is not None:
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
            _wait_group_gone(self.proc.pid)

    def output(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace") if self.log_file.exists() else ""

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def _wait_group_gone(pgid: int, timeout: float = 15.0) -> None:
    """Wait until no process of the group is left (workers die a moment after the supervisor)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
