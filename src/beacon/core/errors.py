"""Domain errors raised by services.

One handler maps them to HTTP responses (beacon.api) and one to CLI exit codes
(beacon.cli). Services never return error codes and never know about HTTP.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class. ``http_status`` and ``exit_code`` say how interfaces report it."""

    http_status = 400
    exit_code = 2
    code = "error"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, list[str]] = fields or {}

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class ValidationFailed(DomainError):
    """Input broke a rule; ``fields`` maps each field name to its messages."""

    http_status = 422
    code = "validation_failed"

    @classmethod
    def on(cls, field: str, message: str) -> ValidationFailed:
        return cls(f"{field}: {message}", fields={field: [message]})


class IllegalTransition(DomainError):
    """The requested change is not allowed from the record's current state."""

    http_status = 409
    code = "illegal_transition"


class StaleVersion(DomainError):
    """The client changed an old version of the object; nothing was changed."""

    http_status = 412
    code = "stale_version"


class NotVisible(DomainError):
    """Not found, or not allowed to see: deliberately indistinguishable (404)."""

    http_status = 404
    exit_code = 4
    code = "not_found"

    def __init__(self, message: str = "Not found.", **kwargs: object) -> None:
        super().__init__(message)


class Forbidden(DomainError):
    """The actor can see the object but may not perform this action on it."""

    http_status = 403
    exit_code = 3
    code = "forbidden"


class Conflict(DomainError):
    """The request clashes with existing data (duplicate key, idempotency reuse)."""

    http_status = 409
    code = "conflict"
