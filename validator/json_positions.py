"""JSON Pointers (RFC 6901), and the line and column of the JSON values they point at.

Python's ``json`` module gives no positions, and a position-tracking parser
would slow down every valid document. Instead this scanner walks the text once,
only for documents that have issues, and records where the wanted values start.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

__all__ = ["escape_pointer", "locate", "pointer_of", "unescape_pointer"]

_TOKEN = re.compile(
    r"""[ \t\r\n]*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<punct>[{}\[\],:])
      | (?P<atom>[^ \t\r\n{}\[\],:"]+)
    )""",
    re.VERBOSE | re.DOTALL,
)


def escape_pointer(token: str) -> str:
    """One reference token as written in a pointer: ``a/b~c`` → ``a~1b~0c``."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer(token: str) -> str:
    """One token of a pointer as the key it names: ``a~1b~0c`` → ``a/b~c``."""
    return token.replace("~1", "/").replace("~0", "~")


def pointer_of(parts: Iterable[str | int]) -> str:
    """``["a", 0, "b/c"]`` → ``"/a/0/b~1c"`` (RFC 6901)."""
    return "".join("/" + escape_pointer(str(p)) for p in parts)


def _decode_key(literal: str) -> str:
    import json

    try:
        return json.loads(literal)
    except ValueError:
        return literal[1:-1]


def locate(text: str, pointers: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Map each wanted pointer to the 1-based (line, column) where its value starts.

    Pointers that do not occur (or text that is not well-formed JSON past a
    point) are simply absent from the answer.
    """
    wanted = set(pointers)
    if not wanted:
        return {}
    newlines = [m.start() for m in re.finditer("\n", text)]
    found: dict[str, tuple[int, int]] = {}

    def record(pointer: str, offset: int) -> None:
        if pointer in wanted and pointer not in found:
            line = bisect.bisect_left(newlines, offset)
            start = newlines[line - 1] + 1 if line else 0
            found[pointer] = (line + 1, offset - start + 1)

    # Each frame: [kind, pointer of container, current key or index, expecting_key]
    stack: list[list] = []
    expecting_value = True
    pos = 0
    end = len(text)
    while pos < end and len(found) < len(wanted):
        match = _TOKEN.match(text, pos)
        if not match:
            break
        pos = match.end()
        kind = match.lastgroup
        token = match.group(kind)
        offset = match.start(kind)
        top = stack[-1] if stack else None

        if kind == "punct" and token in "}]":
            stack.pop()
            expecting_value = False
            continue
        if kind == "punct" and token == ",":
            if top and top[0] == "array":
                top[2] += 1
                expecting_value = True
            elif top:
                top[3] = True
            continue
        if kind == "punct" and token == ":":
            expecting_value = True
            continue
        if top and top[0] == "object" and top[3]:
            # a key inside an object
            top[2] = _decode_key(token) if kind == "string" else token
            top[3] = False
            expecting_value = False
            continue
        if not expecting_value:
            continue
        # the start of a value
        here = top[1] + "/" + escape_pointer(str(top[2])) if top else ""
        record(here, offset)
        if kind == "punct" and token == "{":
            stack.append(["object", here, None, True])
            continue
        if kind == "punct" and token == "[":
            stack.append(["array", here, 0, False])
            expecting_value = True
            continue
        expecting_value = False
    return found
