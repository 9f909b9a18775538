"""Domain errors of the service, each with a stable ``code`` and the HTTP status it maps to.

Services raise these and never import the web framework; :mod:`registry.handlers`
is the one place that turns them into ``{"code": ..., "message": ...}`` answers,
as ``dxs`` is the one place that turns them into ``Error: <message>`` and the
class's ``exit_code``.
"""

from __future__ import annotations

__all__ = [
    "BatchTooLarge",
    "Conflict",
    "Forbidden",
    "IdempotencyKeyReused",
    "Invalid",
    "NotFound",
    "ServiceError",
    "Unauthenticated",
]


class ServiceError(Exception):
    """A domain error with a stable ``code`` and an HTTP status."""

    status_code = 400
    code = "bad_request"
    #: what ``dxs`` exits with: 2, the command cannot be done as asked (a duplicate, an unknown key)
    exit_code = 2

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class Unauthenticated(ServiceError):
    """No usable API key: missing, unknown or revoked."""

    status_code = 401
    code = "unauthenticated"


class Forbidden(ServiceError):
    """The caller is known but may not do this (not a party, not the office)."""

    status_code = 403
    code = "forbidden"


class NotFound(ServiceError):
    status_code = 404
    code = "not_found"


class Conflict(ServiceError):
    """The request clashes with the current state (a duplicate code, an ended link)."""

    status_code = 409
    code = "conflict"


class BatchTooLarge(ServiceError):
    status_code = 413
    code = "batch_too_large"


class Invalid(ServiceError):
    """Well-formed but not acceptable (an unknown or unannounced standard version)."""

    status_code = 422
    code = "invalid"


class IdempotencyKeyReused(Invalid):
    """The same ``Idempotency-Key`` came with a different request."""

    code = "idempotency_key_reused"
