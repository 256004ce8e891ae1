"""Middleware: idempotent writes, and a clean 503 when the database is unreachable.

In settings.MIDDLEWARE, after AuthenticationMiddleware (the key's scope reads request.user):
    "beacon.resilience.middleware.DatabaseOutageMiddleware",
    "beacon.resilience.middleware.IdempotencyMiddleware",
Exceptions raised by other middleware are answered by ``beacon.resilience.views.server_error``
(the project's handler500), which gives the same 503 for an outage.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.http.response import HttpResponseBase

from beacon.resilience import idempotency
from beacon.resilience.outage import is_database_outage, outage_response
from beacon.resilience.responses import error_response


class DatabaseOutageMiddleware:
    """A view that hits an unreachable database answers 503 with a clear message."""

    def __init__(self, get_response: idempotency.GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_outage(exception):
            return outage_response(request, exception)
        return None


class IdempotencyMiddleware:
    """Runs each keyed write once; see beacon.resilience.idempotency."""

    def __init__(self, get_response: idempotency.GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            key = idempotency.key_of(request)
        except idempotency.KeyInvalid:
            return error_response(
                request,
                400,
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters.",
                fields={idempotency.HEADER: ["1 to 255 visible ASCII characters"]},
            )
        except RequestDataTooBig:
            return error_response(
                request, 413, "request_too_large", "The request body is too large."
            )
        except RawPostDataException:
            return error_response(
                request,
                400,
                "idempotency_body_unreadable",
                "The request body could not be read to check the Idempotency-Key.",
            )
        if key is None:
            return self.get_response(request)
        try:
            return idempotency.run(request, key, self.get_response)
        except DatabaseError as exc:
            if is_database_outage(exc):
                return outage_response(request, exc)
            raise
