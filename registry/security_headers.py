"""Security headers on every answer: pages load only from this service and are never framed.

A pure ASGI middleware. Each answer gets, unless its route set its own:

- ``Content-Security-Policy`` (:data:`PAGE_POLICY`): scripts, styles, images and
  connections from this service only, no plugins, forms post only here, and
  ``frame-ancestors 'none'`` (the key sign-in page cannot be framed for clickjacking).
  A route's own policy (``/docs`` and ``/redoc``, :mod:`registry.openapi`) is kept, with
  ``frame-ancestors 'none'`` added when it lacks one.
- ``X-Frame-Options: DENY`` (the same, for browsers that predate ``frame-ancestors``),
  ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``.

``same-origin``, not ``no-referrer``: under ``no-referrer`` browsers send ``Origin: null``
with a form post, and the portal's sign-in refuses a post whose origin is not its own.
The pages style with inline ``<style>`` and ``style=""`` (hence ``'unsafe-inline'`` for
styles only); they run no inline script. On JSON the headers are harmless.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PAGE_POLICY", "SecurityHeaders"]

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

_FIXED = (
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


def with_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with the security headers added (a route's own values win; its CSP gains frame-ancestors)."""
    present = {name.lower() for name, _ in headers}
    out: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if name.lower() == b"content-security-policy" and b"frame-ancestors" not in value:
            value = value.rstrip(b"; ") + b"; frame-ancestors 'none'"
        out.append((name, value))
    if b"content-security-policy" not in present:
        out.append((b"content-security-policy", PAGE_POLICY.encode()))
    out.extend((name, value) for name, value in _FIXED if name not in present)
    return out


class SecurityHeaders:
    """Adds the security headers to every HTTP answer (see the module's doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": with_headers(list(message.get("headers") or []))}
            await send(message)

        await self.app(scope, receive, sending)
