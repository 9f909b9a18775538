"""A version's published files: one by one at their relative paths, listed with SHA-256, and as one archive.

A schema imports its modules by relative ``schemaLocation`` (``ThaiAddressComponents.xsd``,
``../../../uncefact/…/UnqualifiedDataType_16p0.xsd``); every bundled reference stays inside
its version folder. So each file is offered at its path relative to the folder, both under
``…/versions/{version}/files/`` and inside the archive, and a reference resolves to the URL or
archive entry of the module it names.

A package's document types share their version folder: they are offered the same files and
the same archive, whose manifest names every document type's entry points.

Nothing here imports the web framework; a path that is not one of the version's files raises
:class:`~registry.errors.NotFound`.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dxs.validator import Catalog, StandardVersion
from dxs.validator.announcements import Register
from dxs.validator.publish import media_type, sha256_of

from .errors import Conflict, NotFound

__all__ = [
    "MANIFEST_NAME",
    "VersionFile",
    "archive_bytes",
    "archive_name",
    "file_path",
    "folder_id",
    "folder_versions",
    "manifest",
    "version_files",
]

#: The archive's own entry: what it holds and what to validate with.
MANIFEST_NAME = "MANIFEST.json"
#: Every entry's timestamp, so the same files always make the same archive (ZIP's epoch).
_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class VersionFile:
    """One published file of a version folder."""

    path: str  # relative POSIX path inside the version folder
    size: int
    sha256: str
    media_type: str
    #: the version's lock (``[hashes]`` in version.toml) lists these very bytes
    locked: bool

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256, "media_type": self.media_type,
                "locked": self.locked}


def folder_id(version: StandardVersion) -> str:
    """What the version folder belongs to: the package of a document type, else the standard."""
    return version.folder_ref.partition("@")[0]


def _paths(version: StandardVersion) -> dict[str, Path]:
    """Relative POSIX path → file, for every file of the folder: ``version.toml`` (public metadata)
    and :meth:`StandardVersion.files`, less any symlink that leads out of the folder."""
    root = version.folder.resolve()
    found: dict[str, Path] = {}
    for path in [version.folder / "version.toml", *version.files()]:
        real = path.resolve()
        if real.is_file() and real.is_relative_to(root):
            found[path.relative_to(version.folder).as_posix()] = path
    return dict(sorted(found.items()))


def file_path(version: StandardVersion, relative: str) -> Path:
    """The file at ``relative`` (a POSIX path as listed by :func:`version_files`).

    Only a listed path is answered, compared as a string: ``..``, absolute paths, backslashes
    and links out of the folder never name a file.

    :raises NotFound: no such file in the version.
    """
    found = _paths(version).get(relative)
    if found is None:
        raise NotFound(f"{version.ref} has no file {relative!r}")
    return found


@lru_cache(maxsize=4096)
def _sha256(path: str, size: int, mtime_ns: int) -> str:  # noqa: ARG001 (size and mtime key the cache)
    return sha256_of(Path(path))


def _hash(path: Path) -> tuple[int, str]:
    stat = os.stat(path)
    return stat.st_size, _sha256(str(path), stat.st_size, stat.st_mtime_ns)


def version_files(version: StandardVersion) -> list[VersionFile]:
    """Every file of the version with its size, SHA-256 and media type, sorted by path."""
    out = []
    for relative, path in _paths(version).items():
        size, sha = _hash(path)
        out.append(VersionFile(relative, size, sha, media_type(relative), version.hashes.get(relative) == sha))
    return out


def folder_versions(catalog: Catalog, version: StandardVersion) -> list[StandardVersion]:
    """The versions that share ``version``'s folder: each document type of a package, else itself."""
    if version.document_type is None:
        return [version]
    found = [v for s in catalog.package(folder_id(version)) for v in s.versions if v.folder == version.folder]
    return sorted(found, key=lambda v: v.standard_id) or [version]


def _relative(v: StandardVersion, path: Path | None) -> str | None:
    return path.relative_to(v.folder).as_posix() if path is not None else None


def manifest(versions: Sequence[StandardVersion], register: Register | None = None) -> dict[str, Any]:
    """What an archive of one version folder holds: the version's facts, each standard's entry points
    (schema, rules, examples) and every file's path, size and SHA-256. No date: it is the same for the
    same files. ``versions``: those sharing the folder (:func:`folder_versions`)."""
    first = versions[0]
    found = register.find(first.announcement) if register is not None and first.announcement else None
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "standard": folder_id(first),
        "version": first.version,
        "status": first.status,
        "illustrative": first.illustrative,
        "announcement": (
            {"id": found.id, "label": found.label} if found is not None
            else ({"id": first.announcement, "label": first.announcement} if first.announcement else None)
        ),
        "announced": iso(first.announced),
        "effective": iso(first.effective),
        "standards": [
            {
                "id": v.standard_id,
                "json_schema": _relative(v, v.json_schema),
                "xml_schema": _relative(v, v.xml_schema),
                "rules": _relative(v, v.rules),
                "examples": _relative(v, v.examples_root) if v.examples_root.is_dir() else None,
            }
            for v in versions
        ],
        "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in version_files(first)],
    }


def archive_name(version: StandardVersion) -> str:
    """``<standard or package>-<version>.zip``."""
    return f"{folder_id(version)}-{version.version}.zip"


def archive_bytes(versions: Sequence[StandardVersion], register: Register | None = None) -> bytes:
    """One ZIP of the version folder: every file at its relative path, and ``MANIFEST.json``.

    Deterministic: entries sorted, fixed timestamps and permissions, so the same files (and facts)
    give the same bytes, and its hash can be published.

    :raises Conflict: the folder has a file of its own named ``MANIFEST.json``.
    """
    facts = manifest(versions, register)
    if any(f["path"] == MANIFEST_NAME for f in facts["files"]):
        raise Conflict(f"{versions[0].ref} has its own {MANIFEST_NAME}; the archive cannot add one")
    text = json.dumps(facts, ensure_ascii=False, indent=2) + "\n"
    return _zip(str(versions[0].folder), text)


@lru_cache(maxsize=8)
def _zip(folder: str, manifest_text: str) -> bytes:
    """The archive of ``folder``, keyed by its manifest: any changed file changes the manifest's hashes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries = [(MANIFEST_NAME, manifest_text.encode("utf-8"))]
        entries += [(f["path"], (Path(folder) / f["path"]).read_bytes()) for f in json.loads(manifest_text)["files"]]
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, wherever it is built
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
