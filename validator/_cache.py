"""The user's cache of work worth keeping between runs (compiled rules, the loaded catalog, built schemas).

Everything here is named by the SHA-256 of what it was made from, so a changed input
never meets an old result. The folder is the user's own (``DXS_CACHE_DIR``, else
``$XDG_CACHE_HOME/dxs`` or ``~/.cache/dxs``), created private; a pickle is read only
from a folder and a file the current user owns and nobody else can write, because
unpickling runs code. Writes go through a private temporary file and an atomic rename,
so concurrent writers (processes or threads) never leave a torn file behind. A cache
that cannot be read or written only costs time.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

__all__ = ["cache_root", "read_bytes", "read_pickle", "replace_atomically", "write_bytes", "write_pickle"]


def cache_root() -> Path:
    """``DXS_CACHE_DIR``, else ``$XDG_CACHE_HOME/dxs`` or ``~/.cache/dxs``."""
    base = os.environ.get("DXS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "dxs"
    )
    return Path(base)


def _private(path: Path) -> bool:
    """Owned by this user and writable by nobody else (so nobody else can plant what we load)."""
    try:
        info = path.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def replace_atomically(path: Path, data: bytes, *, scratch: Path | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: readers see the old file or the new one.

    :param scratch: the folder for the temporary file (default: ``path``'s own; it must be
        on the same file system).
    :raises OSError: the write failed; ``path`` is as it was and no temporary file is left.
    """
    import tempfile  # here: only writes need it, not every start

    fd, tmp = tempfile.mkstemp(dir=scratch or path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically in a private folder; silently gives up on an OS error."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_atomically(path, data)
    except OSError:
        pass


def read_bytes(path: Path) -> bytes | None:
    """The bytes at ``path``, or ``None`` (absent, unreadable, or not safely ours)."""
    if not (_private(path.parent) and _private(path)):
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def write_pickle(path: Path, value: object) -> None:
    import pickle

    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, RecursionError, TypeError, AttributeError):
        return
    write_bytes(path, data)


def read_pickle(path: Path) -> Any:
    """The value pickled at ``path``, or ``None`` (absent, damaged, or not safely ours)."""
    import pickle

    if not (_private(path.parent) and _private(path)):
        return None
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # noqa: BLE001 - a damaged cache entry is rebuilt
        return None
