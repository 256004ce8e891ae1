"""Recognising a database outage and answering it with a fast, clear 503; a database
whose storage is full gets its own answer (507), since retrying cannot help."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse

from beacon.core.dberrors import (
    STORAGE_FULL_MESSAGE,
    is_database_outage,
    log_storage_full,
    storage_full_cause,
)
from beacon.resilience.responses import error_response

__all__ = [
    "STORAGE_FULL_MESSAGE",
    "is_database_outage",
    "outage_response",
    "storage_full_cause",
    "storage_full_response",
]

logger = logging.getLogger("beacon.resilience")

RETRY_AFTER_SECONDS = 5
OUTAGE_MESSAGE = (
    "The database is unreachable, so this request could not be completed. "
    "Retry in a few seconds; a retry with the same Idempotency-Key never saves anything twice."
)


def storage_full_response(
    request: HttpRequest, exc: BaseException, cause: BaseException
) -> HttpResponse:
    log_storage_full(f"{request.method} {request.path}", cause)
    return error_response(
        request,
        507,
        "database_storage_full",
        STORAGE_FULL_MESSAGE,
        headers={"Cache-Control": "no-store"},
    )


def outage_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    cause = storage_full_cause(exc)
    if exc is not None and cause is not None:
        return storage_full_response(request, exc, cause)
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
