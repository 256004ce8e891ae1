"""Recognising a database outage and answering it with a fast, clear 503."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from beacon.resilience.responses import error_response

logger = logging.getLogger("beacon.resilience")

RETRY_AFTER_SECONDS = 5
OUTAGE_MESSAGE = (
    "The database is unreachable, so this request could not be completed. "
    "Retry in a few seconds; a retry with the same Idempotency-Key never saves anything twice."
)


def is_database_outage(exc: BaseException | None) -> bool:
    """True for connection loss, refused connections, locked or read-only databases.

    Django wraps the driver's errors in its own OperationalError and InterfaceError;
    the chain of causes is followed in case another layer wrapped them again.
    """
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def outage_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    logger.error(
        "database unavailable during %s %s: %s", request.method, request.path, exc or "unknown"
    )
    return error_response(
        request,
        503,
        "database_unavailable",
        OUTAGE_MESSAGE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )
