"""The ``dxs`` command as a subprocess run from the project's folder: one command, or `dxs serve`.

:class:`Server` runs in its own process group so that it can be stopped, or killed
outright (supervisor and workers at once), as a whole.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.kit import ROOT


def dxs(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``dxs *args`` (``python -m cli``) run to its end, its output captured as text."""
    return subprocess.run([sys.executable, "-m", "dxs.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


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
                [sys.executable, "-m", "dxs.cli", "serve", "--port", str(self.port), "--workers", str(self.workers)],
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
