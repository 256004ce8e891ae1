"""Health check and the project's last-resort error handler."""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from beacon.access.routes import PUBLIC, requires
from beacon.resilience.outage import is_database_outage, outage_response
from beacon.resilience.responses import error_response

logger = logging.getLogger("beacon.resilience")


@requires(PUBLIC)
def health(request: HttpRequest) -> HttpResponse:
    """200 when Beacon can reach its database, 503 (fast, clear) when it cannot."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return outage_response(request, exc)
    response = JsonResponse({"status": "ok", "database": "ok"})
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage becomes 503; anything else a 500 without internal detail."""
    exc = sys.exc_info()[1]
    if is_database_outage(exc):
        return outage_response(request, exc)
    return error_response(
        request,
        500,
        "server_error",
        "Beacon hit an internal error; nothing was saved by this request. "
        "The error has been logged for the administrators.",
    )
