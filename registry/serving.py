"""The HTTP protocol `dxs serve` runs: uvicorn's, plus a deadline for each request's head.

uvicorn times out only idle keep-alive connections; a client that connects and sends
its request line and headers a byte at a time (slowloris) would keep its connection
for ever. Here every request head must be complete within ``DXS_HEAD_TIMEOUT``
seconds (default 10) of the connection opening or of the previous answer, or the
connection is closed. (The body has its own limits: :mod:`registry.limits`.)

Secrets never reach the logs: :class:`RedactSecrets`, installed on uvicorn's access and
error loggers and the service's own when this module is imported (in every worker),
replaces the value of any secret-looking query parameter (``key=``, ``api_key=``,
``token=``...) and any API key or portal session token anywhere in a line. uvicorn logs
no request headers, so ``Authorization`` and cookies are never in its lines.

A worker's threads hand the GIL over every ``DXS_SWITCH_INTERVAL`` seconds (default
0.001; Python's own is 0.005): a validation, which is Python's own CPU work on a thread
of its own, then holds up a request on the event loop for a millisecond at a time, not
five, at each of the request's hops between threads and the database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["HEAD_TIMEOUT", "GuardedHttpToolsProtocol", "RedactSecrets", "hand_over_often", "install_redaction", "redact"]

HEAD_TIMEOUT = float(os.environ.get("DXS_HEAD_TIMEOUT") or 10)


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol that closes connections whose request head is too slow."""

    _head_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(HEAD_TIMEOUT, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request's head has the same deadline (keep-alive closes idle ones sooner)


#: Query parameters whose values are secrets (a key sent where it should not be is refused, but still logged).
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:key|api[_-]?key|x[_-]api[_-]key|apikey|token|access[_-]token|session|authorization|password|secret)=)[^&;#\s\"]*"
)
#: A key (``dxs_<prefix>_<secret>``) or session token anywhere: its secret part goes, the prefix stays (it names the key).
_KEY = re.compile(r"\b(dxs_[0-9A-Za-z]+_)[A-Za-z0-9_\-]{8,}|\b(dxs-session\.)[A-Za-z0-9_\-]{8,}")
#: A header that carries a credential, as uvicorn's trace level prints a scope (``(b'authorization', b'...')``), or a bearer token.
_HEADER = re.compile(r"(?i)(\(b'(?:authorization|x-api-key|cookie)',\s*b')[^']*|(\bbearer\s+)[^\s'\",)]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with secret query values, keys' secrets and session tokens replaced by ``[redacted]``."""
    text = _SECRET_PARAM.sub(lambda m: m.group(1) + REDACTED, text)
    text = _HEADER.sub(lambda m: (m.group(1) or m.group(2)) + REDACTED, text)
    return _KEY.sub(lambda m: (m.group(1) or m.group(2)) + REDACTED, text)


class RedactSecrets(logging.Filter):
    """A logging filter that redacts secrets from each record's message and arguments (see :func:`redact`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


_FILTER = RedactSecrets()
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn.asgi", "uvicorn", "registry")


def install_redaction() -> None:
    """Put :class:`RedactSecrets` on the loggers that may see a request (once; uvicorn's logging set-up keeps it)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


install_redaction()  # on import: uvicorn imports this protocol in every worker, after configuring its logging


def _switch_interval() -> float:
    try:
        value = float(os.environ.get("DXS_SWITCH_INTERVAL") or 0.001)
    except ValueError:
        value = 0.001
    return min(max(value, 0.0001), 0.1)


def hand_over_often() -> None:
    """Set this process's GIL switch interval from ``DXS_SWITCH_INTERVAL`` (see the module's doc); `dxs serve` calls it."""
    sys.setswitchinterval(_switch_interval())
