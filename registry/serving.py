"""The HTTP protocol `dxs serve` runs: uvicorn's, plus a deadline for each request's head.

uvicorn times out only idle keep-alive connections; a client that connects and sends
its request line and headers a byte at a time (slowloris) would keep its connection
for ever. Here every request head must be complete within ``DXS_HEAD_TIMEOUT``
seconds (default 10) of the connection opening or of the previous answer, or the
connection is closed. (The body has its own limits: :mod:`registry.limits`.)
"""

from __future__ import annotations

import asyncio
import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["HEAD_TIMEOUT", "GuardedHttpToolsProtocol"]

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
