"""An outsider's audit of the log: a checkpoint kept earlier, the server's proofs, and a pinned key.

``dxs registry audit`` needs no database and no API key. It reads a checkpoint saved
earlier (the JSON of ``GET /api/v1/log/checkpoint``), fetches the current one, checks
both signatures with a public key the user pinned (never the key in the server's fresh
answer), then checks RFC 9162 proofs from the server: that the current log extends
the saved one (consistency), and that given entries are in it (inclusion).

The server is only asked; everything it says is checked here against the two signed
checkpoints. A failed check is a finding (the log was rewritten or truncated, or is
signed with another key); a checkpoint file that cannot be read, a key that is not a
key, or a server that does not answer is an :class:`AuditError` (exit code 2).

The client is the standard library's ``urllib``; tests and other callers may hand in
their own ``fetch`` (see :data:`Fetch`).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm

from .merkle import EMPTY_ROOT, verify_consistency, verify_inclusion
from .services.log import CHECKPOINT_ORIGIN, checkpoint_message
from .signing import LogVerifier

__all__ = ["AuditError", "AuditReport", "Check", "Fetch", "audit", "http_fetch", "load_checkpoint", "pinned_key"]

#: ``fetch(path_and_query)`` → (HTTP status, body); raises :class:`AuditError` when the server cannot be reached.
Fetch = Callable[[str], tuple[int, bytes]]


class AuditError(Exception):
    """The audit cannot be done as asked: a file, a key or the server is unusable (not a finding)."""

    exit_code = 2


@dataclass(frozen=True)
class Check:
    """One thing the audit checked, and whether it held."""

    what: str
    ok: bool
    why: str = ""

    def __str__(self) -> str:
        return f"{self.what}: {self.why}" if self.why else self.what


@dataclass
class AuditReport:
    """What ``dxs registry audit`` found; ``ok`` when every check held."""

    server: str
    key_id: str
    #: where the key that checked the signatures came from
    key_from: str
    saved_size: int
    saved_root: str
    current_size: int | None = None
    current_root: str | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, what: str, ok: bool, why: str = "") -> bool:
        self.checks.append(Check(what, ok, why))
        return ok


# --------------------------------------------------------------------------- inputs


def load_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint saved earlier, checked for shape.

    :raises AuditError: the file cannot be read or is not a checkpoint (the message names the field).
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise AuditError(f"cannot read the checkpoint {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise AuditError(f"{path} is not JSON ({exc}); save the answer of GET /api/v1/log/checkpoint as it is") from None
    problem = _checkpoint_problem(data)
    if problem:
        raise AuditError(f"{path} is not a log checkpoint: {problem}")
    return data


def _checkpoint_problem(data: Any) -> str | None:
    """Why ``data`` is not a checkpoint as the registry publishes it (``None`` if it is)."""
    if not isinstance(data, dict):
        return "expected a JSON object"
    size = data.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return f"size: expected a whole number ≥ 0, got {size!r}"
    for name in ("root", "origin"):
        if not isinstance(data.get(name), str):
            return f"{name}: missing or not text"
    if not _is_hash(data["root"]):
        return f"root: expected 64 hex digits, got {data['root']!r}"
    for name in ("time", "signature", "public_key", "key_id"):
        if data.get(name) is not None and not isinstance(data[name], str):
            return f"{name}: expected text, got {data[name]!r}"
    return None


def _is_hash(text: Any) -> bool:
    return isinstance(text, str) and len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text)


def pinned_key(public_key: str | None, saved: dict[str, Any], saved_name: str) -> tuple[LogVerifier, str]:
    """The key to check signatures with, and where it came from.

    ``public_key``: base64 of the raw Ed25519 key, or a file holding that text or a PEM
    public key. Without it, the key inside the saved checkpoint (it was the server's key
    when the checkpoint was saved; the server's *current* answer is never trusted for it).

    :raises AuditError: no key anywhere, or one that is not an Ed25519 public key.
    """
    if public_key:
        path = Path(public_key)
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as exc:
                raise AuditError(f"--public-key {public_key}: cannot read it ({exc})") from None
            return _key(text, f"--public-key {public_key}"), f"--public-key file {public_key}"
        return _key(public_key.strip(), "--public-key"), "--public-key"
    if not saved.get("public_key"):
        raise AuditError(f"{saved_name} names no public key: give the operator's with --public-key")
    return _key(saved["public_key"], f"{saved_name}: public_key"), f"the saved checkpoint {saved_name}"


def _key(text: str, where: str) -> LogVerifier:
    try:
        if text.startswith("-----BEGIN"):
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

            loaded = serialization.load_pem_public_key(text.encode())
            if not isinstance(loaded, Ed25519PublicKey):
                raise ValueError("not an Ed25519 key")
            return LogVerifier(loaded)
        if len(base64.b64decode(text, validate=True)) != 32:
            raise ValueError("an Ed25519 public key is 32 bytes")
        return LogVerifier.from_b64(text)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise AuditError(f"{where}: not an Ed25519 public key in base64 or PEM ({exc})") from None


# --------------------------------------------------------------------------- the server


def http_fetch(server: str, *, timeout: float = 30.0) -> Fetch:
    """A :data:`Fetch` that asks ``server`` (``http://`` or ``https://``) with urllib.

    :raises AuditError: (when called) the server cannot be reached.
    """
    base = server.rstrip("/")
    if urllib.parse.urlsplit(base).scheme not in ("http", "https") or not urllib.parse.urlsplit(base).netloc:
        raise AuditError(f"--server {server}: expected an http:// or https:// address of the registry")

    def fetch(path: str) -> tuple[int, bytes]:
        request = urllib.request.Request(base + path, headers={"Accept": "application/json", "User-Agent": "dxs-registry-audit"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (the scheme is checked above)
                return answer.status, answer.read()
        except urllib.error.HTTPError as exc:  # an answer all the same: the caller reads its status
            return exc.code, exc.read()
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise AuditError(f"cannot reach the registry at {base}: {reason}") from None

    return fetch


#: Answers to a proof request that say the log cannot prove it (a finding), not that the request went wrong.
_CANNOT_PROVE = (404, 409, 422)


def _ask(fetch: Fetch, path: str) -> tuple[int, dict[str, Any]]:
    """The server's JSON answer to ``path`` and its status: 200, or one of :data:`_CANNOT_PROVE`.

    :raises AuditError: any other status (a server error, a refusal, a rate limit), or an
        answer that is not a JSON object.
    """
    status, body = fetch(path)
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise AuditError(f"the registry answered GET {path} with HTTP {status} and no JSON object: is --server the registry?")
    if status != 200 and status not in _CANNOT_PROVE:
        raise AuditError(f"the registry answered GET {path} with HTTP {status}: {data.get('message', '')}")
    return status, data


def _proof_shape(data: dict[str, Any], names: Sequence[str]) -> str | None:
    if not isinstance(data.get("proof"), list) or not all(isinstance(h, str) for h in data["proof"]):
        return "proof: not a list of hashes"
    for name in names:
        if not isinstance(data.get(name), (str, int)) or isinstance(data.get(name), bool):
            return f"{name}: missing"
    return None


# --------------------------------------------------------------------------- the audit


def audit(
    saved_file: Path,
    fetch: Fetch,
    *,
    server: str,
    public_key: str | None = None,
    entries: Sequence[tuple[int, str | None]] = (),
) -> AuditReport:
    """Audit the log at ``server`` (through ``fetch``) against the checkpoint in ``saved_file``.

    ``entries``: ``(seq, expected entry hash or None)`` to prove included. Each failed
    check is in the report; nothing is raised for a finding.

    :raises AuditError: the checkpoint file or the key cannot be used, or the server does not answer usably.
    """
    saved = load_checkpoint(saved_file)
    verifier, key_from = pinned_key(public_key, saved, str(saved_file))
    for seq, expected in entries:
        if seq < 0:
            raise AuditError(f"--seq {seq}: sequence numbers start at 0")
        if expected is not None and not _is_hash(expected):
            raise AuditError(f"--entry-hash {expected}: expected 64 hex digits (the entry's hash)")
    report = AuditReport(server, verifier.key_id, key_from, saved["size"], saved["root"].lower())

    _signed(report, verifier, saved, "the saved checkpoint")
    status, current = _ask(fetch, "/api/v1/log/checkpoint")
    problem = _checkpoint_problem(current) if status == 200 else f"HTTP {status}: {current.get('message', '')}"
    if problem:
        raise AuditError(f"the registry's current checkpoint is not usable: {problem}")
    report.current_size, report.current_root = current["size"], current["root"].lower()
    hint = ""
    if current.get("public_key") and current["public_key"] != verifier.public_key_b64:
        hint = (f"; the server now publishes another key (id {current.get('key_id')}), which is not trusted: if the operator "
                "announced a new key, audit with it (--public-key) and a checkpoint signed with it")
    _signed(report, verifier, current, "the current checkpoint", hint)
    _consistent(report, fetch)
    for seq, expected in entries:
        _included(report, fetch, seq, expected)
    return report


def _signed(report: AuditReport, verifier: LogVerifier, cp: dict[str, Any], name: str, hint: str = "") -> None:
    what = f"{name} (size {cp['size']}) is signed by key {verifier.key_id}"
    if cp["origin"] != CHECKPOINT_ORIGIN:
        report.add(what, False, f"its origin is {cp['origin']!r}, not {CHECKPOINT_ORIGIN!r}")
        return
    if cp["size"] == 0 and not cp.get("signature"):
        # the empty log vouches for nothing: the server sends no signature for it
        report.add(f"{name} is of the empty log", cp["root"] == EMPTY_ROOT, "" if cp["root"] == EMPTY_ROOT else "but its root is not the empty tree's")
        return
    if not cp.get("signature") or not cp.get("time"):
        report.add(what, False, "it carries no signature")
        return
    ok = verifier.verify(checkpoint_message(cp["size"], cp["root"], cp["time"]), cp["signature"])
    named = f" (it names key {cp.get('key_id')})" if cp.get("key_id") and cp.get("key_id") != verifier.key_id else ""
    report.add(what, ok, "" if ok else f"the signature does not verify{named}{hint}")


def _consistent(report: AuditReport, fetch: Fetch) -> None:
    first, second = report.saved_size, report.current_size
    assert second is not None and report.current_root is not None
    what = f"the log of {second} entries extends the saved one of {first}"
    if second < first:
        report.add(what, False, f"the server's log has only {second} entries, fewer than the {first} it signed for earlier: "
                   "it was truncated or rolled back")
        return
    status, data = _ask(fetch, f"/api/v1/log/proof/consistency?from={first}&to={second}")
    if status != 200:
        report.add(what, False, f"the server cannot prove it (HTTP {status}: {data.get('message', '')})")
        return
    shape = _proof_shape(data, ("from_size", "to_size"))
    if shape or (data["from_size"], data["to_size"]) != (first, second):
        report.add(what, False, f"the server's answer is not the proof asked for ({shape or 'other sizes'})")
        return
    if verify_consistency(first, second, report.saved_root, report.current_root, data["proof"]):
        report.add(what, True)
        return
    hints = []
    if data.get("from_root") != report.saved_root:
        hints.append(f"its first {first} entries now hash to {str(data.get('from_root'))[:16]}…, not the saved root "
                     f"{report.saved_root[:16]}…: entries before {first} were changed")
    if data.get("to_root") != report.current_root:
        hints.append("its stored entries do not hash to the root it signed now")
    report.add(what, False, "the consistency proof fails" + (": " + "; ".join(hints) if hints else ""))


def _included(report: AuditReport, fetch: Fetch, seq: int, expected: str | None) -> None:
    size, root = report.current_size, report.current_root
    assert size is not None and root is not None
    what = f"entry {seq}" + (f" ({expected[:16]}…)" if expected else "") + f" is in the log of {size} entries"
    if seq >= size:
        report.add(what, False, f"the log has entries 0 … {size - 1} only: an entry acknowledged earlier is gone (truncated)"
                   if size else "the log is empty")
        return
    status, data = _ask(fetch, f"/api/v1/log/proof/inclusion?seq={seq}&size={size}")
    if status != 200:
        report.add(what, False, f"the server cannot prove it (HTTP {status}: {data.get('message', '')})")
        return
    shape = _proof_shape(data, ("seq", "size", "leaf_hash"))
    if shape or (data["seq"], data["size"]) != (seq, size):
        report.add(what, False, f"the server's answer is not the proof asked for ({shape or 'another entry or size'})")
        return
    stored = str(data["leaf_hash"]).lower()
    if expected and stored != expected.lower():
        # Even if the proof holds for the hash given (the signed root may predate the change),
        # the server no longer stores that entry: it was rewritten behind the log's back.
        report.add(what, False, f"the server now stores entry {seq} with the hash {stored[:16]}…, not the one you were given: "
                   "the entry was rewritten")
    elif verify_inclusion(stored, seq, size, data["proof"], root):
        report.add(what, True)
    else:
        report.add(what, False, "the inclusion proof does not lead to the signed root: the stored log was changed")
