"""``version.toml`` edited in place: small textual edits, each proven by parsing the result.

The catalog's TOML files are written by people and carry comments, so the commands
that change a version (``dxs standards new``, ``lock``, ``announce``, ``deprecate``,
``retire``) edit only the lines they must. Each edit also records what the parsed file
must become; :meth:`VersionToml.write` parses the edited text, compares it with that,
and only then replaces the file — atomically, and proving the standard still loads.
On any failure the file is left exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CatalogError

if TYPE_CHECKING:
    from .catalog import Catalog

__all__ = ["VersionToml", "replace_checked", "toml_literal"]

#: the order of a version's own keys (DESIGN.md, catalog-format.md): a key that is added goes after those before it
KEY_ORDER = ("version", "status", "announcement", "announced", "effective", "sunset", "notes")

_TABLE_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)
_HISTORY_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*history[ \t]*\]\][ \t]*(?:#[^\n]*)?$", re.MULTILINE)
# one TOML value on a key line: multi-line strings first, then one-line strings, arrays, bare values
_VALUE = r'''(?:"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|\[[^\]]*\]|[^\s#]+)'''


def toml_literal(value: str | bool | dt.date) -> str:
    """A TOML literal for a string, boolean or date (a JSON string is a valid TOML basic string)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def _key_line(key: str) -> re.Pattern[str]:
    return re.compile(
        rf"^[ \t]*{re.escape(key)}[ \t]*=[ \t]*(?P<value>{_VALUE})(?P<rest>[ \t]*(?:#[^\n]*)?)$", re.MULTILINE
    )


def _table_block(name: str) -> re.Pattern[str]:
    """The table ``[name]`` and its sub-tables (``[name.x]``), each up to the next table header."""
    return re.compile(rf"^[ \t]*\[{re.escape(name)}(?:\.[^\]\n]*)?\][^\n]*\n?(?:(?![ \t]*\[).*\n?)*", re.MULTILINE)


class VersionToml:
    """One ``version.toml``, its text edited and what it must parse to kept side by side.

    :raises CatalogError: (on creation) the file cannot be read or is not valid TOML.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.original = path.read_bytes()
            self.text = self.original.decode("utf-8")
            #: what the edited text must parse to
            self.expected: dict[str, Any] = tomllib.loads(self.text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CatalogError(path, f"cannot be read: {exc}") from None

    # ------------------------------------------------------------------ the version's own keys

    def _head_end(self) -> int:
        found = _TABLE_HEADER.search(self.text)
        return found.start() if found else len(self.text)

    def set(self, key: str, value: str | bool | dt.date) -> None:
        """Give a top-level key ``value``: its line is rewritten (a comment after it kept), or added in :data:`KEY_ORDER`."""
        end = self._head_end()
        head, tail = self.text[:end], self.text[end:]
        found = _key_line(key).search(head)
        line = f"{key} = {toml_literal(value)}"
        if found:
            head = head[: found.start()] + line + found.group("rest") + head[found.end():]
        else:
            earlier = KEY_ORDER[: KEY_ORDER.index(key)] if key in KEY_ORDER else KEY_ORDER
            after = max((m.end() for k in earlier if (m := _key_line(k).search(head))), default=None)
            if after is None:
                head = line + "\n" + head
            else:
                head = head[:after] + "\n" + line + head[after:]
        self.text = head + tail
        self.expected[key] = value

    def drop(self, key: str) -> None:
        """Remove a top-level key's line (nothing happens when it is absent)."""
        end = self._head_end()
        head, tail = self.text[:end], self.text[end:]
        if found := _key_line(key).search(head):
            stop = found.end() + (head[found.end():found.end() + 1] == "\n")
            head = head[: found.start()] + head[stop:]
        self.text = head + tail
        self.expected.pop(key, None)

    # ------------------------------------------------------------------ history and tables

    def append_history(self, status: str, day: dt.date) -> None:
        """Add a dated ``[[history]]`` entry after the last one (or before the first table, if none)."""
        entry = f'[[history]]\nstatus = "{status}"\ndate = {day.isoformat()}\n'
        headers = list(_HISTORY_HEADER.finditer(self.text))
        if headers:
            last = headers[-1]
            following = _TABLE_HEADER.search(self.text, last.end())
            block_end = following.start() if following else len(self.text)
            # the entry's own lines end at its last key line: blank lines and comments after it belong to what follows
            lines = self.text[last.end():block_end].split("\n")
            while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
                lines.pop()
            at = last.end() + len("\n".join(lines))
            separated = self.text[: last.start()].endswith("\n\n")  # entries set apart by blank lines, or not
            self.text = self.text[:at] + "\n" + ("\n" if separated else "") + entry.rstrip("\n") + self.text[at:]
            if not self.text.endswith("\n"):
                self.text += "\n"
        else:
            end = self._head_end()
            head, tail = self.text[:end].rstrip("\n"), self.text[end:]
            self.text = head + "\n\n" + entry + ("\n" + tail if tail else "")
        self.expected.setdefault("history", []).append({"status": status, "date": day})

    def set_table(self, name: str, entries: dict[str, str]) -> None:
        """Replace the table ``[name]`` by ``entries`` (string values), written at the end of the file."""
        self.drop_table(name)
        table = f"[{name}]\n" + "".join(f"{toml_literal(k)} = {toml_literal(v)}\n" for k, v in sorted(entries.items()))
        self.text = self.text.rstrip("\n") + "\n\n" + table
        self.expected[name] = dict(entries)

    def drop_table(self, name: str) -> None:
        """Remove the table ``[name]`` and its sub-tables."""
        self.text = _table_block(name).sub("", self.text)
        self.expected.pop(name, None)

    def edit(self, change: Callable[[str], str], expect: Callable[[dict[str, Any]], None]) -> None:
        """Any other edit: ``change`` rewrites the text, and ``expect`` makes the same change to :attr:`expected`."""
        self.text = change(self.text)
        expect(self.expected)

    # ------------------------------------------------------------------ writing

    def verify(self) -> None:
        """:raises CatalogError: the edited text does not parse to exactly what the edits meant."""
        try:
            actual = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(self.path, f"could not be edited in place ({exc}): edit it by hand") from None
        if actual != self.expected:
            differ = sorted(k for k in set(actual) | set(self.expected) if actual.get(k) != self.expected.get(k))
            raise CatalogError(self.path, f"could not be edited in place (its layout is unusual: {', '.join(differ)}): "
                               "edit it by hand")

    def write(self) -> Catalog:
        """Verify the edits, then replace the file atomically and prove its standard still loads.

        :returns: the standard's folder as loaded after the write.
        :raises CatalogError: the edits could not be verified, or the standard no longer loads
            (the file is then put back as it was).
        """
        self.verify()
        return replace_checked(self.path, self.text, self.path.parent.parent, self.original)


def replace_checked(path: Path, text: str, standard_folder: Path, old: bytes) -> Catalog:
    """Write ``text`` to ``path`` and prove the standard still loads; on any failure put ``old`` (its bytes) back.

    Only the standard itself is loaded (a half-written neighbour in the same catalog
    does not block it), with the registers its catalog and the bundled one hold. The
    temporary file lives beside the version folder, never inside it (whose files are hashed).
    """
    from .catalog import catalog_folders, load_catalog

    try:
        _restore(path, text.encode("utf-8"))
    except OSError as exc:
        raise CatalogError(path, f"cannot be written: {exc.strerror}") from None
    try:
        return load_catalog([standard_folder], registers=catalog_folders([standard_folder.parent]))
    except BaseException:
        _restore(path, old)
        raise


def _restore(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, the temporary file beside the version folder (never inside it, where files are hashed)."""
    from ._cache import replace_atomically

    replace_atomically(path, data, scratch=path.parent.parent)
