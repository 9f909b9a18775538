"""What a request may carry, checked in one place before any route sees it.

:class:`InputRules` is a pure ASGI middleware holding the one rule for text: no
character PostgreSQL's ``text`` cannot store — U+0000 (NUL) and lone surrogates
(U+D800–U+DFFF, which UTF-8 cannot encode) — in a path, a query, a cookie, a JSON
body or a form. Either database then holds the same values: SQLite would store a
NUL that PostgreSQL refuses (and a backup could not move), PostgreSQL would fail
the request. A refusal is 422 ``invalid_text``, naming the field:
``query parameter q``, ``path segment 4``, ``body field links[0].name``, ``form field key``.

Bodies are checked when the route reads them, in this order:

1. the key, for a write to the API (``key_check``): no body is read for a caller that may not write;
2. the size, by :class:`registry.limits.RequestLimits` around this middleware;
3. JSON nesting, against :data:`MAX_DEPTH` (422 ``too_deep``), by a scan of brackets, before any parser recurses;
4. text, as above; then the route parses and validates.

Documents sent to be validated (``/api/v1/validate`` and the upload form) are not
checked: their problems are the validator's report, not a refusal.

:class:`HeadAsGet` answers ``HEAD`` on every ``GET`` resource.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Awaitable, Callable
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "DOCUMENT_PATHS",
    "MAX_DEPTH",
    "HeadAsGet",
    "InputRules",
    "Refused",
    "bad_character",
    "form_problem",
    "json_problem",
    "json_too_deep",
    "needs_key",
    "shown",
    "text_problem",
]

#: The deepest JSON nesting any body may have. The same limit as /validate's ``too-deep``:
#: libxml2's for an XML document (256 levels, kept on by ``huge_tree=False`` in the validator).
#: It is also below what jsonschema-rs (events) and Python's recursion (FastAPI, pydantic) survive.
MAX_DEPTH = 256

#: Paths whose body is a document to validate, not input to store.
DOCUMENT_PATHS = frozenset({"/api/v1/validate", "/validate"})

_BAD = re.compile("[\x00\ud800-\udfff]")
#: The escapes that can make a JSON string hold a bad character (a raw NUL is not JSON at all).
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1
_SQUARE = bytes.maketrans(b"{}", b"[]")
_PASSES = 4
_STRETCH = 64 * 1024  # brackets walked at a time: between stretches, other threads get the interpreter
#: Bodies larger than this are checked in a worker thread: the event loop keeps serving.
_INLINE_BYTES = 256 * 1024
_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class Refused(HTTPException):
    """A request refused before its route ran: status, stable ``code`` and message, and where."""

    def __init__(self, status_code: int, code: str, message: str, *, location: list[Any] | None = None) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.details = None if location is None else [{"location": location, "message": message, "type": code}]

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.detail}
        if self.details is not None:
            body["details"] = self.details
        return body


def bad_character(text: str) -> str | None:
    """How the first character PostgreSQL text cannot store is called (``U+0000 (NUL)``), or None."""
    found = _BAD.search(text)
    if found is None:
        return None
    char = found.group()
    return "U+0000 (NUL)" if char == "\x00" else f"a lone surrogate U+{ord(char):04X}"


def shown(name: str) -> str:
    """``name`` fit to be echoed in an answer: each bad character written as its JSON escape (``\\u0000``)."""
    return _BAD.sub(lambda found: f"\\u{ord(found.group()):04x}", name)


def text_problem(where: str, text: str, location: list[Any]) -> Refused | None:
    """A 422 for ``text`` when it holds a character no database here can store; ``where`` names the field."""
    bad = bad_character(text)
    if bad is None:
        return None
    return Refused(422, "invalid_text", f"{where}: holds {bad}, which the registry cannot store", location=location)


def json_too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON ``body`` nests arrays and objects more than ``limit`` deep, without parsing it.

    Brackets inside strings do not count. Each step is a pass in C (count, replace, split,
    translate); brackets are only walked one by one in stretches that could pass the limit.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    brackets = _outside_strings(body).translate(_SQUARE, _NOT_BRACKETS)  # only "[" and "]" left: depth is blind to kind
    # Each pass drops every innermost "[]": exactly one level off the deepest nesting. A few
    # passes leave little of an ordinary document (an event batch: nothing) to walk.
    for _ in range(_PASSES):
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            break
        brackets, limit = shorter, limit - 1
        if limit < 0:
            return True  # deeper than the limit by what the passes took off alone
    depth = 0
    for start in range(0, len(brackets), _STRETCH):
        stretch = brackets[start : start + _STRETCH]
        opens = stretch.count(b"[")
        if depth + opens > limit and max(accumulate(map(_STEP.__getitem__, stretch), initial=depth)) > limit:
            return True
        depth += 2 * opens - len(stretch)  # closes are the rest
    return False


def _outside_strings(body: bytes) -> bytes:
    """The JSON ``body`` without its strings. Escapes are dropped first (``\\\\`` before ``\\"``, as a
    parser pairs them); then every other quote opens a string."""
    if b"\\" in body:
        body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    return b"".join(body.split(b'"')[::2])


def _as_utf8(body: bytes) -> bytes:
    """The JSON body in UTF-8, as ``json.loads`` would read it (it also takes UTF-16 and -32)."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:]
    if b"\x00" not in body[:4] and not body.startswith(_BOMS):
        return body
    try:
        return body.decode(json.detect_encoding(body)).encode("utf-8", "surrogatepass")
    except (UnicodeDecodeError, LookupError):
        return body  # not text: the route refuses it


def _field_name(path: list[Any]) -> str:
    name = ""
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else (f".{shown(step)}" if name else shown(step))
    return name


def _first_bad_string(value: Any, path: list[Any]) -> tuple[list[Any], str] | None:
    """The path to the first key or string in a parsed JSON ``value`` with a bad character, and what it is."""
    if isinstance(value, str):
        bad = bad_character(value)
        return (path, bad) if bad else None
    if isinstance(value, dict):
        for key, item in value.items():
            bad = bad_character(key)
            if bad:
                return [*path, key], f"{bad} in its name"
            found = _first_bad_string(item, [*path, key])
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_bad_string(item, [*path, i])
            if found:
                return found
    return None


def json_problem(body: bytes, limit: int = MAX_DEPTH) -> Refused | None:
    """Why a JSON body is refused before it is parsed (too deep, or text that cannot be stored); None when it is not."""
    utf8 = _as_utf8(body)
    if json_too_deep(utf8, limit):
        return Refused(422, "too_deep", f"body: JSON nesting is deeper than {limit} levels", location=["body"])
    if not _SUSPECT_ESCAPE.search(utf8):
        return None
    try:
        value = json.loads(utf8)  # only now, and safely: no deeper than the limit
    except ValueError:
        return None  # not JSON: the route says so in its own words
    found = _first_bad_string(value, [])
    if found is None:
        return None
    path, bad = found
    where = f"body field {_field_name(path)}" if path else "body"
    location = ["body", *(step if isinstance(step, int) else shown(step) for step in path)]
    return Refused(422, "invalid_text", f"{where}: holds {bad}, which the registry cannot store", location=location)


def form_problem(body: bytes) -> Refused | None:
    """Why an ``application/x-www-form-urlencoded`` body is refused, or None."""
    if b"%00" not in body and b"\x00" not in body:
        return None  # percent-decoding makes no surrogate (bad UTF-8 becomes U+FFFD): only a NUL can hide here
    for name, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
        problem = text_problem("form field name", name, ["body"]) or text_problem(f"form field {shown(name)}", value, ["body", shown(name)])
        if problem:
            return problem
    return None


def _query_problem(query: bytes) -> Refused | None:
    if b"%00" not in query and b"\x00" not in query:
        return None  # as for forms: only a NUL can come out of a query string
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        problem = text_problem("query parameter name", name, ["query"]) or text_problem(f"query parameter {shown(name)}", value, ["query", shown(name)])
        if problem:
            return problem
    return None


def _path_problem(path: str) -> Refused | None:
    if _BAD.search(path) is None:
        return None
    for number, segment in enumerate(path.split("/")):
        problem = text_problem(f"path segment {number}", segment, ["path", number])
        if problem:
            return problem
    return None


def _cookie_problem(header: bytes | None) -> Refused | None:
    if not header or b"\\" not in header and b"\x00" not in header:
        return None  # only a quoted cookie's octal escape (\000) can make a NUL
    from starlette.requests import cookie_parser

    for name, value in cookie_parser(header.decode("latin-1")).items():
        problem = text_problem(f"cookie {shown(name)}", value, ["cookie", shown(name)])
        if problem:
            return problem
    return None


def _body_kind(content_type: bytes | None) -> str | None:
    kind = (content_type or b"").partition(b";")[0].strip().lower()
    if kind == b"application/json" or (kind.startswith(b"application/") and kind.endswith(b"+json")):
        return "json"
    if kind == b"application/x-www-form-urlencoded":
        return "form"
    return None  # multipart (only the upload form, a document to validate) and others: not text fields


def needs_key(scope: Scope) -> bool:
    """A write to the API: every one needs a key, but validation (which stores nothing)."""
    path = scope.get("path", "")
    return scope.get("method") not in ("GET", "HEAD", "OPTIONS") and path.startswith("/api/") and path not in DOCUMENT_PATHS


async def _answer(send: Send, refused: Refused) -> None:
    body = json.dumps(refused.body(), separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": refused.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


#: Checks a write's key before its body is read; raises :class:`Refused` (401, 403) for a caller that may not write.
KeyCheck = Callable[[Scope], Awaitable[None]]


class InputRules:
    """The text rule for paths, queries and cookies (answered at once), and for bodies, with the
    key and depth checks, when the route reads its body.

    :param key_check: checks a write's key before its body is read (see :func:`registry.api.deps.check_key`).
    :param max_depth: the deepest JSON nesting accepted.
    """

    def __init__(self, app: ASGIApp, *, key_check: KeyCheck | None = None, max_depth: int = MAX_DEPTH) -> None:
        self.app, self.key_check, self.max_depth = app, key_check, max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        refused = _path_problem(scope.get("path", "")) or _query_problem(scope.get("query_string", b"")) or _cookie_problem(headers.get(b"cookie"))
        if refused is not None:
            await _answer(send, refused)
            return
        kind = None if scope.get("path") in DOCUMENT_PATHS else _body_kind(headers.get(b"content-type"))
        check_key = self.key_check if self.key_check is not None and needs_key(scope) else None
        if kind is None and check_key is None:
            await self.app(scope, receive, send)
            return
        first = True

        async def checked() -> Message:
            nonlocal first
            if not first:
                return await receive()  # after the body: waiting for a disconnect
            first = False
            if check_key is not None:
                await check_key(scope)
            chunks: list[bytes] = []
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return message  # the client went away
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            if body and kind is not None:
                problem = await self._check(kind, body)
                if problem is not None:
                    raise problem
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, checked, send)

    async def _check(self, kind: str, body: bytes) -> Refused | None:
        check = json_problem if kind == "json" else (lambda b, _limit: form_problem(b))
        if len(body) > _INLINE_BYTES:
            return await run_in_threadpool(check, body, self.max_depth)
        return check(body, self.max_depth)


class HeadAsGet:
    """``HEAD`` on any resource: the answer ``GET`` would give, its status and headers, without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headless(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # nothing to send until the end
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headless)
