"""Turning the paths a user typed into the documents to validate.

Files are taken as given; folders are walked for ``*.json``, ``*.xml`` and ``*.pdf``;
globs (``*``, ``?``, ``[…]``, ``**``) are expanded; ``-`` is standard input.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

from .errors import DxsError

__all__ = ["DOCUMENT_SUFFIXES", "STDIN", "expand_paths"]

STDIN = "-"
DOCUMENT_SUFFIXES = (".json", ".xml", ".pdf")


def _walk(folder: Path) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # skip .git, .venv …
        found.extend(os.path.join(root, f) for f in sorted(files) if f.lower().endswith(DOCUMENT_SUFFIXES))
    return found


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Every document named by ``paths``, in the order given, each once.

    :raises DxsError: a path that does not exist and is not a glob matching anything, or a
        folder with no document in it.
    """
    out: list[str] = []
    seen: set[str] = set()

    def add(item: str) -> None:
        if item not in seen:
            seen.add(item)
            out.append(item)

    for raw in paths:
        if raw == STDIN:
            add(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            found = _walk(path)
            if not found:  # as an empty glob: nothing was validated, which must not read as a pass
                raise DxsError(f"{raw}: the folder holds no document ({', '.join(DOCUMENT_SUFFIXES)})")
            for item in found:
                add(item)
        elif path.exists():
            add(raw)
        elif glob.has_magic(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            if not matches:
                raise DxsError(f"{raw}: no file matches this pattern")
            for match in matches:
                if Path(match).is_dir():
                    for item in _walk(Path(match)):
                        add(item)
                else:
                    add(match)
        else:
            raise DxsError(f"{raw}: no such file or folder")
    return out
