"""The lifecycle of a version: a new draft, then announced, deprecated, retired.

```
draft ──► public-comment ──► announced ──► deprecated ──► retired
```

Each step checks that it is allowed — the status it starts from, a date not before the
history it follows, notes that say something — and then edits the version's
``version.toml`` in place (:mod:`._version_toml`): the status, its dates, and a dated
``[[history]]`` entry after the last one, so the history stays in date order. A step that
is not allowed raises :class:`LifecycleError`, naming the version and what is wrong, and
leaves the file untouched.

Announcing also locks the version (the SHA-256 of every file,
:func:`~validator.publish.lock_version`). Deprecating and retiring change only
``version.toml``, which the hashes do not cover, so the lock still holds.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._version_toml import VersionToml, toml_literal
from .catalog import parse_semver
from .errors import DxsError
from .markers import MarkerMove, marker_mapping, move_markers

if TYPE_CHECKING:
    from .catalog import Catalog, Standard, StandardVersion

__all__ = [
    "Drafted",
    "LifecycleError",
    "StatusChange",
    "announce_version",
    "deprecate_version",
    "draft_notes",
    "new_version",
    "placeholder_notes",
    "retire_version",
]


class LifecycleError(DxsError):
    """A lifecycle step that is not allowed (exit 2): the message names the version and what is wrong."""


# --------------------------------------------------------------------------- notes


def draft_notes(version: str, source: str) -> str:
    """The notes a new draft starts with: a placeholder that announcing refuses."""
    return f"Draft of {version}, copied from {source}: say what changes."


_PLACEHOLDER_NOTES = re.compile(
    r"""\s*(?:
        (?:todo|tbd|fixme|xxx)\b.*           # TODO: …
      | \(to\ be\ [a-z ]+\)                  # (to be written)
      | \.\.\.|…
      | first\ draft\.?                      # `dxs standards new ID --title-th …`
      | draft\ of\ \S+,\ copied\ from\ \S+:\ say\ what\ changes\.   # `dxs standards new ID`
    )?\s*""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


def placeholder_notes(notes: str) -> bool:
    """Whether a version's notes say nothing yet: empty, ``TODO``-like, or what ``dxs standards new`` wrote."""
    return _PLACEHOLDER_NOTES.fullmatch(notes) is not None


# --------------------------------------------------------------------------- status changes


@dataclass(frozen=True)
class StatusChange:
    """A version moved on in its lifecycle: what it was, what it is, from when."""

    ref: str
    before: str
    status: str
    on: dt.date
    path: Path
    effective: dt.date | None = None
    sunset: dt.date | None = None
    #: files hashed when announcing (the version is locked)
    locked: int | None = None
    #: the version became the standard's detection default (for documents without a marker)
    default: bool = False


def _latest_entry(version: StandardVersion) -> Any:
    return max(reversed(version.history), key=lambda h: h.date, default=None)  # the last of the latest day


def _not_before_history(version: StandardVersion, on: dt.date, becomes: str) -> None:
    latest = _latest_entry(version)
    if latest is not None and on < latest.date:
        raise LifecycleError(f"{version.folder_ref}: cannot be {becomes} on {on}, before the {latest.status} entry of its "
                             f"history ({latest.date}): the history stays in date order")


def _from(version: StandardVersion, allowed: tuple[str, ...], becomes: str) -> None:
    if version.status == becomes:
        raise LifecycleError(f"{version.folder_ref} is already {becomes}")
    if version.status not in allowed:
        raise LifecycleError(f"{version.folder_ref} is {version.status}: only {' or '.join(allowed)} versions can be {becomes}")


def _set_detection_default(toml: VersionToml) -> None:
    """``[detection] default = true``: its line rewritten, or added under the table's header."""
    block = re.compile(r"^([ \t]*\[detection\][^\n]*\n)((?:(?![ \t]*\[).*\n?)*)", re.MULTILINE)

    def edit(found: re.Match[str]) -> str:
        header, body = found.group(1), found.group(2)
        line = re.compile(r"^([ \t]*default[ \t]*=[ \t]*)(?:true|false)", re.MULTILINE)
        if line.search(body):
            return header + line.sub(lambda m: m.group(1) + "true", body, count=1)
        return header + "default = true\n" + body

    toml.edit(lambda text: block.sub(edit, text, count=1), lambda expected: expected["detection"].__setitem__("default", True))


def announce_version(
    catalog: Catalog,
    version: StandardVersion,
    *,
    on: dt.date,
    effective: dt.date | None = None,
    announcement: str | None = None,
    notes: str | None = None,
) -> StatusChange:
    """Announce a draft (or public-comment) version on ``on`` and lock it.

    ``effective`` defaults to the version's own, else ``on``. The first version of a
    standard to be announced while none is the detection default becomes it.

    :raises LifecycleError: the version is not a draft or in public comment, ``on`` is
        before its history, its notes (or ``notes``) are a placeholder, ``effective`` is
        before ``on``, or a standard announced by an office names no announcement.
    :raises CatalogError: the announcement cannot be named (see :func:`~validator.publish.lock_version`).
    """
    from .publish import lock_version

    ref = version.folder_ref
    _from(version, ("draft", "public-comment"), "announced")
    _not_before_history(version, on, "announced")
    said = version.notes if notes is None else notes
    if placeholder_notes(said):
        raise LifecycleError(f"{ref}: its notes are a placeholder ({said.strip()!r}): say what the version is and what "
                             "changed (--notes, or notes in version.toml)")
    effective = effective or version.effective or on
    if effective < on:
        raise LifecycleError(f"{ref}: effective date {effective} is before the announcement date {on}")
    if version.sunset and version.sunset < effective:
        raise LifecycleError(f"{ref}: its sunset {version.sunset} is before the effective date {effective}")
    standard = catalog.standard(version.standard_id)
    if standard.source is not None and standard.source.kind == "announced" and not (announcement or version.announcement):
        raise LifecycleError(f"{ref}: {standard.package or standard.id} is announced by an office: name the announcement "
                             "(--announcement, its number as the register writes it)")
    toml = VersionToml(version.folder / "version.toml")
    toml.set("status", "announced")
    toml.set("announced", on)
    toml.set("effective", effective)
    if notes is not None:
        toml.set("notes", notes)
    toml.append_history("announced", on)
    default = version.document_type is None and not any(v.default for v in standard.versions) and "detection" in toml.expected
    if default:
        _set_detection_default(toml)
    hashes = lock_version(version, announcement=announcement, toml=toml)
    return StatusChange(ref, version.status, "announced", on, toml.path, effective=effective, locked=len(hashes), default=default)


def _not_before_announcement(catalog: Catalog, version: StandardVersion, on: dt.date, becomes: str) -> None:
    announced = catalog.announced_on(version)
    if announced is not None and on < announced:
        raise LifecycleError(f"{version.folder_ref}: cannot be {becomes} on {on}, before it was announced ({announced})")


def deprecate_version(catalog: Catalog, version: StandardVersion, *, on: dt.date, sunset: dt.date | None = None) -> StatusChange:
    """Deprecate an announced version on ``on``; ``sunset`` is the last day documents may use it.

    :raises LifecycleError: the version is not announced, ``on`` is before its history or
        its announcement, or ``sunset`` is before ``on`` or before the effective date.
    """
    ref = version.folder_ref
    _from(version, ("announced",), "deprecated")
    _not_before_history(version, on, "deprecated")
    _not_before_announcement(catalog, version, on, "deprecated")
    if sunset is not None and sunset < on:
        raise LifecycleError(f"{ref}: sunset {sunset} is before the deprecation date {on}")
    if sunset is not None and version.effective and sunset < version.effective:
        raise LifecycleError(f"{ref}: sunset {sunset} is before the effective date {version.effective}")
    toml = VersionToml(version.folder / "version.toml")
    toml.set("status", "deprecated")
    if sunset is not None:
        toml.set("sunset", sunset)
    toml.append_history("deprecated", on)
    toml.write()
    return StatusChange(ref, version.status, "deprecated", on, toml.path, sunset=sunset or version.sunset)


def retire_version(catalog: Catalog, version: StandardVersion, *, on: dt.date) -> StatusChange:
    """Retire an announced or deprecated version on ``on``.

    :raises LifecycleError: the version is neither, or ``on`` is before its history
        (its deprecation) or its announcement.
    """
    _from(version, ("announced", "deprecated"), "retired")
    _not_before_history(version, on, "retired")
    _not_before_announcement(catalog, version, on, "retired")
    toml = VersionToml(version.folder / "version.toml")
    toml.set("status", "retired")
    toml.append_history("retired", on)
    toml.write()
    return StatusChange(version.folder_ref, version.status, "retired", on, toml.path, sunset=version.sunset)


# --------------------------------------------------------------------------- a new draft


@dataclass(frozen=True)
class Drafted:
    """A new draft version ``dxs standards new`` copied from the latest one."""

    folder: Path
    ref: str
    source: str
    #: the marker's value in the source version and in the draft (the same for a patch), if it has one
    marker: tuple[str, str] | None = None
    markers: MarkerMove = field(default_factory=MarkerMove)


def _bump(version: str, part: str) -> str:
    major, minor, patch = parse_semver(version)
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _each_detection(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The detection tables of a parsed version.toml: ``[detection]``, and each ``[documents.<type>.detection]``."""
    tables = [data.get("detection")]
    documents = data.get("documents")
    if isinstance(documents, dict):
        tables += [d.get("detection") for d in documents.values() if isinstance(d, dict)]
    return [t for t in tables if isinstance(t, dict)]


def _draft_detection(toml: VersionToml, move: Any) -> None:
    """A draft is never the detection default, has no active period yet, and carries the new marker."""

    def expect(data: dict[str, Any]) -> None:
        for table in _each_detection(data):
            if "default" in table:
                table["default"] = False
            table.pop("active_from", None)
            table.pop("active_until", None)
            for form in ("xml", "json"):
                marker = table.get(form)
                if isinstance(marker, dict):
                    if "version_value" in marker:
                        marker["version_value"] = move(marker["version_value"])
                    if isinstance(marker.get("version_values"), list):
                        marker["version_values"] = [move(v) for v in marker["version_values"]]

    def moved(quoted: str) -> str:  # a quoted marker value, moved if it spells the old version
        old = quoted[1:-1]
        return toml_literal(move(old)) if move(old) != old else quoted

    def change(text: str) -> str:
        text = re.sub(r"^([ \t]*default[ \t]*=[ \t]*)true\b", r"\1false", text, flags=re.MULTILINE)
        text = re.sub(r"^[ \t]*active_(?:from|until)[ \t]*=[^\n]*\n", "", text, flags=re.MULTILINE)
        text = re.sub(r"""^([ \t]*version_value[ \t]*=[ \t]*)("[^"\n]*"|'[^'\n]*')""",
                      lambda m: m.group(1) + moved(m.group(2)), text, flags=re.MULTILINE)
        return re.sub(r"^([ \t]*version_values[ \t]*=[ \t]*)(\[[^\]]*\])",
                      lambda m: m.group(1) + re.sub(r"""(["'])[^"'\n]*\1""", lambda q: moved(q.group(0)), m.group(2)),
                      text, flags=re.MULTILINE)

    toml.edit(change, expect)


_HISTORY_TABLES = re.compile(r"^[ \t]*\[\[[ \t]*history[ \t]*\]\][^\n]*\n?(?:(?![ \t]*\[).*\n?)*", re.MULTILINE)


def new_version(
    catalog: Catalog, standard: Standard, *, bump: str = "minor", version: str | None = None, today: dt.date | None = None
) -> Drafted:
    """Copy the latest version of ``standard`` to a new draft version folder.

    The copy keeps schemas and examples; drops the hashes, the announcement, its dates,
    the active period and any ``[upstream]`` (the draft is not the publisher's); starts a
    fresh history with a ``draft`` entry dated ``today``; is never the detection default;
    and carries the new version's marker wherever the old one stood (``version.toml``,
    schemas, examples: :func:`~validator.markers.move_markers`). A package's document
    types share the folder: all of them get the new version.

    :raises LifecycleError: the version is not MAJOR.MINOR.PATCH, not above the latest, or exists.
    """
    if not standard.versions:
        raise LifecycleError(f"{standard.id} has no version to copy")
    source = max(standard.versions, key=lambda v: v.semver)
    target_version = version or _bump(source.version, bump)
    try:
        target_semver = parse_semver(target_version)
    except ValueError as exc:
        raise LifecycleError(f"{standard.id}@{target_version}: {exc}") from None
    name = standard.package or standard.id
    if target_semver <= source.semver:
        raise LifecycleError(f"{name}@{target_version}: not above the latest version, {source.version} (a new version "
                             "is copied from the latest)")
    target = source.folder.parent / target_version
    if target.exists():
        raise LifecycleError(f"{name}@{target_version}: {target} already exists")
    members = catalog.package(standard.package) if standard.package else [standard]
    copied = [v for s in members for v in s.versions if v.folder == source.folder]
    move = marker_mapping(source.version, target_version)
    shutil.copytree(source.folder, target, ignore=shutil.ignore_patterns("__pycache__"))
    try:
        toml = VersionToml(target / "version.toml")
        toml.drop_table("hashes")
        toml.drop_table("upstream")
        toml.set("version", target_version)
        toml.set("status", "draft")
        for key in ("announcement", "announced", "effective", "sunset", "history"):
            toml.drop(key)
        toml.set("notes", draft_notes(target_version, source.version))
        toml.edit(lambda text: _HISTORY_TABLES.sub("", text), lambda expected: expected.pop("history", None))
        _draft_detection(toml, move)
        toml.append_history("draft", today or dt.date.today())
        toml.verify()
        toml.path.write_text(toml.text, encoding="utf-8")
        moved = move_markers(target, copied, move, folder_uri=(f"/{name}/{source.version}/", f"/{name}/{target_version}/"))
        _loads(target)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    marker = next((m for m in (_marker_of(v) for v in copied) if m), None)
    return Drafted(target, f"{name}@{target_version}", source.version, (marker, move(marker)) if marker else None, moved)


def _marker_of(version: StandardVersion) -> str | None:
    if version.json and isinstance(version.json.version_value, str):
        return version.json.version_value
    return version.xml.version_value if version.xml else None


def _loads(folder: Path) -> None:
    """The new version folder loads with its standard (else the draft is not made)."""
    from .catalog import catalog_folders, load_catalog

    load_catalog([folder.parent], registers=catalog_folders([folder.parent.parent]))
