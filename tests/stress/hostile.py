"""Hostile input through every entry point: the command line, the library, the API, the upload form.

Each hostile document must be answered with a clear ``parse`` issue (its expected
rule) within :data:`TIME_LIMIT` seconds, the process staying under
:data:`MEMORY_LIMIT_MB`. On top: bodies larger than an endpoint accepts (413, by
declared length and streamed), and slow clients — a trickling body, a stalled body,
a request head sent a byte at a time — that are cut off while everyone else is served.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.kit import ROOT
from tests.kit.dxs import Server
from tests.kit.world import World

__all__ = [
    "HOSTILE", "EXPECTED_RULE", "HOSTILE_REQUESTS", "HostileFigures", "hostile_requests", "through_api", "through_cli", "through_library",
    "through_server", "oversized", "slow_clients",
]

TIME_LIMIT = 10.0
MEMORY_LIMIT_MB = 600
#: The command line and the library are run with this document size limit (the big ones exceed it).
MAX_BYTES = 1_000_000

HOSTILE: dict[str, bytes] = {
    # the validation issue's set (tests/test_cli_output.py)
    "billion-laughs.xml": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;&c;&c;&c;&c;&c;</l>',
    "quadratic-blowup.xml": b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "' + b"x" * 20_000 + b'">]><q>' + b"&a;" * 20_000 + b"</q>",
    "xxe-file.xml": b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    "xxe-url.xml": b'<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/secret">]><r>&x;</r>',
    "external-dtd.xml": b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/r.dtd"><r/>',
    "deep.xml": b"<a>" * 100_000 + b"</a>" * 100_000,
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
    "bad-utf8.json": b'{"name": "\xff\xfe"}',
    "bad-utf8.xml": b"<a>\xff\xfe</a>",
    "big.json": b'{"pad": "' + b"x" * 2_000_000 + b'"}',
    # and more of the same spirit
    "deep-objects.json": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "xinclude.xml": b'<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></r>',
    "parameter-entity.xml": b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]><r/>',
    "nul-bytes.json": b'{"a": "\x00\x00"}\x00',
    "utf16.xml": "<?xml version='1.0' encoding='UTF-16'?><r>ก</r>".encode("utf-16"),
    "truncated.json": b'{"documentType": "th.dopa.citizen-profile", "nationalId": "11',
    "huge-number.json": b'{"n": 1' + b"0" * 100_000 + b"}",
    "empty.json": b"",
    "binary.xml": bytes(range(256)) * 64,
    "lone-surrogate.json": b'{"\\ud800": "\\udfff"}',
}

EXPECTED_RULE: dict[str, str] = {
    "billion-laughs.xml": "dtd-forbidden",
    "quadratic-blowup.xml": "dtd-forbidden",
    "xxe-file.xml": "dtd-forbidden",
    "xxe-url.xml": "dtd-forbidden",
    "external-dtd.xml": "dtd-forbidden",
    "deep.xml": "too-deep",
    "deep.json": "too-deep",
    "bad-utf8.json": "invalid-utf8",
    "bad-utf8.xml": "xml-syntax",
    "big.json": "too-large",  # only where the size limit is below 2 MB (CLI and library here)
    "deep-objects.json": "too-deep",
    "parameter-entity.xml": "dtd-forbidden",
}
#: Documents whose answer is some issue (a parse or detection problem), not one fixed rule.
ANY_ISSUE = {"xinclude.xml", "nul-bytes.json", "utf16.xml", "truncated.json", "huge-number.json", "empty.json", "binary.xml", "lone-surrogate.json"}


@dataclass
class HostileFigures:
    tried: int = 0
    answered: int = 0
    slowest: float = 0.0
    peak_memory_mb: float = 0.0
    problems: list[str] = field(default_factory=list)

    def judge(self, entry: str, name: str, seconds: float, issues: list[dict[str, Any]] | None, *, large_ok: bool = False) -> None:
        """Hold one answer to the rules: in time, with the expected (or some) issue."""
        self.tried += 1
        self.slowest = max(self.slowest, seconds)
        if seconds > TIME_LIMIT:
            self.problems.append(f"{entry} {name}: {seconds:.1f} s (limit {TIME_LIMIT:g} s)")
            return
        if issues is None:
            self.problems.append(f"{entry} {name}: no report")
            return
        rules = {(i.get("source"), i.get("rule")) for i in issues}
        messages_ok = all(i.get("message") and i.get("message_th") for i in issues)
        expected = EXPECTED_RULE.get(name)
        if name == "big.json" and large_ok:
            expected = None  # under the service's larger limit it is simply parsed
        if expected is not None and ("parse", expected) not in rules:
            self.problems.append(f"{entry} {name}: expected parse/{expected}, got {sorted(rules)}")
        elif expected is None and name in ANY_ISSUE and not issues:
            self.problems.append(f"{entry} {name}: accepted without any issue")
        elif not messages_ok:
            self.problems.append(f"{entry} {name}: an issue without an English and a Thai message")
        else:
            self.answered += 1


def _run_measured(cmd: list[str], timeout: float) -> tuple[bytes, bytes, int, float]:
    """Run ``cmd``; return its stdout, stderr, exit code and its own peak memory in MB."""
    import os

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err)
        deadline = time.monotonic() + timeout
        peak = 0.0
        status_file = Path(f"/proc/{proc.pid}/status")
        command = "\0".join(cmd).encode() + b"\0"  # once it shows, the exec has happened
        while True:
            # VmHWM of the running program itself (getrusage would also count the parent
            # it was forked from, before exec)
            try:
                match = re.search(r"VmHWM:\s+(\d+) kB", status_file.read_text())
                if match and Path(f"/proc/{proc.pid}/cmdline").read_bytes() == command:
                    peak = max(peak, int(match.group(1)) / 1024)
            except OSError:
                pass
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, _ = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return out.read(), err.read(), proc.returncode, peak


def _library_run() -> None:
    """In a process of its own (so its memory is its own): the library on every hostile document."""
    figures = HostileFigures()
    _through_library(figures)
    print(json.dumps({"tried": figures.tried, "answered": figures.answered, "slowest": figures.slowest, "problems": figures.problems}))


def through_library(figures: HostileFigures) -> None:
    """``DocumentValidator.validate_bytes`` on each hostile document, in a fresh process."""
    out, err, code, peak = _run_measured([sys.executable, "-c", "from tests.stress.hostile import _library_run; _library_run()"], TIME_LIMIT * len(HOSTILE))
    figures.peak_memory_mb = max(figures.peak_memory_mb, peak)
    try:
        result = json.loads(out)
    except ValueError:
        figures.tried += len(HOSTILE)
        figures.problems.append(f"library: the run failed (exit {code}): {err[-300:]!r}")
        return
    figures.tried += result["tried"]
    figures.answered += result["answered"]
    figures.slowest = max(figures.slowest, result["slowest"])
    figures.problems += result["problems"]


def _through_library(figures: HostileFigures) -> None:
    from dxs.validator import DocumentValidator, catalog_folders, load_catalog

    validator = DocumentValidator(load_catalog(catalog_folders()), max_bytes=MAX_BYTES)
    for name, data in HOSTILE.items():
        started = time.perf_counter()
        report = validator.validate_bytes(data, name)
        figures.judge("library", name, time.perf_counter() - started, [i.to_dict() for i in report.issues])


def through_cli(figures: HostileFigures) -> None:
    """``dxs validate --format json`` over a folder of hostile documents (one run, the run goes on)."""
    with tempfile.TemporaryDirectory() as folder:
        for name, data in HOSTILE.items():
            (Path(folder) / name).write_bytes(data)
        started = time.perf_counter()
        stdout, stderr, code, peak = _run_measured(
            [sys.executable, "-m", "dxs.cli", "validate", "--format", "json", "--max-bytes", str(MAX_BYTES), "--jobs", "1", folder],
            TIME_LIMIT * len(HOSTILE),
        )
        elapsed = time.perf_counter() - started
        figures.peak_memory_mb = max(figures.peak_memory_mb, peak)
        try:
            report = json.loads(stdout)
        except ValueError:
            figures.problems.append(f"cli: no JSON report (exit {code}): {stderr[-300:]!r}")
            figures.tried += len(HOSTILE)
            return
        by_name = {Path(d["path"]).name: d for d in report["documents"]}
        for name in HOSTILE:
            document = by_name.get(name)
            figures.judge("cli", name, elapsed / len(HOSTILE), document["issues"] if document else None)
        if code != 1:
            figures.problems.append(f"cli: exit {code}, expected 1 (invalid documents)")


def through_api(figures: HostileFigures, base: str, server_memory: Callable[[], float]) -> None:
    """``POST /api/v1/validate`` and the portal's upload form, on a running server."""
    import httpx

    with httpx.Client(base_url=base, timeout=TIME_LIMIT * 2) as client:
        for name, data in HOSTILE.items():
            started = time.perf_counter()
            answer = client.post("/api/v1/validate", params={"name": name}, content=data)
            elapsed = time.perf_counter() - started
            issues = answer.json()["documents"][0]["issues"] if answer.status_code == 200 else None
            if answer.status_code != 200:
                figures.problems.append(f"api {name}: HTTP {answer.status_code} {answer.text[:200]}")
            figures.judge("api", name, elapsed, issues, large_ok=True)

            started = time.perf_counter()
            page = client.post("/validate", files={"document": (name, data, "application/octet-stream")})
            elapsed = time.perf_counter() - started
            issues = _issues_in_page(page.text) if page.status_code == 200 else None
            if page.status_code != 200:
                figures.problems.append(f"upload {name}: HTTP {page.status_code}")
            figures.judge("upload", name, elapsed, issues, large_ok=True)
    figures.peak_memory_mb = max(figures.peak_memory_mb, server_memory())


def _issues_in_page(html: str) -> list[dict[str, Any]] | None:
    """The report the upload page shows (it embeds the JSON report)."""
    import html as html_lib

    match = re.search(r"<pre[^>]*>(\{.*?\})\s*</pre>", html, re.S)
    if not match:
        return None
    try:
        return json.loads(html_lib.unescape(match.group(1)))["documents"][0]["issues"]
    except (ValueError, KeyError, IndexError):
        return None


# --------------------------------------------------------------------------- hostile requests to the registry


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


#: Requests an outside probe once answered with a 500 (and a dropped connection): now each a 4xx
#: ``{code, message}`` on the same keep-alive connection. (label, method, path, caller, options, status)
HOSTILE_REQUESTS: list[tuple[str, str, str, str, dict[str, Any], int]] = [
    ("NUL in a query", "GET", "/api/v1/agencies?q=a%00b", "none", {}, 422),
    ("NUL in a path segment", "GET", "/api/v1/agencies/R%00D", "none", {}, 422),
    ("NUL in the sign-in form", "POST", "/my/login", "none", {"data": {"key": "dxs_abcdefgh_\x00"}}, 422),
    ("NUL in a link", "POST", "/api/v1/links", "RD", {"json": {"purpose": "a\x00b"}}, 422),
    ("lone surrogate in a link", "POST", "/api/v1/links", "RD", {"content": '{"purpose": "\\ud800"}'}, 422),
    ("deep link, garbage key", "POST", "/api/v1/links", "garbage", {"content": _deep(958)}, 401),
    ("deep link", "POST", "/api/v1/links", "RD", {"content": _deep(958)}, 422),
    ("deep events", "POST", "/api/v1/links/{link}/events", "RD", {"content": '{"records": [' + _deep(257) + "]}"}, 422),
    ("events, revoked key", "POST", "/api/v1/links/{link}/events", "revoked", {"content": '{"records": []}'}, 401),
    ("link, revoked key, bad body", "POST", "/api/v1/links", "revoked", {"json": {"x": 1}}, 401),
    ("since far east of year 1", "GET", "/api/v1/links/{link}/events?since=0001-01-01T00:00:00%2B23:59", "RD", {}, 422),
    ("until far west of year 9999", "GET", "/api/v1/links/{link}/events?until=9999-12-31T23:59:59-23:59", "RD", {}, 422),
    ("HEAD on a GET resource", "HEAD", "/api/v1/agencies", "none", {}, 200),
]


def hostile_requests(figures: HostileFigures, base: str, world: World) -> None:
    """Each of :data:`HOSTILE_REQUESTS` on one keep-alive connection: its 4xx, in time; then the connection still serves."""
    import httpx

    garbage = {"Authorization": "Bearer dxs_garbage_garbage"}
    with httpx.Client(base_url=base, timeout=TIME_LIMIT * 2) as client:
        for label, method, path, caller, options, status in HOSTILE_REQUESTS:
            figures.tried += 1
            headers = garbage if caller == "garbage" else world.bearer(caller)
            if "content" in options:
                headers = {**headers, "Content-Type": "application/json"}
            started = time.perf_counter()
            try:
                answer = client.request(method, path.format(link=world.link_id), headers=headers, **options)
            except httpx.HTTPError as exc:
                figures.problems.append(f"request {label}: {type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - started
            shaped = method == "HEAD" or set(answer.json()) >= {"code", "message"}
            if answer.status_code == status and shaped and elapsed < TIME_LIMIT:
                figures.answered += 1
            else:
                figures.problems.append(f"request {label}: HTTP {answer.status_code} (expected {status}) in {elapsed:.1f} s: {answer.text[:160]}")
        figures.tried += 1
        try:
            after = client.get("/api/v1/standards").status_code
        except httpx.HTTPError as exc:
            after = f"{type(exc).__name__}"  # type: ignore[assignment]
        if after == 200:
            figures.answered += 1
        else:
            figures.problems.append(f"the connection no longer serves after the hostile requests: {after}")


# --------------------------------------------------------------------------- oversized and slow


def oversized(figures: HostileFigures, base: str, headers: dict[str, str], link_id: int) -> None:
    """Bodies past each endpoint's limit: refused with 413 ``{code, message}``, declared or streamed."""
    import httpx

    from dxs.registry.api.links import MAX_BODY
    from dxs.registry.limits import MAX_DOCUMENT
    from dxs.registry.limits import DEFAULT_MAX_BODY

    cases = [
        ("/api/v1/validate", MAX_DOCUMENT + 1),
        (f"/api/v1/links/{link_id}/events", MAX_BODY + 1),
        ("/api/v1/agencies", DEFAULT_MAX_BODY + 1),
    ]
    with httpx.Client(base_url=base, timeout=60) as client:
        for path, size in cases:
            for streamed in (False, True):
                figures.tried += 1
                body = b"{" + b" " * (size - 2) + b"}"
                content: Any = _chunks(body) if streamed else body  # a generator goes out chunked, with no length
                started = time.perf_counter()
                try:
                    answer = client.post(path, content=content, headers={**headers, "Content-Type": "application/json"})
                    status, payload = answer.status_code, answer.text
                except httpx.HTTPError as exc:  # the server may close while the client still sends
                    status, payload = 0, type(exc).__name__
                elapsed = time.perf_counter() - started
                how = "streamed" if streamed else "declared"
                if status == 413 and set(json.loads(payload)) >= {"code", "message"} and elapsed < TIME_LIMIT:
                    figures.answered += 1
                elif status == 0 and streamed:
                    figures.answered += 1  # cut off mid-upload: the connection closed after the 413
                else:
                    figures.problems.append(f"oversized {path} ({how}, {size:,} bytes): HTTP {status} in {elapsed:.1f} s: {payload[:120]}")


def _chunks(body: bytes, size: int = 256 * 1024):
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _read(sock: socket.socket, answer: bytes) -> tuple[bytes, bool]:
    """What has arrived so far, and whether the server closed the connection."""
    try:
        chunk = sock.recv(65536)
    except TimeoutError:
        return answer, False
    except OSError:
        return answer, True
    return answer + chunk, not chunk


def _slow_body(port: int, head: bytes, body: bytes, pause: float, deadline: float) -> tuple[bytes, float]:
    """Send ``head`` at once, then ``body`` a byte per ``pause``; return the answer and when it came."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=deadline) as sock:
        sock.settimeout(pause if pause > 0 else 0.1)
        sock.sendall(head)
        answer, sent, closed = b"", 0, False
        while time.perf_counter() - started < deadline and not closed and b"\r\n\r\n" not in answer:
            if sent < len(body):
                try:
                    sock.sendall(body[sent : sent + 1])
                    sent += 1
                except OSError:
                    break
            answer, closed = _read(sock, answer)
        if b"\r\n\r\n" in answer:  # the head of the answer arrived; its body follows at once
            sock.settimeout(2)
            answer, _ = _read(sock, answer)
        return answer, time.perf_counter() - started


def _slow_head(port: int, head: bytes, pause: float, deadline: float) -> tuple[bytes, float, bool]:
    """Send ``head`` a byte per ``pause`` and never finish it; return the answer, when, and whether it was closed."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=deadline) as sock:
        sock.settimeout(pause)
        answer, closed = b"", False
        for i in range(len(head)):
            if closed or time.perf_counter() - started > deadline:
                break
            try:
                sock.sendall(head[i : i + 1])
            except OSError:
                closed = True
                break
            answer, closed = _read(sock, answer)
        return answer, time.perf_counter() - started, closed


def slow_clients(figures: HostileFigures, base: str, *, idle: float, total: float, head: float) -> dict[str, float]:
    """A trickling body, a stalled body and a slow head, while 4 other clients keep asking.

    The server must have been started with ``DXS_BODY_IDLE_TIMEOUT=idle``,
    ``DXS_BODY_TIMEOUT=total`` and ``DXS_HEAD_TIMEOUT=head``. Returns the others'
    slowest answer in seconds.
    """
    import httpx

    port = int(base.rsplit(":", 1)[1])
    request_head = b"POST /api/v1/validate?name=t.json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n"
    scenarios: dict[str, Callable[[], tuple[bytes, float]]] = {
        "trickling body": lambda: _slow_body(port, request_head, b"{" + b" " * 9998 + b"}", idle / 4, total + 10),
        "stalled body": lambda: _slow_body(port, request_head, b"{", idle * 10, total + 10),
        "slow head": lambda: _slow_head(port, b"GET /api/v1/standards HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"x" * 4000, 0.25, head + 10)[:2],
    }
    results: dict[str, tuple[bytes, float]] = {}
    others: list[float] = []
    stop = threading.Event()

    def slow(name: str, run: Callable[[], tuple[bytes, float]]) -> None:
        results[name] = run()

    def meanwhile() -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            while not stop.is_set() and len(others) < 2000:
                started = time.perf_counter()
                ok = client.get("/api/v1/standards").status_code == 200
                others.append(time.perf_counter() - started if ok else float("inf"))
                time.sleep(0.05)

    threads = [threading.Thread(target=slow, args=item) for item in scenarios.items()]
    helpers = [threading.Thread(target=meanwhile) for _ in range(4)]
    for t in threads + helpers:
        t.start()
    for t in threads:
        t.join(timeout=max(total, head) + 30)
    stop.set()
    for t in helpers:
        t.join(timeout=30)
    for name, (answer, elapsed) in results.items():
        figures.tried += 1
        limit = head if name == "slow head" else (idle if name == "stalled body" else total)
        if name == "slow head":
            ok = answer == b"" and elapsed < limit + 5  # the connection is closed on it
        else:
            ok = answer.startswith(b"HTTP/1.1 408") and b'"request_timeout"' in answer and elapsed < limit + 5
        if ok:
            figures.answered += 1
        else:
            figures.problems.append(f"slow client ({name}): {answer[:80]!r} after {elapsed:.1f} s (limit {limit:g} s)")
    slowest_other = max(others) if others else float("inf")
    if not others or slowest_other > 2.0:
        figures.problems.append(f"other clients were not served while slow ones hung on: slowest answer {slowest_other:.1f} s")
    return {"others_served": len(others), "others_slowest": slowest_other}


def server_memory_mb(pid: int) -> Callable[[], float]:
    """The peak resident memory of a server process (and its children's, by /proc), in MB."""

    def read() -> float:
        peak = 0.0
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in text or status.parent.name == str(pid):
                match = re.search(r"VmHWM:\s+(\d+) kB", text)
                if match:
                    peak = max(peak, int(match.group(1)) / 1024)
        return peak

    return read


def through_server(figures: HostileFigures, world: World, log_file: Path, *, idle: float, total: float, head: float) -> dict[str, float]:
    """:func:`through_api`, :func:`hostile_requests`, :func:`oversized` and :func:`slow_clients` on one `dxs serve` over ``world``.

    The server is started with the body and head timeouts ``idle``, ``total`` and ``head``
    (seconds); returns what :func:`slow_clients` does.
    """
    timeouts = {"DXS_BODY_IDLE_TIMEOUT": str(idle), "DXS_BODY_TIMEOUT": str(total), "DXS_HEAD_TIMEOUT": str(head)}
    with Server(world.url, world.log_key, log_file=log_file, env=timeouts) as server:
        through_api(figures, server.base, server_memory_mb(server.proc.pid))
        hostile_requests(figures, server.base, world)
        oversized(figures, server.base, world.bearer("RD"), world.link_id)
        return slow_clients(figures, server.base, idle=idle, total=total, head=head)
